// PendingTable (loop/pending_table.h): the window of consecutive ids and the map beside
// it must behave as one map, whatever order ids come and go in.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "loop/pending_table.h"

using namespace elt;

namespace {

// What the table holds, listed in id order.
std::vector<std::pair<CallbackId, int>> contents(const PendingTable<std::unique_ptr<int>>& table) {
  std::vector<std::pair<CallbackId, int>> out;
  table.for_each([&](CallbackId id, const std::unique_ptr<int>& v) { out.emplace_back(id, *v); });
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("pending table: consecutive ids in, any order out", "[pending]") {
  PendingTable<std::unique_ptr<int>> table;
  for (CallbackId id = 1; id <= 5; ++id) table.emplace(id, std::make_unique<int>(static_cast<int>(id * 10)));
  REQUIRE(table.size() == 5);
  REQUIRE(*table.take(3).value() == 30);
  REQUIRE(*table.take(1).value() == 10);
  REQUIRE_FALSE(table.take(1).has_value());  // taken once only
  REQUIRE(table.find(3) == nullptr);
  REQUIRE(**table.find(4) == 40);
  REQUIRE(contents(table) == std::vector<std::pair<CallbackId, int>>{{2, 20}, {4, 40}, {5, 50}});
}

TEST_CASE("pending table: gaps, a jump past the window and an old id again", "[pending]") {
  PendingTable<std::unique_ptr<int>> table;
  table.emplace(10, std::make_unique<int>(1));
  table.emplace(14, std::make_unique<int>(2));    // ids 11..13 went to timers
  table.emplace(1000, std::make_unique<int>(3));  // far past the window: the map
  table.emplace(1001, std::make_unique<int>(4));
  REQUIRE(*table.take(10).value() == 1);
  table.emplace(10, std::make_unique<int>(5));  // a readFile trip registers its id again
  REQUIRE(table.size() == 4);
  REQUIRE(contents(table) == std::vector<std::pair<CallbackId, int>>{{10, 5}, {14, 2}, {1000, 3}, {1001, 4}});
  for (CallbackId id : {10, 14, 1000, 1001}) REQUIRE(table.take(id).has_value());
  REQUIRE(table.empty());
  table.shrink();
  table.emplace(5, std::make_unique<int>(7));  // an empty table starts its window anywhere
  REQUIRE(**table.find(5) == 7);
}

TEST_CASE("pending table: agrees with std::map under random use", "[pending]") {
  std::mt19937 rng(22);
  PendingTable<std::unique_ptr<int>> table;
  std::map<CallbackId, int> model;
  CallbackId next = 0;
  for (int step = 0; step < 20000; ++step) {
    const auto roll = rng() % 10;
    if (roll < 5) {
      next += 1 + rng() % 12;  // sometimes past the largest gap the window bridges
      table.emplace(next, std::make_unique<int>(step));
      model[next] = step;
    } else if (roll < 9 && !model.empty()) {
      auto it = std::next(model.begin(), static_cast<long>(rng() % std::min<std::size_t>(model.size(), 4)));
      REQUIRE(*table.take(it->first).value() == it->second);
      if (roll == 8) {  // registered again under its old id
        table.emplace(it->first, std::make_unique<int>(-step));
        it->second = -step;
      } else {
        model.erase(it);
      }
    } else if (!model.empty()) {
      auto it = std::next(model.begin(), static_cast<long>(rng() % model.size()));
      REQUIRE(**table.find(it->first) == it->second);
    }
    REQUIRE(table.size() == model.size());
  }
  REQUIRE(contents(table) == std::vector<std::pair<CallbackId, int>>(model.begin(), model.end()));
}

TEST_CASE("pending table: a burst across many blocks, out in waves, then a second burst", "[pending]") {
  // 100,000 tasks queued at once (bench/scenarios/pool-all.json) fill hundreds of the
  // window's blocks; they come back in order, but a few late ones keep the front in place
  // while the window moves on past the blocks behind it.
  PendingTable<std::unique_ptr<int>> table;
  for (int round = 0; round < 2; ++round) {
    const CallbackId first = 1 + static_cast<CallbackId>(round) * 5000;
    for (CallbackId id = first; id < first + 3000; id += 3) table.emplace(id, std::make_unique<int>(static_cast<int>(id)));
    REQUIRE(table.size() == 1000);
    for (CallbackId id = first + 30; id < first + 3000; id += 3) REQUIRE(*table.take(id).value() == static_cast<int>(id));
    REQUIRE(contents(table) ==
            std::vector<std::pair<CallbackId, int>>{{first, static_cast<int>(first)},
                                                    {first + 3, static_cast<int>(first + 3)},
                                                    {first + 6, static_cast<int>(first + 6)},
                                                    {first + 9, static_cast<int>(first + 9)},
                                                    {first + 12, static_cast<int>(first + 12)},
                                                    {first + 15, static_cast<int>(first + 15)},
                                                    {first + 18, static_cast<int>(first + 18)},
                                                    {first + 21, static_cast<int>(first + 21)},
                                                    {first + 24, static_cast<int>(first + 24)},
                                                    {first + 27, static_cast<int>(first + 27)}});
    for (CallbackId id = first + 27;; id -= 3) {  // the late ones, newest first
      REQUIRE(*table.take(id).value() == static_cast<int>(id));
      if (id == first) break;
    }
    REQUIRE(table.empty());
    REQUIRE(table.find(first) == nullptr);
    table.shrink();
  }
}

// take_into (the poll phase's way out, issue 22): the entry moves once, straight into the
// caller's slot, from the window and from the map alike; a miss empties the slot.
TEST_CASE("pending table: take_into moves an entry out once", "[pending]") {
  struct Counted {
    int* moves;
    int value;
    Counted(int* m, int v) : moves(m), value(v) {}
    Counted(Counted&& other) noexcept : moves(other.moves), value(other.value) { ++*moves; }
    Counted& operator=(Counted&& other) noexcept {
      moves = other.moves;
      value = other.value;
      ++*moves;
      return *this;
    }
  };
  int moves = 0;
  PendingTable<Counted> table;
  table.emplace(1, &moves, 10);  // built in its slot from the arguments: no move
  REQUIRE(moves == 0);
  table.emplace(500, &moves, 20);  // past the window: built, then moved into the map
  moves = 0;
  std::optional<Counted> out;
  REQUIRE(table.take_into(1, out));
  REQUIRE(out->value == 10);
  REQUIRE(moves == 1);
  REQUIRE(table.take_into(500, out));
  REQUIRE(out->value == 20);
  REQUIRE_FALSE(table.take_into(1, out));  // taken once only
  REQUIRE_FALSE(out.has_value());
  REQUIRE(table.empty());
}
