#include <catch2/catch.hpp>

#include "timers/timer_queue.h"

using namespace elt;
using namespace std::chrono_literals;

namespace {
TimePoint at(Duration d) { return TimePoint{} + d; }
}  // namespace

TEST_CASE("timers fire in deadline order", "[timers]") {
  TimerQueue q;
  q.add(at(300ms), 1);
  q.add(at(100ms), 2);
  q.add(at(200ms), 3);
  std::vector<CallbackId> out;
  q.pop_expired(at(1s), out);
  CHECK(out == std::vector<CallbackId>{2, 3, 1});
  CHECK(q.empty());
}

TEST_CASE("equal deadlines fire in registration order, none is lost", "[timers]") {
  // The book keyed timers by deadline alone: the second of two equal deadlines replaced
  // the first. Both must stay, in the order they were set.
  TimerQueue q;
  for (CallbackId id = 10; id > 0; --id) q.add(at(5ms), 100 - id);  // ids 90..99, added 90 first
  q.add(at(5ms), 50);
  std::vector<CallbackId> out;
  q.pop_expired(at(5ms), out);
  REQUIRE(out.size() == 11);
  CHECK(std::is_sorted(out.begin(), out.end()));
}

TEST_CASE("a timer is due at its deadline, never before", "[timers]") {
  TimerQueue q;
  q.add(at(1000ms), 7);
  std::vector<CallbackId> out;
  q.pop_expired(at(1000ms) - 1ns, out);
  CHECK(out.empty());
  REQUIRE(q.next().has_value());
  CHECK(q.next()->deadline == at(1000ms));
  q.pop_expired(at(1000ms), out);
  CHECK(out == std::vector<CallbackId>{7});
}

TEST_CASE("a large burst of timers drains completely and frees its memory", "[timers]") {
  TimerQueue q;
  for (CallbackId id = 1; id <= 100000; ++id) q.add(at(std::chrono::milliseconds(id % 1000)), id);
  std::vector<CallbackId> out;
  q.pop_expired(at(2s), out);
  CHECK(out.size() == 100000);
  CHECK(q.empty());
  CHECK(q.sorted().empty());
}
