// A program's own state (issue 21): expressions (scenario/expr.h), and let, set and if as
// the parser reads them, the interpreter runs them and export-js writes them.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "../loop/stepped_run.h"
#include "export/js_export.h"
#include "scenario/expr.h"
#include "scenario/scenario.h"

using namespace elt;
using namespace elt::scenario;

namespace {

using Lines = std::vector<std::string>;

Value eval(const std::string& text) {
  auto parsed = expr::parse(text, [](const std::string& name) { return name == "n" || name == "s"; });
  REQUIRE_FALSE(parsed.error);
  return expr::evaluate(*parsed.expr, [](const std::string& name) -> std::optional<Value> {
    if (name == "n") return Value::integer(7);
    if (name == "s") return Value::string("ab");
    return std::nullopt;
  });
}

std::string syntax_error(const std::string& text) {
  auto parsed = expr::parse(text, [](const std::string& name) { return name == "n"; });
  REQUIRE(parsed.error);
  return parsed.error->what;
}

Lines prints_of(const std::string& program, LoopModel model = node_model()) {
  testing::SteppedRun run(R"~~({"program": )~~" + program + "}", ELT_SOURCE_DIR "/scenarios",
                          [&](RuntimeOptions& options) { options.model = model; });
  run.run_all();
  Lines out = run.prints();
  for (const auto& e : run.events_of(EventKind::CallbackError)) out.push_back("error: " + e.text);
  return out;
}

std::string parse_error(const std::string& program) {
  try {
    parse_scenario(R"~~({"program": )~~" + program + "}", "s.json", ".");
  } catch (const ScenarioError& e) {
    return e.where() + ": " + e.problem();
  }
  FAIL("parsed");
  return {};
}

}  // namespace

TEST_CASE("expressions: JavaScript's meaning for the values a scenario has", "[state]") {
  CHECK(eval("n + 1").as_int() == 8);
  CHECK(eval("1 + 2 * 3").as_int() == 7);
  CHECK(eval("(1 + 2) * 3").as_int() == 9);
  CHECK(eval("n % 4").as_int() == 3);
  CHECK(eval("-n % 4").as_int() == -3);  // the dividend's sign, as in JavaScript
  CHECK(eval("'x' + s").to_display() == "xab");
  CHECK(eval("s + n").to_display() == "ab7");  // + joins when either side is text
  CHECK(eval("n === 7").to_display() == "true");
  CHECK(eval("n !== 7").to_display() == "false");
  CHECK(eval("'7' === n").to_display() == "false");  // strict: no conversion
  CHECK(eval("n > 3 && n < 10").to_display() == "true");
  CHECK(eval("0 || 'fallback'").to_display() == "fallback");  // the operand itself
  CHECK(eval("s && n").as_int() == 7);
  CHECK(eval("!''").to_display() == "true");
  CHECK(eval("!null").to_display() == "true");
  CHECK(eval("'a' < 'b'").to_display() == "true");
  CHECK(eval("n >= 7 || s * 2").to_display() == "true");  // the right side is never computed
}

TEST_CASE("expressions: what JavaScript would convert is an error where it runs", "[state]") {
  CHECK_THROWS_WITH(eval("s * 2"), Catch::Contains("* needs numbers; found text (\"ab\")"));
  CHECK_THROWS_WITH(eval("n % 0"), Catch::Contains("NaN"));
  CHECK_THROWS_WITH(eval("n < s"), Catch::Contains("< needs numbers"));
  CHECK_THROWS_WITH(eval("9223372036854775807 + n"), Catch::Contains("past 2^63"));
}

TEST_CASE("expressions: bad syntax says what and where", "[state]") {
  CHECK(syntax_error("n ==  1") == "== and != convert between types; write === or !==");
  CHECK(syntax_error("m + 1") == "no value named \"m\" here");
  CHECK(syntax_error("n.length") == "\"n.\": an expression reads names only (no fields, calls or indexing)");
  CHECK(syntax_error("n +") == "the expression ends where a value was expected");
  CHECK(syntax_error("(n + 1") == "expected \")\"");
  CHECK(syntax_error("1.5") == "a number that is not a whole number");
  CHECK(syntax_error("n / 2") == "unexpected \"/\"");
  CHECK(syntax_error(std::string(100, '!') + "n") == "nested deeper than 64 levels");
  std::string chain = "n";
  for (int i = 0; i < 1001; ++i) chain += " + 1";
  CHECK(syntax_error(chain) == "more than 1000 operators");
}

TEST_CASE("let and set: two callbacks share one variable, as closures do", "[state]") {
  for (const LoopModel& model : {node_model(), book_model()}) {
    CHECK(prints_of(R"~~([
      {"let": "hits", "value": 0},
      {"set_timeout": 10, "then": [{"set": "hits", "value": "hits + 1"}, {"print": "first: ${hits}"}]},
      {"set_timeout": 20, "then": [{"set": "hits", "value": "hits + 1"}, {"print": "second: ${hits}"}]},
      {"print": "script: ${hits}"}
    ])~~", model) == Lines{"script: 0", "first: 1", "second: 2"});
  }
}

TEST_CASE("let: the name is seen after it in its list; a callback's let is each run's own", "[state]") {
  CHECK(prints_of(R"~~([
    {"let": "shared", "value": 0},
    {"repeat": 2, "as": "i", "do": [
      {"set_timeout": 10, "then": [
        {"let": "mine", "value": "i * 10"},
        {"set": "mine", "value": "mine + 1"},
        {"set": "shared", "value": "shared + 1"},
        {"print": "${i}: mine ${mine}, shared ${shared}"}
      ]}
    ]},
    {"let": "shared2", "value": "shared + 100"},
    {"print": "${shared2}"}
  ])~~") == Lines{"100", "0: mine 1, shared 1", "1: mine 11, shared 2"});
}

TEST_CASE("if: then or else, and an interval that clears itself at its third run", "[state]") {
  CHECK(prints_of(R"~~([
    {"let": "count", "value": 0},
    {"set_interval": 10, "id": "iv", "then": [
      {"set": "count", "value": "count + 1"},
      {"print": "interval ${count}"},
      {"if": "count === 3", "then": [{"clear_interval": "iv"}, {"print": "cleared"}],
       "else": [{"print": "${count} is not 3"}]}
    ]}
  ])~~", book_model()) == Lines{"interval 1", "1 is not 3", "interval 2", "2 is not 3", "interval 3", "cleared"});
}

TEST_CASE("state: text built from a variable, and a run-time error ends the list", "[state]") {
  CHECK(prints_of(R"~~([
    {"let": "x", "value": "'b'"},
    {"set": "x", "value": "'a' + x + true"},
    {"print": "${x}"},
    {"if": "x * 2", "then": [{"print": "never"}]},
    {"print": "not reached"}
  ])~~") == Lines{"abtrue", "error: error at /program/3: * needs numbers; found text (\"abtrue\")"});
}

TEST_CASE("state: the parser names the place and what it expected", "[state]") {
  CHECK(parse_error(R"~~([{"set": "n", "value": 1}])~~") ==
        "1:22 (at /program/0/set): no variable named \"n\" here: declare it with {\"let\": \"n\", \"value\": ...} "
        "first, in this list or one around it");
  CHECK(parse_error(R"~~([{"let": "n", "value": "n + 1"}])~~").find("in the expression \"n + 1\", at character 1: no "
                                                               "value named \"n\" here") != std::string::npos);
  CHECK(parse_error(R"~~([{"let": "n"}])~~").find("\"let\" needs \"value\"") != std::string::npos);
  CHECK(parse_error(R"~~([{"if": "1", "then": [{"let": "n", "value": 1}]}, {"print": "${n}"}])~~")
            .find("no value named \"n\" here") != std::string::npos);  // a branch's let stays in it
  CHECK(parse_error(R"~~([{"set_immediate": [{"let": "n", "value": 1}]}, {"print": "${n}"}])~~")
            .find("no value named \"n\" here") != std::string::npos);  // nor a callback's
  CHECK(parse_error(R"~~([{"unref": "t"}])~~").find("\"t\"") != std::string::npos);
  CHECK(parse_error(R"~~([{"let": "n", "value": 1.5}])~~").find("expected an expression") != std::string::npos);
}

TEST_CASE("export-js writes let, set, if and unref as the JavaScript they stand for", "[state][export]") {
  auto js = exporter::export_js(parse_scenario(R"~~({"program": [
    {"let": "count", "value": 0},
    {"set_interval": 10, "id": "iv", "then": [
      {"set": "count", "value": "count + 1"},
      {"if": "count === 3 && !(count < 0)", "then": [{"clear_interval": "iv"}], "else": [{"print": "${count}"}]}
    ]},
    {"unref": "iv"},
    {"ref": "iv"},
    {"let": "word", "value": "'it\\'s' + -count"}
  ]})~~", "s.json", ".")).source;
  CHECK(js.find("let count = 0;\n") != std::string::npos);
  CHECK(js.find("  count = count + 1;\n") != std::string::npos);
  CHECK(js.find("  if ((count === 3) && !(count < 0)) {\n") != std::string::npos);
  CHECK(js.find("  } else {\n    console.log(`${count}`);\n  }\n") != std::string::npos);
  CHECK(js.find("iv.unref();\niv.ref();\n") != std::string::npos);
  CHECK(js.find("let word = \"it's\" + (-count);\n") != std::string::npos);
}
