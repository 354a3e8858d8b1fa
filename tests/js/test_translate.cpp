// The JavaScript front end's translator (core/js/translate.h) on acorn's trees of the
// programs in tests/js/, as fuzz/corpus/js_front/ keeps them (scripts/js-fuzz-seeds.sh):
// no node is needed, so these run in every build, the sanitizers' included.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "js/translate.h"
#include "scenario/scenario.h"

namespace {

const std::filesystem::path kJsTrees = std::filesystem::path(ELT_SOURCE_DIR) / "fuzz" / "corpus" / "js_front";

nlohmann::json js_tree(const std::string& name) {
  std::ifstream in(kJsTrees / (name + ".json"));
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

}  // namespace

TEST_CASE("a promise chain becomes one promise action, each action placed at its .js line", "[js]") {
  elt::js::Translation t = elt::js::translate(js_tree("promise-catch"), "promise-catch.js");
  auto s = nlohmann::json::parse(t.json);
  CHECK(s["settings"]["model"] == "node");
  const auto& p = s["program"][0];
  CHECK(p["promise"] == "reject");
  CHECK(p["value"] == "boom");
  REQUIRE(p["chain"].size() == 3);
  CHECK(p["chain"][1]["as"] == "err");
  CHECK(p["chain"][1]["catch"][0]["print"] == "caught ${err}");  // err.message is the scenario's err
  CHECK(p["chain"][1]["return"] == "recovered");
  CHECK(p["chain"][2]["then"][0]["print"] == "after: ${v}");
  CHECK(t.positions.at("/program/0") == std::pair<std::size_t, std::size_t>{2, 1});
  CHECK(t.positions.at("/program/0/chain/1/catch/0").first == 5);
  // And the parser accepts what the translator wrote.
  CHECK_NOTHROW(elt::scenario::parse_scenario(t.json, "promise-catch.js", "."));
}

TEST_CASE("a named function used as a callback is put where it is used", "[js]") {
  elt::js::Translation t = elt::js::translate(js_tree("named-callbacks"), "named-callbacks.js");
  auto s = nlohmann::json::parse(t.json);
  const auto& timer = s["program"][0];
  CHECK(timer["set_timeout"] == 5);
  CHECK(timer["then"][0]["print"] == "timeout fired");
  CHECK(timer["then"][1]["next_tick"][0]["print"] == "tick after the timeout");
  CHECK(t.positions.at("/program/0/then/1/next_tick/0").first == 7);  // afterTick's console.log
}

TEST_CASE("a counted for loop is a repeat, and i * 10 a delay template", "[js]") {
  auto s = nlohmann::json::parse(elt::js::translate(js_tree("loop-of-timers"), "loop-of-timers.js").json);
  CHECK(s["program"][0]["repeat"] == 3);
  CHECK(s["program"][0]["do"][0]["set_timeout"] == "${i}0");
}

TEST_CASE("every refused program is refused with the file and a line:column", "[js]") {
  int refused = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kJsTrees)) {
    const std::string name = entry.path().stem().string();
    if (name.rfind("refused-", 0) != 0 || name == "refused-delay-out-of-range") continue;  // the parser refuses that one
    INFO(name);
    try {
      elt::js::translate(js_tree(name), "p.js");
      FAIL("translated");
    } catch (const elt::scenario::ScenarioError& e) {
      CHECK(e.file() == "p.js");
      CHECK(e.where().find(':') != std::string::npos);
      ++refused;
    }
  }
  CHECK(refused >= 15);
}

TEST_CASE("a tree of an unexpected shape is bad input, not a crash", "[js]") {
  auto t = js_tree("promise-chain");
  t["body"][0]["expression"]["callee"] = 42;
  CHECK_THROWS_AS(elt::js::translate(t, "p.js"), elt::scenario::ScenarioError);
  CHECK_THROWS_AS(elt::js::translate(nlohmann::json::array(), "p.js"), elt::scenario::ScenarioError);
}

TEST_CASE("state: a let the program changes, its ++ and an if over it become let, set and if", "[js][state]") {
  elt::js::Translation t = elt::js::translate(js_tree("interval-counter"), "interval-counter.js");
  auto s = nlohmann::json::parse(t.json);
  CHECK(s["program"][0] == nlohmann::json({{"let", "count"}, {"value", 0}}));
  const auto& body = s["program"][1]["then"];
  CHECK(s["program"][1]["id"] == "iv");
  CHECK(body[0] == nlohmann::json({{"set", "count"}, {"value", "count + 1"}}));
  CHECK(body[1]["print"] == "interval ${count}");
  CHECK(body[2]["if"] == "count === 3");
  CHECK(body[2]["then"][0]["clear_interval"] == "iv");
  CHECK(t.positions.at("/program/1/then/2").first == 8);  // the if's line
  CHECK_NOTHROW(elt::scenario::parse_scenario(t.json, "interval-counter.js", "."));
}

TEST_CASE("state: .unref() on a timer as it is made, kept in a const, or named later", "[js][state]") {
  auto s = nlohmann::json::parse(elt::js::translate(js_tree("unref-timer"), "unref-timer.js").json);
  // setTimeout(...).unref(): the timer gets a handle named from its place.
  CHECK(s["program"][0]["set_timeout"] == 2000);
  CHECK(s["program"][0]["id"] == "timer_4_1");
  CHECK(s["program"][1]["unref"] == "timer_4_1");
  // const poll = setInterval(...).unref(): the const is the handle.
  CHECK(s["program"][2]["id"] == "poll");
  CHECK(s["program"][3]["unref"] == "poll");
  auto r = nlohmann::json::parse(elt::js::translate(js_tree("ref-again"), "ref-again.js").json);
  CHECK(r["program"][1]["unref"] == "t");
  CHECK(r["program"][2]["ref"] == "t");
}

TEST_CASE("a thenable object, .finally, an async then callback and try around awaits become their actions",
          "[js][async]") {
  auto thenable = nlohmann::json::parse(elt::js::translate(js_tree("await-a-thenable"), "a.js").json);
  const auto& t = thenable["program"][0];
  CHECK(t["id"] == "thenable");
  CHECK(t["thenable"][1]["resolve"] == "thenable");  // the then's resolve settles its caller's promise
  CHECK(thenable["program"][1]["async"][0]["await"] == "thenable");

  auto fin = nlohmann::json::parse(elt::js::translate(js_tree("finally-waits-for-promise"), "f.js").json);
  const auto& step = fin["program"][1]["chain"][0];
  CHECK(step["finally"][0]["print"] == "cleanup starts");
  CHECK(step["return_promise"] == step["finally"][1]["id"]);  // return sleep(20): waited for

  auto cb = nlohmann::json::parse(elt::js::translate(js_tree("async-then-callback"), "c.js").json);
  const auto& then = cb["program"][1]["chain"][0];
  CHECK(then["then"][0].contains("async"));
  CHECK(then["return_promise"] == then["then"][0]["id"]);  // the step returns the async function's promise

  elt::js::Translation tr = elt::js::translate(js_tree("try-two-awaits"), "t.js");
  auto body = nlohmann::json::parse(tr.json)["program"][0]["async"];
  REQUIRE(body.size() == 2);
  CHECK(body[0]["try"].size() == 7);  // two promises made, two awaits, three prints
  CHECK(body[0]["catch"][0]["print"] == "caught ${error}");
  CHECK(body[0]["finally"][0]["print"] == "finally");
  CHECK(body[1]["print"] == "after try");
  CHECK(tr.positions.at("/program/0/async/0") == std::pair<std::size_t, std::size_t>{4, 3});  // the try statement
}
