// A virtual clock and the one scheduler that makes every ordering decision under it.
//
// Like tokio's paused time or Go's testing/synctest: time stands still while any thread
// has work to do, and jumps to the next deadline when every thread is idle. Simulated
// latencies (a file read's delay, the delay service's wait, a stated CPU cost) consume
// virtual time; the real work still runs on the real threads.
//
// To make the output byte-identical from run to run, threads run one at a time: a thread
// runs only while it holds the baton. It gives the baton up when it blocks (block()),
// and the scheduler hands it to the next thread in a decided order:
//   1. threads made runnable by another thread's wake(), in the order of those calls
//      (they are made by the baton holder, so the order is itself decided); a new thread
//      is queued when it is created, and moves to the back when it is first woken;
//   2. otherwise, while socket work is under way (io_begin/io_end), wait for it: a thread
//      woken by the kernel asks for the baton in resume(). An HTTP exchange with the
//      delay service is "under way" from the request's start until the service has read
//      it (then it waits on the clock), and again from the response's send until the
//      client has read it all; io_begin/io_end name the exchange by its callback id, so a
//      side that ends it twice (a client timeout while the service waits) does no harm;
//   3. otherwise, the earliest sleeper or alarm by (deadline, id): time jumps to its
//      deadline and it runs.
// Every thread blocked and nothing scheduled is a bug in the runtime: it aborts loudly.
//
// Thread-safety: every member may be called from any participant thread; one mutex.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "clock/clock.h"

namespace elt {

class VirtualClock final : public Clock {
 public:
  // The calling thread becomes participant 0 ("main") and holds the baton.
  VirtualClock();

  ClockKind kind() const override { return ClockKind::Virtual; }
  TimePoint now() const override;
  bool sleep_until(DeadlineKey key) override;
  void busy_until(DeadlineKey key, const std::atomic<bool>& stop) override;
  Duration stated_cost(Duration cost) const override { return cost; }
  Participant creator() const override { return 0; }
  bool deadlines_by_alarm() const override { return true; }
  bool sees_real_time() const override { return false; }
  bool schedules_threads() const override { return true; }

  Participant add_participant(std::string_view name) override;
  void bind(Participant self) override;
  void block() override;
  void resume() override;
  void wake(Participant other) override;
  // The holder steps aside for `other` (which must have been woken) and runs again as soon
  // as `other` blocks: a pool thread prints "received" where the task was handed out.
  void yield_to(Participant other) override;
  void will_join(Participant other) override;
  void exit_participant() override;
  void io_begin(std::uint64_t key) override;
  void io_end(std::uint64_t key) override;
  void settle() override;
  AlarmId add_alarm(DeadlineKey key, Participant target, std::function<void()> fire) override;
  void cancel_alarm(AlarmId id) override;

 private:
  enum class State { Running, Runnable, Blocked, Exited };
  struct Thread {
    std::string name;
    State state = State::Runnable;
    Participant joiner = kNoParticipant;
    bool woken = false;  // queued because of a wake(), not just because it was created
    // In busy_until: only its deadline ends the wait; a wake() meanwhile is a message
    // the thread will find when it next looks, not a reason to cut the busy time short.
    bool sleeping = false;
    std::condition_variable granted;  // signalled when this thread gets the baton
  };
  struct Wakeup {
    Participant target = kNoParticipant;
    std::function<void()> fire;  // alarms only
  };

  Participant self_locked() const;
  void make_runnable_locked(Participant p);
  void schedule_locked();
  bool any_busy_locked() const;
  void wait_for_baton_locked(std::unique_lock<std::mutex>& lock, Participant self);

  mutable std::mutex mutex_;  // guards everything below
  TimePoint now_{};
  std::vector<std::unique_ptr<Thread>> threads_;
  Participant holder_ = 0;
  Participant settler_ = kNoParticipant;  // in settle(): runs once nothing else can run now
  std::deque<Participant> runnable_;
  std::set<std::uint64_t> io_;  // exchanges whose bytes are on their way
  std::map<DeadlineKey, std::pair<AlarmId, Wakeup>> timed_;  // sleepers and alarms
  std::map<AlarmId, DeadlineKey> alarm_keys_;
  AlarmId next_alarm_ = 1;
};

}  // namespace elt
