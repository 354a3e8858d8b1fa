// The action registry (core/scenario/actions/): one spec per kind, found by kind and by
// name, and the keys each spec lists are the ones the parser lets through and the schema
// describes.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "scenario/actions/action.h"
#include "scenario/scenario.h"

using namespace elt::scenario;

TEST_CASE("every action kind has one spec, at its kind's place", "[scenario][registry]") {
  auto specs = action_specs();
  REQUIRE(specs.size() == static_cast<std::size_t>(ActionKind::CloseServer) + 1);  // the last kind
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    auto kind = static_cast<ActionKind>(i);
    CHECK(&action_spec(kind) == specs[i]);
    CHECK(specs[i]->kind == kind);
    CHECK(find_action(specs[i]->name) == specs[i]);
    CHECK(names.insert(specs[i]->name).second);
    CHECK(specs[i]->parse != nullptr);
    CHECK(specs[i]->run != nullptr);
    CHECK(specs[i]->export_js != nullptr);
    CHECK(!specs[i]->schema.empty());
  }
  CHECK(find_action("snooze") == nullptr);
  CHECK(find_action("") == nullptr);
}

TEST_CASE("the parser refuses a key the spec does not list, naming the ones it does", "[scenario][registry]") {
  for (const ActionSpec* spec : action_specs()) {
    std::string text = fmt::format(R"({{"program": [{{"{}": 0, "zz": 1}}]}})", spec->name);
    std::string message;
    try {
      parse_scenario(text, "s.json", ".");
    } catch (const ScenarioError& e) {
      message = e.what();
    }
    std::string takes;
    for (std::string_view key : spec->keys) takes += fmt::format("{}\"{}\"", takes.empty() ? "" : ", ", key);
    std::string expected = fmt::format("\"{}\" does not take \"zz\"{}", spec->name,
                                       takes.empty() ? "" : "; it takes " + takes);
    INFO(message);
    CHECK(message.ends_with(expected));
  }
}

TEST_CASE("the generated schema describes each action's keys, no more and no fewer", "[scenario][registry]") {
  auto schema = nlohmann::json::parse(scenario_schema());
  const auto& defs = schema.at("$defs");
  for (const ActionSpec* spec : action_specs()) {
    std::string name(spec->name);
    std::set<std::string> described;
    for (const auto& [key, value] : defs.at(name).at("properties").items()) described.insert(key);
    std::set<std::string> declared{name};
    for (std::string_view key : spec->keys) declared.insert(std::string(key));
    CHECK(described == declared);
    CHECK(defs.at(name).at("additionalProperties") == false);
  }
  CHECK(defs.at("action").at("allOf").size() == action_specs().size());
}
