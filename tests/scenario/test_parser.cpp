#include <catch2/catch.hpp>

#include "scenario/scenario.h"

using namespace elt::scenario;

namespace {

Scenario parse(const std::string& text) { return parse_scenario(text, "s.json", "."); }

// The message of the ScenarioError that parsing `text` throws.
std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  FAIL("expected a ScenarioError for: " << text);
  return {};
}

}  // namespace

TEST_CASE("the book scenario parses", "[scenario]") {
  Scenario s = load_scenario(ELT_SOURCE_DIR "/scenarios/book.json");
  CHECK(s.settings.threads == 4);
  REQUIRE(s.program.size() == 14);
  CHECK(s.program[0].kind == ActionKind::Print);
  CHECK(s.program[1].kind == ActionKind::FsRead);
  CHECK(s.program[1].delay.literal == 1000);
  CHECK(s.program[1].as == "text");
  REQUIRE(s.program[1].then.size() == 3);
  CHECK(s.program[1].then[2].kind == ActionKind::Encrypt);
  CHECK(s.program[13].kind == ActionKind::HttpGetSlow);
  CHECK(!s.description.empty());
}

TEST_CASE("actions and their options", "[scenario]") {
  Scenario s = parse(R"({"program": [
    {"repeat": 3, "as": "k", "do": [{"set_timeout": "${k}", "then": [{"print": "t${k}"}]}]},
    {"http_get": "http://127.0.0.1:1/", "as": "r", "then": [{"print": "${r.status}"}], "catch": [{"print": "${error}"}]},
    {"print": "a literal $${not a reference}"}
  ]})");
  REQUIRE(s.program.size() == 3);
  CHECK(s.program[0].kind == ActionKind::Repeat);
  CHECK(s.program[0].then[0].number.expr.segments.size() == 1);
  CHECK(s.program[1].on_error.size() == 1);
  CHECK(s.program[2].text.segments[0].literal == "a literal ${not a reference}");
}

TEST_CASE("bad JSON names the line and column", "[scenario][errors]") {
  CHECK_THAT(error_of("{\n  \"program\": [\n    {\"print\": \"x\"},,\n  ]\n}"),
             Catch::StartsWith("s.json:3:") && Catch::Contains("invalid JSON"));
  CHECK_THAT(error_of("{\"program\": ["), Catch::Contains("ends too early"));
  CHECK_THAT(error_of(""), Catch::Contains("the file is empty"));
  CHECK_THAT(error_of("   \n"), Catch::Contains("the file is empty"));
  CHECK_THAT(error_of("\xEF\xBB\xBF{\"program\": []}"), Catch::Contains("byte-order mark"));
  CHECK_THAT(error_of("\x01\x02\xff garbage"), Catch::Contains("invalid JSON"));
}

TEST_CASE("a wrong shape names the JSON path and its line", "[scenario][errors]") {
  CHECK_THAT(error_of("[1, 2]"), Catch::Contains("a scenario is a JSON object"));
  CHECK_THAT(error_of("{\"description\": \"no program\"}"), Catch::Contains("missing \"program\""));
  CHECK_THAT(error_of("{\"program\": {}}"), Catch::Contains("(at /program)") && Catch::Contains("array of actions"));
  std::string unknown = error_of("{\"program\": [\n  {\"print\": \"a\"},\n  {\"sleep\": 5}\n]}");
  CHECK_THAT(unknown, Catch::Contains("s.json:3:3 (at /program/1)") && Catch::Contains("unknown action") &&
                          Catch::Contains("\"sleep\""));
  CHECK_THAT(error_of(R"({"program": [{"set_timeout": "soon"}]})"),
             Catch::Contains("/program/0/set_timeout") && Catch::Contains("a delay in ms"));
  CHECK_THAT(error_of(R"({"program": [{"set_timeout": -5}]})"), Catch::Contains("out of range"));
  CHECK_THAT(error_of(R"({"program": [{"set_timeout": 99999999999}]})"), Catch::Contains("out of range"));
  CHECK_THAT(error_of(R"({"program": [{"set_timeout": 1.5}]})"), Catch::Contains("whole number"));
  CHECK_THAT(error_of(R"({"program": [{"http_get_slow": "x"}]})"), Catch::Contains("needs \"delay_ms\""));
  CHECK_THAT(error_of(R"({"program": [{"print": "a", "then": []}]})"),
             Catch::Contains("/program/0/then") && Catch::Contains("does not take"));
  CHECK_THAT(error_of(R"({"program": [{"print": "a", "set_timeout": 1}]})"), Catch::Contains("one action per object"));
  CHECK_THAT(error_of(R"({"settings": {"threads": 0}, "program": []})"), Catch::Contains("/settings/threads"));
  CHECK_THAT(error_of(R"({"settings": {"colour": 1}, "program": []})"), Catch::Contains("unknown setting"));
  CHECK_THAT(error_of(R"({"program": [], "extra": 1})"), Catch::Contains("unknown top-level key"));
}

TEST_CASE("references must name something in scope", "[scenario][errors]") {
  CHECK_THAT(error_of(R"({"program": [{"print": "${result}"}]})"), Catch::Contains("no value named \"result\""));
  CHECK_THAT(error_of(R"({"program": [{"fs_read": "f", "as": "text", "then": [{"print": "${txt.length}"}]}]})"),
             Catch::Contains("names in scope: text"));
  CHECK_THAT(error_of(R"({"program": [{"print": "${unclosed"}]})"), Catch::Contains("unclosed"));
  CHECK_THAT(error_of(R"({"program": [{"print": "${a..b}"}]})"), Catch::Contains("is not a reference"));
}

TEST_CASE("JSON that a scenario must not contain", "[scenario][errors]") {
  CHECK_THAT(error_of(R"({"program": [], "program": []})"), Catch::Contains("appears twice"));
  // The position is the repeat inside its own object, not another use of the same word.
  CHECK_THAT(error_of("{\"program\": [\n  {\"print\": \"print\"},\n  {\"print\": \"a\",\n   \"print\": \"b\"}]}"),
             Catch::StartsWith("s.json:4:4:") && Catch::Contains("\"print\" appears twice"));
  std::string deep(100000, '[');
  CHECK_THAT(error_of("{\"program\": " + deep), Catch::Contains("nested deeper"));
  std::string big_string = "{\"program\": [{\"print\": \"" + std::string(10 * 1024 * 1024, 'x') + "\"}]}";
  CHECK(parse(big_string).program[0].text.source.size() == 10 * 1024 * 1024);
}

TEST_CASE("files that are not scenarios", "[scenario][errors]") {
  auto load_error = [](const char* path) {
    try {
      load_scenario(path);
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(load_error("/nonexistent/s.json"), Catch::Contains("No such file"));
  CHECK_THAT(load_error("/tmp"), Catch::Contains("is a directory"));
  CHECK_THAT(load_error("/dev/null"), Catch::Contains("not a regular file"));
}
