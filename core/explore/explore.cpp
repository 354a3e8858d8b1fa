#include "explore/explore.h"

#include <map>
#include <mutex>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "clock/virtual_clock.h"
#include "common/check.h"
#include "scenario/interpreter.h"
#include "trace/format.h"
#include "trace/tracer.h"

namespace elt::explore {

namespace {

// The choices of a finished run, and the next prefix to replay: the deepest decision with
// an alternative left takes the next one; everything after it starts over at the default.
// Empty optional: the whole tree has been walked.
std::optional<std::vector<std::size_t>> next_prefix(const std::vector<ReplayChooser::Met>& met) {
  for (std::size_t i = met.size(); i-- > 0;) {
    if (met[i].choice + 1 < met[i].decision.when.size()) {
      std::vector<std::size_t> prefix;
      for (std::size_t k = 0; k < i; ++k) prefix.push_back(met[k].choice);
      prefix.push_back(met[i].choice + 1);
      return prefix;
    }
  }
  return std::nullopt;
}

struct Found {
  std::size_t index = 0;          // in Result::orders
  std::size_t departures = 0;     // non-default choices of the schedule `when` describes
};

std::string when_of(const std::vector<ReplayChooser::Met>& met) {
  std::vector<std::string> parts;
  for (const auto& m : met) {
    if (m.choice != 0) parts.push_back(m.decision.when[m.choice]);
  }
  return parts.empty() ? std::string(kDefaultWhen) : fmt::format("{}", fmt::join(parts, "; "));
}

std::size_t departures_of(const std::vector<ReplayChooser::Met>& met) {
  std::size_t n = 0;
  for (const auto& m : met) n += m.choice != 0 ? 1 : 0;
  return n;
}

}  // namespace

Result explore(const RunOnce& run, std::size_t max_schedules) {
  Result result;
  std::map<std::vector<std::string>, Found> seen;
  std::vector<std::size_t> prefix;
  for (;;) {
    if (result.schedules == max_schedules) {
      result.complete = false;
      break;
    }
    auto chooser = std::make_shared<ReplayChooser>(prefix);
    std::vector<std::string> output = run(chooser);
    ++result.schedules;
    const auto& met = chooser->met();
    auto [it, fresh] = seen.try_emplace(output, Found{result.orders.size(), departures_of(met)});
    if (fresh) {
      result.orders.push_back({output, when_of(met), 0, result.schedules == 1});
    } else if (departures_of(met) < it->second.departures) {  // a simpler way to the same order
      it->second.departures = departures_of(met);
      if (!result.orders[it->second.index].is_default) result.orders[it->second.index].when = when_of(met);
    }
    ++result.orders[it->second.index].schedules;
    auto next = next_prefix(met);
    if (!next) break;
    prefix = std::move(*next);
  }
  return result;
}

Result explore_scenario(const scenario::Scenario& scenario, const RuntimeOptions& options, std::size_t max_schedules) {
  return explore(scenario_runner(scenario, options), max_schedules);
}

RunOnce scenario_runner(const scenario::Scenario& scenario, const RuntimeOptions& options) {
  return [&scenario, options](std::shared_ptr<ReplayChooser> chooser) {
    return run_measured(scenario, options, std::move(chooser), 0).output;
  };
}

MeasuredRun run_measured(const scenario::Scenario& scenario, const RuntimeOptions& options,
                         std::shared_ptr<ReplayChooser> chooser, std::size_t max_events) {
  // What the program prints, as its console shows it; pool threads may emit too.
  std::mutex mutex;
  std::string printed;
  Tracer tracer(TraceFormat::None, -1);
  tracer.set_observer([&](const TraceEvent& e) {
    if (e.kind != EventKind::Print && e.kind != EventKind::Content) return;
    std::lock_guard lock(mutex);
    render_output(e, printed);
  });
  // Past it the tracer asks the runtime to stop (Runtime's on_limit), as for --limit.
  tracer.set_event_limit(max_events);
  VirtualClock clock;
  RuntimeOptions run_options = options;
  run_options.timing = std::move(chooser);
  {
    Runtime runtime(run_options, clock, tracer);
    scenario::run_scenario(runtime, scenario);
  }
  MeasuredRun run;
  run.events = tracer.event_count();
  run.cut = tracer.events_limit_crossed().has_value();
  std::istringstream in(printed);
  for (std::string line; std::getline(in, line);) run.output.push_back(line);
  return run;
}

}  // namespace elt::explore
