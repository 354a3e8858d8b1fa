// Which timing decisions of a plain run are races a learner can see (issue 20): those
// whose other side changes what the program prints.
//
// A decision of loop/timing.h is real wherever a cost's spread could flip it, but many
// flip nothing the program prints (two reads whose callbacks print nothing, a timer due a
// little earlier with nothing else waiting). So before the run that is shown, the program
// runs on the virtual clock with every decision at its default, then once more per
// decision with only that one taken the other way (explore's replayed prefix, with one
// choice changed), and keeps the decisions whose run prints other lines. Unlike explore it
// does not combine flips: a race that shows only when two decisions both go the other way
// is explore's to list, not the plain run's to mark.
//
// The cost is bounded: at most `budget` runs besides the default one, taken in the order
// the run meets its decisions; the rest are reported as not checked (RacesFound::checked).
//
// Thread-safety: a function of its arguments; each run owns its runtime and threads.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>

#include "explore/explore.h"
#include "loop/timing.h"

namespace elt::explore {

// The runs the check may make beyond the default one. Each is a whole run of the program
// on the virtual clock: the classic races meet 1 to 20 decisions, a thousand reads
// thousands, and a plain run should not cost more than a few dozen runs of the program.
inline constexpr std::size_t kRaceCheckBudget = 48;

// The check over any program `run` runs (tests give it a made-up one). `stop` is asked
// between runs (a signal arrived): the check ends there, as if its budget were spent.
RacesFound find_races(const RunOnce& run, std::size_t budget, const std::function<bool()>& stop = {});

// A scenario, with the options of the run that will be shown (its model, costs, threads).
// None for a program that makes HTTP requests: the check's runs would send them again, to
// real servers too, so its decisions are not checked (the run then shows the loop start's
// race as the cost spread alone finds it, and no other).
// Which requests the check may send again: none (a program that makes any is not checked),
// or those to the tool's delay service on loopback. Each of those runs waits for a real
// loopback exchange (about 20 ms a run here), so only a virtual-clock run, whose output is
// all the check's, takes it; a real-clock run would start its first line a second late.
enum class Resend { Nothing, DelayService };

std::optional<RacesFound> find_scenario_races(const scenario::Scenario& scenario, RuntimeOptions options,
                                              std::size_t budget, const std::function<bool()>& stop = {},
                                              Resend resend = Resend::Nothing);

}  // namespace elt::explore
