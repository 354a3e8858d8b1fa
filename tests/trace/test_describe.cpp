// describe() (trace/describe.h) writes every sentence of the trace from an event's data,
// and the JSON lines carry those data beside the sentence. Events are built by hand here,
// as each emit site builds them, so that a sentence that drifts from the book's, or a
// kind that gets no sentence, fails here before any golden trace does.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trace/describe.h"
#include "trace/format.h"

using namespace elt;

namespace {

struct Case {
  TraceEvent event;
  std::string sentence;
};

TraceEvent at(TraceEvent e, Phase phase, std::uint64_t tick = 1) {
  e.phase = phase;
  e.tick = tick;
  e.thread = "main";
  return e;
}

// One or more events of every kind, each as its emit site builds it, with the sentence
// the book's format prints for it.
std::vector<Case> cases() {
  using K = EventKind;
  return {
      {{.kind = K::Print, .text = "First call to read test.txt"}, "First call to read test.txt"},
      {{.kind = K::Content, .text = "FILE", .content = "Hello world\n"}, "FILE"},
      {at({.kind = K::Tick}, Phase::Timers, 7), "===== TICK 7 ====="},
      {{.kind = K::TimerRegistered, .id = 2, .delay = Millis(0), .due = Millis(0)}, "Registered timer event id: 2"},
      {{.kind = K::TimerRegistered, .id = 3, .delay = Millis(5), .repeat = true}, "Registered interval id: 3"},
      {{.kind = K::TimerRegistered, .id = 1, .delay = Millis(1), .due = Millis(1), .queue = QueueName::TimerList},
       "Registered timer event id: 1 (list 1 ms, due at 1 ms)"},
      {{.kind = K::TimerRegistered, .id = 4, .delay = Millis(10), .due = Millis(12), .queue = QueueName::TimerList,
        .repeat = true},
       "Registered interval id: 4 (every 10 ms, first at 12 ms)"},
      {{.kind = K::EventRegistered, .id = 9}, "Event with id: 9 registered."},
      {{.kind = K::EventRegistered, .id = 1, .what = "HTTP GET", .text = "http://127.0.0.1:1/"},
       "Registered HTTP GET id: 1 (http://127.0.0.1:1/)"},
      {{.kind = K::TaskQueued, .id = 5, .what = "File read", .count = 1},
       "No free pool thread: task 5 (File read) waits in the queue (1 waiting)"},
      {{.kind = K::TaskReceived, .id = 1, .what = "File read"}, "received a task of type: File read"},
      {{.kind = K::TaskReceived, .what = "Close"}, "received a task of type: Close"},
      {{.kind = K::TaskFinished, .id = 8, .what = "Encrypt"}, "finished running a task of type: Encrypt."},
      {{.kind = K::EpollReady, .id = 9}, "epoll event 9 is ready"},
      {{.kind = K::EpollTimeout}, "epoll event timeout is ready"},
      {{.kind = K::CloseReceived}, "received event of type: Close"},
      {{.kind = K::CallbackError, .id = 4, .what = "File read", .text = "open \"nope.txt\": No such file or directory"},
       "File read 4 failed: open \"nope.txt\": No such file or directory"},
      {{.kind = K::CallbackError, .text = "a callback's own error"}, "a callback's own error"},
      {{.kind = K::CallbackError, .unhandled = true, .text = "boom"},
       "Unhandled promise rejection: Error: boom (Node prints it and exits with code 1)"},
      {{.kind = K::Finished}, "FINISHED"},
      {at({.kind = K::PhaseRun}, Phase::Timers), "-- timers phase --"},
      {at({.kind = K::PhaseRun, .count = 1}, Phase::Check), "-- check phase: 1 immediate --"},
      {at({.kind = K::PhaseRun, .count = 3}, Phase::Check), "-- check phase: 3 immediates --"},
      {at({.kind = K::PhaseRun, .count = 1}, Phase::Poll), "-- poll phase: 1 event --"},
      {at({.kind = K::PhaseRun, .count = 2}, Phase::Poll), "-- poll phase: 2 events --"},
      {{.kind = K::PollWait, .reason = PollReason::Stopping}, "poll: not blocking (stopping)"},
      {{.kind = K::PollWait, .reason = PollReason::Immediates},
       "poll: not blocking: immediates are queued (Node's idle handle)"},
      {{.kind = K::PollWait, .reason = PollReason::NothingPending}, "poll: not blocking: nothing is pending"},
      {{.kind = K::PollWait, .delay = Millis(250), .reason = PollReason::IoOrTimer},
       "poll: waiting for I/O, up to 250 ms (the next timer)"},
      {{.kind = K::PollWait, .delay = Millis(1), .reason = PollReason::Timer},
       "poll: waiting up to 1 ms for the next timer"},
      {{.kind = K::PollWait, .reason = PollReason::Io}, "poll: waiting for I/O (no timer to wake for)"},
      {{.kind = K::QueueRun, .count = 1, .queue = QueueName::NextTick}, "process.nextTick queue: 1 callback"},
      {{.kind = K::QueueRun, .count = 2, .queue = QueueName::Microtask}, "microtask queue: 2 callbacks"},
      {{.kind = K::Queued, .id = 6, .queue = QueueName::Immediate}, "Registered immediate id: 6"},
      {{.kind = K::Queued, .id = 6, .queue = QueueName::Immediate, .cleared = true}, "cleared immediate id: 6"},
      {{.kind = K::Queued, .id = 2, .cleared = true}, "cleared timer id: 2"},
      {{.kind = K::Queued, .id = 7, .queue = QueueName::NextTick}, "process.nextTick id: 7 queued"},
      {{.kind = K::Queued, .id = 8, .queue = QueueName::Microtask}, "microtask id: 8 queued (job)"},
      {{.kind = K::Queued, .id = 8, .queue = QueueName::Microtask, .text = "then 1 of p"},
       "microtask id: 8 queued (then 1 of p)"},
      {{.kind = K::TaskSubmitted, .id = 3, .what = "fs.open"}, "fs.readFile id 3: fs.open goes to the pool"},
      {{.kind = K::TaskSubmitted, .id = 4, .what = "getaddrinfo", .text = "localhost"},
       "request id 4: getaddrinfo(\"localhost\") goes to the pool"},
      {{.kind = K::Blocked, .delay = Millis(300)}, "main thread busy for 300 ms (nothing else runs on the loop)"},
      {{.kind = K::CallbackStart, .id = 2, .what = "Timer"}, "Timer"},
      {{.kind = K::CallbackEnd, .id = 2, .what = "Timer"}, "Timer"},
      {{.kind = K::TaskWork, .id = 1, .what = "File read"}, "File read"},
      {{.kind = K::WaitStart}, "poll wait"},
      {{.kind = K::WaitEnd}, "poll wait"},
  };
}

nlohmann::json jsonl(const TraceEvent& event) {
  std::string out;
  render_jsonl(event, out);
  REQUIRE(!out.empty());
  REQUIRE(out.back() == '\n');
  return nlohmann::json::parse(out);
}

}  // namespace

TEST_CASE("describe: every kind's sentence, from its data", "[trace][describe]") {
  std::set<int> covered;
  for (const auto& c : cases()) {
    INFO(to_string(c.event.kind));
    CHECK(describe(c.event) == c.sentence);
    covered.insert(static_cast<int>(c.event.kind));
  }
  // A kind added to the enum without a case here fails.
  for (int k = 0; k <= static_cast<int>(EventKind::WaitEnd); ++k) {
    INFO(to_string(static_cast<EventKind>(k)));
    CHECK(covered.count(k) == 1);
  }
}

TEST_CASE("describe: appends, and the text format is the prefix and the sentence", "[trace][describe]") {
  for (const auto& c : cases()) {
    if (is_marker(c.event.kind) || c.event.kind == EventKind::Content) continue;
    std::string out = "before|";
    describe_to(c.event, out);
    CHECK(out == "before|" + c.sentence);
    TraceEvent e = c.event;
    e.thread = "pool2";
    std::string line;
    render_text(e, line);
    CHECK(line == "Thread: pool2\t " + c.sentence + "\n");
  }
}

TEST_CASE("describe: scenario text inside a generated sentence is still shown escaped", "[trace][describe]") {
  TraceEvent e{.kind = EventKind::CallbackError, .id = 3, .what = "HTTP request", .text = "bad\nThread: pool0\t x\x1b"};
  e.thread = "main";
  std::string line;
  render_text(e, line);
  CHECK(line == "Thread: main\t HTTP request 3 failed: bad\nThread: main\t Thread: pool0\t x\\x1b\n");
}

TEST_CASE("jsonl: the sentence in message, the facts beside it, typed", "[trace][describe][jsonl]") {
  for (const auto& c : cases()) {
    auto j = jsonl(c.event);
    INFO(j.dump());
    CHECK(j["message"] == c.sentence);
    CHECK(j["kind"] == to_string(c.event.kind));
  }

  auto received = jsonl({.kind = EventKind::TaskReceived, .id = 1, .what = "File read"});
  CHECK(received["task"] == "File read");
  CHECK(received["id"] == 1);

  auto queued = jsonl({.kind = EventKind::TaskQueued, .id = 5, .what = "Encrypt", .count = 2});
  CHECK(queued["task"] == "Encrypt");
  REQUIRE(queued["waiting"].is_number_unsigned());
  CHECK(queued["waiting"] == 2);

  auto node_timer = jsonl({.kind = EventKind::TimerRegistered, .id = 1, .delay = Millis(1), .due = Millis(3),
                           .queue = QueueName::TimerList, .origin = "set_timeout at t.json:2"});
  REQUIRE(node_timer["delay_us"].is_number_integer());
  CHECK(node_timer["delay_us"] == 1000);
  CHECK(node_timer["due_us"] == 3000);
  REQUIRE(node_timer["repeat"].is_boolean());
  CHECK(node_timer["repeat"] == false);
  CHECK(node_timer["queue"] == "timer list 1 ms");  // as before the fields came
  CHECK(node_timer["origin"] == "set_timeout at t.json:2");

  auto book_timer = jsonl({.kind = EventKind::TimerRegistered, .id = 2, .delay = std::chrono::microseconds(1500),
                           .due = std::chrono::microseconds(1501)});
  CHECK(book_timer["delay_us"] == 1500);
  CHECK_FALSE(book_timer.contains("queue"));

  auto error = jsonl({.kind = EventKind::CallbackError, .id = 4, .what = "File read", .text = "No such file"});
  CHECK(error["error"] == "No such file");
  CHECK(error["operation"] == "File read");
  CHECK_FALSE(error.contains("unhandled_rejection"));
  auto rejection = jsonl({.kind = EventKind::CallbackError, .unhandled = true, .text = "boom"});
  CHECK(rejection["unhandled_rejection"] == true);
  CHECK_FALSE(rejection.contains("operation"));

  auto wait = jsonl({.kind = EventKind::PollWait, .delay = Millis(250), .reason = PollReason::IoOrTimer});
  CHECK(wait["reason"] == "io_or_timer");
  CHECK(wait["timeout_us"] == 250000);
  auto no_wait = jsonl({.kind = EventKind::PollWait, .reason = PollReason::Immediates});
  CHECK(no_wait["reason"] == "immediates");
  CHECK_FALSE(no_wait.contains("timeout_us"));

  auto phase = jsonl(at({.kind = EventKind::PhaseRun, .count = 2}, Phase::Poll));
  CHECK(phase["phase"] == "poll");
  CHECK(phase["count"] == 2);
  CHECK_FALSE(jsonl(at({.kind = EventKind::PhaseRun}, Phase::Timers)).contains("count"));

  auto run = jsonl({.kind = EventKind::QueueRun, .count = 3, .queue = QueueName::Microtask});
  CHECK(run["queue"] == "microtask");
  CHECK(run["count"] == 3);

  auto cleared = jsonl({.kind = EventKind::Queued, .id = 2, .cleared = true});
  CHECK(cleared["cleared"] == true);
  CHECK_FALSE(cleared.contains("queue"));
  auto micro = jsonl({.kind = EventKind::Queued, .id = 8, .queue = QueueName::Microtask, .text = "then 1"});
  CHECK(micro["cleared"] == false);
  CHECK(micro["label"] == "then 1");

  auto lookup = jsonl({.kind = EventKind::TaskSubmitted, .id = 4, .what = "getaddrinfo", .text = "localhost"});
  CHECK(lookup["task"] == "getaddrinfo");
  CHECK(lookup["host"] == "localhost");
  CHECK_FALSE(jsonl({.kind = EventKind::TaskSubmitted, .id = 3, .what = "fs.read"}).contains("host"));

  CHECK(jsonl({.kind = EventKind::Blocked, .delay = Millis(300)})["duration_us"] == 300000);
  CHECK(jsonl({.kind = EventKind::CallbackStart, .id = 2, .what = "Timer"})["callback"] == "Timer");
  CHECK(jsonl({.kind = EventKind::Print, .text = "hi"})["text"] == "hi");
  auto content = jsonl({.kind = EventKind::Content, .text = "FILE", .content = "a\n"});
  CHECK(content["label"] == "FILE");
  CHECK(content["content"] == "a\n");
}

TEST_CASE("jsonl: the fields that were there keep their order, the new ones follow", "[trace][describe][jsonl]") {
  TraceEvent e{.kind = EventKind::Queued, .id = 6, .queue = QueueName::Immediate, .origin = "set_immediate at a.json:3"};
  e.thread = "main";
  e.phase = Phase::Script;
  std::string out;
  render_jsonl(e, out);
  CHECK(out ==
        "{\"tick\":0,\"phase\":\"script\",\"thread\":\"main\",\"time_us\":0,\"kind\":\"queued\",\"id\":6,"
        "\"message\":\"Registered immediate id: 6\",\"queue\":\"immediate\",\"origin\":\"set_immediate at a.json:3\","
        "\"cleared\":false}\n");
}
