// The run-time half of the cap on total work (kMaxActions): what the parser cannot compute
// (a count from a template, callbacks that start more work) is counted as it runs, and the
// run stops with one error in the trace when it reaches the cap.
#include <catch2/catch.hpp>

#include <string>

#include "clock/virtual_clock.h"
#include "loop/runtime.h"
#include "scenario/interpreter.h"
#include "scenario/scenario.h"
#include "trace/describe.h"
#include "trace/tracer.h"

using namespace elt;

namespace {

struct Seen {
  std::size_t prints = 0;
  std::size_t timers_fired = 0;
  std::vector<std::string> errors;
  bool finished = false;
};

Seen run(const std::string& json) {
  auto scenario = scenario::parse_scenario(json, "cap.json", ".");
  Seen seen;
  Tracer tracer(TraceFormat::None, -1);
  tracer.set_observer([&](const TraceEvent& e) {
    if (e.kind == EventKind::Print && e.text == "x") ++seen.prints;
    if (e.kind == EventKind::Print && e.text == "fired") ++seen.timers_fired;
    if (e.kind == EventKind::CallbackError) seen.errors.push_back(describe(e));
    if (e.kind == EventKind::Finished) seen.finished = true;
  });
  VirtualClock clock;
  {
    Runtime runtime(scenario::runtime_options(scenario), clock, tracer);
    scenario::run_scenario(runtime, scenario);
  }
  return seen;
}

}  // namespace

TEST_CASE("a count from a template cannot get past the cap on total work", "[scenario][limits]") {
  // 0, then 1,000,000, then 2,000,000 prints: the parser cannot know; the run stops at the
  // 2,000,001st action, and nothing after it in the program runs.
  Seen seen = run(R"({"program": [
    {"repeat": 3, "as": "k", "do": [{"repeat": "${k}000000", "do": [{"print": "x"}]}]},
    {"set_timeout": 5, "then": [{"print": "fired"}]}
  ]})");
  // Actions counted: the outer repeat, three inner repeats, and the prints.
  CHECK(seen.prints == scenario::kMaxActions - 4);
  REQUIRE(seen.errors.size() == 1);
  CHECK(seen.errors[0] == "error at /program/0/do/0/do/0: this run has created 2000000 actions, the most one run "
                          "may (see \"Limits\" in docs/scenario-format.md); the run stops here");
  CHECK(seen.timers_fired == 0);
  CHECK(seen.finished);  // the threads shut down as usual
}

TEST_CASE("callbacks that start more work stop at the cap, with one error", "[scenario][limits]") {
  // 1,000 timers, the one with index a starting a * 1,000 more: about 500 million in all.
  Seen seen = run(R"({"program": [
    {"repeat": 1000, "as": "a", "do": [{"set_timeout": 1, "then": [
      {"print": "fired"},
      {"repeat": "${a}000", "do": [{"set_timeout": 2, "then": [{"print": "x"}]}]}]}]}
  ]})");
  REQUIRE(seen.errors.size() == 1);
  CHECK_THAT(seen.errors[0], Catch::EndsWith("the run stops here"));
  CHECK(seen.timers_fired < 1000);  // the rest of the timers run nothing once the cap is hit
  CHECK(seen.prints == 0);          // the run stopped before the 2 ms timers were due
  CHECK(seen.finished);
}

TEST_CASE("a run under the cap is not touched by it", "[scenario][limits]") {
  Seen seen = run(R"({"program": [{"repeat": 1000, "do": [{"repeat": 999, "do": [{"print": "x"}]}]}]})");
  CHECK(seen.prints == 999'000);
  CHECK(seen.errors.empty());
}

TEST_CASE("an interval nobody clears ends at the cap on total work", "[scenario][limits]") {
  // Each run of the interval counts once, and its callback's actions count; without
  // `times` the parser counts one run, so only the run-time counter can end it.
  Seen seen = run(R"({"program": [{"set_interval": 1, "then": [{"repeat": 1000, "do": [{"print": "x"}]}]}]})");
  REQUIRE(seen.errors.size() == 1);
  CHECK_THAT(seen.errors[0], Catch::StartsWith("error at /program/0") && Catch::EndsWith("the run stops here"));
  // 1 for set_interval, then 1,002 a run (the run, the repeat, 1,000 prints): after 1,996
  // runs 1,999,993, and the 1,997th run gets through 5 prints.
  CHECK(seen.prints == 1'996'005);
  CHECK(seen.finished);
}

TEST_CASE("an interval with times counts each run before anything runs", "[scenario][limits]") {
  try {
    scenario::parse_scenario(R"({"program": [{"set_interval": 1, "times": 1000000, "then": [{"print": "a"}, {"print": "b"}]}]})",
                             "cap.json", ".");
    FAIL("no error");
  } catch (const scenario::ScenarioError& e) {
    CHECK_THAT(e.what(), Catch::Contains("(at /program/0): this action and its callbacks would create 3,000,001 actions"));
  }
}
