// The table of loop models (loop/model_kinds.h) is the one list of names: the parser,
// the interpreter and the command line all read it, so each row must build the model it
// names, and every name in it must be accepted where a scenario or --model gives one.
#include <catch2/catch.hpp>

#include <string>

#include <fmt/format.h>

#include "loop/model_kinds.h"
#include "scenario/interpreter.h"
#include "scenario/scenario.h"

using namespace elt;

TEST_CASE("every row of the model table builds the model it names", "[model]") {
  REQUIRE(model_kinds().size() >= 2);
  CHECK(model_kinds().front().name == "book");  // the default comes first
  for (const ModelKind& kind : model_kinds()) {
    CHECK(kind.build().name == kind.name);
    CHECK(find_model_kind(kind.name) == &kind);
    CHECK(build_model(kind.name).phases == kind.build().phases);
  }
  CHECK(find_model_kind("deno") == nullptr);
  CHECK(model_names_quoted() == "\"book\" or \"node\"");
}

TEST_CASE("settings.model takes every name in the table, and only those", "[model]") {
  for (const ModelKind& kind : model_kinds()) {
    auto s = scenario::parse_scenario(
        fmt::format(R"({{"settings": {{"model": "{}"}}, "program": []}})", kind.name), "m.json", ".");
    CHECK(scenario::runtime_options(s).model.name == kind.name);
  }
  try {
    scenario::parse_scenario(R"({"settings": {"model": "deno"}, "program": []})", "m.json", ".");
    FAIL("an unknown model was accepted");
  } catch (const scenario::ScenarioError& e) {
    CHECK(std::string(e.what()).find("\"model\" is \"book\" or \"node\"; found the string \"deno\"") != std::string::npos);
  }
}

TEST_CASE("a model without Node's queues refuses next_tick; one with them runs it", "[model]") {
  auto s = scenario::parse_scenario(R"({"program": [{"next_tick": [{"print": "tick"}]}]})", "t.json", ".");
  for (const ModelKind& kind : model_kinds()) {
    bool refused = false;
    try {
      scenario::check_model_support(s, kind.name);
    } catch (const scenario::ScenarioError&) {
      refused = true;
    }
    CHECK(refused == !kind.build().ticks_and_microtasks);
  }
}
