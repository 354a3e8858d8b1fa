// The node model's rules, one test each, driving the loop one iteration at a time
// (Runtime::start / run_once, like uv_run(UV_RUN_ONCE)) on the virtual clock.
// Each expected order was checked against node v20 with the programs in tests/node/.
#include <catch2/catch.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "stepped_run.h"
#include "clock/virtual_clock.h"
#include "loop/runtime.h"
#include "scenario/interpreter.h"
#include "scenario/scenario.h"
#include "trace/describe.h"
#include "trace/tracer.h"

using namespace elt;

namespace {

// A scenario under the node model, stepped by the test.
class NodeRun : public testing::SteppedRun {
 public:
  explicit NodeRun(const std::string& json, LoopModel model = node_model(), std::size_t threads = 4)
      : SteppedRun(json, ELT_SOURCE_DIR "/scenarios", [&](RuntimeOptions& options) {
          options.model = std::move(model);
          options.threads = threads;
        }) {}
  std::vector<std::string> prints_in(std::uint64_t tick) { return prints(tick); }
  // What each pool thread took, as the trace says it ("received a task of type: ...").
  std::vector<std::string> received() {
    std::vector<std::string> out;
    for (const auto& e : events_of(EventKind::TaskReceived)) out.push_back(describe(e));
    return out;
  }
};

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("node: 0 ms is 1 ms, and equal durations share one list in insertion order", "[node]") {
  // tests/node/zero-is-one.js: node prints f, g.
  NodeRun run(R"({"program": [
    {"set_timeout": 1, "then": [{"print": "f"}]},
    {"set_timeout": 0, "then": [{"print": "g"}]}
  ]})");
  run.run_all();
  CHECK(run.prints() == Lines{"f", "g"});
}

TEST_CASE("node: the program's nextTicks run before its microtasks, before any phase", "[node]") {
  NodeRun run(R"({"program": [
    {"queue_microtask": [{"print": "microtask"}]},
    {"promise": "resolve", "chain": [{"then": [{"print": "then"}]}]},
    {"next_tick": [{"print": "tick"}]},
    {"print": "main"}
  ]})");
  CHECK(run.prints_in(0) == Lines{"main", "tick", "microtask", "then"});
  CHECK_FALSE(run.step());  // nothing else to do: the loop is not alive
}

TEST_CASE("node: a nextTick queued by a microtask runs after the microtask queue is empty", "[node]") {
  NodeRun run(R"({"program": [
    {"queue_microtask": [{"print": "m1"}, {"next_tick": [{"print": "tick from m1"}]}]},
    {"queue_microtask": [{"print": "m2"}]}
  ]})");
  CHECK(run.prints_in(0) == Lines{"m1", "m2", "tick from m1"});
}

TEST_CASE("node: ticks and microtasks run between one timer and the next", "[node]") {
  NodeRun run(R"({"program": [
    {"set_timeout": 5, "then": [{"print": "t1"}, {"next_tick": [{"print": "tick"}]},
                                {"promise": "resolve", "chain": [{"then": [{"print": "then"}]}]}]},
    {"set_timeout": 5, "then": [{"print": "t2"}]}
  ]})");
  run.run_all();
  CHECK(run.prints() == Lines{"t1", "tick", "then", "t2"});
}

TEST_CASE("node: an immediate from an I/O callback runs before a 0 ms timer", "[node]") {
  NodeRun run(R"({"program": [
    {"fs_read": "test.txt", "then": [
      {"set_timeout": 0, "then": [{"print": "timeout"}]},
      {"set_immediate": [{"print": "immediate"}]}
    ]}
  ]})");
  run.run_all();
  CHECK(run.prints() == Lines{"immediate", "timeout"});
}

TEST_CASE("node: immediates queued during the check phase run in the next iteration", "[node]") {
  NodeRun run(R"({"program": [
    {"set_immediate": [{"print": "a"}, {"set_immediate": [{"print": "c"}]}]},
    {"set_immediate": [{"print": "b"}]}
  ]})");
  REQUIRE(run.step());
  CHECK(run.prints_in(1) == Lines{"a", "b"});
  REQUIRE(run.step());
  CHECK(run.prints_in(2) == Lines{"c"});
  CHECK_FALSE(run.step());
}

TEST_CASE("node: a timer set in the check phase runs before the immediates it queued", "[node]") {
  // tests/node/immediates-next-iteration.js
  NodeRun run(R"({"program": [
    {"set_immediate": [{"print": "a"}, {"set_immediate": [{"print": "c"}]}]},
    {"set_immediate": [{"print": "b"}, {"set_timeout": 1, "then": [{"print": "timer"}]}, {"block": 3}]}
  ]})");
  REQUIRE(run.step());
  CHECK(run.prints_in(1) == Lines{"a", "b", "timer"});
  run.run_all();
  CHECK(run.prints() == Lines{"a", "b", "timer", "c"});
}

TEST_CASE("node: the poll phase does not block while immediates are queued", "[node]") {
  NodeRun run(R"({"program": [
    {"set_timeout": 1000, "then": [{"print": "late"}]},
    {"set_immediate": [{"print": "now"}]}
  ]})");
  REQUIRE(run.step());
  CHECK(run.prints_in(1) == Lines{"now"});
  CHECK(run.trace().find("poll: not blocking: immediates are queued") != std::string::npos);
}

TEST_CASE("node: timers run once before the first iteration", "[node]") {
  // The program blocks for 5 ms, so the 1 ms timer is due when uv_run starts: it runs in
  // the pre-loop timers pass, before the first iteration's check phase runs the immediate.
  NodeRun run(R"({"program": [
    {"set_timeout": 1, "then": [{"print": "timeout"}]},
    {"set_immediate": [{"print": "immediate"}]},
    {"block": 5}
  ]})");
  CHECK(run.prints_in(0) == Lines{"timeout"});
  REQUIRE(run.step());
  CHECK(run.prints_in(1) == Lines{"immediate"});
}

TEST_CASE("node: a timer's start reads the clock, after a block", "[node]") {
  // tests/node/timer-start.js: node prints B60 before A30.
  NodeRun run(R"({"program": [
    {"set_timeout": 60, "then": [{"print": "B60"}]},
    {"block": 50},
    {"set_timeout": 30, "then": [{"print": "A30"}]}
  ]})");
  run.run_all();
  CHECK(run.prints() == Lines{"B60", "A30"});
}

TEST_CASE("node: a list that is not due yet is re-armed behind lists of the same expiry", "[node]") {
  // A 2 ms list (expiry 2) and a 1 ms list whose second timer starts at 1 (expiry 2 after
  // the re-arm, with a newer list id): the 2 ms list runs first.
  NodeRun run(R"({"program": [
    {"set_timeout": 1, "then": [{"print": "a1"}, {"set_timeout": 1, "then": [{"print": "c1"}]}]},
    {"set_timeout": 2, "then": [{"print": "b2"}]}
  ]})");
  run.run_all();
  CHECK(run.prints() == Lines{"a1", "b2", "c1"});
}

TEST_CASE("node: set_interval re-arms until cleared, also from its own callback", "[node]") {
  NodeRun run(R"({"program": [
    {"set_interval": 10, "id": "iv", "times": 3, "then": [{"print": "tick"}]},
    {"set_timeout": 1000, "then": [{"print": "done"}]}
  ]})");
  run.run_all();
  CHECK(run.prints() == Lines{"tick", "tick", "tick", "done"});
}

TEST_CASE("node: clear_timeout and clear_immediate cancel what has not run", "[node]") {
  NodeRun run(R"({"program": [
    {"set_timeout": 1000, "id": "t", "then": [{"print": "never"}]},
    {"set_immediate": [{"print": "first"}, {"clear_immediate": "im"}, {"clear_timeout": "t"}]},
    {"set_immediate": [{"print": "cleared"}], "id": "im"}
  ]})");
  run.run_all();
  CHECK(run.prints() == Lines{"first"});
}

TEST_CASE("node: the poll phase delivers every finished task behind one wake-up", "[node]") {
  // tests/node/two-tasks.js: two pool tasks that finish while the program blocks, each
  // setting a 0 ms timer: both callbacks run in one poll phase, then the timers (the
  // book's loop runs task A, a tick, timer A...).
  NodeRun run(R"({"program": [
    {"encrypt": 10, "cost_ms": 5, "then": [{"print": "task A"}, {"set_timeout": 0, "then": [{"print": "timer A"}]}]},
    {"encrypt": 10, "cost_ms": 50, "then": [{"print": "task B"}, {"set_timeout": 0, "then": [{"print": "timer B"}]}]},
    {"block": 300}
  ]})");
  std::uint64_t read_tick = 0;
  while (run.step()) {
    if (!run.prints_in(run.runtime().tick()).empty() && read_tick == 0) read_tick = run.runtime().tick();
  }
  CHECK(run.prints_in(read_tick) == Lines{"task A", "task B"});
  CHECK(run.prints() == Lines{"task A", "task B", "timer A", "timer B"});
}

TEST_CASE("node loop with the book's poll policy: one event per poll phase, the rest wait", "[node]") {
  // LoopModel::poll is read by the loop-thread poll too: with OneEvent, the events one
  // epoll_wait returned are delivered one per iteration, and the poll does not block
  // while some are left.
  LoopModel model = node_model();
  model.poll = PollPolicy::OneEvent;
  NodeRun run(R"({"program": [
    {"encrypt": 10, "cost_ms": 5, "then": [{"print": "task A"}]},
    {"encrypt": 10, "cost_ms": 5, "then": [{"print": "task B"}]},
    {"set_timeout": 400, "then": [{"print": "timer"}]},
    {"block": 300}
  ]})",
              model);
  std::uint64_t first = 0;
  while (run.step()) {
    if (!run.prints_in(run.runtime().tick()).empty() && first == 0) first = run.runtime().tick();
  }
  CHECK(run.prints_in(first) == Lines{"task A"});
  CHECK(run.prints_in(first + 1) == Lines{"task B"});
  CHECK(run.prints() == Lines{"task A", "task B", "timer"});
  // The second poll did not wait: task B ran at the 300 ms the block ended, not later.
  CHECK(run.trace().find("poll: not blocking: events from the last poll are waiting") != std::string::npos);
}

TEST_CASE("node: fs.readFile makes four trips through the pool", "[node]") {
  NodeRun run(R"({"program": [{"fs_read": "test.txt", "as": "t", "then": [{"print": "${t.length}"}]}]})");
  run.run_all();
  Lines trips;
  for (const auto& r : run.received()) {
    if (r.find("Close") == std::string::npos) trips.push_back(r);
  }
  CHECK(trips == Lines{"received a task of type: fs.open", "received a task of type: fs.fstat",
                       "received a task of type: fs.read", "received a task of type: fs.close"});
}

TEST_CASE("node: a host lookup waits for a busy pool", "[node]") {
  // threads: 1 and a long encrypt: uv_getaddrinfo queues behind it, so the request (to a
  // closed port here) fails only after the encrypt's callback.
  NodeRun run(R"({"program": [
    {"encrypt": 20, "cost_ms": 300, "then": [{"print": "encrypted"}]},
    {"http_get": "http://localhost:1/", "then": [{"print": "response"}], "catch": [{"print": "failed"}]}
  ]})", node_model(), 1);
  run.run_all();
  CHECK(run.prints() == Lines{"encrypted", "failed"});
}

TEST_CASE("node: a blocked main thread delays a due timer", "[node]") {
  NodeRun run(R"({"program": [
    {"set_timeout": 200, "then": [{"print": "timer"}]},
    {"set_immediate": [{"block": 500}, {"print": "unblocked"}]}
  ]})");
  run.run_all();
  CHECK(run.prints() == Lines{"unblocked", "timer"});
}

TEST_CASE("node: an unhandled rejection ends the run after the queues drain", "[node]") {
  NodeRun run(R"({"program": [
    {"promise": "reject", "value": "boom", "chain": [{"then": [{"print": "skipped"}]}]},
    {"queue_microtask": [{"print": "still runs"}]},
    {"set_timeout": 10, "then": [{"print": "never"}]}
  ]})");
  run.run_all();
  CHECK(run.prints() == Lines{"still runs"});
  CHECK(run.trace().find("Unhandled promise rejection: Error: boom") != std::string::npos);
}

TEST_CASE("node: a catch step recovers, and a throw rejects the rest of the chain", "[node]") {
  NodeRun run(R"({"program": [
    {"promise": "resolve", "value": "x", "chain": [
      {"then": [{"print": "then ${value}"}], "throw": "bad"},
      {"then": [{"print": "skipped"}]},
      {"catch": [{"print": "caught ${error}"}], "return": "ok"},
      {"then": [{"print": "after ${value}"}]}
    ]}
  ]})");
  CHECK(run.prints_in(0) == Lines{"then x", "caught bad", "after ok"});
}

TEST_CASE("node: a poll with no timer after a timer and a read ended at the same instant", "[node]") {
  // Regression: the loop was woken while it stepped aside in settle() and queued twice;
  // its next wait in epoll_wait then held the baton and the run hung.
  NodeRun run(R"({"program": [
    {"fs_read": "test.txt", "delay_ms": 1000, "then": [{"print": "r1"},
      {"fs_read": "test.txt", "delay_ms": 1000, "then": [{"print": "r2"}]}]},
    {"set_timeout": 1000, "then": [{"print": "T"}]}
  ]})");
  run.run_all();
  CHECK(run.prints() == Lines{"T", "r1", "r2"});
}

TEST_CASE("node: a block while an HTTP request waits to be sent does not hang the virtual clock", "[node]") {
  // Regression (found by verify): the clock waited for the request to reach the delay
  // service, but only the loop, busy in block, could send it.
  NodeRun run(R"({"program": [
    {"http_get_slow": "x", "delay_ms": 30, "then": [{"print": "response"}]},
    {"block": 2},
    {"set_timeout": 100, "then": [{"print": "timer"}]}
  ]})");
  run.run_all();
  CHECK(run.prints() == Lines{"response", "timer"});
}

TEST_CASE("node: the loop ends when nothing keeps it alive", "[node]") {
  NodeRun run(R"({"program": [{"print": "only"}]})");
  CHECK_FALSE(run.runtime().alive());
  CHECK_FALSE(run.step());
}

TEST_CASE("book: an interval that clears itself from its own callback", "[book]") {
  // Regression (found by the schema agreement test): the callback was destroyed while it ran.
  NodeRun run(R"({"program": [
    {"set_interval": 5, "id": "iv", "then": [{"print": "once"}, {"clear_interval": "iv"}]}
  ]})", book_model());
  run.run_all();
  CHECK(run.prints() == Lines{"once"});
}

TEST_CASE("book: set_immediate runs in the check phase of the book's loop", "[book]") {
  NodeRun run(R"({"program": [
    {"set_immediate": [{"print": "immediate"}]},
    {"set_timeout": 0, "then": [{"print": "timeout"}]}
  ]})", book_model());
  run.run_all();
  // The book's tick starts with timers: the 0 ms timer is due at the first tick.
  CHECK(run.prints() == Lines{"timeout", "immediate"});
}
