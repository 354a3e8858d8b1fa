// Issue 12, item 5: what the virtual clock cannot see. encrypt without cost_ms costs
// fib(n)'s calls; a run that depends on real time the clock cannot see says so.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "clock/clock.h"
#include "clock/virtual_clock.h"
#include "loop/runtime.h"
#include "scenario/interpreter.h"
#include "scenario/scenario.h"
#include "trace/tracer.h"

using namespace elt;

namespace {

struct Run {
  std::string trace;
  std::vector<std::string> warnings;  // "LINE:COLUMN: what"
};

Run run(const std::string& json, bool virtual_clock = true, std::string dir = ELT_SOURCE_DIR "/scenarios") {
  auto scenario = scenario::parse_scenario(json, "test.json", dir);
  Tracer tracer(TraceFormat::Jsonl, -1);
  std::unique_ptr<Clock> clock;
  if (virtual_clock) {
    clock = std::make_unique<VirtualClock>();
  } else {
    clock = std::make_unique<RealClock>();
  }
  RuntimeOptions options = scenario::runtime_options(scenario);
  Run out;
  std::mutex mutex;
  options.on_unseen_time = [&](SourcePos at, const std::string& what) {
    std::lock_guard lock(mutex);
    out.warnings.push_back(std::to_string(at.line) + ":" + std::to_string(at.column) + ": " + what);
  };
  {
    Runtime runtime(options, *clock, tracer);
    scenario::run_scenario(runtime, scenario);
  }
  out.trace = tracer.captured();
  return out;
}

// The time_us of the first jsonl line holding `text`, -1 if none.
long long time_of(const std::string& trace, const std::string& text) {
  auto at = trace.find(text);
  if (at == std::string::npos) return -1;
  auto start = trace.rfind('\n', at);
  start = start == std::string::npos ? 0 : start;
  auto t = trace.find("\"time_us\":", start);
  return std::stoll(trace.substr(t + 10));
}

}  // namespace

TEST_CASE("encrypt without cost_ms costs fib(n)'s calls on the virtual clock", "[crypto][virtual]") {
  auto r = run(R"({"program": [
    {"encrypt": 39, "then": [{"print": "encrypted"}]},
    {"set_timeout": 100, "then": [{"print": "100 ms"}]},
    {"set_timeout": 200, "then": [{"print": "200 ms"}]}]})");
  // 2*fib(40)-1 = 204,668,309 calls at 0.80 ns: 163,735 us (it cost 0 before).
  CHECK(time_of(r.trace, "\"encrypted\"") == 163735);
  CHECK(time_of(r.trace, "\"100 ms\"") < time_of(r.trace, "\"encrypted\""));
  CHECK(time_of(r.trace, "\"encrypted\"") < time_of(r.trace, "\"200 ms\""));
  // fib(20): 21,891 calls, 17.5 us, charged as a whole 18 us.
  auto small = run(R"({"program": [{"encrypt": 20, "then": [{"print": "small"}]}]})");
  CHECK(time_of(small.trace, "\"small\"") == 18);
}

TEST_CASE("cost_ms overrides the estimate, 0 included", "[crypto][virtual]") {
  auto r = run(R"({"program": [
    {"encrypt": 39, "cost_ms": 0, "then": [{"print": "encrypted"}]},
    {"encrypt": 39, "cost_ms": 250, "then": [{"print": "stated"}]},
    {"set_timeout": 100, "then": [{"print": "100 ms"}]}]})");
  CHECK(time_of(r.trace, "\"encrypted\"") == 0);
  CHECK(time_of(r.trace, "\"stated\"") == 250000);
}

TEST_CASE("a large read without delay_ms warns with its place, on the virtual clock only", "[fs][virtual]") {
  auto dir = std::filesystem::temp_directory_path() / "elt-unseen-read";
  std::filesystem::create_directories(dir);
  {
    std::ofstream big(dir / "big.txt", std::ios::binary);
    big << std::string(2 * 1024 * 1024, 'x');
    std::ofstream small(dir / "small.txt", std::ios::binary);
    small << "hello";
  }
  const std::string json = R"({"program": [
  {"fs_read": "big.txt", "then": [{"print": "big"}]},
  {"fs_read": "big.txt", "delay_ms": 5, "then": [{"print": "big, stated"}]},
  {"fs_read": "small.txt", "then": [{"print": "small"}]}]})";
  auto r = run(json, true, dir.string());
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0].starts_with("2:3: fs_read of \"big.txt\" (2.0 MiB) without delay_ms: the virtual clock charges it 0 ms"));
  CHECK(r.trace.find("\"big\"") != std::string::npos);
  CHECK(run(json, false, dir.string()).warnings.empty());
  std::filesystem::remove_all(dir);
}

TEST_CASE("an http_get refused at once does not warn; the delay service never does", "[http][virtual]") {
  auto r = run(R"({"program": [
    {"http_get": "http://127.0.0.1:1/", "catch": [{"print": "refused"}]},
    {"http_get": "http://delay-service/delay/5/url/x", "then": [{"print": "delayed"}]}]})");
  CHECK(r.trace.find("refused") != std::string::npos);
  CHECK(r.trace.find("delayed") != std::string::npos);
  CHECK(r.warnings.empty());
}
