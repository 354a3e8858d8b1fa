#include "clock/clock.h"

#include <sys/prctl.h>
#include <time.h>

#include <cerrno>

namespace elt {

TimePoint RealClock::now() const { return std::chrono::steady_clock::now(); }

struct timespec to_timespec(TimePoint t) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  struct timespec ts {};
  ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  return ts;
}

void RealClock::sleep_until(DeadlineKey key) {
  // An absolute deadline, so that a wake-up by a signal does not stretch the sleep.
  struct timespec ts = to_timespec(key.deadline);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

void request_precise_timers() { prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL); }

}  // namespace elt
