// Promises as values and async functions under the node model (issue 21), driving the loop
// one iteration at a time on the virtual clock. Each expected order was printed by node v20
// for the scenario's export-js program (the same scenarios are in scenarios/node/ and
// tests/js/, where verify and js.programs compare them with Node again).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "stepped_run.h"
#include "loop/runtime.h"
#include "scenario/interpreter.h"
#include "scenario/scenario.h"

using namespace elt;

namespace {

using Lines = std::vector<std::string>;

class PromiseRun : public testing::SteppedRun {
 public:
  explicit PromiseRun(const std::string& json)
      : SteppedRun(json, ELT_SOURCE_DIR "/scenarios", [](RuntimeOptions& options) { options.model = node_model(); }) {}
  std::size_t unhandled() {
    std::size_t n = 0;
    for (const auto& e : events_of(EventKind::CallbackError)) n += e.unhandled ? 1 : 0;
    return n;
  }
};

}  // namespace

TEST_CASE("promises: a then step that returns a promise waits two turns more (the thenable job, then its then)",
          "[promises]") {
  PromiseRun run(R"({"program": [
    {"new_promise": [{"resolve": "x", "value": "x"}], "id": "x"},
    {"new_promise": [{"resolve": "s"}], "id": "s"},
    {"promise_then": "s", "chain": [{"then": [{"print": "a1"}], "return_promise": "x"},
                                    {"then": [{"print": "a2 ${value}"}]}]},
    {"promise": "resolve", "chain": [{"then": [{"print": "b1"}]}, {"then": [{"print": "b2"}]},
                                     {"then": [{"print": "b3"}]}, {"then": [{"print": "b4"}]}]}
  ]})");
  // All of it is the program's microtask drain, before the first iteration.
  CHECK(run.prints(0) == Lines{"a1", "b1", "b2", "b3", "a2 x", "b4"});
  run.run_all();
}

TEST_CASE("promises: return p costs two turns more than return await p", "[promises]") {
  PromiseRun run(R"({"program": [
    {"new_promise": [{"resolve": "p", "value": "v"}], "id": "p"},
    {"async": [{"await": "p"}], "id": "f", "return_promise": "p"},
    {"async": [{"await": "p", "as": "z"}], "id": "g", "return": "${z}"},
    {"async": [{"await": "f"}, {"print": "after return p"}]},
    {"async": [{"await": "g"}, {"print": "after return await p"}]},
    {"promise": "resolve", "chain": [{"then": [{"print": "b1"}]}, {"then": [{"print": "b2"}]},
                                     {"then": [{"print": "b3"}]}, {"then": [{"print": "b4"}]}]}
  ]})");
  // Both bodies first await p; then g settles with a value, f with p itself (node prints this).
  CHECK(run.prints(0) == Lines{"b1", "after return await p", "b2", "b3", "after return p", "b4"});
  run.run_all();
}

TEST_CASE("promises: an async body runs to its first await at once, then one stretch per settled await",
          "[promises]") {
  PromiseRun run(R"({"program": [
    {"async": [{"print": "start"}, {"sleep": 10, "id": "s1"}, {"await": "s1"}, {"print": "slept 1"},
               {"sleep": 10, "id": "s2"}, {"await": "s2"}, {"print": "slept 2"}]},
    {"print": "main"}
  ]})");
  CHECK(run.prints(0) == Lines{"start", "main"});
  // Each iteration's timers phase fires one sleep; its await goes on in that callback's drain.
  while (run.prints().size() < 3 && run.step()) {
  }
  CHECK(run.prints().back() == "slept 1");
  while (run.prints().size() < 4 && run.step()) {
  }
  CHECK(run.prints().back() == "slept 2");
  CHECK(run.elapsed() >= Millis(20));
  run.run_all();
}

TEST_CASE("promises: a catch attached in a nextTick handles the rejection in time", "[promises]") {
  PromiseRun run(R"({"program": [
    {"new_promise": [{"reject": "p", "value": "boom"}], "id": "p"},
    {"next_tick": [{"promise_then": "p", "chain": [{"catch": [{"print": "caught ${error}"}]}]}]},
    {"set_timeout": 1, "then": [{"print": "timer"}]}
  ]})");
  run.run_all();
  CHECK(run.prints() == Lines{"caught boom", "timer"});
  CHECK(run.unhandled() == 0);
}

TEST_CASE("promises: a catch attached in a timer is too late: reported once the drain ends, and the run stops",
          "[promises]") {
  PromiseRun run(R"({"program": [
    {"new_promise": [{"reject": "p", "value": "boom"}], "id": "p"},
    {"set_timeout": 1, "then": [{"promise_then": "p", "chain": [{"catch": [{"print": "caught"}]}]}]},
    {"promise": "resolve", "chain": [{"then": [{"print": "b1"}]}]}
  ]})");
  CHECK(run.prints(0) == Lines{"b1"});
  CHECK(run.unhandled() == 1);
  run.run_all();
  CHECK(run.prints() == Lines{"b1"});
}

TEST_CASE("promises: an unhandledRejection handler runs instead of the exit, and the loop goes on", "[promises]") {
  PromiseRun run(R"({"program": [
    {"on_unhandled_rejection": [{"print": "unhandled: ${reason}"}, {"next_tick": [{"print": "tick"}]}]},
    {"async": [{"await": {"value": "1"}}, {"print": "in f"}], "throw": "nope"},
    {"set_timeout": 0, "then": [{"print": "timer"}]}
  ]})");
  run.run_all();
  CHECK(run.prints() == Lines{"in f", "unhandled: nope", "tick", "timer"});
  CHECK(run.unhandled() == 0);
}

TEST_CASE("promises: try/catch around an await goes on after the catch", "[promises]") {
  PromiseRun run(R"({"program": [
    {"new_promise": [{"reject": "p", "value": "bad"}], "id": "p"},
    {"async": [{"await": "p", "as": "v", "catch": [{"print": "caught ${error}"}]}, {"print": "after try"}],
     "id": "f", "return": "done"},
    {"promise_then": "f", "chain": [{"then": [{"print": "f ${value}"}]}]}
  ]})");
  CHECK(run.prints(0) == Lines{"caught bad", "after try", "f done"});
  run.run_all();
}

TEST_CASE("promises: all, race, allSettled and any over sleeps settle as the timers fire", "[promises]") {
  PromiseRun run(R"({"program": [
    {"sleep": 100, "id": "a", "value": "A"},
    {"sleep": 20, "id": "b", "value": "B"},
    {"new_promise": [{"set_timeout": 60, "then": [{"reject": "c", "value": "C failed"}]}], "id": "c"},
    {"promise_all": ["a", "b"], "id": "all"},
    {"promise_race": ["a", "b"], "id": "race"},
    {"promise_all_settled": ["a", "b", "c"], "id": "settled"},
    {"promise_any": ["c", "a"], "id": "any"},
    {"promise_all": ["a", "c"], "id": "allc"},
    {"promise_then": "all", "chain": [{"then": [{"print": "all ${value}"}]}]},
    {"promise_then": "race", "chain": [{"then": [{"print": "race ${value}"}]}]},
    {"promise_then": "settled", "chain": [{"then": [{"print": "settled ${value}"}]}]},
    {"promise_then": "any", "chain": [{"then": [{"print": "any ${value}"}]}]},
    {"promise_then": "allc", "chain": [{"catch": [{"print": "allc ${error}"}]}]}
  ]})");
  run.run_all();
  CHECK(run.prints() == Lines{"race B", "allc C failed", "all A,B",
                              "settled [object Object],[object Object],[object Object]", "any A"});
  CHECK(run.unhandled() == 0);
}

TEST_CASE("promises: the book's loop refuses every promise action, naming the node model", "[promises]") {
  for (const char* json : {R"({"program": [{"new_promise": [], "id": "p"}]})",
                           R"({"program": [{"async": [{"await": {"value": "1"}}]}]})",
                           R"({"program": [{"sleep": 1, "id": "p"}]})"}) {
    auto scenario = scenario::parse_scenario(json, "test.json", ".");
    CHECK_THROWS_WITH(scenario::check_model_support(scenario, "book"), Catch::Contains("--model node"));
  }
}

TEST_CASE("promises: await outside an async body, and resolve outside its executor, are refused", "[promises]") {
  CHECK_THROWS_WITH(scenario::parse_scenario(R"({"program": [{"await": {"value": "1"}}]})", "t.json", "."),
                    Catch::Contains("async body"));
  CHECK_THROWS_WITH(scenario::parse_scenario(
                        R"({"program": [{"new_promise": [], "id": "p"}, {"resolve": "p"}]})", "t.json", "."),
                    Catch::Contains("executor"));
  CHECK_THROWS_WITH(
      scenario::parse_scenario(
          R"({"program": [{"async": [{"set_timeout": 1, "then": [{"await": {"value": "1"}}]}]}]})", "t.json", "."),
      Catch::Contains("async body"));
}
