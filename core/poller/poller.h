// The epoll thread: waits on the registered sockets and on the loop's next timer, and
// wakes the loop through the completion channel.
//
// Mirrors the book's epoll thread (minimio's Poll on its own thread). In libuv there is no
// such thread: the loop thread itself blocks in epoll_wait (uv__io_poll). The book moves
// the wait to a thread of its own so that the loop can wait on one channel for both pool
// and socket events; we keep that design because it is what the trace shows.
//
// What is in the epoll set, and why:
// - a control eventfd: the loop writes it to hand over new sockets or to send Close;
// - a timerfd: the loop arms it with the next timer's deadline when it enters the poll
//   phase and disarms it when it leaves. It takes an absolute deadline in nanoseconds, so
//   the wait never ends early and never spins on a timeout rounded down to 0 ms (the
//   book's fault), and it is re-armed every poll phase, so it is never stale (the book's
//   other fault: its epoll thread read the timeout before the loop had updated it);
// - one non-blocking TCP socket per HTTP request, registered with EPOLLONESHOT and re-armed
//   after each step, as minimio does.
//
// Divergence: libuv reads a socket on the loop thread when epoll reports it readable (the
// node model's Reactor does). Here the epoll thread drives each HttpConnection itself and
// wakes the loop once, when the response is complete (or failed), so each request is one
// event in the trace, as in the book.
//
// Owns: the epoll fd, the eventfd, the timerfd, the sockets and their requests.
// Thread contract: the public members are loop-thread only, except that they are safe
// while the epoll thread runs; the epoll thread owns the connections.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "clock/clock.h"
#include "common/time.h"
#include "poller/host_resolver.h"
#include "http/connection.h"

namespace elt {

class Clock;
class CompletionChannel;
class Tracer;

class Poller {
 public:
  Poller(Clock& clock, Tracer& tracer, CompletionChannel& channel);
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // Arms the timerfd for this poll phase. A timeout that fires posts a Timeout completion
  // carrying `generation`, so the loop can tell a current timeout from a late one.
  void arm_timeout(DeadlineKey key, std::uint64_t generation);
  void disarm_timeout();
  // Hands a request to the epoll thread. Its RequestDone (id spec.id) carries
  // the response, or an error (refused, unknown host, timed out, not HTTP...).
  void start_http(HttpRequestSpec spec);
  // Watches the write end of a pipe (the trace's stdout): when its reader goes away
  // (`| head -3`), calls `gone` on the epoll thread, at once rather than at the next write.
  void watch_output(int fd, std::function<void()> gone);
  // Sends Close and joins the thread. Requests still open are abandoned.
  void close();

  // Requests handed over and not completed yet (loop thread's count).
  std::size_t in_flight() const { return in_flight_; }
  void note_completed() { --in_flight_; }
  // Ids of the requests handed over and not completed, for the stepper's state view.
  std::vector<CallbackId> registered() const;

 private:
  struct Connection;
  void run();
  bool handle_control();  // false after Close
  void handle_timer();
  void report_timeout(std::uint64_t generation);
  void start_connection(std::unique_ptr<Connection> conn);
  void advance(Connection& conn);
  void watch(Connection& conn, std::uint32_t events);
  void finish(Connection& conn);
  void expire_requests();
  void wake_thread();
  int next_request_timeout_ms() const;
  // Host names are looked up on the resolver's thread, never here (host_resolver.h).
  bool start_lookup(Connection& conn);
  void take_lookups();

  Clock& clock_;
  Tracer& tracer_;
  CompletionChannel& channel_;
  int epoll_fd_ = -1;
  int control_fd_ = -1;
  int timer_fd_ = -1;
  std::atomic<std::uint64_t> armed_generation_{0};
  Participant participant_ = kNoParticipant;
  // Virtual clock: the poll timeout and request timeouts are alarms on the clock instead
  // of the timerfd and epoll_wait's timeout; an alarm leaves its news here.
  AlarmId timeout_alarm_ = 0;
  std::atomic<std::uint64_t> virtual_timeout_{0};  // generation of a fired poll timeout
  std::vector<CallbackId> expired_ids_;           // guarded by mutex_
  std::size_t in_flight_ = 0;
  std::function<void()> output_gone_;  // set before the fd is added; then epoll thread only

  mutable std::mutex mutex_;  // guards inbox_, closing_ and ids_ (the loop's hand-over)
  std::deque<HttpRequestSpec> inbox_;
  std::vector<CallbackId> ids_;
  bool closing_ = false;
  std::vector<std::pair<CallbackId, HostResolver::Answer>> answers_;  // from the resolver

  // Epoll thread only.
  std::vector<std::unique_ptr<Connection>> connections_;
  HostResolver resolver_;
  std::thread thread_;
};

}  // namespace elt
