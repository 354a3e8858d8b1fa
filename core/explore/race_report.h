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
// The cost is bounded twice: at most `budget` runs besides the default one, taken in the
// order the run meets its decisions, and at most `work` trace events over all the check's
// runs, so that a big program (twenty thousand tasks) is checked for about the price of a
// run or two instead of 49. The rest are reported as not checked (RacesFound::checked);
// a default run that alone emits more than `work` is stopped there and checks nothing
// (RacesFound::run_cut_at). Events, not seconds: the same program gets the same races on
// every machine and every run, so goldens hold.
//
// Thread-safety: a function of its arguments; each run owns its runtime and threads.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

#include "explore/explore.h"
#include "loop/timing.h"

namespace elt::explore {

// The runs the check may make beyond the default one. Each is a whole run of the program
// on the virtual clock: the classic races meet 1 to 20 decisions, a thousand reads
// thousands, and a plain run should not cost more than a few dozen runs of the program.
inline constexpr std::size_t kRaceCheckBudget = 48;

// The trace events all the check's runs may emit together (counted as the shown run's
// jsonl counts them, markers included). A teaching program emits a few hundred a run and
// a hundred reads of a file, each printing a line, 2,102 (tests/cli/run/race_events.sh):
// 49 runs of that are 103,000, so both still get their 48 flips. A bigger program gets
// the flips that fit (4,000 crypto tasks, 16,011 events a run: 6), and one of more than
// 120,000 events is stopped there: the whole check costs at most about that many events
// (a run of 30,000 crypto tasks), whatever the program's size.
inline constexpr std::size_t kRaceCheckEvents = 120'000;

// One run of the check's with its cost; `max_events` bounds it (0: no bound).
using SizedRun = std::function<MeasuredRun(std::shared_ptr<ReplayChooser>, std::size_t max_events)>;

// The check over any program `run` runs, bounded by `budget` runs and `work` events (0: no
// bound on events). `stop` is asked between runs (a signal arrived): the check ends there,
// as if its budget were spent.
RacesFound find_races(const SizedRun& run, std::size_t budget, std::size_t work,
                      const std::function<bool()>& stop = {});

// The same with no bound on events (tests give it a made-up program).
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
                                              Resend resend = Resend::Nothing,
                                              std::size_t work = kRaceCheckEvents);

}  // namespace elt::explore
