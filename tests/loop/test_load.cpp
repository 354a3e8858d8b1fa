// Load: many timers, many pool tasks, many concurrent HTTP requests. Every callback must
// run exactly once (counted here, not by eye), and memory must come back afterwards.
#include <catch2/catch.hpp>

#include <malloc.h>

#include <fstream>
#include <string>
#include <vector>

#include "clock/clock.h"
#include "clock/virtual_clock.h"
#include "loop/runtime.h"
#include "scenario/interpreter.h"
#include "scenario/scenario.h"
#include "trace/tracer.h"

using namespace elt;

namespace {

// Runs `json` and counts, for each index i, how many times "done <i>" was printed.
std::vector<int> run_and_count(const std::string& json, std::size_t n, ClockKind kind) {
  auto scenario = scenario::parse_scenario(json, "load.json", ELT_SOURCE_DIR "/scenarios");
  std::vector<int> seen(n, 0);
  Tracer tracer(TraceFormat::None, -1);
  tracer.set_observer([&](const TraceEvent& e) {
    if (e.text.rfind("done ", 0) == 0) {
      std::size_t i = std::stoul(e.text.substr(5));
      if (i < n) ++seen[i];
    }
  });
  std::unique_ptr<Clock> clock;
  if (kind == ClockKind::Virtual) {
    clock = std::make_unique<VirtualClock>();
  } else {
    clock = std::make_unique<RealClock>();
  }
  {
    Runtime runtime(scenario::runtime_options(scenario), *clock, tracer);
    scenario::run_scenario(runtime, scenario);
  }
  return seen;
}

bool each_once(const std::vector<int>& seen) {
  for (std::size_t i = 0; i < seen.size(); ++i) {
    if (seen[i] != 1) {
      UNSCOPED_INFO("callback " << i << " ran " << seen[i] << " times");
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("100,000 timers each fire exactly once (virtual clock)", "[load]") {
  // Delays 0..999 ms, a hundred timers for each: k picks the hundred, j the delay.
  const char* json = R"({"program": [
    {"repeat": 100, "as": "k", "do": [
      {"repeat": 1000, "as": "j", "do": [
        {"set_timeout": "${j}", "then": [{"print": "pair ${k} ${j}"}]}]}]}]})";
  auto scenario = scenario::parse_scenario(json, "load.json", ".");
  std::vector<int> seen(100000, 0);
  Tracer tracer(TraceFormat::None, -1);
  tracer.set_observer([&](const TraceEvent& e) {
    if (e.text.rfind("pair ", 0) == 0) {
      auto space = e.text.find(' ', 5);
      std::size_t k = std::stoul(e.text.substr(5, space - 5));
      std::size_t j = std::stoul(e.text.substr(space + 1));
      ++seen[k * 1000 + j];
    }
  });
  VirtualClock clock;
  {
    Runtime runtime(scenario::runtime_options(scenario), clock, tracer);
    scenario::run_scenario(runtime, scenario);
  }
  CHECK(each_once(seen));
}

TEST_CASE("10,000 pool tasks on 4 threads each complete exactly once", "[load]") {
  const char* json = R"({"program": [
    {"repeat": 10000, "do": [{"encrypt": 5, "then": [{"print": "done ${i}"}]}]}]})";
  SECTION("real clock") { CHECK(each_once(run_and_count(json, 10000, ClockKind::Real))); }
  SECTION("virtual clock") { CHECK(each_once(run_and_count(json, 10000, ClockKind::Virtual))); }
}

TEST_CASE("1,000 concurrent HTTP requests to the stand-in each complete exactly once", "[load][http]") {
  const char* json = R"({"program": [
    {"repeat": 1000, "do": [{"http_get_slow": "example.com/${i}", "delay_ms": 200, "as": "r",
                             "then": [{"print": "done ${i}"}]}]}]})";
  SECTION("real clock") { CHECK(each_once(run_and_count(json, 1000, ClockKind::Real))); }
  SECTION("virtual clock") { CHECK(each_once(run_and_count(json, 1000, ClockKind::Virtual))); }
}

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
namespace {
long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

}  // namespace

TEST_CASE("memory returns near its baseline after a burst of 100,000 timers", "[load][memory]") {
  const char* json = R"({"program": [
    {"repeat": 100000, "do": [{"set_timeout": 1, "then": [{"print": "done ${i}"}]}]}]})";
  run_and_count(json, 10, ClockKind::Virtual);  // warm up allocator arenas
  malloc_trim(0);
  long baseline = rss_kib();
  for (int round = 0; round < 3; ++round) run_and_count(json, 10, ClockKind::Virtual);
  malloc_trim(0);
  long after = rss_kib();
  INFO("baseline " << baseline << " KiB, after three bursts " << after << " KiB");
  CHECK(after - baseline < 8 * 1024);
}
#endif
