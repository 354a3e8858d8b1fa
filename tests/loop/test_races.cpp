// Decisions that timing settles (issue 20): under the node model the loop reports each one
// as a `race` event where it settles it, naming both sides and the cost that would flip
// it. Driven one iteration at a time on the virtual clock; the order the event claims is
// checked against the order the run then prints.
#include <catch2/catch.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "stepped_run.h"
#include "clock/virtual_clock.h"
#include "loop/costs.h"
#include "loop/runtime.h"
#include "scenario/interpreter.h"
#include "scenario/scenario.h"
#include "trace/describe.h"
#include "trace/format.h"
#include "trace/tracer.h"

using namespace elt;

namespace {

using namespace std::chrono_literals;

// A scenario run with a cost profile, keeping its prints and its race events.
class RacedRun : public testing::SteppedRun {
 public:
  RacedRun(const std::string& json, CostProfile costs, LoopModel model = node_model())
      : SteppedRun(
            json, ELT_SOURCE_DIR "/scenarios/races",
            [&](RuntimeOptions& options) {
              options.model = std::move(model);
              options.costs = std::move(costs);
            },
            TraceFormat::None) {}
  std::vector<TraceEvent> races() { return events_of(EventKind::Race); }
};

// A profile that charges only the main program: `median` within [least, most].
CostProfile main_program_costs(Duration median, Duration least, Duration most) {
  CostProfile p = zero_costs();
  const int i = static_cast<int>(Cost::MainProgram);
  p.costs[i] = median;
  p.low[i] = least;
  p.high[i] = most;
  p.clock_phase = 500us;
  return p;
}

std::string program_with_timer(int ms) {
  return R"({"program": [{"set_timeout": )" + std::to_string(ms) +
         R"(, "then": [{"print": "timeout"}]}, {"set_immediate": [{"print": "immediate"}]}]})";
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("races: a 0 ms timer not yet due when the loop starts is a race, and the immediate runs first", "[races]") {
  // Half-way through libuv's millisecond, the timer (due at 1 ms) needs 0.5 ms of program.
  RacedRun run(program_with_timer(0), main_program_costs(350us, 0us, 1000us));
  run.step();  // the first iteration: the race was settled before it
  auto races = run.races();
  REQUIRE(races.size() == 1);
  CHECK(races[0].race == RaceKind::TimerAtLoopStart);
  CHECK(races[0].delay == 350us);
  CHECK(races[0].due == 500us);
  CHECK(describe(races[0]) ==
        fmt::format("~ race: timer {0} is not due before the first iteration, so immediate {1} runs first: the main "
                    "program took 0.35 ms of the 0.50 ms it needs; if it takes 0.50 ms or more, timer {0} runs before "
                    "immediate {1}",
                    races[0].id, races[0].rival));
  run.run_all();
  CHECK(run.prints() == Lines{"immediate", "timeout"});
  CHECK(run.races().size() == 1);  // nothing else was left to timing
}

TEST_CASE("races: a 0 ms timer already due when the loop starts is a race, and the timer runs first", "[races]") {
  RacedRun run(program_with_timer(0), main_program_costs(700us, 0us, 1000us));
  auto races = run.races();  // settled in the timers pass before the first iteration
  REQUIRE(races.size() == 1);
  CHECK(races[0].delay >= races[0].due);
  CHECK(describe(races[0]).starts_with(fmt::format("~ race: timer {} is due before the first iteration", races[0].id)));
  std::string line;
  render_jsonl(races[0], line);
  auto j = nlohmann::json::parse(line);
  CHECK(j["kind"] == "race");
  CHECK(j["race"] == "timer_at_loop_start");
  CHECK(j["first"] == races[0].id);
  CHECK(j["alternatives"] == nlohmann::json::array({races[0].id, races[0].rival}));
  CHECK(j["decided_by"] == "main_program");
  CHECK(j["took_us"] == 700);
  CHECK(j["flips_at_us"] == 500);
  run.run_all();
  CHECK(run.prints() == Lines{"timeout", "immediate"});
}

TEST_CASE("races: no race where every cost in the spread takes the same side", "[races]") {
  SECTION("no spread measured") {
    RacedRun run(program_with_timer(0), main_program_costs(350us, 350us, 350us));
    run.run_all();
    CHECK(run.prints() == Lines{"immediate", "timeout"});
    CHECK(run.races().empty());
  }
  SECTION("a timer the main program never reaches") {
    RacedRun run(program_with_timer(5), main_program_costs(350us, 0us, 1000us));
    run.run_all();
    CHECK(run.prints() == Lines{"immediate", "timeout"});
    CHECK(run.races().empty());
  }
  SECTION("no immediate on the other side") {
    RacedRun run(R"({"program": [{"set_timeout": 0, "then": [{"print": "timeout"}]}]})",
                 main_program_costs(350us, 0us, 1000us));
    run.run_all();
    CHECK(run.races().empty());
  }
  SECTION("the book's model, whose printout is exact") {
    RacedRun run(program_with_timer(0), main_program_costs(350us, 0us, 1000us), book_model());
    run.run_all();
    CHECK(run.races().empty());
  }
}
