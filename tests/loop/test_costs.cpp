// The cost profile (loop/costs.h) under the node model, driving the loop one iteration at
// a time on the virtual clock: each cost is charged where Node spends it, the main
// program's cost decides the top-level race against the clock's phase, and the book's
// model ignores costs. The orders were checked against node v20 (tests/races/).
#include <catch2/catch.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "stepped_run.h"
#include "clock/virtual_clock.h"
#include "loop/costs.h"
#include "loop/runtime.h"
#include "scenario/cost_profile.h"
#include "scenario/interpreter.h"
#include "scenario/scenario.h"
#include "trace/tracer.h"

using namespace elt;

namespace {

using namespace std::chrono_literals;

// A scenario run with a cost profile, stepped by the test.
class CostedRun : public testing::SteppedRun {
 public:
  CostedRun(const std::string& json, CostProfile costs, LoopModel model = node_model())
      : SteppedRun(json, ELT_SOURCE_DIR "/scenarios/races", [&](RuntimeOptions& options) {
          options.model = std::move(model);
          options.costs = std::move(costs);
        }) {}
};

CostProfile profile_with(std::initializer_list<std::pair<Cost, Duration>> costs, Duration phase = 500us) {
  CostProfile p = zero_costs();
  for (const auto& [cost, d] : costs) p.costs[static_cast<int>(cost)] = d;
  p.clock_phase = phase;
  return p;
}

const char* const kTopLevelRace = R"({"program": [
  {"set_timeout": 0, "then": [{"print": "timeout"}]},
  {"set_immediate": [{"print": "immediate"}]}
]})";

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("costs: the main program's run decides whether a 0 ms timer is due before the first iteration", "[costs]") {
  // The clock starts half-way through a millisecond: 0.6 ms of program cross into the
  // next one, so the timer set at 0 ms (due at 1 ms) runs in the pass before the loop.
  CostedRun slow(kTopLevelRace, profile_with({{Cost::MainProgram, 600us}}));
  CHECK(slow.prints(0) == Lines{"timeout"});
  REQUIRE(slow.step());
  CHECK(slow.prints(1) == Lines{"immediate"});

  CostedRun fast(kTopLevelRace, profile_with({{Cost::MainProgram, 400us}}));
  CHECK(fast.prints(0).empty());
  fast.run_all();
  CHECK(fast.prints() == Lines{"immediate", "timeout"});
}

TEST_CASE("costs: the first print costs the stdout set-up, later ones their own cost", "[costs]") {
  CostedRun run(R"({"program": [{"print": "a"}, {"print": "b"}, {"print": "c"}]})",
                profile_with({{Cost::FirstPrint, 5ms}, {Cost::Print, 100us}}));
  CHECK(run.elapsed() == 5200us);
}

TEST_CASE("costs: each of readFile's four trips costs a pool trip, and each step enters JavaScript", "[costs]") {
  CostedRun run(R"({"program": [{"fs_read": "test.txt", "then": [{"print": "read"}]}]})",
                profile_with({{Cost::PoolTrip, 2ms}, {Cost::Callback, 10us}}));
  run.run_all();
  CHECK(run.prints() == Lines{"read"});
  CHECK(run.elapsed() == 8ms + 4 * 10us);
}

TEST_CASE("costs: the first print in a read's callback lets its 0 ms timer run before the second immediate", "[costs]") {
  // tests/races/immediate-chain-after-read.js: node printed this order in 40 runs of 40.
  const char* chain = R"({"program": [{"fs_read": "test.txt", "then": [
    {"set_timeout": 0, "then": [{"print": "timeout"}]},
    {"set_immediate": [{"print": "immediate 1"}, {"set_immediate": [{"print": "immediate 2"}]}]}
  ]}]})";
  CostedRun costed(chain, profile_with({{Cost::FirstPrint, 3ms}}));
  costed.run_all();
  CHECK(costed.prints() == Lines{"immediate 1", "timeout", "immediate 2"});
  CostedRun free(chain, zero_costs());
  free.run_all();
  CHECK(free.prints() == Lines{"immediate 1", "immediate 2", "timeout"});
}

TEST_CASE("costs: the first nextTick drain and the ticks it runs are charged", "[costs]") {
  CostedRun run(R"({"program": [{"next_tick": []}, {"queue_microtask": []}]})",
                profile_with({{Cost::FirstTick, 300us}, {Cost::Callback, 20us}}));
  CHECK(run.elapsed() == 340us);
}

TEST_CASE("costs: the book's model ignores a cost profile", "[costs]") {
  CostedRun run(R"({"program": [{"print": "a"}, {"set_timeout": 0, "then": [{"print": "b"}]}]})",
                profile_with({{Cost::FirstPrint, 5ms}, {Cost::MainProgram, 2ms}}), book_model());
  run.run_all();
  CHECK(run.prints() == Lines{"a", "b"});
  CHECK(run.elapsed() == 0ms);
}

TEST_CASE("costs: a profile that is not one is refused with its JSON path", "[costs]") {
  CHECK_THROWS_WITH(parse_cost_profile("[]", "p.json"), Catch::Contains("p.json: is not a cost profile"));
  CHECK_THROWS_WITH(parse_cost_profile(R"({"format": "x"})", "p.json"), Catch::Contains("p.json:/format"));
  std::string text = R"({"format": "eventloop-trace cost profile 1", "clock_phase_us": 500, "costs": {
    "main_program": {"median_us": 1}, "first_print": {"median_us": 1}, "print": {"median_us": "fast"}}})";
  CHECK_THROWS_WITH(parse_cost_profile(text, "p.json"), Catch::Contains("p.json:/costs/print/median_us: expected a number"));
}

TEST_CASE("costs: the shipped default profile parses and prices every kind", "[costs]") {
  CostProfile p = load_cost_profile(ELT_SOURCE_DIR "/data/costs/default.json");
  CHECK(p.of(Cost::FirstPrint) >= 1ms);
  CHECK(p.clock_phase == 500us);
  CHECK_FALSE(p.machine.empty());
}
