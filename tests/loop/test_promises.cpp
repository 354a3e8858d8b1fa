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

// ---- session 8: thenables, finally, async steps, try/catch/finally and throw ----
// Each expected order is node v20's for the program of tests/js/ named in the test.

TEST_CASE("promises: await of a thenable calls its then in a job of its own: one turn later than a promise",
          "[promises][thenable]") {
  // tests/js/await-a-thenable.js
  PromiseRun run(R"({"program": [
    {"thenable": [{"print": "then called"}, {"resolve": "t", "value": "from thenable"}], "id": "t"},
    {"async": [{"await": "t", "as": "v"}, {"print": "thenable: ${v}"}]},
    {"new_promise": [{"resolve": "p", "value": "from promise"}], "id": "p"},
    {"async": [{"await": "p", "as": "v"}, {"print": "promise: ${v}"}]},
    {"promise": "resolve", "chain": [{"then": [{"print": "t1"}]}, {"then": [{"print": "t2"}]},
                                     {"then": [{"print": "t3"}]}]},
    {"print": "sync end"}
  ]})");
  CHECK(run.prints(0) == Lines{"sync end", "then called", "promise: from promise", "t1", "thenable: from thenable",
                               "t2", "t3"});
  run.run_all();
}

TEST_CASE("promises: a thenable's then may resolve later, from a timer; the await waits for it",
          "[promises][thenable]") {
  // tests/js/thenable-resolves-later.js
  PromiseRun run(R"({"program": [
    {"thenable": [{"print": "then called"}, {"set_timeout": 10, "then": [{"resolve": "later", "value": "late"}]}],
     "id": "later"},
    {"async": [{"print": "before await"}, {"await": "later", "as": "v"}, {"print": "after await: ${v}"}]},
    {"set_timeout": 0, "then": [{"print": "timeout 0"}]}
  ]})");
  CHECK(run.prints(0) == Lines{"before await", "then called"});
  while (run.prints().size() < 3 && run.step()) {
  }
  CHECK(run.prints().back() == "timeout 0");
  while (run.prints().size() < 4 && run.step()) {
  }
  CHECK(run.prints().back() == "after await: late");
  CHECK(run.elapsed() >= Millis(10));
  run.run_all();
}

TEST_CASE("promises: resolve(thenable) and return thenable each call its then once, in a job",
          "[promises][thenable]") {
  // tests/js/thenable-resolve-and-return.js; a second resolve inside then is ignored
  PromiseRun run(R"({"program": [
    {"thenable": [{"print": "t.then called"}, {"resolve": "t", "value": "T"}, {"resolve": "t", "value": "again"}],
     "id": "t"},
    {"new_promise": [{"resolve": "p", "with": "t"}], "id": "p"},
    {"promise_then": "p", "chain": [{"then": [{"print": "p: ${value}"}]}]},
    {"async": [], "id": "f", "return_promise": "t"},
    {"promise_then": "f", "chain": [{"then": [{"print": "f: ${value}"}]}]},
    {"promise": "resolve", "chain": [{"then": [{"print": "t1"}]}, {"then": [{"print": "t2"}]},
                                     {"then": [{"print": "t3"}]}, {"then": [{"print": "t4"}]}]}
  ]})");
  CHECK(run.prints(0) == Lines{"t.then called", "t.then called", "t1", "p: T", "f: T", "t2", "t3", "t4"});
  run.run_all();
}

TEST_CASE("promises: the step after a finally runs two turns later than after a then; a rejection passes too",
          "[promises][finally]") {
  // tests/js/finally-turns.js and tests/js/finally-rejection-and-throw.js
  PromiseRun turns(R"({"program": [
    {"new_promise": [{"resolve": "v", "value": "v"}], "id": "v"},
    {"promise_then": "v", "chain": [{"finally": [{"print": "finally"}]},
                                    {"then": [{"print": "then after finally: ${value}"}]}]},
    {"promise": "resolve", "chain": [{"then": [{"print": "a1"}]}, {"then": [{"print": "a2"}]},
                                     {"then": [{"print": "a3"}]}, {"then": [{"print": "a4"}]},
                                     {"then": [{"print": "a5"}]}]}
  ]})");
  CHECK(turns.prints(0) == Lines{"finally", "a1", "a2", "a3", "then after finally: v", "a4", "a5"});
  turns.run_all();

  PromiseRun rejected(R"({"program": [
    {"new_promise": [{"reject": "bad", "value": "boom"}], "id": "bad"},
    {"promise_then": "bad", "chain": [{"finally": [{"print": "finally"}]},
                                      {"catch": [{"print": "caught: ${error}"}]}]},
    {"new_promise": [{"resolve": "ok"}], "id": "ok"},
    {"promise_then": "ok", "chain": [{"finally": [], "throw": "in finally"},
                                     {"catch": [{"print": "caught: ${error}"}]}]},
    {"promise": "resolve", "chain": [{"then": [{"print": "a1"}]}, {"then": [{"print": "a2"}]},
                                     {"then": [{"print": "a3"}]}, {"then": [{"print": "a4"}]}]}
  ]})");
  CHECK(rejected.prints(0) == Lines{"finally", "a1", "caught: in finally", "a2", "a3", "caught: boom", "a4"});
  rejected.run_all();
  CHECK(rejected.unhandled() == 0);
}

TEST_CASE("promises: a finally that returns a promise holds the value until that promise is fulfilled",
          "[promises][finally]") {
  // tests/js/finally-waits-for-promise.js
  PromiseRun run(R"({"program": [
    {"new_promise": [{"resolve": "p", "value": "kept"}], "id": "p"},
    {"promise_then": "p", "chain": [{"finally": [{"print": "cleanup starts"}, {"sleep": 20, "id": "nap"}],
                                     "return_promise": "nap"},
                                    {"then": [{"print": "after cleanup: ${value}"}]}]},
    {"set_timeout": 10, "then": [{"print": "timer 10"}]},
    {"set_timeout": 300, "then": [{"print": "timer 300"}]}
  ]})");
  CHECK(run.prints(0) == Lines{"cleanup starts"});
  while (run.prints().size() < 3 && run.step()) {
  }
  CHECK(run.prints() == Lines{"cleanup starts", "timer 10", "after cleanup: kept"});
  CHECK(run.elapsed() >= Millis(20));
  run.run_all();
}

TEST_CASE("promises: an async function as a then callback: the step adopts its promise, two turns more",
          "[promises][async_step]") {
  // tests/js/async-then-callback.js
  PromiseRun run(R"({"program": [
    {"new_promise": [{"resolve": "x", "value": "x"}], "id": "x"},
    {"promise_then": "x", "chain": [{"then": [{"async": [{"print": "async callback got ${v}"}], "id": "cb",
                                                "return": "r"}],
                                     "as": "v", "return_promise": "cb"},
                                    {"then": [{"print": "after the async callback: ${value}"}]}]},
    {"promise": "resolve", "chain": [{"then": [{"print": "a1"}]}, {"then": [{"print": "a2"}]},
                                     {"then": [{"print": "a3"}]}, {"then": [{"print": "a4"}]},
                                     {"then": [{"print": "a5"}]}]}
  ]})");
  CHECK(run.prints(0) == Lines{"async callback got x", "a1", "a2", "a3", "after the async callback: r", "a4", "a5"});
  run.run_all();
}

TEST_CASE("promises: try/catch/finally around two awaits catches the second's rejection, then goes on",
          "[promises][try]") {
  // tests/js/try-two-awaits.js: the try itself costs no turn
  PromiseRun run(R"({"program": [
    {"new_promise": [{"resolve": "a", "value": "a"}], "id": "a"},
    {"async": [
      {"try": [{"print": "start"}, {"await": "a", "as": "got"}, {"print": "got ${got}"},
               {"new_promise": [{"reject": "b", "value": "second"}], "id": "b"},
               {"await": "b"}, {"print": "not printed"}],
       "catch": [{"print": "caught ${error}"}], "finally": [{"print": "finally"}]},
      {"print": "after try"}]},
    {"promise": "resolve", "chain": [{"then": [{"print": "a1"}]}, {"then": [{"print": "a2"}]},
                                     {"then": [{"print": "a3"}]}]}
  ]})");
  CHECK(run.prints(0) == Lines{"start", "got a", "a1", "caught second", "finally", "after try", "a2", "a3"});
  run.run_all();
  CHECK(run.unhandled() == 0);
}

TEST_CASE("promises: a throw in try is caught at once; a try/finally without catch rejects the function",
          "[promises][try]") {
  // tests/js/try-throw-finally.js
  PromiseRun run(R"({"program": [
    {"async": [
      {"try": [{"print": "check 1"}, {"sleep": 1, "id": "s1"}, {"await": "s1"}, {"throw_error": "bad 1"},
               {"print": "not printed"}],
       "catch": [{"print": "caught ${error}"}], "finally": [{"print": "finally 1"}]}],
     "id": "check", "return": "1"},
    {"promise_then": "check", "chain": [{"then": [{"print": "checked ${value}"}]}]},
    {"async": [
      {"try": [{"sleep": 5, "id": "s5"}, {"await": "s5"}, {"throw_error": "not handled here"}],
       "finally": [{"print": "cleanup finally"}]},
      {"print": "not printed either"}], "id": "cleanup"},
    {"promise_then": "cleanup", "chain": [{"catch": [{"print": "caller caught: ${error}"}]}]},
    {"print": "sync end"}
  ]})");
  CHECK(run.prints(0) == Lines{"check 1", "sync end"});
  while (run.prints().size() < 5 && run.step()) {
  }
  CHECK(run.prints() == Lines{"check 1", "sync end", "caught bad 1", "finally 1", "checked 1"});
  run.run_all();
  CHECK(run.prints() == Lines{"check 1", "sync end", "caught bad 1", "finally 1", "checked 1", "cleanup finally",
                              "caller caught: not handled here"});
  CHECK(run.unhandled() == 0);
}

TEST_CASE("promises: an async function called inside a try does not throw into the caller's try",
          "[promises][try]") {
  // Node: "inner rejected: x", then "outer went on" (the call returns a rejected promise)
  PromiseRun run(R"({"program": [
    {"async": [
      {"try": [{"async": [{"throw_error": "x"}], "id": "inner"},
               {"promise_then": "inner", "chain": [{"catch": [{"print": "inner rejected: ${error}"}]}]}],
       "catch": [{"print": "outer caught ${error}"}]},
      {"print": "outer went on"}]}
  ]})");
  CHECK(run.prints(0) == Lines{"outer went on", "inner rejected: x"});
  run.run_all();
}

TEST_CASE("promises: thenable, try and throw need the node model; try, throw and finally are refused out of place",
          "[promises][try]") {
  for (const char* json : {R"({"program": [{"thenable": [], "id": "t"}]})",
                           R"({"program": [{"async": [{"try": [], "finally": []}]}]})",
                           R"({"program": [{"async": [{"throw_error": "x"}]}]})"}) {
    auto scenario = scenario::parse_scenario(json, "test.json", ".");
    CHECK_THROWS_WITH(scenario::check_model_support(scenario, "book"), Catch::Contains("--model node"));
  }
  CHECK_THROWS_WITH(scenario::parse_scenario(R"({"program": [{"try": [], "catch": []}]})", "t.json", "."),
                    Catch::Contains("async body"));
  CHECK_THROWS_WITH(
      scenario::parse_scenario(R"({"program": [{"async": [{"set_timeout": 1, "then": [{"throw_error": "x"}]}]}]})",
                               "t.json", "."),
      Catch::Contains("async body"));
  CHECK_THROWS_WITH(scenario::parse_scenario(R"({"program": [{"async": [{"try": []}]}]})", "t.json", "."),
                    Catch::Contains("\"catch\", \"finally\" or both"));
  CHECK_THROWS_WITH(scenario::parse_scenario(
                        R"({"program": [{"async": [{"try": [], "catch": [{"await": {"value": "1"}}]}]}]})",
                        "t.json", "."),
                    Catch::Contains("async body"));
  CHECK_THROWS_WITH(scenario::parse_scenario(R"({"program": [{"promise": "resolve", "chain": [{"finally": []}]}]})",
                                             "t.json", "."),
                    Catch::Contains("promise_then"));
}
