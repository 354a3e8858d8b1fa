#include "clock/clock.h"

#include <sys/prctl.h>
#include <time.h>

#include <thread>

namespace elt {

// The one read of std::chrono's clock: every other time comes from here or a Clock.
TimePoint real_time_now() { return std::chrono::steady_clock::now(); }

TimePoint RealClock::now() const { return real_time_now(); }

struct timespec to_timespec(TimePoint t) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  struct timespec ts {};
  ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  return ts;
}

bool RealClock::sleep_until(DeadlineKey key) {
  // An absolute deadline on the steady clock (CLOCK_MONOTONIC), so that spurious wake-ups
  // do not stretch the sleep; a condition variable, so that shutdown can cut it short.
  std::unique_lock lock(mutex_);
  wakeup_.wait_until(lock, key.deadline, [&] { return interrupted_; });
  return !interrupted_;
}

void RealClock::interrupt_sleeps() {
  {
    std::lock_guard lock(mutex_);
    interrupted_ = true;
  }
  wakeup_.notify_all();
}

bool RealClock::may_spin() const {
  static const bool spare_cpu = std::thread::hardware_concurrency() > 1;
  return spare_cpu;
}

void request_precise_timers() { prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL); }

void RealClock::busy_until(DeadlineKey key, const std::atomic<bool>& stop) {
  while (now() < key.deadline && !stop.load(std::memory_order_relaxed)) {
  }
}

}  // namespace elt
