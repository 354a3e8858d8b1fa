// The runtime end to end, in-process: small scenarios run on real threads and real time,
// and the test reads the trace they print.
#include <catch2/catch.hpp>

#include "clock/clock.h"
#include "loop/runtime.h"
#include "scenario/interpreter.h"
#include "scenario/scenario.h"
#include "trace/tracer.h"

using namespace elt;

namespace {

std::string run(const std::string& json, std::size_t threads = 4) {
  auto scenario = scenario::parse_scenario(json, "test.json", ELT_SOURCE_DIR "/scenarios");
  Tracer tracer(TraceFormat::Text, -1);
  RealClock clock;
  RuntimeOptions options = scenario::runtime_options(scenario);
  if (threads != 4) options.threads = threads;
  Runtime runtime(options, clock, tracer);
  scenario::run_scenario(runtime, scenario);
  return tracer.captured();
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("timers with the same deadline fire in registration order", "[loop]") {
  std::string trace = run(R"({"program": [
    {"set_timeout": 20, "then": [{"print": "first"}]},
    {"set_timeout": 20, "then": [{"print": "second"}]},
    {"set_timeout": 10, "then": [{"print": "earlier"}]}
  ]})");
  auto earlier = trace.find("earlier");
  auto first = trace.find("first");
  auto second = trace.find("second");
  REQUIRE(second != std::string::npos);
  CHECK(earlier < first);
  CHECK(first < second);
  CHECK(trace.ends_with("Thread: main\t FINISHED\n"));
}

TEST_CASE("a timer less than a millisecond away does not spin the loop", "[loop]") {
  // The book truncated the poll timeout to whole milliseconds: 0.9 ms became 0 and the
  // loop printed dozens of empty ticks. Here one wait covers it.
  std::string trace = run(R"({"program": [{"set_timeout": 1, "then": [{"print": "done"}]}]})");
  CHECK(count(trace, "===== TICK") <= 2);
  CHECK(count(trace, "done") == 1);
}

TEST_CASE("more tasks than threads wait in a queue and all complete", "[loop][pool]") {
  std::string trace = run(R"({"program": [
    {"repeat": 6, "do": [{"fs_read": "test.txt", "delay_ms": 5, "as": "t", "then": [{"print": "read ${i}: ${t.length}"}]}]}
  ]})", 4);
  CHECK(count(trace, "waits in the queue") == 2);
  for (int i = 0; i < 6; ++i) CHECK(count(trace, "read " + std::to_string(i) + ": 39") == 1);
  CHECK(count(trace, "finished running a task of type: File read.") == 6);
}

TEST_CASE("a missing file is an error delivered to its callback", "[loop][errors]") {
  std::string trace = run(R"({"program": [
    {"fs_read": "does-not-exist.txt", "then": [{"print": "never"}], "catch": [{"print": "caught: ${error}"}]},
    {"fs_read": "does-not-exist.txt"}
  ]})");
  CHECK(count(trace, "File read 1 failed: open \"") == 1);
  CHECK(count(trace, "No such file or directory") >= 2);
  CHECK(count(trace, "caught: open") == 1);
  CHECK(count(trace, "never") == 0);
  CHECK(trace.ends_with("FINISHED\n"));
}

TEST_CASE("a refused connection is an error delivered to its callback", "[loop][errors][http]") {
  std::string trace = run(R"({"program": [
    {"http_get": "http://127.0.0.1:1/", "catch": [{"print": "caught: ${error}"}]},
    {"http_get": "https://example.com/", "catch": [{"print": "caught: ${error}"}]},
    {"http_get": "http://127.0.0.1:99999/", "catch": [{"print": "caught: ${error}"}]}
  ]})");
  CHECK(count(trace, "Connection refused") >= 2);
  CHECK(count(trace, "https is not supported") >= 2);
  CHECK(count(trace, "port must be a number") >= 2);
  CHECK(count(trace, "epoll event 1 is ready") == 1);
  CHECK(trace.ends_with("FINISHED\n"));
}

TEST_CASE("a reference to a field that does not exist stops that callback only", "[loop][errors]") {
  std::string trace = run(R"({"program": [
    {"fs_read": "test.txt", "as": "text", "then": [
      {"print": "before"}, {"print": "${text.size}"}, {"print": "after"}]},
    {"set_timeout": 5, "then": [{"print": "timer still runs"}]}
  ]})");
  CHECK(count(trace, "before") == 1);
  CHECK(count(trace, "text has no field \"size\" (it has: length)") == 1);
  CHECK(count(trace, "after") == 0);
  CHECK(count(trace, "timer still runs") == 1);
}

TEST_CASE("encrypt computes Fibonacci on the pool", "[loop]") {
  std::string trace = run(R"({"program": [{"encrypt": 20, "as": "n", "then": [{"print": "fib: ${n}"}]},
    {"repeat": 1, "as": "k", "do": [{"encrypt": "6${k}", "catch": [{"print": "${error}"}]}]}]})");
  CHECK(count(trace, "fib: 6765") == 1);
  CHECK(count(trace, "received a task of type: Encrypt") == 1);
  CHECK(count(trace, "error at /program/1/do/0: 6${k} gave 60; expected n from 0 to 50") == 1);
}

TEST_CASE("http://delay-service/ reaches the stand-in and its fault paths", "[loop][http][errors]") {
  std::string trace = run(R"({"settings": {"http_timeout_ms": 200}, "program": [
    {"http_get": "http://delay-service/delay/5/url/x", "as": "r", "then": [{"print": "ok ${r.status} ${r.headers.location}"}]},
    {"http_get": "http://delay-service/garbage", "catch": [{"print": "garbage: ${error}"}]},
    {"http_get": "http://delay-service/truncate", "catch": [{"print": "truncate: ${error}"}]},
    {"http_get": "http://delay-service/hang", "catch": [{"print": "hang: ${error}"}]}
  ]})");
  CHECK(count(trace, "ok 302 http://x") == 1);
  CHECK(count(trace, "garbage: response from http://delay-service/garbage is not valid HTTP") == 1);
  CHECK(count(trace, "truncate: response from http://delay-service/truncate:") == 1);
  CHECK(count(trace, "hang: no complete response from http://delay-service/hang within 200 ms") == 1);
  CHECK(trace.ends_with("FINISHED\n"));
}

TEST_CASE("an HTTP request to the delay service gets the book's answer", "[loop][http]") {
  std::string trace = run(R"({"program": [
    {"http_get_slow": "http//www.google.com", "delay_ms": 10, "as": "r", "then": [
      {"print": "status ${r.status}, location ${r.headers.location}"},
      {"print_content": "${r}", "label": "web call"}]}
  ]})");
  CHECK(count(trace, "status 302, location http://http/www.google.com") == 1);
  CHECK(count(trace, "===== THREAD main START CONTENT - WEB CALL =====\nHTTP/1.1 302 Found\nServer: Cowboy\n"
                     "Location: http://http/www.google.com\n") == 1);
}
