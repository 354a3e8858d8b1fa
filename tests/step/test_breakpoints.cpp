#include <catch2/catch.hpp>

#include "step/breakpoints.h"
#include "step/replay.h"
#include "step/stepper.h"

using namespace elt;

namespace {

// The book's shape, with the lines the parser records: an fs_read at 7 whose callback
// prints at 8 and encrypts at 10 (which prints at 11), and a print at 14.
scenario::Scenario book_like() {
  scenario::Scenario s;
  s.file = "scenarios/book.json";
  scenario::Action read;
  read.kind = scenario::ActionKind::FsRead;
  read.line = 7;
  read.json_path = "/program/1";
  scenario::Action print8;
  print8.kind = scenario::ActionKind::Print;
  print8.line = 8;
  print8.json_path = "/program/1/then/0";
  scenario::Action encrypt;
  encrypt.kind = scenario::ActionKind::Encrypt;
  encrypt.line = 10;
  encrypt.json_path = "/program/1/then/1";
  scenario::Action print11;
  print11.kind = scenario::ActionKind::Print;
  print11.line = 11;
  print11.json_path = "/program/1/then/1/then/0";
  encrypt.then.push_back(print11);
  read.then.push_back(print8);
  read.then.push_back(encrypt);
  scenario::Action print14;
  print14.kind = scenario::ActionKind::Print;
  print14.line = 14;
  print14.json_path = "/program/2";
  s.program.push_back(read);
  s.program.push_back(print14);
  return s;
}

std::string error_of(const std::string& args) {
  std::string error;
  auto s = book_like();
  CHECK_FALSE(parse_breakpoint(args, s, error));
  return error;
}

PauseRecord rec(std::uint64_t index, std::uint64_t tick, Phase phase, bool start, std::uint64_t events, int ms) {
  return PauseRecord{index, tick, phase, start, events, std::chrono::milliseconds(ms)};
}

}  // namespace

TEST_CASE("break arguments: each kind, and the mistakes a person makes", "[step]") {
  auto s = book_like();
  std::string error;
  auto tick = parse_breakpoint("tick 3", s, error);
  REQUIRE(tick);
  CHECK(tick->kind == Breakpoint::Kind::Tick);
  CHECK(tick->tick == 3);
  auto at = parse_breakpoint("at 2050 ms", s, error);
  REQUIRE(at);
  CHECK(at->time == std::chrono::milliseconds(2050));
  CHECK(parse_breakpoint("at 2.5ms", s, error)->time == std::chrono::microseconds(2500));
  CHECK(parse_breakpoint("phase close", s, error)->phase == Phase::Closing);
  CHECK(parse_breakpoint("phase idle", s, error)->phase == Phase::IdlePrepare);
  CHECK(parse_breakpoint("id 6", s, error)->id == 6);
  CHECK(parse_breakpoint("line Encrypted", s, error)->text == "Encrypted");
  auto line = parse_breakpoint("10", s, error);
  REQUIRE(line);
  CHECK(line->kind == Breakpoint::Kind::ScenarioLine);
  CHECK(line->action == &s.program[0].then[1]);
  CHECK(line->text == "book.json:10");
  CHECK(parse_breakpoint("scenarios/book.json:11", s, error)->action == &s.program[0].then[1].then[0]);

  CHECK_THAT(error_of("tick 0"), Catch::Contains("tick 0 is the program's first run"));
  CHECK_THAT(error_of("tick"), Catch::Contains("break tick needs a tick number"));
  CHECK_THAT(error_of("at soon"), Catch::Contains("break at needs a time"));
  CHECK_THAT(error_of("phase lunch"), Catch::Contains("timers, pending, idle, poll, check or close"));
  CHECK_THAT(error_of("id 0"), Catch::Contains("break id needs a callback id"));
  CHECK_THAT(error_of("9"), Catch::Contains("no action starts at line 9 of book.json; actions start at lines 7, 8, 10, 11, 14"));
  CHECK_THAT(error_of("other.json:8"), Catch::Contains("the scenario is book.json"));
  CHECK_THAT(error_of(""), Catch::Contains("usage: break tick N"));
}

TEST_CASE("a mistyped break names what was meant, the whole line", "[step]") {
  CHECK_THAT(error_of("phase timer"), Catch::EndsWith("did you mean \"break phase timers\"?"));
  CHECK_THAT(error_of("tik 3"), Catch::Contains("no breakpoint kind \"tik\"; did you mean \"break tick 3\"?"));
  CHECK_THAT(error_of("phase lunch"), !Catch::Contains("did you mean"));
  auto s = book_like();
  std::string error;
  CHECK(parse_breakpoint("line Encrypted", s, error)->what() == "when a trace line contains \"Encrypted\"");
}

TEST_CASE("Tab at the step prompt: commands, then what each takes", "[step]") {
  using V = std::vector<std::string>;
  CHECK(step_completions("", "sta") == V{"state"});
  CHECK(step_completions("", "b") == V{"back", "break"});
  CHECK(step_completions("", "").size() == 14);
  CHECK(step_completions("break ", "ph") == V{"phase"});
  CHECK(step_completions("b ", "") == V{"tick", "at", "phase", "id", "line"});
  CHECK(step_completions("break phase ", "c") == V{"check", "close"});
  CHECK(step_completions("back ", "") == V{"phase", "event"});
  CHECK(step_completions("goto ", "t") == V{"tick"});
  CHECK(step_completions("info ", "") == V{"breaks"});
  CHECK(step_completions("help ", "wh") == V{"where"});
  // Nothing follows a word that takes a number or free text.
  CHECK(step_completions("break tick ", "").empty());
  CHECK(step_completions("next ", "").empty());
  CHECK(step_completions("nope ", "").empty());
}

TEST_CASE("breakpoints are numbered as in gdb and a duplicate is refused", "[step]") {
  Breakpoints list;
  Breakpoint tick;
  tick.kind = Breakpoint::Kind::Tick;
  tick.tick = 3;
  auto [first, added] = list.add(tick);
  CHECK(added);
  CHECK(first->number == 1);
  auto [same, again] = list.add(tick);
  CHECK_FALSE(again);
  CHECK(same->number == 1);
  tick.tick = 4;
  CHECK(list.add(tick).first->number == 2);
  CHECK(list.remove(1));
  CHECK_FALSE(list.remove(1));
  tick.tick = 3;
  CHECK(list.add(tick).first->number == 3);  // numbers are never reused
  CHECK(list.set_enabled(3, false));
  CHECK_FALSE(list.find(3)->enabled);
  CHECK_FALSE(list.set_enabled(7, true));
}

TEST_CASE("labels name their action by line or by JSON path", "[step]") {
  auto s = book_like();
  CHECK(origin_line("set_timeout at book.json:14: prints \"a:5 b\"") == 14);
  CHECK(origin_line("fs_read at book.json:22") == 22);
  CHECK(origin_line("set_timeout at book.json /program/11: prints \"x:3\"") == 0);
  CHECK(action_of_origin(s, "encrypt at book.json:10: prints \"...\"") == &s.program[0].then[1]);
  CHECK(action_of_origin(s, "encrypt at book.json /program/1/then/1: prints \"...\"") == &s.program[0].then[1]);
  CHECK(action_of_origin(s, "nothing here") == nullptr);
  auto path = action_path(s, &s.program[0].then[1].then[0]);
  REQUIRE(path.size() == 3);
  CHECK(path[0] == &s.program[0]);
  CHECK(path[1] == &s.program[0].then[1]);
}

TEST_CASE("a print's template matches the lines it can print", "[step]") {
  scenario::Template t;
  t.segments = {{"First count: ", {}}, {"", {"text", "length"}}, {" characters.", {}}};
  CHECK(template_matches(t, "First count: 39 characters."));
  CHECK_FALSE(template_matches(t, "Second count: 39 characters."));
  CHECK_FALSE(template_matches(t, "First count: 39 characters. And more"));
  scenario::Template literal;
  literal.segments = {{"SETTIMEOUT", {}}};
  CHECK(template_matches(literal, "SETTIMEOUT"));
  CHECK_FALSE(template_matches(literal, "SETTIMEOUT!"));
}

TEST_CASE("back and goto choose a pause point already passed, or one ahead", "[step]") {
  PauseHistory h;
  // before tick 1 (3 events so far), tick 1 before poll, tick 1 before check (5), before tick 2, ...
  REQUIRE(h.record(rec(0, 1, Phase::Timers, true, 3, 0)));
  REQUIRE(h.record(rec(1, 1, Phase::Poll, false, 4, 0)));
  REQUIRE(h.record(rec(2, 1, Phase::Check, false, 5, 1000)));
  REQUIRE(h.record(rec(3, 2, Phase::Timers, true, 5, 1000)));
  REQUIRE(h.record(rec(4, 2, Phase::Poll, false, 6, 1000)));
  CHECK(h.back_ticks(4, 1).index == 3);
  CHECK(h.back_ticks(4, 2).index == 0);
  CHECK(h.back_ticks(4, 3).kind == TravelTarget::Kind::None);
  CHECK(h.back_ticks(0, 1).kind == TravelTarget::Kind::None);
  CHECK(h.back_phase(4).index == 3);
  // The latest line (the 6th event) came after stop 3; from stop 3, the latest (5th) after stop 1.
  CHECK(h.back_event(4, 6).index == 3);
  CHECK(h.back_event(3, 5).index == 1);
  CHECK(h.goto_tick(4, 1).index == 0);
  CHECK(h.goto_tick(3, 2).kind == TravelTarget::Kind::Here);
  CHECK(h.goto_tick(4, 5).kind == TravelTarget::Kind::Forward);
  CHECK(h.goto_tick(4, 0).kind == TravelTarget::Kind::None);
  CHECK(h.goto_time(4, std::chrono::milliseconds(500)).index == 2);
  CHECK(h.goto_time(4, std::chrono::milliseconds(5000)).kind == TravelTarget::Kind::Forward);
  // A replay passing a different point is noticed.
  CHECK(h.record(rec(1, 1, Phase::Poll, false, 4, 0)));
  CHECK_FALSE(h.record(rec(2, 1, Phase::Check, false, 7, 1000)));
}
