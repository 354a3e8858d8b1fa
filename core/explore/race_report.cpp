#include "explore/race_report.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace elt::explore {

namespace {

using Lines = std::vector<std::string>;

// The default run's choices up to decision `index`, then `alternative` there; the rest
// default (ReplayChooser).
std::vector<std::size_t> flip_at(std::size_t index, std::size_t alternative) {
  std::vector<std::size_t> prefix(index, 0);
  prefix.push_back(alternative);
  return prefix;
}

// The first line the two runs print differently ("" where one has printed all it prints).
std::pair<std::string, std::string> first_difference(const Lines& ours, const Lines& theirs) {
  std::size_t k = 0;
  while (k < ours.size() && k < theirs.size() && ours[k] == theirs[k]) ++k;
  return {k < ours.size() ? ours[k] : std::string(), k < theirs.size() ? theirs[k] : std::string()};
}

// Whether a request goes to the tool's own delay service on loopback: http_get_slow always
// does, an http_get when its URL says so before it runs (a template may say anything).
bool delay_service_only(const scenario::Action& a) {
  if (a.kind == scenario::ActionKind::HttpGetSlow) return true;
  return a.text.is_literal() && a.text.source.rfind("http://delay-service/", 0) == 0;
}

// Whether the program makes an HTTP request to anything but the delay service anywhere (a
// callback, a catch, a promise step).
bool uses_network(const std::vector<scenario::Action>& actions, Resend resend) {
  for (const auto& a : actions) {
    const bool request = a.kind == scenario::ActionKind::HttpGet || a.kind == scenario::ActionKind::HttpGetSlow ||
                         a.kind == scenario::ActionKind::HttpGetStream;
    if (request && !(resend == Resend::DelayService && delay_service_only(a))) return true;
    if (uses_network(a.then, resend) || uses_network(a.detail().on_error, resend)) return true;
    for (const auto& step : a.detail().chain) {
      if (uses_network(step.body, resend)) return true;
    }
  }
  return false;
}

}  // namespace

RacesFound find_races(const SizedRun& run, std::size_t budget, std::size_t work, const std::function<bool()>& stop) {
  RacesFound found;
  auto plain = std::make_shared<ReplayChooser>(std::vector<std::size_t>{});
  const MeasuredRun shown = run(plain, work);
  if (shown.cut) {
    found.run_cut_at = work;
    return found;
  }
  // Each flipped run costs about what the default one did: as many as fit in what is left.
  if (work != 0) budget = std::min(budget, (work - shown.events) / std::max<std::size_t>(shown.events, 1));
  const Lines& printed = shown.output;
  const auto& met = plain->met();
  found.met = met.size();
  std::size_t runs = 0;
  for (std::size_t i = 0; i < met.size(); ++i) {
    const Decision& d = met[i].decision;
    bool tried_all = true;
    for (std::size_t side = 1; side < d.when.size(); ++side) {
      if (runs == budget || (stop && stop())) {
        tried_all = false;
        break;
      }
      ++runs;
      const Lines other = run(std::make_shared<ReplayChooser>(flip_at(i, side)), 0).output;
      if (other == printed) continue;
      auto [ours, theirs] = first_difference(printed, other);
      const std::uint64_t tick = i < plain->ticks().size() ? plain->ticks()[i] : 0;
      found.races.push_back({i, d.kind, side, fmt::format("{}; if instead {}", d.when[0], d.when[side]),
                             std::move(ours), std::move(theirs), tick});
      break;
    }
    // A decision cut short before any of its sides printed otherwise is not checked.
    if (!tried_all && (found.races.empty() || found.races.back().index != i)) break;
    found.checked = i + 1;
  }
  return found;
}

RacesFound find_races(const RunOnce& run, std::size_t budget, const std::function<bool()>& stop) {
  const SizedRun sized = [&run](std::shared_ptr<ReplayChooser> chooser, std::size_t) {
    return MeasuredRun{run(std::move(chooser))};
  };
  return find_races(sized, budget, 0, stop);
}

std::optional<RacesFound> find_scenario_races(const scenario::Scenario& scenario, RuntimeOptions options,
                                              std::size_t budget, const std::function<bool()>& stop, Resend resend,
                                              std::size_t work) {
  // Each run of the check would send the program's requests again, to a real server or a
  // name server (and a lookup may take seconds); the delay service only when `resend` says.
  if (uses_network(scenario.program, resend)) return std::nullopt;
  // The check's runs are the shown run's, quietly: no warnings (the shown run gives them),
  // no races of their own.
  options.on_unseen_time = nullptr;
  options.races = nullptr;
  options.report_timing_races = false;
  const SizedRun run = [&scenario, &options](std::shared_ptr<ReplayChooser> chooser, std::size_t max_events) {
    return run_measured(scenario, options, std::move(chooser), max_events);
  };
  return find_races(run, budget, work, stop);
}

}  // namespace elt::explore
