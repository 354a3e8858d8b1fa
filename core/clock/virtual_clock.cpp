#include "clock/virtual_clock.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "common/check.h"

namespace elt {

namespace {
thread_local Participant t_self = kNoParticipant;
}

VirtualClock::VirtualClock() {
  auto main = std::make_unique<Thread>();
  main->name = "main";
  main->state = State::Running;
  threads_.push_back(std::move(main));
  holder_ = 0;
  t_self = 0;
}

TimePoint VirtualClock::now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

Participant VirtualClock::self_locked() const {
  ensure(t_self != kNoParticipant && t_self < threads_.size(), "virtual clock: a thread that is not a participant");
  return t_self;
}

Participant VirtualClock::add_participant(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto t = std::make_unique<Thread>();
  t->name = std::string(name);
  t->state = State::Runnable;
  threads_.push_back(std::move(t));
  Participant p = threads_.size() - 1;
  // A new thread first runs when the current holder blocks, in creation order.
  runnable_.push_back(p);
  return p;
}

void VirtualClock::bind(Participant self) {
  t_self = self;
  std::unique_lock lock(mutex_);
  wait_for_baton_locked(lock, self);
}

void VirtualClock::wait_for_baton_locked(std::unique_lock<std::mutex>& lock, Participant self) {
  Thread& t = *threads_[self];
  t.granted.wait(lock, [&] { return holder_ == self; });
  t.state = State::Running;
  t.woken = false;
}

void VirtualClock::block() {
  std::lock_guard lock(mutex_);
  Participant self = self_locked();
  ensure(holder_ == self, fmt::format("virtual clock: {} blocks without the baton", threads_[self]->name));
  // wake() may already have made us runnable (a message is waiting): then we stay queued.
  if (threads_[self]->state == State::Running) threads_[self]->state = State::Blocked;
  holder_ = kNoParticipant;
  schedule_locked();
}

void VirtualClock::resume() {
  std::unique_lock lock(mutex_);
  Participant self = self_locked();
  if (holder_ == self) {
    threads_[self]->state = State::Running;
    threads_[self]->woken = false;
    return;
  }
  // Woken by the kernel (a socket), not by a participant: ask for the baton now.
  if (threads_[self]->state == State::Blocked) make_runnable_locked(self);
  schedule_locked();
  wait_for_baton_locked(lock, self);
}

void VirtualClock::make_runnable_locked(Participant p) {
  Thread& t = *threads_[p];
  // Busy (busy_until), or stepping aside in settle(): it runs again on its own terms,
  // and must not be queued a second time.
  if (t.sleeping || p == settler_) return;
  if (t.state == State::Runnable && !t.woken) {
    // Created but not yet run: its first wake decides its place, like any other wake.
    std::erase(runnable_, p);
  } else if (t.state != State::Blocked) {
    return;  // already woken, or running
  }
  t.state = State::Runnable;
  t.woken = true;
  runnable_.push_back(p);
}

void VirtualClock::wake(Participant other) {
  if (other == kNoParticipant) return;
  std::lock_guard lock(mutex_);
  make_runnable_locked(other);
}

void VirtualClock::yield_to(Participant other) {
  std::unique_lock lock(mutex_);
  Participant self = self_locked();
  if (holder_ != self || threads_[other]->state != State::Runnable) return;
  std::erase(runnable_, other);
  threads_[self]->state = State::Runnable;
  threads_[self]->woken = true;
  runnable_.push_front(self);
  holder_ = other;
  threads_[other]->granted.notify_one();
  wait_for_baton_locked(lock, self);
}

void VirtualClock::will_join(Participant other) {
  std::lock_guard lock(mutex_);
  threads_[other]->joiner = self_locked();
}

void VirtualClock::exit_participant() {
  std::lock_guard lock(mutex_);
  Participant self = self_locked();
  Thread& t = *threads_[self];
  t.state = State::Exited;
  if (t.joiner != kNoParticipant) make_runnable_locked(t.joiner);
  if (holder_ == self) holder_ = kNoParticipant;
  schedule_locked();
}

void VirtualClock::io_begin(std::uint64_t key) {
  std::lock_guard lock(mutex_);
  io_.insert(key);
}

void VirtualClock::io_end(std::uint64_t key) {
  std::lock_guard lock(mutex_);
  io_.erase(key);
  schedule_locked();
}

bool VirtualClock::sleep_until(DeadlineKey key) {
  std::unique_lock lock(mutex_);
  Participant self = self_locked();
  ensure(holder_ == self, "virtual clock: sleep without the baton");
  AlarmId id = next_alarm_++;
  while (timed_.count(key) != 0) key.deadline += Duration(1);  // as in add_alarm
  timed_.emplace(key, std::make_pair(id, Wakeup{self, {}}));
  threads_[self]->state = State::Blocked;
  holder_ = kNoParticipant;
  schedule_locked();
  wait_for_baton_locked(lock, self);
  return true;
}

void VirtualClock::busy_until(DeadlineKey key, const std::atomic<bool>& stop) {
  (void)stop;  // virtual time passes at once when nothing else can run
  std::unique_lock lock(mutex_);
  Participant self = self_locked();
  ensure(holder_ == self, "virtual clock: busy without the baton");
  AlarmId id = next_alarm_++;
  while (timed_.count(key) != 0) key.deadline += Duration(1);
  timed_.emplace(key, std::make_pair(id, Wakeup{self, {}}));
  threads_[self]->state = State::Blocked;
  threads_[self]->sleeping = true;
  holder_ = kNoParticipant;
  schedule_locked();
  wait_for_baton_locked(lock, self);
}

void VirtualClock::settle() {
  std::unique_lock lock(mutex_);
  Participant self = self_locked();
  ensure(holder_ == self, "virtual clock: settle without the baton");
  bool others = std::any_of(runnable_.begin(), runnable_.end(),
                            [&](Participant p) { return p != self && threads_[p]->state == State::Runnable; });
  bool due_now = !timed_.empty() && timed_.begin()->first.deadline <= now_;
  if (!others && !due_now) return;
  threads_[self]->state = State::Runnable;
  settler_ = self;
  holder_ = kNoParticipant;
  schedule_locked();
  wait_for_baton_locked(lock, self);
}

AlarmId VirtualClock::add_alarm(DeadlineKey key, Participant target, std::function<void()> fire) {
  std::lock_guard lock(mutex_);
  // Keys must be unique in the map; two alarms at the same (deadline, id) keep their
  // order of creation by nudging the later one by a nanosecond.
  while (timed_.count(key) != 0) key.deadline += Duration(1);
  AlarmId id = next_alarm_++;
  timed_.emplace(key, std::make_pair(id, Wakeup{target, std::move(fire)}));
  alarm_keys_.emplace(id, key);
  return id;
}

void VirtualClock::cancel_alarm(AlarmId id) {
  std::lock_guard lock(mutex_);
  auto it = alarm_keys_.find(id);
  if (it == alarm_keys_.end()) return;
  timed_.erase(it->second);
  alarm_keys_.erase(it);
}

void VirtualClock::schedule_locked() {
  if (holder_ != kNoParticipant) return;
  for (;;) {
    if (!runnable_.empty()) {
      Participant next = runnable_.front();
      runnable_.pop_front();
      if (threads_[next]->state != State::Runnable) continue;
      holder_ = next;
      threads_[next]->granted.notify_one();
      return;
    }
    if (settler_ != kNoParticipant) {
      // settle(): the settler runs again once nothing else can run at this instant (a
      // socket under way is not waited for: it may take any time).
      bool due_now = !timed_.empty() && timed_.begin()->first.deadline <= now_;
      if (!due_now) {
        holder_ = std::exchange(settler_, kNoParticipant);
        threads_[holder_]->granted.notify_one();
        return;
      }
    } else if (!io_.empty()) {
      return;  // a socket will wake someone; resume() calls back in here
    }
    if (timed_.empty()) {
      // Every thread is blocked and nothing will ever wake one: only exited threads may
      // remain. Anything else is a runtime bug, and hanging would hide it.
      for (const auto& t : threads_) {
        ensure(t->state == State::Exited || t->state == State::Blocked,
               "virtual clock: inconsistent thread state");
      }
      bool any_alive = false;
      for (const auto& t : threads_) any_alive = any_alive || t->state != State::Exited;
      ensure(!any_alive, "virtual clock: every thread is blocked and nothing is scheduled (deadlock)");
      return;
    }
    auto node = timed_.extract(timed_.begin());
    if (node.key().deadline > now_) now_ = node.key().deadline;
    auto [id, wakeup] = std::move(node.mapped());
    alarm_keys_.erase(id);
    if (wakeup.fire) wakeup.fire();
    if (!wakeup.fire) threads_[wakeup.target]->sleeping = false;  // its own busy time ended
    if (threads_[wakeup.target]->state == State::Blocked) {
      make_runnable_locked(wakeup.target);
    }
  }
}

}  // namespace elt
