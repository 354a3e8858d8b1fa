// The loop's timers, ordered by (deadline, id).
//
// Mirrors the job of libuv's timer heap (src/timer.c): the earliest deadline first, and
// two timers with the same deadline in the order they were set. The book keyed its timers
// by deadline alone, so the second of two equal deadlines overwrote the first; here both
// are kept.
//
// Divergence: libuv keeps a binary heap of timer handles. Here timers are grouped by
// deadline: a sorted map from deadline to the timers due then, in registration order.
// Deadlines count from the loop's cached time, so the timers a program sets in one go
// share a few deadlines: a million timers over 1000 ms make 1000 groups, and expiring a
// group costs one map step instead of a heap sift per timer (which, with a million
// entries, is mostly cache misses).
//
// Owns: each timer's payload (the runtime's callback) until it expires. Loop thread only.
#pragma once

#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "common/time.h"

namespace elt {

template <class Payload>
class TimerQueue {
 public:
  // Ids grow with registration order in the runtime, so appending usually keeps a group in
  // id order. An interval re-armed from its callback keeps its old id and lands behind the
  // timers its siblings registered meanwhile: the group is then marked unsorted and
  // sorted once, when it is next looked at. Inserting each such id in place instead cost
  // a move of half the group per timer, quadratic in a tick's timers (30 nested intervals
  // double theirs every tick: at 64,000 per tick the loop crawled).
  void add(TimePoint deadline, CallbackId id, Payload payload) {
    Group& group = groups_[deadline];
    if (!group.entries.empty() && id < group.entries.back().id) group.sorted = false;
    group.entries.push_back(Entry{id, std::move(payload)});
    ++size_;
  }

  // Removes one timer (clearTimeout). False when it is not there.
  bool remove(TimePoint deadline, CallbackId id) {
    auto group = groups_.find(deadline);
    if (group == groups_.end()) return false;
    auto& entries = group->second.entries;
    auto at = std::find_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.id == id; });
    if (at == entries.end()) return false;
    entries.erase(at);
    if (entries.empty()) groups_.erase(group);
    --size_;
    return true;
  }

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  std::optional<DeadlineKey> next() const {
    if (groups_.empty()) return std::nullopt;
    return DeadlineKey{groups_.begin()->first, in_order(groups_.begin()->second).front().id};
  }

  // Removes every timer due at `now` (deadline <= now), earliest first, and hands each to
  // `each(id, payload)`.
  template <class Each>
  void pop_expired(TimePoint now, Each&& each) {
    while (!groups_.empty() && groups_.begin()->first <= now) {
      auto node = groups_.extract(groups_.begin());
      auto& entries = in_order(node.mapped());
      size_ -= entries.size();
      for (auto& entry : entries) each(entry.id, std::move(entry.payload));
    }
  }

  // The first `cap` timers (every one by default), earliest first (for the state view).
  std::vector<DeadlineKey> sorted(std::size_t cap = static_cast<std::size_t>(-1)) const {
    std::vector<DeadlineKey> out;
    out.reserve(std::min(size_, cap));
    for (auto& [deadline, group] : groups_) {
      for (const auto& entry : in_order(group)) {
        if (out.size() == cap) return out;
        out.push_back(DeadlineKey{deadline, entry.id});
      }
    }
    return out;
  }

 private:
  struct Entry {
    CallbackId id;
    Payload payload;
  };
  struct Group {
    std::vector<Entry> entries;
    bool sorted = true;  // entries in id order
  };
  // Sorting a group changes no timer and no order anyone can observe: the const
  // readers (next, sorted) may do it too.
  static std::vector<Entry>& in_order(Group& group) {
    if (!group.sorted) {
      std::sort(group.entries.begin(), group.entries.end(), [](const Entry& a, const Entry& b) { return a.id < b.id; });
      group.sorted = true;
    }
    return group.entries;
  }
  mutable std::map<TimePoint, Group> groups_;
  std::size_t size_ = 0;
};

}  // namespace elt
