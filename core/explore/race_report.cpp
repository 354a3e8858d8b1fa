#include "explore/race_report.h"

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

RacesFound find_races(const RunOnce& run, std::size_t budget, const std::function<bool()>& stop) {
  RacesFound found;
  auto plain = std::make_shared<ReplayChooser>(std::vector<std::size_t>{});
  const Lines printed = run(plain);
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
      const Lines other = run(std::make_shared<ReplayChooser>(flip_at(i, side)));
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

std::optional<RacesFound> find_scenario_races(const scenario::Scenario& scenario, RuntimeOptions options,
                                              std::size_t budget, const std::function<bool()>& stop, Resend resend) {
  // Each run of the check would send the program's requests again, to a real server or a
  // name server (and a lookup may take seconds); the delay service only when `resend` says.
  if (uses_network(scenario.program, resend)) return std::nullopt;
  // The check's runs are the shown run's, quietly: no warnings (the shown run gives them),
  // no races of their own.
  options.on_unseen_time = nullptr;
  options.races = nullptr;
  options.report_timing_races = false;
  return find_races(scenario_runner(scenario, options), budget, stop);
}

}  // namespace elt::explore
