// Timer lateness of eventloop-trace, measured from its JSON-lines trace.
//
//   eventloop-trace --format jsonl bench/scenarios/lateness.json | bench-elt-lateness
//
// lateness.json (bench/scenarios/gen.sh) registers its timers in the program's first pass,
// SPAN distinct delays 1..SPAN ms, repeated; each callback prints "due <delay> rep <i>".
// Timer k (k-th `timer_registered` event, from 0) is the one with k = i * SPAN + delay - 1.
//
// Two measures, both `time of the callback's print - something`:
// - vs the call: that timer's `timer_registered` time + its delay. What the caller asked
//   for, and what bench-uv-lateness and lateness.js measure. The main figures.
// - vs the deadline: the runtime counts a deadline from the loop's cached time (as libuv
//   does), read once before the first pass, so every timer of the first pass shares the
//   same base; the first `timer_registered` event, a few microseconds after that read,
//   stands in for it. Lateness vs the deadline is what the loop controls; it is >= the
//   lateness vs the call by how far into the first pass the timer was registered.
//
// Exactness: trace times are whole microseconds (truncated); an event is stamped when it
// is traced, under the tracer's lock, a few microseconds after the thing happened, and the
// jsonl trace itself slows the first pass (about a microsecond an event), which widens the
// gap between the two measures.
//
// Prints: count, min_ms, p50_ms, p99_ms, max_ms, early (vs the call), then
// deadline_min_ms, deadline_p99_ms, deadline_early (vs the deadline).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

double pct_ms(const std::vector<std::int64_t>& sorted_us, double p) {
  if (sorted_us.empty()) return 0;
  auto idx = static_cast<std::size_t>(p * static_cast<double>(sorted_us.size() - 1) + 0.5);
  return static_cast<double>(sorted_us[idx]) / 1e3;
}

struct Fired {
  std::int64_t time_us;
  std::int64_t delay_ms;
  std::int64_t rep;
};

}  // namespace

int main(int argc, char** argv) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (argc > 1 && std::string(argv[1]) != "-") {
    file.open(argv[1]);
    if (!file) {
      std::fprintf(stderr, "%s: cannot open %s\n", argv[0], argv[1]);
      return 2;
    }
    in = &file;
  }
  std::vector<std::int64_t> registered_us;
  std::vector<Fired> fired;
  std::string line;
  std::size_t lineno = 0;
  while (std::getline(*in, line)) {
    ++lineno;
    if (line.empty()) continue;
    nlohmann::json event = nlohmann::json::parse(line, nullptr, false);
    if (event.is_discarded() || !event.is_object()) {
      std::fprintf(stderr, "%s: line %zu is not a JSON object\n", argv[0], lineno);
      return 2;
    }
    std::string kind = event.value("kind", "");
    std::int64_t t = event.value("time_us", std::int64_t{0});
    if (kind == "timer_registered") registered_us.push_back(t);
    if (kind == "print") {
      long long delay = 0;
      long long rep = 0;
      std::string msg = event.value("message", "");
      if (std::sscanf(msg.c_str(), "due %lld rep %lld", &delay, &rep) == 2) fired.push_back({t, delay, rep});
    }
  }
  if (fired.empty() || registered_us.empty()) {
    std::fprintf(stderr, "%s: no \"due <ms> rep <i>\" prints or no timer registrations in the trace\n", argv[0]);
    return 1;
  }
  std::int64_t span = 0;
  for (const auto& f : fired) span = std::max(span, f.delay_ms);

  std::vector<std::int64_t> vs_call;
  std::vector<std::int64_t> vs_deadline;
  for (const auto& f : fired) {
    auto k = static_cast<std::size_t>(f.rep * span + f.delay_ms - 1);
    if (k >= registered_us.size()) {
      std::fprintf(stderr, "%s: a print names timer %zu, but only %zu were registered\n", argv[0], k,
                   registered_us.size());
      return 1;
    }
    vs_call.push_back(f.time_us - (registered_us[k] + f.delay_ms * 1000));
    vs_deadline.push_back(f.time_us - (registered_us.front() + f.delay_ms * 1000));
  }
  std::sort(vs_call.begin(), vs_call.end());
  std::sort(vs_deadline.begin(), vs_deadline.end());
  auto early = [](const std::vector<std::int64_t>& v) {
    return std::count_if(v.begin(), v.end(), [](std::int64_t x) { return x < 0; });
  };
  std::printf(
      "count=%zu min_ms=%.4f p50_ms=%.4f p99_ms=%.4f max_ms=%.4f early=%lld deadline_min_ms=%.4f "
      "deadline_p99_ms=%.4f deadline_early=%lld\n",
      vs_call.size(), static_cast<double>(vs_call.front()) / 1e3, pct_ms(vs_call, 0.50), pct_ms(vs_call, 0.99),
      static_cast<double>(vs_call.back()) / 1e3, static_cast<long long>(early(vs_call)),
      static_cast<double>(vs_deadline.front()) / 1e3, pct_ms(vs_deadline, 0.99),
      static_cast<long long>(early(vs_deadline)));
  return 0;
}
