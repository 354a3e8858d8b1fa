#include <catch2/catch.hpp>

#include <chrono>
#include <map>

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
    for (auto& c : channel.take_all()) buffered.push_back(std::move(c));
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
  std::vector<bool> handed;
  for (CallbackId id = 1; id <= 6; ++id) handed.push_back(pool.submit(make_task(id), f.clock.now()));
  CHECK(handed == std::vector<bool>{true, true, false, false, false, false});
  CHECK(pool.queued() == 4);
  auto queued = pool.queued_tasks();
  REQUIRE(queued.size() == 4);
  CHECK(queued.front().first == 3);  // FIFO: the oldest waits at the front

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
