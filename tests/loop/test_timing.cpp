// The runtime's timing decisions (loop/timing.h), one kind at a time: each point is met
// where the cost profile's spread lets the outcome flip, and taking its other side (as
// explore's ReplayChooser does) makes the loop really run the other way, seen one
// iteration at a time on the virtual clock.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stepped_run.h"
#include "explore/explore.h"
#include "loop/costs.h"
#include "loop/runtime.h"
#include "loop/timing.h"
#include "trace/describe.h"
#include "trace/format.h"

using namespace elt;
using namespace std::chrono_literals;

namespace {

using Lines = std::vector<std::string>;

using testing::one_cost;

// A scenario run under the node model with `costs`, its decisions taken by `chooser`.
class ChosenRun : public testing::SteppedRun {
 public:
  ChosenRun(const std::string& json, CostProfile costs, std::shared_ptr<ReplayChooser> chooser,
            bool report_races = false)
      : SteppedRun(json, ELT_SOURCE_DIR "/scenarios/races", [&](RuntimeOptions& options) {
          options.model = node_model();
          options.costs = costs;
          options.timing = chooser;
          options.report_timing_races = report_races;
        }, TraceFormat::None) {}
  // Steps the loop to its end, one iteration at a time, and says how many it took.
  int step_to_end() {
    int ticks = 0;
    while (step()) ++ticks;
    finish();
    return ticks;
  }
  // The iteration (tick) each printed line was printed in.
  std::vector<std::uint64_t> ticks_of_prints() {
    std::vector<std::uint64_t> out;
    for (const auto& e : events_of(EventKind::Print)) out.push_back(e.tick);
    return out;
  }
};

// The choices of `met` before its first decision of `kind`, then `alternative` there.
std::vector<std::size_t> prefix_taking(const std::vector<ReplayChooser::Met>& met, DecisionKind kind,
                                       std::size_t alternative) {
  std::vector<std::size_t> prefix;
  for (const auto& m : met) {
    if (m.decision.kind == kind) {
      prefix.push_back(alternative);
      return prefix;
    }
    prefix.push_back(m.choice);
  }
  FAIL("no decision of that kind was met");
  return prefix;
}

std::size_t count_of(const std::vector<ReplayChooser::Met>& met, DecisionKind kind) {
  std::size_t n = 0;
  for (const auto& m : met) n += m.decision.kind == kind ? 1 : 0;
  return n;
}

const std::string kTimerVsImmediate =
    R"({"program": [{"set_timeout": 0, "then": [{"print": "timeout"}]}, {"set_immediate": [{"print": "immediate"}]}]})";

const std::string kTwoReads = R"({"program": [
  {"fs_read": "test.txt", "then": [{"print": "read 1"}]},
  {"fs_read": "test.txt", "then": [{"print": "read 2"}]}]})";

const std::string kImmediateChainAfterRead = R"({"program": [{"fs_read": "test.txt", "then": [
  {"set_timeout": 0, "then": [{"print": "timeout"}]},
  {"set_immediate": [{"print": "immediate 1"}, {"set_immediate": [{"print": "immediate 2"}]}]}]}]})";

const CostProfile kTrips = one_cost(Cost::PoolTrip, 38us, 27us, 1190us);

}  // namespace

TEST_CASE("timing: the loop start's timers pass, both sides", "[timing]") {
  const CostProfile costs = one_cost(Cost::MainProgram, 350us, 0us, 1000us);
  auto first = std::make_shared<ReplayChooser>(std::vector<std::size_t>{});
  ChosenRun plain(kTimerVsImmediate, costs, first);
  plain.step_to_end();
  CHECK(plain.prints() == Lines{"immediate", "timeout"});
  REQUIRE(count_of(first->met(), DecisionKind::TimerAtLoopStart) == 1);

  auto other = std::make_shared<ReplayChooser>(prefix_taking(first->met(), DecisionKind::TimerAtLoopStart, 1));
  ChosenRun flipped(kTimerVsImmediate, costs, other);
  CHECK(flipped.prints(0) == Lines{"timeout"});  // before the first iteration
  flipped.step_to_end();
  CHECK(flipped.prints() == Lines{"timeout", "immediate"});
}

TEST_CASE("timing: no decision where the spread cannot flip the outcome", "[timing]") {
  auto chooser = std::make_shared<ReplayChooser>(std::vector<std::size_t>{});
  ChosenRun run(kTwoReads, zero_costs(), chooser);
  run.step_to_end();
  CHECK(chooser->met().empty());
}

TEST_CASE("timing: pool completion order, both sides", "[timing]") {
  auto first = std::make_shared<ReplayChooser>(std::vector<std::size_t>{});
  ChosenRun plain(kTwoReads, kTrips, first);
  plain.step_to_end();
  CHECK(plain.prints() == Lines{"read 1", "read 2"});
  REQUIRE(count_of(first->met(), DecisionKind::PoolOrder) >= 1);

  auto other = std::make_shared<ReplayChooser>(prefix_taking(first->met(), DecisionKind::PoolOrder, 1));
  ChosenRun swapped(kTwoReads, kTrips, other);
  swapped.step_to_end();
  CHECK(swapped.prints() == Lines{"read 2", "read 1"});
  CHECK(swapped.ticks_of_prints() == plain.ticks_of_prints());  // the same poll phase, the other order
}

TEST_CASE("timing: which completions share a poll phase, both sides", "[timing]") {
  auto first = std::make_shared<ReplayChooser>(std::vector<std::size_t>{});
  ChosenRun plain(kTwoReads, kTrips, first);
  plain.step_to_end();
  auto ticks = plain.ticks_of_prints();
  REQUIRE(ticks.size() == 2);
  CHECK(ticks[0] == ticks[1]);  // both callbacks in one poll phase
  REQUIRE(count_of(first->met(), DecisionKind::PollGather) >= 1);

  // The last completion lands just after the collection: the next iteration runs it.
  auto other = std::make_shared<ReplayChooser>(prefix_taking(first->met(), DecisionKind::PollGather, 1));
  ChosenRun cut(kTwoReads, kTrips, other);
  cut.step_to_end();
  CHECK(cut.prints() == Lines{"read 1", "read 2"});
  auto cut_ticks = cut.ticks_of_prints();
  REQUIRE(cut_ticks.size() == 2);
  CHECK(cut_ticks[1] == cut_ticks[0] + 1);
}

TEST_CASE("timing: a timer set in a callback, due or not at the next timers phase", "[timing]") {
  const CostProfile costs = one_cost(Cost::Callback, 30us, 20us, 1000us);
  auto first = std::make_shared<ReplayChooser>(std::vector<std::size_t>{});
  ChosenRun plain(kImmediateChainAfterRead, costs, first);
  plain.step_to_end();
  CHECK(plain.prints() == Lines{"immediate 1", "immediate 2", "timeout"});
  REQUIRE(count_of(first->met(), DecisionKind::TimerDue) >= 1);

  auto other = std::make_shared<ReplayChooser>(prefix_taking(first->met(), DecisionKind::TimerDue, 1));
  ChosenRun slower(kImmediateChainAfterRead, costs, other);
  slower.step_to_end();
  CHECK(slower.prints() == Lines{"immediate 1", "timeout", "immediate 2"});
}

TEST_CASE("timing: libuv's millisecond ending between two timer starts, both sides", "[timing]") {
  const std::string two_then_one = R"({"program": [{"set_timeout": 2, "then": [{"print": "2 ms"}]},
    {"set_timeout": 1, "then": [{"print": "1 ms"}]}]})";
  const CostProfile costs = one_cost(Cost::MainProgram, 350us, 0us, 1000us);
  auto first = std::make_shared<ReplayChooser>(std::vector<std::size_t>{});
  ChosenRun plain(two_then_one, costs, first);
  plain.step_to_end();
  CHECK(plain.prints() == Lines{"1 ms", "2 ms"});
  REQUIRE(count_of(first->met(), DecisionKind::TimerStart) == 1);

  auto other = std::make_shared<ReplayChooser>(prefix_taking(first->met(), DecisionKind::TimerStart, 1));
  ChosenRun crossed(two_then_one, costs, other);
  crossed.step_to_end();
  CHECK(crossed.prints() == Lines{"2 ms", "1 ms"});
  auto ticks = crossed.ticks_of_prints();
  REQUIRE(ticks.size() == 2);
  CHECK(ticks[0] == ticks[1]);  // due together: one timers phase runs both

  // Without a spread the clock cannot move between the two calls: no decision.
  auto none = std::make_shared<ReplayChooser>(std::vector<std::size_t>{});
  ChosenRun free_run(two_then_one, zero_costs(), none);
  free_run.step_to_end();
  CHECK(count_of(none->met(), DecisionKind::TimerStart) == 0);
}

TEST_CASE("timing: the first setTimeout's set-up after its start, due or not at its iteration's end", "[timing]") {
  // A 0 ms timer set in an immediate: nothing the loop charges lies between its start and
  // the timers phase, yet Node sets its timer lists up after reading the clock.
  const std::string chain = R"({"program": [{"set_immediate": [{"set_timeout": 0, "then": [{"print": "timeout"}]},
    {"set_immediate": [{"print": "immediate 1"}, {"set_immediate": [{"print": "immediate 2"}]}]}]}]})";
  // The default profile's figures: the main program ends 0.12 ms before the timer's
  // millisecond would, and the first print (immediate 1's) takes it past it.
  CostProfile costs = one_cost(Cost::Callback, 30us, 20us, 423us);
  costs.costs[static_cast<int>(Cost::MainProgram)] = 350us;
  costs.costs[static_cast<int>(Cost::FirstPrint)] = 22ms;
  auto first = std::make_shared<ReplayChooser>(std::vector<std::size_t>{});
  ChosenRun plain(chain, costs, first);
  plain.step_to_end();
  CHECK(plain.prints() == Lines{"immediate 1", "timeout", "immediate 2"});
  REQUIRE(count_of(first->met(), DecisionKind::TimerDue) >= 1);

  auto other = std::make_shared<ReplayChooser>(prefix_taking(first->met(), DecisionKind::TimerDue, 1));
  ChosenRun slower(chain, costs, other);
  slower.step_to_end();
  CHECK(slower.prints() == Lines{"timeout", "immediate 1", "immediate 2"});
  // The timer ran at the end of the iteration that set it, not one later.
  CHECK(slower.ticks_of_prints() == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(plain.ticks_of_prints() == std::vector<std::uint64_t>{2, 2, 3});
}

TEST_CASE("timing: the pool's threads starting late, both sides", "[timing]") {
  const std::string read_vs_timer = R"({"program": [{"fs_read": "test.txt", "then": [{"print": "read"}]},
    {"set_timeout": 2, "then": [{"print": "timeout"}]}]})";
  const CostProfile costs = one_cost(Cost::PoolStart, 3ms, 0us, 21910us);
  auto first = std::make_shared<ReplayChooser>(std::vector<std::size_t>{});
  ChosenRun plain(read_vs_timer, costs, first);
  plain.step_to_end();
  CHECK(plain.prints() == Lines{"read", "timeout"});
  REQUIRE(count_of(first->met(), DecisionKind::PoolStart) == 1);

  auto other = std::make_shared<ReplayChooser>(prefix_taking(first->met(), DecisionKind::PoolStart, 1));
  ChosenRun late(read_vs_timer, costs, other);
  late.step_to_end();
  CHECK(late.prints() == Lines{"timeout", "read"});
  auto ticks = late.ticks_of_prints();
  REQUIRE(ticks.size() == 2);
  CHECK(ticks[0] < ticks[1]);  // the timer's iteration ends before the read is back

  auto none = std::make_shared<ReplayChooser>(std::vector<std::size_t>{});
  ChosenRun free_run(read_vs_timer, zero_costs(), none);
  free_run.step_to_end();
  CHECK(count_of(none->met(), DecisionKind::PoolStart) == 0);
}

TEST_CASE("timing: a plain run shows a later decision as a race event when asked", "[timing]") {
  ChosenRun run(kTwoReads, kTrips, nullptr, true);
  run.step_to_end();
  auto races = run.events_of(EventKind::Race);
  REQUIRE_FALSE(races.empty());
  CHECK(races[0].race == RaceKind::PoolOrder);
  CHECK(describe(races[0]).starts_with("~ race: pool task 1 finishes before task 2; if instead pool task 2"));
  std::string line;
  render_jsonl(races[0], line);
  auto j = nlohmann::json::parse(line);
  CHECK(j["race"] == "pool_order");
  CHECK(j["alternatives"] == nlohmann::json::array({1, 2}));
}

TEST_CASE("timing: explore walks every branch and merges by output", "[timing]") {
  int runs = 0;
  // A made-up program: two binary decisions; the output is the number of second sides taken.
  auto result = explore::explore(
      [&](std::shared_ptr<ReplayChooser> chooser) {
        ++runs;
        std::size_t seconds = 0;
        for (int i = 0; i < 2; ++i) seconds += chooser->choose({DecisionKind::PoolOrder, {"a", "b"}});
        return Lines{std::to_string(seconds)};
      },
      100);
  CHECK(result.complete);
  CHECK(runs == 4);
  REQUIRE(result.orders.size() == 3);
  CHECK(result.orders[0].output == Lines{"0"});
  CHECK(result.orders[0].is_default);
  CHECK(result.orders[1].output == Lines{"1"});
  CHECK(result.orders[1].schedules == 2);
  CHECK(result.orders[1].when == "b");  // the simplest schedule behind it
  CHECK(result.orders[2].when == "b; b");
  auto cut = explore::explore([&](std::shared_ptr<ReplayChooser> c) {
    return Lines{std::to_string(c->choose({DecisionKind::PoolOrder, {"a", "b"}}))};
  }, 1);
  CHECK_FALSE(cut.complete);
  CHECK(cut.orders.size() == 1);
}

TEST_CASE("timing: an HTTP response against a timer due within connect's spread, both sides", "[timing][http]") {
  // The delay service is a real server on loopback (http/delay_server.h): the response
  // comes back 20 ms after the request's set-up, the timer is due 25 ms after its start.
  const std::string get_vs_timer = R"({"settings": {"http_latency_ms": 20}, "program": [
    {"http_get": "http://delay-service/delay/0/url/x", "then": [{"print": "response"}]},
    {"set_timeout": 25, "then": [{"print": "timeout"}]}]})";
  const CostProfile costs = one_cost(Cost::Connect, 2ms, 1809us, 38929us);
  auto first = std::make_shared<ReplayChooser>(std::vector<std::size_t>{});
  ChosenRun plain(get_vs_timer, costs, first);
  plain.step_to_end();
  CHECK(plain.prints() == Lines{"response", "timeout"});
  REQUIRE(count_of(first->met(), DecisionKind::SocketReady) == 1);
  // Back at 22 ms (2 ms of set-up, 20 of latency); the timer is due at libuv's 27 ms, which
  // the clock phase of 0.5 ms puts at 26.5 ms of the run.
  CHECK(first->met()[0].decision.when[1].starts_with("request 1's exchange takes 4.50 ms or more longer"));

  auto other = std::make_shared<ReplayChooser>(prefix_taking(first->met(), DecisionKind::SocketReady, 1));
  ChosenRun late(get_vs_timer, costs, other);
  late.step_to_end();
  CHECK(late.prints() == Lines{"timeout", "response"});
  auto ticks = late.ticks_of_prints();
  REQUIRE(ticks.size() == 2);
  CHECK(ticks[0] < ticks[1]);  // the timer's iteration ends before the response is collected
  CHECK(late.elapsed() >= 26500us);  // the response waited for libuv's clock to reach the timer's due time

  // Connect at one cost, no spread: the exchange cannot take longer, no decision.
  auto none = std::make_shared<ReplayChooser>(std::vector<std::size_t>{});
  ChosenRun fixed(get_vs_timer, one_cost(Cost::Connect, 2ms, 2ms, 2ms), none);
  fixed.step_to_end();
  CHECK(count_of(none->met(), DecisionKind::SocketReady) == 0);
  // A timer due beyond the spread: no decision either.
  const std::string far_timer = R"({"settings": {"http_latency_ms": 20}, "program": [
    {"http_get": "http://delay-service/delay/0/url/x", "then": [{"print": "response"}]},
    {"set_timeout": 80, "then": [{"print": "timeout"}]}]})";
  auto beyond = std::make_shared<ReplayChooser>(std::vector<std::size_t>{});
  ChosenRun far_run(far_timer, costs, beyond);
  far_run.step_to_end();
  CHECK(far_run.prints() == Lines{"response", "timeout"});
  CHECK(count_of(beyond->met(), DecisionKind::SocketReady) == 0);
}

TEST_CASE("timing: where libuv's millisecond turns after the first print, both sides", "[timing]") {
  // In an immediate, the first print (a wide spread) then a 0 ms timer and the next
  // immediate: the timer runs at this iteration's end only if libuv's clock turns first.
  const std::string print_then_timer = R"({"program": [{"set_immediate": [{"print": "immediate 1"},
    {"set_timeout": 0, "then": [{"print": "timeout"}]},
    {"set_immediate": [{"print": "immediate 2"}]}]}]})";
  CostProfile costs = one_cost(Cost::FirstPrint, 22ms, 12676us, 45144us);
  auto first = std::make_shared<ReplayChooser>(std::vector<std::size_t>{});
  ChosenRun plain(print_then_timer, costs, first);
  plain.step_to_end();
  CHECK(plain.prints() == Lines{"immediate 1", "immediate 2", "timeout"});
  REQUIRE(count_of(first->met(), DecisionKind::ClockTurn) >= 1);

  // Turned by the timers phase of the timer's own iteration: it runs there.
  auto other = std::make_shared<ReplayChooser>(prefix_taking(first->met(), DecisionKind::ClockTurn, 1));
  ChosenRun turned(print_then_timer, costs, other);
  turned.step_to_end();
  CHECK(turned.prints() == Lines{"immediate 1", "timeout", "immediate 2"});
  CHECK(turned.ticks_of_prints() == std::vector<std::uint64_t>{1, 1, 2});

  // The same program without the wide cost: the millisecond's turn is where the run puts it.
  auto none = std::make_shared<ReplayChooser>(std::vector<std::size_t>{});
  ChosenRun narrow(print_then_timer, one_cost(Cost::FirstPrint, 22ms, 21900us, 22100us), none);
  narrow.step_to_end();
  CHECK(count_of(none->met(), DecisionKind::ClockTurn) == 0);
}

TEST_CASE("timing: libuv's clock not turned yet at a later timers phase, then turned", "[timing]") {
  // Where the plain run finds the timer due, "not yet" holds it past that timers phase;
  // the clock never turns back: a timer started after the turn is due a millisecond later.
  const std::string chain = R"({"program": [{"set_immediate": [{"print": "immediate 1"},
    {"set_timeout": 0, "then": [{"print": "timeout 1"}]},
    {"set_immediate": [{"print": "immediate 2"}, {"set_timeout": 0, "then": [{"print": "timeout 2"}]},
      {"set_immediate": [{"print": "immediate 3"}]}]}]}]})";
  CostProfile costs = one_cost(Cost::FirstPrint, 22ms, 12676us, 45144us);
  costs.costs[static_cast<int>(Cost::Callback)] = 300us;  // each iteration moves the clock on
  auto first = std::make_shared<ReplayChooser>(std::vector<std::size_t>{});
  ChosenRun plain(chain, costs, first);
  plain.step_to_end();
  const auto plain_prints = plain.prints();
  // Every way the turn can fall, the clock only going forwards.
  auto result = explore::explore(
      [&](std::shared_ptr<ReplayChooser> chooser) {
        ChosenRun run(chain, costs, chooser);
        run.step_to_end();
        return run.prints();
      },
      100);
  REQUIRE(result.complete);
  std::vector<Lines> orders;
  for (const auto& o : result.orders) orders.push_back(o.output);
  CHECK(orders.front() == plain_prints);
  CHECK(std::find(orders.begin(), orders.end(),
                  Lines{"immediate 1", "timeout 1", "immediate 2", "immediate 3", "timeout 2"}) != orders.end());
  CHECK(std::find(orders.begin(), orders.end(),
                  Lines{"immediate 1", "immediate 2", "immediate 3", "timeout 1", "timeout 2"}) != orders.end());
  CHECK(std::find(orders.begin(), orders.end(),
                  Lines{"immediate 1", "immediate 2", "timeout 1", "timeout 2", "immediate 3"}) != orders.end());
  // Timer 2 starts after timer 1 on the same clock: it never runs before it.
  for (const auto& o : orders) {
    CHECK(std::find(o.begin(), o.end(), "timeout 1") < std::find(o.begin(), o.end(), "timeout 2"));
  }
}
