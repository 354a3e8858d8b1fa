// Every order a program can print: the runtime's timing decisions (loop/timing.h)
// enumerated as a model checker enumerates a program's interleavings.
//
// Like loom's and shuttle's depth-first search with replayed prefixes: run the program
// on the virtual clock, where a run is the same bytes every time; at each decision point
// take the default and record what the point offered; then replay the same choices up to
// the deepest point with an alternative left, take the next one there, and run on. Every
// branch of every decision is taken once, nothing is sampled. Schedules that print the
// same lines (the program's console output, not the runtime's narration) are one order.
//
// Thread-safety: a function of its arguments; each run owns its runtime and threads.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "loop/runtime.h"
#include "loop/timing.h"
#include "scenario/scenario.h"

namespace elt::explore {

struct Order {
  std::vector<std::string> output;  // the lines the program printed, in order
  // What leads to it: the non-default sides of its simplest schedule (the one with the
  // fewest), or the default run's own words for the first order.
  std::string when;
  std::size_t schedules = 0;  // how many schedules printed it
  bool is_default = false;    // what a plain run prints (every decision at its default)
};

struct Result {
  std::vector<Order> orders;  // in the order the search found them: the default run's first
  bool complete = true;       // false: --max-schedules cut the search short
  std::size_t schedules = 0;  // runs made
};

// One run of the program with this chooser, returning the lines it printed.
using RunOnce = std::function<std::vector<std::string>(std::shared_ptr<ReplayChooser>)>;

// The search itself, over any program that `run` runs; at most `max_schedules` runs.
Result explore(const RunOnce& run, std::size_t max_schedules);

// One run of `scenario` on the virtual clock with `options` (its model, costs, threads...),
// its decisions taken by the chooser; it reads `scenario` when called, so that must outlive it.
RunOnce scenario_runner(const scenario::Scenario& scenario, const RuntimeOptions& options);

// One run and what it cost: the race check (race_report.h) bounds its work by the trace
// events its runs emit, a count that is the same on every run of the virtual clock, where
// a wall-clock bound would make the trace differ from one run to the next.
struct MeasuredRun {
  std::vector<std::string> output;  // as RunOnce's; partial when `cut`
  std::size_t events = 0;           // trace events emitted (lines, callbacks, markers)
  bool cut = false;                 // stopped at `max_events`: the program had more to do
};
// As scenario_runner, stopped after `max_events` events (0: never), as --limit
// trace_events stops a run.
MeasuredRun run_measured(const scenario::Scenario& scenario, const RuntimeOptions& options,
                         std::shared_ptr<ReplayChooser> chooser, std::size_t max_events);

// A scenario on the virtual clock with `options` (its model, costs, threads...).
Result explore_scenario(const scenario::Scenario& scenario, const RuntimeOptions& options, std::size_t max_schedules);

inline constexpr const char* kDefaultWhen = "the default timing: every cost at its median (a plain run prints this)";

}  // namespace elt::explore
