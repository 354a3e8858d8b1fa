// The runtime's clock: the one source of "now" and of sleeping.
//
// Every thread asks the clock for the time and sleeps through it, never through
// std::chrono or nanosleep directly, so that a virtual clock can replace real time
// without a second loop (issue: deterministic runs).
// Thread-safety: every member may be called from any thread.
#pragma once

#include "common/time.h"

namespace elt {

enum class ClockKind { Real, Virtual };

class Clock {
 public:
  virtual ~Clock() = default;
  virtual ClockKind kind() const = 0;
  virtual TimePoint now() const = 0;
  // Blocks the calling thread until key.deadline. The key's id orders sleepers that are
  // due at the same moment.
  virtual void sleep_until(DeadlineKey key) = 0;
};

// Real time: CLOCK_MONOTONIC (std::chrono::steady_clock on Linux).
class RealClock final : public Clock {
 public:
  ClockKind kind() const override { return ClockKind::Real; }
  TimePoint now() const override;
  void sleep_until(DeadlineKey key) override;
};

// Asks the kernel for exact sleeps on the calling thread. Linux lets a sleeping thread
// wake up to 50 us late by default (timer slack) to batch wake-ups and save power; a tool
// that measures timer lateness wants the timer when it asked for it.
void request_precise_timers();

struct timespec to_timespec(TimePoint t);

}  // namespace elt
