// The races a plain run shows (explore/race_report.h, loop/races_shown.cpp), one decision
// kind at a time: a racy program, where taking the decision's other side prints other
// lines, shows a `race` event naming both sides and what each prints; a deterministic
// variant meets the same decision, but both sides print the same lines, and shows none.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stepped_run.h"
#include "explore/race_report.h"
#include "loop/costs.h"
#include "loop/runtime.h"
#include "loop/timing.h"
#include "trace/describe.h"
#include "trace/format.h"

using namespace elt;
using namespace std::chrono_literals;

namespace {

using Lines = std::vector<std::string>;
const char* const kDir = ELT_SOURCE_DIR "/scenarios/races";

using testing::one_cost;

// A plain run of `json` under the node model with `costs`, its races checked first as the
// command line does (within `budget`); what it met and what it showed.
struct Shown {
  RacesFound found;
  std::vector<TraceEvent> races;
  Lines printed;
  bool met(DecisionKind kind) const {
    return kind_met.end() != std::find(kind_met.begin(), kind_met.end(), kind);
  }
  std::vector<DecisionKind> kind_met;
};

Shown shown(const std::string& json, const CostProfile& costs, std::size_t budget = explore::kRaceCheckBudget) {
  auto adjust = [&](RuntimeOptions& options) {
    options.model = node_model();
    options.costs = costs;
  };
  const scenario::Scenario parsed = scenario::parse_scenario(json, "test.json", kDir);
  RuntimeOptions options = scenario::runtime_options(parsed);
  adjust(options);
  Shown out;
  out.found = explore::find_scenario_races(parsed, options, budget).value();
  auto chooser = std::make_shared<ReplayChooser>(std::vector<std::size_t>{});
  explore::scenario_runner(parsed, options)(chooser);
  for (const auto& m : chooser->met()) out.kind_met.push_back(m.decision.kind);
  auto found = std::make_shared<const RacesFound>(out.found);
  testing::SteppedRun run(json, kDir, [&](RuntimeOptions& o) {
    adjust(o);
    o.races = found;
  }, TraceFormat::None);
  run.run_all();
  out.races = run.events_of(EventKind::Race);
  out.printed = run.prints();
  return out;
}

std::size_t count(const std::vector<TraceEvent>& races, RaceKind kind) {
  return static_cast<std::size_t>(
      std::count_if(races.begin(), races.end(), [&](const TraceEvent& e) { return e.race == kind; }));
}

nlohmann::json jsonl_of(const TraceEvent& e) {
  std::string line;
  render_jsonl(e, line);
  return nlohmann::json::parse(line);
}

const CostProfile kMain = one_cost(Cost::MainProgram, 350us, 0us, 1000us);
const CostProfile kRaceTrips = one_cost(Cost::PoolTrip, 38us, 27us, 1190us);

}  // namespace

TEST_CASE("shown races: the loop start's timers pass", "[race_report]") {
  const auto racy = shown(R"({"program": [{"set_timeout": 0, "then": [{"print": "timeout"}]},
    {"set_immediate": [{"print": "immediate"}]}]})", kMain);
  REQUIRE(racy.races.size() == 1);
  CHECK(racy.races[0].race == RaceKind::TimerAtLoopStart);
  CHECK(racy.races[0].id == 1);
  CHECK(racy.races[0].rival == 2);
  // The same decision, but neither side prints: both orders print the same lines.
  const auto quiet = shown(R"({"program": [{"set_timeout": 0, "then": []}, {"set_immediate": []},
    {"print": "done"}]})", kMain);
  CHECK(quiet.met(DecisionKind::TimerAtLoopStart));
  CHECK(quiet.races.empty());
}

TEST_CASE("shown races: pool completion order", "[race_report]") {
  const auto racy = shown(R"({"program": [{"fs_read": "test.txt", "then": [{"print": "read 1"}]},
    {"fs_read": "test.txt", "then": [{"print": "read 2"}]}]})", kRaceTrips);
  REQUIRE(count(racy.races, RaceKind::PoolOrder) == 1);
  const TraceEvent& e = racy.races[0];
  CHECK(describe(e) == "~ race: pool task 1 finishes before task 2; if instead pool task 2 finishes before task 1, "
                       "the program prints \"read 2\" where this run prints \"read 1\"");
  auto j = jsonl_of(e);
  CHECK(j["race"] == "pool_order");
  CHECK(j["alternatives"] == nlohmann::json::array({1, 2}));
  CHECK(j["prints"] == "read 1");
  CHECK(j["prints_instead"] == "read 2");
  CHECK(racy.printed == Lines{"read 1", "read 2"});  // the default side, as before
  const auto same = shown(R"({"program": [{"fs_read": "test.txt", "then": [{"print": "read"}]},
    {"fs_read": "test.txt", "then": [{"print": "read"}]}]})", kRaceTrips);
  CHECK(same.met(DecisionKind::PoolOrder));
  CHECK(same.races.empty());
}

TEST_CASE("shown races: which completions share a poll phase", "[race_report]") {
  // An immediate queued by the first read runs before the second read's callback only
  // when the second completion waits for the next poll phase.
  const auto racy = shown(R"({"program": [
    {"fs_read": "test.txt", "then": [{"print": "read 1"}, {"set_immediate": [{"print": "immediate 1"}]}]},
    {"fs_read": "test.txt", "then": [{"print": "read 2"}]}]})", kRaceTrips);
  REQUIRE(count(racy.races, RaceKind::PollGather) == 1);
  // Without the immediate, sharing a poll phase or not prints the same order.
  const auto plain = shown(R"({"program": [{"fs_read": "test.txt", "then": [{"print": "read 1"}]},
    {"fs_read": "test.txt", "then": [{"print": "read 2"}]}]})", kRaceTrips);
  CHECK(plain.met(DecisionKind::PollGather));
  CHECK(count(plain.races, RaceKind::PollGather) == 0);
}

TEST_CASE("shown races: a timer due or not at an iteration's timers phase", "[race_report]") {
  const CostProfile costs = one_cost(Cost::Callback, 30us, 20us, 1000us);
  const auto racy = shown(R"({"program": [{"fs_read": "test.txt", "then": [
    {"set_timeout": 0, "then": [{"print": "timeout"}]},
    {"set_immediate": [{"print": "immediate 1"}, {"set_immediate": [{"print": "immediate 2"}]}]}]}]})", costs);
  REQUIRE(count(racy.races, RaceKind::TimerDue) == 1);
  CHECK(jsonl_of(racy.races[0])["prints_instead"] == "timeout");
  const auto quiet = shown(R"({"program": [{"fs_read": "test.txt", "then": [
    {"set_timeout": 0, "then": []},
    {"set_immediate": [{"print": "immediate 1"}, {"set_immediate": [{"print": "immediate 2"}]}]}]}]})", costs);
  CHECK(quiet.met(DecisionKind::TimerDue));
  CHECK(quiet.races.empty());
}

TEST_CASE("shown races: libuv's millisecond ending between two timer starts", "[race_report]") {
  const auto racy = shown(R"({"program": [{"set_timeout": 2, "then": [{"print": "2 ms"}]},
    {"set_timeout": 1, "then": [{"print": "1 ms"}]}]})", kMain);
  REQUIRE(count(racy.races, RaceKind::TimerStart) == 1);
  auto j = jsonl_of(racy.races[0]);
  CHECK(j["race"] == "timer_start");
  CHECK(j["alternatives"] == nlohmann::json::array({2, 1}));
  const auto same = shown(R"({"program": [{"set_timeout": 2, "then": [{"print": "timer"}]},
    {"set_timeout": 1, "then": [{"print": "timer"}]}]})", kMain);
  CHECK(same.met(DecisionKind::TimerStart));
  CHECK(same.races.empty());
}

TEST_CASE("shown races: the pool's threads starting late", "[race_report]") {
  const CostProfile costs = one_cost(Cost::PoolStart, 3ms, 0us, 21910us);
  const auto racy = shown(R"({"program": [{"fs_read": "test.txt", "then": [{"print": "read"}]},
    {"set_timeout": 2, "then": [{"print": "timeout"}]}]})", costs);
  REQUIRE(count(racy.races, RaceKind::PoolStart) == 1);
  CHECK(jsonl_of(racy.races[0])["alternatives"] == nlohmann::json::array({1}));
  const auto quiet = shown(R"({"program": [{"fs_read": "test.txt", "then": [{"print": "read"}]},
    {"set_timeout": 2, "then": []}]})", costs);
  CHECK(quiet.met(DecisionKind::PoolStart));
  CHECK(quiet.races.empty());
}

TEST_CASE("shown races: the check keeps to its budget and says where it stopped", "[race_report]") {
  // A made-up program of five decisions; only the fourth's other side prints otherwise.
  int runs = 0;
  auto program = [&](std::shared_ptr<ReplayChooser> chooser) {
    ++runs;
    Lines out{"start"};
    for (int i = 0; i < 5; ++i) {
      if (chooser->choose({DecisionKind::PoolOrder, {"a", "b"}}) == 1 && i == 3) out.push_back("flipped");
    }
    return out;
  };
  auto all = explore::find_races(program, 100);
  CHECK(runs == 6);  // the default run and one per decision, not every combination
  CHECK(all.complete());
  REQUIRE(all.races.size() == 1);
  CHECK(all.races[0].index == 3);
  CHECK(all.races[0].prints.empty());  // this run prints nothing more there
  CHECK(all.races[0].prints_instead == "flipped");
  runs = 0;
  auto cut = explore::find_races(program, 2);
  CHECK(runs == 3);
  CHECK_FALSE(cut.complete());
  CHECK(cut.checked == 2);
  CHECK(cut.races.empty());

  // In a run: the note stands where the unchecked decisions start, once.
  const auto three = shown(R"({"program": [
    {"fs_read": "test.txt", "then": [{"print": "read 1"}]}, {"fs_read": "test.txt", "then": [{"print": "read 2"}]},
    {"fs_read": "test.txt", "then": [{"print": "read 3"}]}]})", kRaceTrips, 0);
  REQUIRE(three.races.size() == 1);
  CHECK(three.races[0].race == RaceKind::Unchecked);
  CHECK(describe(three.races[0]).starts_with("~ race check: stopped at its budget after 0 of the run's"));
  CHECK(jsonl_of(three.races[0])["checked"] == 0);
}

TEST_CASE("shown races: the check's runs together keep to a budget of trace events", "[race_report]") {
  // A made-up program of five decisions, 10 events a run; only the fourth's other side
  // prints otherwise. The runs are counted here, as the check makes them.
  int runs = 0;
  const explore::SizedRun program = [&](std::shared_ptr<ReplayChooser> chooser, std::size_t max_events) {
    ++runs;
    explore::MeasuredRun run{{"start"}, 10, max_events != 0 && max_events < 10};
    for (int i = 0; i < 5; ++i) {
      if (chooser->choose({DecisionKind::PoolOrder, {"a", "b"}}) == 1 && i == 3) run.output.push_back("flipped");
    }
    return run;
  };
  const auto roomy = explore::find_races(program, 48, 60);  // the default run and 5 flips fit
  CHECK(runs == 6);
  CHECK(roomy.complete());
  CHECK(roomy.races.size() == 1);
  runs = 0;
  const auto tight = explore::find_races(program, 48, 35);  // 10 + 2 x 10 fit, not a third
  CHECK(runs == 3);
  CHECK_FALSE(tight.complete());
  CHECK(tight.checked == 2);
  CHECK(tight.run_cut_at == 0);
  runs = 0;
  const auto cut = explore::find_races(program, 48, 5);  // the default run alone is longer
  CHECK(runs == 1);
  CHECK_FALSE(cut.complete());
  CHECK(cut.checked == 0);
  CHECK(cut.run_cut_at == 5);

  // In a run: the note says the budget, and no count the cut could have changed.
  const std::string json = R"({"program": [{"fs_read": "test.txt", "then": [{"print": "read 1"}]},
    {"fs_read": "test.txt", "then": [{"print": "read 2"}]}]})";
  const scenario::Scenario parsed = scenario::parse_scenario(json, "test.json", kDir);
  RuntimeOptions options = scenario::runtime_options(parsed);
  options.model = node_model();
  options.costs = kRaceTrips;
  const auto found = explore::find_scenario_races(parsed, options, explore::kRaceCheckBudget, {},
                                                  explore::Resend::Nothing, 20);
  REQUIRE(found.has_value());
  CHECK(found->run_cut_at == 20);
  CHECK(found->met == 0);
}

TEST_CASE("shown races: a program that makes HTTP requests is not checked", "[race_report]") {
  // Its check's runs would send the requests again (to a real server, a name server).
  const std::string json = R"({"program": [{"set_timeout": 0, "then": [{"print": "timeout"}]},
    {"promise": "resolve", "value": "x", "chain": [{"then": [{"http_get": "http://example.com/1"}]}]}]})";
  const scenario::Scenario parsed = scenario::parse_scenario(json, "test.json", kDir);
  RuntimeOptions options = scenario::runtime_options(parsed);
  options.model = node_model();
  options.costs = kMain;
  CHECK_FALSE(explore::find_scenario_races(parsed, options, explore::kRaceCheckBudget).has_value());
  // The tool's own delay service on loopback is asked again at no cost: those are checked.
  const scenario::Scenario delay_service = scenario::parse_scenario(
      R"({"program": [{"set_timeout": 0, "then": [{"print": "timeout"}]},
    {"promise": "resolve", "value": "x", "chain": [{"then": [{"http_get": "http://delay-service/1"}]}]},
    {"http_get_slow": "example.com", "delay_ms": 5}]})", "test.json", kDir);
  CHECK(explore::find_scenario_races(delay_service, options, explore::kRaceCheckBudget, {},
                                     explore::Resend::DelayService).has_value());
  CHECK_FALSE(explore::find_scenario_races(delay_service, options, explore::kRaceCheckBudget).has_value());
  const scenario::Scenario templated = scenario::parse_scenario(
      R"({"program": [{"set_timeout": 0, "then": [{"print": "x"}]},
    {"promise": "resolve", "value": "delay-service/1", "chain": [{"as": "v", "then": [{"http_get": "http://${v}"}]}]}]})",
      "test.json", kDir);
  CHECK_FALSE(explore::find_scenario_races(templated, options, explore::kRaceCheckBudget, {},
                                           explore::Resend::DelayService).has_value());
  const scenario::Scenario local = scenario::parse_scenario(
      R"({"program": [{"set_timeout": 0, "then": [{"print": "timeout"}]}]})", "test.json", kDir);
  CHECK(explore::find_scenario_races(local, options, explore::kRaceCheckBudget).has_value());
}

TEST_CASE("shown races: a pool order names the task whose going first prints otherwise", "[race_report]") {
  // Reads 1 and 2 print the same line: read 2 first changes nothing, read 3 first does.
  const auto racy = shown(R"({"program": [{"fs_read": "test.txt", "then": [{"print": "a"}]},
    {"fs_read": "test.txt", "then": [{"print": "a"}]}, {"fs_read": "test.txt", "then": [{"print": "b"}]}]})", kRaceTrips);
  REQUIRE(count(racy.races, RaceKind::PoolOrder) >= 1);
  const TraceEvent& e = racy.races[0];
  CHECK(e.race == RaceKind::PoolOrder);
  CHECK(jsonl_of(e)["alternatives"] == nlohmann::json::array({1, 3}));
  CHECK(describe(e).find("if instead pool task 3 finishes before tasks 1 and 2") != std::string::npos);
}
