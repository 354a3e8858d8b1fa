// The top-level program is parsed while the file is read, one action at a time, and each
// action's JSON is freed once it is read (parser.cpp, TreeBuilder::on_program_element).
// These check that streaming changes nothing a user sees: the same actions and positions,
// and the same first error, in the same order, with the same line:column, as when the whole
// tree was read first.
#include <catch2/catch.hpp>
#include <string>

#include "scenario/scenario.h"

using namespace elt::scenario;

namespace {

std::string streamed_error(const std::string& text) {
  try {
    parse_scenario(text, "s.json", ".");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  FAIL("expected a ScenarioError for: " << text);
  return {};
}

}  // namespace

TEST_CASE("streamed actions: paths, positions and callbacks as before", "[parser][stream]") {
  Scenario s = parse_scenario("{\"program\": [{\"print\": \"a\"},\n  {\"set_timeout\": 5, \"then\": [{\"print\": \"b\"}]}]}",
                              "s.json", ".");
  REQUIRE(s.program.size() == 2);
  CHECK(s.program[0].json_path == "/program/0");
  CHECK(s.program[0].line == 1);
  CHECK(s.program[0].column == 14);
  CHECK(s.program[1].json_path == "/program/1");
  CHECK(s.program[1].line == 2);
  CHECK(s.program[1].column == 3);
  REQUIRE(s.program[1].then.size() == 1);
  CHECK(s.program[1].then[0].json_path == "/program/1/then/0");
  CHECK(s.program[1].then[0].column == 31);
  CHECK(s.program[1].detail().number.literal == 5);
}

TEST_CASE("an error in a streamed action comes after the top-level checks, as before", "[parser][stream]") {
  // A bad action, then an unknown top-level key later in the file: the key is reported.
  CHECK(streamed_error(R"({"program": [{"print": "a"}, {"prnt": "b"}], "bogus": 1})") ==
        "s.json:1:55 (at /bogus): unknown top-level key \"bogus\"; expected \"description\", \"settings\", "
        "\"program\", \"verify\" or \"$schema\"");
  CHECK(streamed_error(R"({"program": [{"print": "a"}, 5], "settings": {"threads": 0}})") ==
        "s.json:1:58 (at /settings/threads): 0 is out of range: expected the number of pool threads from 1 to 1024");
  // Invalid JSON after a bad action: the JSON error first.
  CHECK(streamed_error(R"({"program": [{"prnt": 1}], "description": )") ==
        "s.json:1:43: invalid JSON: the JSON ends too early (truncated file?): syntax error while parsing value - "
        "unexpected end of input; expected '[', '{', or a literal");
  // Alone, the action's own error, located in the action.
  CHECK(streamed_error("{\"program\": [{\"print\": \"a\"},\n  {\"print\": \"${x}\"}]}") ==
        "s.json:2:13 (at /program/1/print): \"${x}\": no value named \"x\" here; names in scope: none (only "
        "callbacks and repeat bind names)");
}

TEST_CASE("checks made after the program is read still locate freed actions", "[parser][stream]") {
  // clear_* of an id nobody gives: found after every action is read and freed.
  CHECK(streamed_error("{\"program\": [{\"print\": \"a\"},\n {\"clear_timeout\": \"t\"}]}") ==
        "s.json:2:20 (at /program/1/clear_timeout): no timer, interval or immediate has \"id\": \"t\" in this "
        "scenario");
  // The cap on total work, checked over the whole program.
  CHECK(streamed_error("{\"program\": [{\"print\": \"a\"},\n  {\"repeat\": 10000000, \"do\": [{\"repeat\": 10, \"do\": "
                       "[{\"print\": \"x\"}]}]}]}") ==
        "s.json:2:3 (at /program/1): this repeat would create 110,000,001 actions (10,000,000 times the 11 of "
        "its \"do\", and itself); a run may create at most 2,000,000 (see \"Limits\" in docs/scenario-format.md)");
}
