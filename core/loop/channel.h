// The one crossing point from the other threads to the loop thread.
//
// Pool threads post finished tasks, the epoll thread posts ready sockets and timeouts;
// the loop thread takes them. Like libuv's uv_async_t: a queue under a mutex plus an
// eventfd that wakes the loop. Wake-ups coalesce: only a post into an empty queue writes
// the eventfd (uv_async_send's pending flag), and one read clears it, so a burst of
// completions costs one write and one wake-up.
// The loop moves the whole queue out under the lock and handles it without the lock.
// Thread-safety: post() from any thread; wait() and take_all() on the loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "clock/clock.h"
#include "common/time.h"
#include "common/value.h"

namespace elt {

struct Completion {
  enum class Source { Pool, Epoll, Timeout };
  Source source = Source::Pool;
  std::size_t thread = 0;            // Pool: which pool thread
  CallbackId id = 0;                 // the callback to run (0 for Timeout)
  Outcome outcome;
  std::optional<DeadlineKey> key;    // Pool tasks with a simulated latency: when it ended
  std::uint64_t generation = 0;      // Timeout: which poll phase armed it
};

class CompletionChannel {
 public:
  // `loop` is the loop thread as the clock knows it (kNoParticipant with the real clock).
  CompletionChannel(Clock& clock, Participant loop);
  ~CompletionChannel();
  CompletionChannel(const CompletionChannel&) = delete;
  CompletionChannel& operator=(const CompletionChannel&) = delete;

  void post(Completion completion);
  // Wakes the loop without a message (a stop request). Async-signal-safe.
  void wake();
  // Blocks until something was posted since the last take_all().
  void wait();
  std::deque<Completion> take_all();
  // For a loop that waits in its own epoll set (the node model's Reactor): the eventfd
  // to watch, and the read that clears it before take_all().
  int fd() const { return event_fd_; }
  void clear_signal();
  std::size_t size() const;
  // What is waiting, oldest first (for the stepper's state view).
  std::vector<Completion> snapshot() const;

 private:
  Clock& clock_;
  Participant loop_;
  int event_fd_ = -1;
  mutable std::mutex mutex_;  // guards queue_; never held while a callback runs
  std::deque<Completion> queue_;
};

}  // namespace elt
