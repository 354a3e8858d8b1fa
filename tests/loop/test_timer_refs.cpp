// timer.unref() and ref() (issue 21): an unref'd timer fires when the loop is alive for
// something else, and does not keep it alive by itself (uv__loop_alive counts ref'd
// handles). Each test drives the loop one iteration at a time and asks Runtime::alive()
// between them. The orders were checked against node v20 with tests/js/unref-timer.js,
// unref-interval.js and ref-again.js.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "stepped_run.h"
#include "step/inspector.h"

using namespace elt;

namespace {

using Lines = std::vector<std::string>;

testing::SteppedRun run_under(const std::string& json, LoopModel model) {
  return testing::SteppedRun(json, ELT_SOURCE_DIR "/scenarios", [&](RuntimeOptions& options) { options.model = model; });
}

}  // namespace

TEST_CASE("unref: a timer unref'd in the program does not keep the loop alive", "[refs]") {
  for (const LoopModel& model : {node_model(), book_model()}) {
    auto run = run_under(R"({"program": [
      {"set_timeout": 100, "id": "late", "then": [{"print": "never"}]},
      {"unref": "late"},
      {"set_timeout": 10, "then": [{"print": "kept"}]}
    ]})", model);
    CHECK(run.runtime().alive());  // the 10 ms timer
    // The state view (step's `state`) counts what keeps the loop alive, and marks the other.
    RuntimeState state = Inspector(run.runtime()).state();
    CHECK(state.pending == 1);
    CHECK(state.pending_items.size() == 2);
    CHECK(std::count(state.pending_items.begin(), state.pending_items.end(),
                     std::pair<CallbackId, std::string>{1, "timer (unref'd: not counted)"}) == 1);
    bool more = true;
    while (more && run.prints().empty()) more = run.step();
    CHECK(run.prints() == Lines{"kept"});
    // Only the unref'd timer is left: the loop has nothing to stay alive for (the book's
    // loop sees it in the same tick, at its poll phase; Node's at the next iteration's start).
    CHECK_FALSE(run.runtime().alive());
    if (more) CHECK_FALSE(run.step());
    run.finish();
    CHECK(run.prints() == Lines{"kept"});
  }
}

TEST_CASE("unref: an unref'd interval runs while a ref'd timer keeps the loop alive", "[refs]") {
  auto run = run_under(R"({"program": [
    {"let": "runs", "value": 0},
    {"set_interval": 100, "id": "beat", "then": [{"set": "runs", "value": "runs + 1"}, {"print": "beat ${runs}"}]},
    {"unref": "beat"},
    {"set_timeout": 250, "then": [{"print": "done after ${runs}"}]}
  ]})", node_model());
  run.run_all();
  CHECK(run.prints() == Lines{"beat 1", "beat 2", "done after 2"});
}

TEST_CASE("ref: undoes unref, and the timer keeps the loop alive again", "[refs]") {
  auto run = run_under(R"({"program": [
    {"set_timeout": 20, "id": "t", "then": [{"print": "ran"}]},
    {"unref": "t"},
    {"ref": "t"},
    {"set_timeout": 300, "id": "u", "then": [{"print": "never"}]},
    {"unref": "u"}
  ]})", node_model());
  run.run_all();
  CHECK(run.prints() == Lines{"ran"});
}

TEST_CASE("unref: a cleared or fired unref'd timer no longer counts against the ref'd ones", "[refs]") {
  // Runtime::alive() compares the number of timers with the number unref'd: a timer that
  // left the store must leave the unref'd set too, or a ref'd timer would not be waited for.
  for (const LoopModel& model : {node_model(), book_model()}) {
    auto cleared = run_under(R"({"program": [
      {"set_timeout": 50, "id": "a", "then": [{"print": "never"}]},
      {"unref": "a"},
      {"clear_timeout": "a"},
      {"set_timeout": 10, "then": [{"print": "b"}]}
    ]})", model);
    cleared.run_all();
    CHECK(cleared.prints() == Lines{"b"});
    auto fired = run_under(R"({"program": [
      {"set_timeout": 10, "id": "early", "then": [{"print": "early, unref'd"}]},
      {"unref": "early"},
      {"set_timeout": 50, "then": [{"print": "late, ref'd"}]}
    ]})", model);
    fired.run_all();
    CHECK(fired.prints() == Lines{"early, unref'd", "late, ref'd"});
  }
}

TEST_CASE("unref: an immediate's handle is an error where it runs, not a silent no-op", "[refs]") {
  auto run = run_under(R"({"program": [
    {"set_immediate": [{"print": "immediate"}], "id": "im"},
    {"unref": "im"},
    {"print": "not reached"}
  ]})", node_model());
  run.run_all();
  auto errors = run.events_of(EventKind::CallbackError);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].text.find("unref of an immediate") != std::string::npos);
  CHECK(run.prints() == Lines{"immediate"});
}
