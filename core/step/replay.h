// Going back in time by replaying: the record of every pause point a run passed, and the
// choice of the one `back` and `goto` return to.
//
// A run on the virtual clock is deterministic (virtual-clock.md): the same scenario passes
// the same pause points, with the same trace before each, in every run. So "back to tick 3"
// needs no snapshot of threads and sockets: the stepper stops the run quietly, starts the
// runtime again and lets it run, without stopping, to the pause point with the same index.
// (rr and the browser visualisers rewind by re-execution too.) The real clock has no such
// promise, which is why `back` is refused there.
// Thread contract: loop thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "trace/event.h"

namespace elt {

// One pause point of a run: where it was and how much had happened before it.
struct PauseRecord {
  std::uint64_t index = 0;  // 0 for the first pause point of the run
  std::uint64_t tick = 0;
  Phase phase = Phase::Timers;
  bool tick_start = false;
  std::uint64_t events = 0;  // trace events emitted before this point (every thread)
  Duration time{};           // on the run's clock, since the start

  bool same_place(const PauseRecord& o) const {
    return tick == o.tick && phase == o.phase && tick_start == o.tick_start && events == o.events &&
           time == o.time;
  }
};

// Where a `back` or `goto` goes: a pause point already passed (replay), one further on
// (run forward to it), or nowhere (with the reason).
struct TravelTarget {
  enum class Kind { Back, Forward, Here, None };
  Kind kind = Kind::None;
  std::uint64_t index = 0;                 // Back, Here: the pause point's index
  std::optional<std::uint64_t> tick;       // Forward: stop before this tick
  std::optional<Duration> time;            // Forward: stop at the first pause at or after this time
  std::string reason;                      // None: why not
};

class PauseHistory {
 public:
  // Records the pause point with this index. During a replay the point must be the one
  // recorded before: returns false when it is not (the run diverged).
  bool record(const PauseRecord& record);
  void forget_after(std::uint64_t index);  // the run ended or quit: later points are unknown
  const std::vector<PauseRecord>& all() const { return records_; }

  // `back N`: the Nth tick start before `current`.
  TravelTarget back_ticks(std::uint64_t current, std::uint64_t n) const;
  // `back phase`: the pause point before `current`.
  TravelTarget back_phase(std::uint64_t current) const;
  // `back event`: the last pause point before the latest trace event (of `events_now`).
  TravelTarget back_event(std::uint64_t current, std::uint64_t events_now) const;
  TravelTarget goto_tick(std::uint64_t current, std::uint64_t tick) const;
  TravelTarget goto_time(std::uint64_t current, Duration time) const;

 private:
  std::vector<PauseRecord> records_;
};

}  // namespace elt
