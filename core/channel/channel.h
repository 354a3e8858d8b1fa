// The one crossing point from the other threads to the loop thread. It sits below its
// users: the pool and the epoll thread post to it, the loop takes from it, and none of them
// is included here.
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
#include <variant>
#include <vector>

#include "clock/clock.h"
#include "common/time.h"
#include "common/value.h"

namespace elt {

// What crosses, one type per source: a completion is exactly one of them, and each
// carries only its own fields (libuv keeps one struct per request type for the same reason:
// uv_work_t, uv_fs_t, uv_getaddrinfo_t).

// A pool thread finished a task (book and node).
struct TaskDone {
  std::size_t thread = 0;          // which pool thread
  CallbackId id = 0;               // the task's callback
  Outcome outcome;
  std::optional<DeadlineKey> key;  // a task with a simulated latency: when it ended
};

// A socket's request is complete: the epoll thread's (book) or the reactor's (node).
struct RequestDone {
  CallbackId id = 0;
  Outcome outcome;
};

// The book's epoll thread reached the deadline its timerfd was armed for.
struct WaitTimedOut {
  std::uint64_t generation = 0;  // which poll phase armed it; an older one is stale
};

using Completion = std::variant<TaskDone, RequestDone, WaitTimedOut>;

// The callback a completion is for; 0 for a timeout, which has none.
inline CallbackId callback_of(const Completion& completion) {
  if (const auto* task = std::get_if<TaskDone>(&completion)) return task->id;
  if (const auto* request = std::get_if<RequestDone>(&completion)) return request->id;
  return 0;
}

// Moves the outcome out of a completion that has a callback; a timeout has none.
inline Outcome take_outcome(Completion& completion) {
  if (auto* task = std::get_if<TaskDone>(&completion)) return std::move(task->outcome);
  if (auto* request = std::get_if<RequestDone>(&completion)) return std::move(request->outcome);
  return Outcome{};
}

class CompletionChannel {
 public:
  // `loop` is the loop thread as the clock knows it (kNoParticipant with the real clock).
  CompletionChannel(Clock& clock, Participant loop);
  ~CompletionChannel();
  CompletionChannel(const CompletionChannel&) = delete;
  CompletionChannel& operator=(const CompletionChannel&) = delete;

  void post(Completion&& completion);
  // A pool thread's post: the completion is built in the queue from `done`, one move of
  // its 120 bytes instead of two (into a Completion, then into the queue).
  void post(TaskDone&& done);
  // Wakes the loop without a message (a stop request). Async-signal-safe.
  void wake();
  // Blocks until something was posted since the last take_all().
  void wait();
  // Moves everything posted so far to the end of `into`; when `into` is empty (as it is
  // after recycle()), by swapping buffers, so that the two vectors' capacity is reused and
  // a busy channel allocates nothing.
  void take_all(std::vector<Completion>& into);
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
  // Appends under the lock; true when the queue was empty before (the post that signals).
  template <class C>
  bool push(C&& completion);

  mutable std::mutex mutex_;  // guards queue_; never held while a callback runs
  std::vector<Completion> queue_;
};

// A buffer for take_all(): cleared for the next swap, or let go after a burst so that a
// burst's memory does not stay with the process.
inline void recycle(std::vector<Completion>& buffer) {
  constexpr std::size_t kKeep = 1024;
  if (buffer.capacity() > kKeep) {
    buffer = std::vector<Completion>{};
  } else {
    buffer.clear();
  }
}

}  // namespace elt
