// The runtime's clock: the one source of "now" and of sleeping.
//
// Every thread asks the clock for the time and sleeps through it, never through
// std::chrono or nanosleep directly, so that a virtual clock can replace real time
// without a second loop (issue: deterministic runs). Code outside clock/ never asks which
// clock it has (kind() is for tests that build one of each): it asks what the clock can do
// (may_spin, deadlines_by_alarm, sees_real_time, schedules_threads). What must be real
// time on either clock reads real_time_now().
// Thread-safety: every member may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <cstdint>
#include <functional>
#include <string_view>

#include "common/time.h"

namespace elt {

enum class ClockKind { Real, Virtual };

// A thread the virtual clock schedules (see virtual_clock.h). The real clock ignores them.
using Participant = std::size_t;
inline constexpr Participant kNoParticipant = static_cast<Participant>(-1);
using AlarmId = std::uint64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual ClockKind kind() const = 0;
  virtual TimePoint now() const = 0;
  // Blocks the calling thread until key.deadline. The key's id orders sleepers that are
  // due at the same moment.
  // Returns false when interrupt_sleeps() cut the sleep short.
  virtual bool sleep_until(DeadlineKey key) = 0;
  // Keeps the calling thread busy until key.deadline, as a thread that computes: nothing
  // cuts it short (a wake() meanwhile is a message it finds afterwards). The real clock
  // spins (real CPU time); the virtual clock charges the time and lets the other threads
  // run meanwhile, as they would on other cores. `stop` ends it early (shutdown).
  virtual void busy_until(DeadlineKey key, const std::atomic<bool>& stop) = 0;
  // What a CPU cost stated in the scenario (encrypt's cost_ms) takes on this clock: the
  // real clock measures the real work instead (zero extra); the virtual clock charges it.
  virtual Duration stated_cost(Duration cost) const { (void)cost; return Duration::zero(); }
  // The participant the clock knows the creating thread (the loop) as.
  virtual Participant creator() const { return kNoParticipant; }
  // Ends every sleep now and makes later ones return at once (shutdown).
  virtual void interrupt_sleeps() {}
  // Whether a thread about to wait for work may first spin a few microseconds on the CPU
  // (a pool thread between tasks): true for real time on a machine with a CPU to spare.
  // The virtual clock must see every wait (block()), so it never lets a thread spin.
  virtual bool may_spin() const { return false; }
  // Whether this clock's deadlines are reached only through add_alarm: true for virtual
  // time, which the kernel's timers (a timerfd, epoll_wait's timeout) cannot see. I/O
  // code then sets an alarm for its deadline, and gives the kernel only a real-time guard
  // (real_time_now()) against the outside world, such as a server that never answers.
  virtual bool deadlines_by_alarm() const { return false; }
  // Whether time that passes outside the runtime's control (a real server's answer, a
  // read's real work) shows on this clock: true for real time; the virtual clock sees only
  // what it is told, so a run on it may warn about what it cannot see.
  virtual bool sees_real_time() const { return true; }
  // Whether the clock runs the threads one at a time in an order it decides (the virtual
  // clock's baton): then settle() can make every thread's work of this instant finish
  // before the caller looks, and a poll should look after settling even when the kernel
  // reported nothing. With real time, threads run side by side and settle() does nothing.
  virtual bool schedules_threads() const { return false; }

  // Scheduling hooks. The runtime calls them at every point where a thread blocks, wakes
  // another thread, or starts or finishes talking to a socket. They cost nothing with the
  // real clock; the virtual clock uses them to run one thread at a time in a decided
  // order and to know when every thread is idle (virtual_clock.h explains).
  virtual Participant add_participant(std::string_view name) { (void)name; return kNoParticipant; }
  virtual void bind(Participant self) { (void)self; }  // on the new thread, first thing
  virtual void block() {}                              // before a blocking wait
  virtual void resume() {}                             // after it returns
  virtual void wake(Participant other) { (void)other; }  // before signalling `other`
  virtual void yield_to(Participant other) { (void)other; }  // after waking it: let it run first
  virtual void will_join(Participant other) { (void)other; }  // before joining `other`
  virtual void exit_participant() {}                   // last thing on a thread
  virtual void io_begin(std::uint64_t key) { (void)key; }  // exchange `key` is on the wire
  virtual void io_end(std::uint64_t key) { (void)key; }    // ... and has settled
  // Virtual clock only: lets every other thread that can run at this instant (woken, or
  // due now) run first, so that what "happens at the same time" has all happened when
  // the caller looks. The node model's poll calls it before taking the completions, as
  // libuv's uv__work_done takes every completion queued behind one wake-up.
  virtual void settle() {}
  // Virtual clock only: at key.deadline, run `fire` and make `target` runnable.
  virtual AlarmId add_alarm(DeadlineKey key, Participant target, std::function<void()> fire) {
    (void)key; (void)target; (void)fire;
    return 0;
  }
  virtual void cancel_alarm(AlarmId id) { (void)id; }
};

// Real time: CLOCK_MONOTONIC (std::chrono::steady_clock on Linux).
class RealClock final : public Clock {
 public:
  ClockKind kind() const override { return ClockKind::Real; }
  TimePoint now() const override;
  bool sleep_until(DeadlineKey key) override;
  void busy_until(DeadlineKey key, const std::atomic<bool>& stop) override;
  void interrupt_sleeps() override;
  bool may_spin() const override;

 private:
  std::mutex mutex_;  // guards interrupted_; the condition variable's lock
  std::condition_variable wakeup_;
  bool interrupted_ = false;
};

// Asks the kernel for exact sleeps on the calling thread. Linux lets a sleeping thread
// wake up to 50 us late by default (timer slack) to batch wake-ups and save power; a tool
// that measures timer lateness wants the timer when it asked for it.
void request_precise_timers();

struct timespec to_timespec(TimePoint t);

// The machine's monotonic time (CLOCK_MONOTONIC), whatever clock the run uses. For what
// must be measured in real time on both clocks: guards against the outside world (a DNS
// server, a real HTTP server, an accept back-off), a real spin, the length of a node run.
// Everything the runtime models reads Clock::now() instead.
TimePoint real_time_now();

}  // namespace elt
