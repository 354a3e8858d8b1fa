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
  // Ids grow with registration order in the runtime, so appending keeps each group in
  // id order; an out-of-order id (tests) is inserted in place.
  void add(TimePoint deadline, CallbackId id, Payload payload) {
    auto& group = groups_[deadline];
    if (group.empty() || group.back().id < id) {
      group.push_back(Entry{id, std::move(payload)});
    } else {
      auto at = std::upper_bound(group.begin(), group.end(), id,
                                 [](CallbackId v, const Entry& e) { return v < e.id; });
      group.insert(at, Entry{id, std::move(payload)});
    }
    ++size_;
  }

  // Removes one timer (clearTimeout). False when it is not there.
  bool remove(TimePoint deadline, CallbackId id) {
    auto group = groups_.find(deadline);
    if (group == groups_.end()) return false;
    auto& entries = group->second;
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
    return DeadlineKey{groups_.begin()->first, groups_.begin()->second.front().id};
  }

  // Removes every timer due at `now` (deadline <= now), earliest first, and hands each to
  // `each(id, payload)`.
  template <class Each>
  void pop_expired(TimePoint now, Each&& each) {
    while (!groups_.empty() && groups_.begin()->first <= now) {
      auto node = groups_.extract(groups_.begin());
      size_ -= node.mapped().size();
      for (auto& entry : node.mapped()) each(entry.id, std::move(entry.payload));
    }
  }

  // The first `cap` timers (every one by default), earliest first (for the state view).
  std::vector<DeadlineKey> sorted(std::size_t cap = static_cast<std::size_t>(-1)) const {
    std::vector<DeadlineKey> out;
    out.reserve(std::min(size_, cap));
    for (const auto& [deadline, group] : groups_) {
      for (const auto& entry : group) {
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
  std::map<TimePoint, std::vector<Entry>> groups_;
  std::size_t size_ = 0;
};

}  // namespace elt
