#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <map>
#include <thread>

#include "clock/clock.h"
#include "channel/channel.h"
#include "pool/thread_pool.h"
#include "trace/tracer.h"

using namespace elt;

namespace {

struct Fixture {
  RealClock clock;
  Tracer tracer{TraceFormat::Text, -1};
  CompletionChannel channel{clock, kNoParticipant};
};

Task make_task(CallbackId id, std::function<Outcome()> work = {}) {
  Task t;
  t.id = id;
  t.kind = TaskKind::Encrypt;
  t.work = work ? std::move(work) : [] { return Outcome::ok(Value::integer(1)); };
  return t;
}

// Completions may arrive together; hand them out one at a time. A pool posts TaskDone only.
TaskDone next_completion(CompletionChannel& channel) {
  static thread_local std::deque<Completion> buffered;
  while (buffered.empty()) {
    channel.wait();
    std::vector<Completion> taken;
    channel.take_all(taken);
    for (auto& c : taken) buffered.push_back(std::move(c));
  }
  REQUIRE(std::holds_alternative<TaskDone>(buffered.front()));
  TaskDone out = std::get<TaskDone>(std::move(buffered.front()));
  buffered.pop_front();
  return out;
}

}  // namespace

TEST_CASE("free threads are handed out last in, first out", "[pool]") {
  Fixture f;
  ThreadPool pool(4, f.clock, f.tracer, f.channel);
  // The free list starts as [0, 1, 2, 3]: the first task goes to pool3, the next to pool2.
  REQUIRE(pool.submit(make_task(1), f.clock.now()));
  auto first = next_completion(f.channel);
  CHECK(first.thread == 3);
  // pool3 is still busy for the loop until it sees the completion: the next goes to pool2.
  REQUIRE(pool.submit(make_task(2), f.clock.now()));
  auto second = next_completion(f.channel);
  CHECK(second.thread == 2);
  // pool2 comes back first: it is at the back of the free list and is reused first.
  pool.on_completion(2, 2, f.clock.now());
  pool.on_completion(3, 1, f.clock.now());
  REQUIRE(pool.submit(make_task(3), f.clock.now()));
  CHECK(next_completion(f.channel).thread == 3);
  pool.on_completion(3, 3, f.clock.now());
  pool.shutdown();
}

TEST_CASE("tasks beyond the pool size wait in a queue instead of failing", "[pool]") {
  Fixture f;
  ThreadPool pool(2, f.clock, f.tracer, f.channel);
  // The work waits until the queue has been looked at: a thread that finishes takes a
  // bound task at once, so without the gate the count below would race with the threads.
  std::promise<void> open;
  std::shared_future<void> gate = open.get_future().share();
  auto gated = [gate] {
    gate.wait();
    return Outcome::ok(Value::integer(1));
  };
  std::vector<bool> handed;
  for (CallbackId id = 1; id <= 6; ++id) handed.push_back(pool.submit(make_task(id, gated), f.clock.now()));
  CHECK(handed == std::vector<bool>{true, true, false, false, false, false});
  CHECK(pool.queued() == 4);
  auto queued = pool.queued_tasks();
  REQUIRE(queued.size() == 4);
  CHECK(queued.front().first == 3);  // FIFO: the oldest waits at the front
  open.set_value();

  std::map<CallbackId, std::size_t> done;
  while (done.size() < 6) {
    auto c = next_completion(f.channel);
    done[c.id] = c.thread;
    pool.on_completion(c.thread, c.id, f.clock.now());
  }
  CHECK(pool.queued() == 0);
  for (auto& [id, thread] : done) CHECK(thread < 2);
  pool.shutdown();
  std::string trace = f.tracer.captured();
  CHECK(trace.find("Thread: pool0\t received a task of type: Close") != std::string::npos);
  CHECK(trace.find("Thread: pool1\t received a task of type: Close") != std::string::npos);
}

TEST_CASE("a simulated latency is slept before the work and reported with its key", "[pool]") {
  using namespace std::chrono_literals;
  Fixture f;
  ThreadPool pool(1, f.clock, f.tracer, f.channel);
  Task t = make_task(9);
  t.simulated_latency = 20ms;
  TimePoint start = f.clock.now();
  REQUIRE(pool.submit(std::move(t), start));
  REQUIRE(pool.earliest_simulated().has_value());
  CHECK(pool.earliest_simulated()->id == 9);
  auto c = next_completion(f.channel);
  CHECK(f.clock.now() - start >= 20ms);  // never early
  REQUIRE(c.key.has_value());
  CHECK(c.key->deadline == start + 20ms);
  pool.note_arrived(*c.key);
  CHECK_FALSE(pool.earliest_simulated().has_value());
  pool.on_completion(c.thread, c.id, f.clock.now());
  pool.shutdown();
}

// Issue 12, item 2: which thread runs a queued task is decided when it queues, from the
// plan (latencies and stated costs), not by which real thread happens to finish first.
TEST_CASE("a queued task goes to the thread planned to be free first, not the first to wake", "[pool]") {
  using namespace std::chrono_literals;
  Fixture f;
  ThreadPool pool(2, f.clock, f.tracer, f.channel);
  TimePoint start = f.clock.now();
  // pool1: CPU work stated to cost 5 ms that really takes 100 ms (an encrypt slower than
  // its cost_ms on the real clock); pool0: a read of 50 ms. By the plan pool1 is free first.
  Task slow = make_task(1, [] {
    std::this_thread::sleep_for(100ms);
    return Outcome::ok(Value::integer(1));
  });
  slow.expected_cost = 5ms;
  REQUIRE(pool.submit(std::move(slow), start));
  Task read = make_task(2);
  read.kind = TaskKind::FileRead;
  read.simulated_latency = 50ms;
  REQUIRE(pool.submit(std::move(read), start));
  REQUIRE_FALSE(pool.submit(make_task(3), start));  // queued: bound to pool1

  std::map<CallbackId, std::size_t> ran_on;
  while (ran_on.size() < 3) {
    auto c = next_completion(f.channel);
    ran_on[c.id] = c.thread;
    if (c.key) pool.note_arrived(*c.key);
    pool.on_completion(c.thread, c.id, f.clock.now());
  }
  CHECK(ran_on[1] == 1);
  CHECK(ran_on[2] == 0);
  CHECK(ran_on[3] == 1);  // pool0 finished first (50 ms < 100 ms) but was planned free later
  pool.shutdown();
}

TEST_CASE("a bound task's key is planned when it queues, and the loop waits for it", "[pool]") {
  using namespace std::chrono_literals;
  Fixture f;
  ThreadPool pool(1, f.clock, f.tracer, f.channel);
  TimePoint start = f.clock.now();
  Task first = make_task(1);
  first.simulated_latency = 30ms;
  REQUIRE(pool.submit(std::move(first), start));
  Task second = make_task(2);
  second.simulated_latency = 10ms;
  REQUIRE_FALSE(pool.submit(std::move(second), start));
  CHECK(pool.queued() == 1);
  REQUIRE(pool.queued_tasks().size() == 1);
  CHECK(pool.queued_tasks().front().first == 2);

  auto a = next_completion(f.channel);
  REQUIRE(a.key.has_value());
  CHECK(a.key->deadline == start + 30ms);
  pool.note_arrived(*a.key);
  // Still waited for by the loop: the bound task's end is known, whenever its thread wakes.
  REQUIRE(pool.earliest_simulated().has_value());
  CHECK(*pool.earliest_simulated() == DeadlineKey{start + 40ms, 2});
  pool.on_completion(a.thread, a.id, f.clock.now());
  auto b = next_completion(f.channel);
  REQUIRE(b.key.has_value());
  CHECK(b.key->deadline == start + 40ms);  // from the planned start, not the real wake-up
  CHECK(f.clock.now() - start >= 40ms);
  pool.note_arrived(*b.key);
  pool.on_completion(b.thread, b.id, f.clock.now());
  CHECK(pool.queued() == 0);
  pool.shutdown();
}

TEST_CASE("equal planned ends go to the smaller key, as the virtual clock wakes them", "[pool]") {
  using namespace std::chrono_literals;
  Fixture f;
  ThreadPool pool(2, f.clock, f.tracer, f.channel);
  TimePoint start = f.clock.now();
  // pool1 runs task 1 (40 ms), pool0 task 2 (20 ms); task 3 (20 ms) queues behind task 2
  // and ends at 40 ms too: task 4 then goes to pool1 (key (40 ms, 1) < (40 ms, 3)).
  for (CallbackId id : {1, 2, 3, 4}) {
    Task t = make_task(id);
    t.kind = TaskKind::FileRead;
    t.simulated_latency = id == 1 ? 40ms : 20ms;
    pool.submit(std::move(t), start);
  }
  std::map<CallbackId, std::size_t> ran_on;
  while (ran_on.size() < 4) {
    auto c = next_completion(f.channel);
    ran_on[c.id] = c.thread;
    if (c.key) pool.note_arrived(*c.key);
    pool.on_completion(c.thread, c.id, f.clock.now());
  }
  CHECK(ran_on == std::map<CallbackId, std::size_t>{{1, 1}, {2, 0}, {3, 0}, {4, 1}});
  pool.shutdown();
}

TEST_CASE("the channel hands each completion over once, in order, whatever its buffer holds", "[pool][channel]") {
  Fixture f;
  auto done = [](CallbackId id) { return Completion{TaskDone{0, id, Outcome::ok(Value::integer(0)), std::nullopt}}; };
  std::vector<Completion> taken;
  f.channel.post(done(1));
  f.channel.post(done(2));
  f.channel.take_all(taken);  // an empty buffer: swapped
  REQUIRE(taken.size() == 2);
  // A buffer that was not emptied: the next take appends behind what it holds.
  f.channel.post(done(3));
  f.channel.take_all(taken);
  std::vector<CallbackId> ids;
  for (const auto& c : taken) ids.push_back(callback_of(c));
  CHECK(ids == std::vector<CallbackId>{1, 2, 3});
  CHECK(f.channel.size() == 0);
  recycle(taken);
  CHECK(taken.empty());
  f.channel.take_all(taken);
  CHECK(taken.empty());
}
