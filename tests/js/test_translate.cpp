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

TEST_CASE("functions: an argument known only at run time is a let of the call's own", "[js][functions]") {
  elt::js::Translation t = elt::js::translate(js_tree("argument-at-the-call"), "argument-at-the-call.js");
  auto s = nlohmann::json::parse(t.json);
  const auto& p = s["program"];
  // show('first', n): label is put in place; value is a let made at the call, which the
  // timer's callback reads, so n changing afterwards does not change it.
  CHECK(p[1] == nlohmann::json({{"let", "value_1"}, {"value", "n"}}));
  CHECK(p[2]["then"][0]["print"] == "first: ${value_1}, n is now ${n}");
  CHECK(p[3] == nlohmann::json({{"set", "n"}, {"value", "n + 1"}}));
  // The second call's parameter is another binding.
  CHECK(p[4] == nlohmann::json({{"let", "value_2"}, {"value", "n * 10"}}));
  CHECK(p[5]["then"][0]["print"] == "second: ${value_2}, n is now ${n}");
  CHECK(t.positions.at("/program/2/then/0").first == 5);  // the function's console.log
  CHECK_NOTHROW(elt::scenario::parse_scenario(t.json, "argument-at-the-call.js", "."));
}

TEST_CASE("functions: a value-returning call, a default and a guard clause", "[js][functions]") {
  auto d = nlohmann::json::parse(elt::js::translate(js_tree("double-return"), "double-return.js").json);
  CHECK(d["program"][0]["print"] == "double(2) = 4");  // known now: put in place
  CHECK(d["program"][2]["print"] == "double(add(1, 2)) = 6");
  auto w = nlohmann::json::parse(elt::js::translate(js_tree("default-parameters"), "default-parameters.js").json);
  CHECK(w["program"][0]["set_timeout"] == 20);
  CHECK(w["program"][1]["set_timeout"] == 10);
  CHECK(w["program"][2]["set_timeout"] == 20);  // undefined takes the default
  // A guard over arguments known now is decided now: handle('skip') prints "skipped" only.
  auto g = nlohmann::json::parse(elt::js::translate(js_tree("guard-clause"), "guard-clause.js").json);
  CHECK(g["program"][2]["print"] == "call ${calls}: handled a");
  CHECK(g["program"][4]["print"] == "call ${calls}: skipped");
  CHECK(g["program"].size() == 6);
  // if (waiting) { ...; return; } then the rest, over a variable: the rest is the if's else.
  auto t = nlohmann::json::parse(elt::js::translate(js_tree("throttle"), "throttle.js").json);
  // i * 200 is no template ("${i}00" is only for powers of ten): a let computes it first.
  CHECK(t["program"][1]["do"][0] == nlohmann::json({{"let", "value_1"}, {"value", "i * 200"}}));
  CHECK(t["program"][1]["do"][1]["set_timeout"] == "${value_1}");
  const auto& guard = t["program"][1]["do"][1]["then"][0];
  CHECK(guard["if"] == "waiting");
  CHECK(guard["then"][0]["print"] == "dropped ${i}");
  CHECK(guard["else"][0]["print"] == "run ${i}");
  CHECK(guard["else"][1] == nlohmann::json({{"set", "waiting"}, {"value", true}}));
}

TEST_CASE("functions: a recursion over arguments known now unrolls; over a variable it is refused", "[js][functions]") {
  auto s = nlohmann::json::parse(elt::js::translate(js_tree("recursive-countdown"), "recursive-countdown.js").json);
  CHECK(s["program"][0]["print"] == "3");
  CHECK(s["program"][1]["then"][0]["print"] == "2");
  CHECK(s["program"][1]["then"][1]["then"][0]["print"] == "1");
  CHECK(s["program"][1]["then"][1]["then"][1]["then"][0]["print"] == "done");
  CHECK_THROWS_AS(elt::js::translate(js_tree("refused-recursion-over-variable"), "p.js"), elt::scenario::ScenarioError);
}

TEST_CASE("loops: var shares one i; a for loop with await in an async function is unrolled", "[js][functions]") {
  auto v = nlohmann::json::parse(elt::js::translate(js_tree("var-vs-let-loop"), "var-vs-let-loop.js").json);
  CHECK(v["program"][0] == nlohmann::json({{"let", "i"}, {"value", 0}}));
  CHECK(v["program"][1]["as"] != "i");  // the repeat's index is not the program's i
  CHECK(v["program"][1]["do"][0]["then"][0]["print"] == "var ${i}");
  CHECK(v["program"][1]["do"][1] == nlohmann::json({{"set", "i"}, {"value", "i + 1"}}));
  CHECK(v["program"][2]["as"] == "j");  // let: each run's own j
  auto s = nlohmann::json::parse(elt::js::translate(js_tree("sleep-for-loop"), "sleep-for-loop.js").json);
  const auto& body = s["program"][0]["async"];
  CHECK(body[0]["print"] == "step 0");
  CHECK(body[3]["print"] == "step 1");
  CHECK(body[6]["print"] == "step 2");
  CHECK(body[9]["print"] == "done");
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
