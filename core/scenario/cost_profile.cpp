#include "scenario/cost_profile.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "scenario/scenario.h"

namespace elt {

namespace {

constexpr std::string_view kFormat = "eventloop-trace cost profile 1";

// What each cost is, written into the file beside its figure so that the file explains
// itself to the person who opens it.
constexpr std::string_view kWhat[kCostKinds] = {
    "the program's own run after its last statement, until the loop's first timers pass",
    "the first console.log: Node sets standard output up",
    "each later console.log",
    "entering a callback from the loop (C++ into JavaScript)",
    "one trip of fs.readFile through the pool (open, fstat, read or close), to its callback, once the pool runs",
    "a DNS lookup of localhost on the pool (dns.lookup)",
    "an HTTP request's set-up before its loopback connect (http.get)",
    "what block(ms) costs beyond the ms it states",
    "the first process.nextTick, from the call to its callback: Node sets its tick queue up",
    "the pool's first task, beyond a trip: libuv starts its threads",
};

std::chrono::nanoseconds from_us(double us) {
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(us * 1000.0)));
}

// A number of microseconds at `json[key]`, >= 0 and below a minute.
Duration micros_at(const nlohmann::json& object, const std::string& key, const std::string& where,
                   const std::string& path) {
  auto it = object.find(key);
  if (it == object.end()) throw scenario::ScenarioError(path, where, fmt::format("\"{}\" is missing", key));
  if (!it->is_number()) {
    throw scenario::ScenarioError(path, where + "/" + key, fmt::format("expected a number of microseconds; found {}", it->dump()));
  }
  double us = it->get<double>();
  if (!(us >= 0 && us < 60e6)) {
    throw scenario::ScenarioError(path, where + "/" + key, fmt::format("expected 0 to 60000000 microseconds; found {}", us));
  }
  return from_us(us);
}

}  // namespace

CostProfile load_cost_profile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw scenario::ScenarioError(path, "", "cannot open the cost profile");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_cost_profile(ss.str(), path);
}

CostProfile parse_cost_profile(const std::string& text, const std::string& path) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    throw scenario::ScenarioError(path, "", "is not a cost profile: expected a JSON object (see data/costs/default.json)");
  }
  if (doc.value("format", std::string()) != kFormat) {
    throw scenario::ScenarioError(path, "/format", fmt::format("expected \"{}\"", kFormat));
  }
  CostProfile p;
  p.source = path;
  const auto& on = doc.value("measured_on", nlohmann::json::object());
  if (on.is_object()) {
    p.machine = on.value("machine", std::string());
    p.measured = on.value("date", std::string());
  }
  auto costs = doc.find("costs");
  if (costs == doc.end() || !costs->is_object()) throw scenario::ScenarioError(path, "/costs", "expected an object of costs");
  for (int i = 0; i < kCostKinds; ++i) {
    std::string key(cost_name(static_cast<Cost>(i)));
    auto entry = costs->find(key);
    if (entry == costs->end() || !entry->is_object()) {
      throw scenario::ScenarioError(path, "/costs/" + key, "expected an object with median_us");
    }
    p.costs[i] = micros_at(*entry, "median_us", "/costs/" + key, path);
    // A profile without its spread has none: the median is the only cost it allows.
    p.low[i] = entry->contains("min_us") ? micros_at(*entry, "min_us", "/costs/" + key, path) : p.costs[i];
    p.high[i] = entry->contains("max_us") ? micros_at(*entry, "max_us", "/costs/" + key, path) : p.costs[i];
    // A median of 1 ms or more is rounded to whole milliseconds, and may fall just outside.
    p.low[i] = std::min(p.low[i], p.costs[i]);
    p.high[i] = std::max(p.high[i], p.costs[i]);
  }
  p.clock_phase = micros_at(doc, "clock_phase_us", "", path);
  if (p.clock_phase >= Millis(1)) throw scenario::ScenarioError(path, "/clock_phase_us", "expected less than 1000 microseconds");
  return p;
}

std::string write_cost_profile(const MeasuredCost (&costs)[kCostKinds], const std::string& machine,
                               const std::string& measured, int runs) {
  nlohmann::ordered_json doc;
  doc["format"] = kFormat;
  doc["units"] = "microseconds: median_us is what the node model charges (medians of 1 ms or more rounded to whole ms); min_us and max_us the spread measured";
  doc["measured_on"] = {{"machine", machine}, {"date", measured}, {"runs", runs}};
  doc["clock_phase_us"] = 500;
  doc["clock_phase_why"] = "the program starts half-way through a millisecond of libuv's clock, so one run takes "
                           "the side of a timer race that most runs take";
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  auto round1 = [](double v) { return std::round(v * 10.0) / 10.0; };
  for (int i = 0; i < kCostKinds; ++i) {
    out[std::string(cost_name(static_cast<Cost>(i)))] = {{"median_us", round1(costs[i].median_us)},
                                                         {"min_us", round1(costs[i].min_us)},
                                                         {"max_us", round1(costs[i].max_us)},
                                                         {"what", kWhat[i]}};
  }
  doc["costs"] = std::move(out);
  return doc.dump(2) + "\n";
}

}  // namespace elt
