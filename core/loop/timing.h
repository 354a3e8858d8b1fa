// The runtime's timing decisions: every place where, under the node model on the virtual
// clock, the order Node prints could go either way with how long real work takes.
//
// The virtual clock makes one run exact: each cost is charged at its median
// (loop/costs.h), so each decision below has one outcome. A real Node run draws its
// costs from the spread the profile measured, and where an outcome flips inside that
// spread, timing decides it. The runtime asks this seam at each such point, and nowhere
// else, which way to go:
//
//   TimerAtLoopStart  uv_run's timers pass before the first iteration: is a timer due?
//                     (the main program's cost decides)
//   PoolOrder         two pool tasks finished within a pool trip's spread of each other:
//                     which completion does uv__work_done run first?
//   PollGather        a pool task still running finishes within a trip's spread of the
//                     poll phase's collection: does it share this poll phase or wait
//                     for the next one?
//   TimerDue          the timers phase at an iteration's end: is a timer due, given the
//                     spread of what the loop was charged since the timer was set?
//   TimerStart        two timers started back to back in one millisecond of libuv's
//                     clock, the later one due 1 ms before the earlier: does the clock
//                     cross into the next millisecond between the two starts (both then
//                     due together, and the list made first runs first)?
//   PoolStart         the first task for the pool: do libuv's threads start at once, or
//                     late within pool_start's measured spread (the first task waits)?
//   SocketReady       an HTTP response came back with a timer due within what connect's
//                     measured spread could add to the exchange: is it ready before the
//                     timer is due, or after (loop/timing_socket.cpp)?
//   ClockTurn         within a millisecond after work whose spread is a millisecond or more
//                     (the first console.log), where libuv's clock turns is anyone's guess:
//                     has it turned at this read of the clock (loop/timing_clock.cpp)?
//
// A decision lists its alternatives, the default first (the side the median costs
// take, which is what a plain run prints), each with a sentence saying when it
// happens. A TimingChooser picks one: no chooser takes the defaults; explore's
// ReplayChooser replays a prefix of choices and records what it met, to enumerate them
// all depth first (core/explore/explore.h).
//
// Thread-safety: the runtime asks on the loop thread only; a chooser serves one run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"

namespace elt {

enum class DecisionKind : std::uint8_t { TimerAtLoopStart, PoolOrder, PollGather, TimerDue, TimerStart, PoolStart, SocketReady, ClockTurn };

std::string_view to_string(DecisionKind kind);  // "timer_at_loop_start", "pool_order", ...

// One point where timing could go either way. `when[0]` is the default.
struct Decision {
  DecisionKind kind = DecisionKind::TimerAtLoopStart;
  // A condition sentence per alternative: "the main program takes 0.50 ms or more: timer
  // 1 is due before the first iteration". Two or more: one alternative is no decision.
  std::vector<std::string> when;
};

// Decides each decision point of one run.
class TimingChooser {
 public:
  virtual ~TimingChooser() = default;
  // An index into decision.when.
  virtual std::size_t choose(const Decision& decision) = 0;
  // The runtime says which iteration the next choose() is in (0: the program's first run).
  virtual void at_tick(std::uint64_t /*tick*/) {}
};

// The decisions of one plain run whose other side changes what the program prints, found
// before the run by taking each side once (explore/race_report.h); the runtime shows each
// as a `race` event where it meets it. Only these: a decision whose sides print the same
// lines (two reads whose callbacks print nothing) is real, but no race a learner can see.
struct RaceFound {
  std::size_t index = 0;        // the decision's place among those the run meets, from 0
  DecisionKind kind = DecisionKind::TimerAtLoopStart;
  std::size_t alternative = 1;  // the side (an index into Decision::when) that prints otherwise
  std::string when;             // "WHEN[0]; if instead WHEN[alternative]", as the check met it
  // The first line printed differently: this run's, and the other side's ("" where that
  // side prints nothing more).
  std::string prints;
  std::string prints_instead;
  std::uint64_t tick = 0;       // the iteration the check met it in (0: before the first)
};

struct RacesFound {
  std::vector<RaceFound> races;  // by index
  std::size_t met = 0;           // decisions the plain run meets
  std::size_t checked = 0;       // of them, the first `checked` were tried (the budget)
  // Not 0: the plain run alone emitted more trace events than the check's budget of this
  // many, so it was stopped there, `met` is unknown (0) and nothing was checked.
  std::size_t run_cut_at = 0;
  bool complete() const { return run_cut_at == 0 && checked == met; }
  // The race at decision `index`, if the check found one there.
  const RaceFound* at(std::size_t index) const;
};

// Explore's chooser: the first choices from a prefix, the default (0) after it, and a
// record of every decision met with the choice taken, from which the next prefix is made.
class ReplayChooser : public TimingChooser {
 public:
  struct Met {
    Decision decision;
    std::size_t choice = 0;
  };
  explicit ReplayChooser(std::vector<std::size_t> prefix) : prefix_(std::move(prefix)) {}
  std::size_t choose(const Decision& decision) override;
  const std::vector<Met>& met() const { return met_; }
  // The iteration each decision was met in, when the runtime says (at()); by index.
  const std::vector<std::uint64_t>& ticks() const { return ticks_; }
  void at_tick(std::uint64_t tick) override { ticks_.resize(met_.size() + 1, tick); }

 private:
  std::vector<std::size_t> prefix_;
  std::vector<Met> met_;
  std::vector<std::uint64_t> ticks_;
};

// A length of time as the condition sentences write it: "4.50 ms".
std::string ms_text(Duration d);

}  // namespace elt
