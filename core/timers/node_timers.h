// Node's timers as its JavaScript layer keeps them (lib/internal/timers.js).
//
// Node does not give every setTimeout a libuv timer. It keeps one list per duration
// (`timerListMap[msecs]`), each in insertion order, and a priority queue of those lists
// ordered by (expiry, list id) (`timerListQueue`, `compareTimersLists`); one libuv timer
// is armed for the earliest expiry. When it fires, `processTimers(now)` walks the lists
// due by `now`; `listOnTimeout` runs each timer of a list whose duration has passed since
// its start (`now - timer._idleStart >= msecs`) and, at the first one that has not,
// re-arms the list at max(start + msecs, now + 1) with a new list id, so it goes behind
// lists of equal expiry. Durations are whole milliseconds: `after *= 1; if (!(after >= 1
// && after <= TIMEOUT_MAX)) after = 1` in the Timeout constructor, so 0 is 1.
//
// Times here are milliseconds on the loop's clock (libuv's uv_now is in ms).
// Owns: each timer's payload until it runs or is cleared. Loop thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/time.h"

namespace elt {

template <class Payload>
class NodeTimerLists {
 public:
  static constexpr std::int64_t kTimeoutMax = 2147483647;  // TIMEOUT_MAX, 2^31 - 1

  // Node's coercion of a delay (Timeout's constructor).
  static std::int64_t coerce(std::int64_t ms) { return (ms >= 1 && ms <= kTimeoutMax) ? ms : 1; }

  // `insert(item, msecs, start)`: appends to the list of that duration, creating it (with
  // expiry start + msecs) when there is none.
  void insert(CallbackId id, std::int64_t msecs, std::int64_t start, std::int64_t repeat, Payload payload) {
    timers_.insert_or_assign(id, Timer{msecs, start, repeat, std::move(payload)});
    auto it = lists_.find(msecs);
    if (it == lists_.end()) {
      List list;
      list.expiry = start + msecs;
      list.id = ++list_ids_;
      it = lists_.emplace(msecs, std::move(list)).first;
      queue_.insert({it->second.expiry, it->second.id, msecs});
    }
    it->second.ids.push_back(id);
    ++it->second.live;
  }

  // clearTimeout: `unenroll` removes the timer from its list, and an empty list from the
  // queue. Returns false when the timer is not (or no longer) there.
  bool remove(CallbackId id) {
    auto t = timers_.find(id);
    if (t == timers_.end()) return false;
    std::int64_t msecs = t->second.msecs;
    timers_.erase(t);
    auto it = lists_.find(msecs);
    if (it != lists_.end() && --it->second.live == 0) drop_list(it);
    return true;
  }

  bool empty() const { return timers_.empty(); }
  std::size_t size() const { return timers_.size(); }
  bool contains(CallbackId id) const { return timers_.count(id) != 0; }

  // The earliest list's expiry: what Node arms its one libuv timer for.
  std::optional<std::int64_t> next_expiry() const {
    if (queue_.empty()) return std::nullopt;
    return std::get<0>(*queue_.begin());
  }

  // `processTimers(now)` and `listOnTimeout(list, now)`. `run(id, payload, repeat)` runs
  // one timer's callback (and may insert or remove timers); `between()` runs before every
  // timer but the first (Node's `runNextTicks()`). A repeating timer is handed back by
  // `run` returning true and is re-inserted with start = `restart()` (Node reads the
  // clock before the callback: `start = getLibuvNow()`).
  template <class Run, class Between, class Restart>
  void process(std::int64_t now, Run&& run, Between&& between, Restart&& restart) {
    bool ran = false;
    while (!queue_.empty()) {
      auto [expiry, list_id, msecs] = *queue_.begin();
      if (expiry > now) return;
      auto it = lists_.find(msecs);
      for (;;) {
        if (it == lists_.end()) break;
        List& list = it->second;
        // Skip timers cleared while they waited (unenroll leaves no hole in Node's
        // linked list; ours is a deque with tombstones).
        while (!list.ids.empty() && !is_live(list.ids.front(), msecs)) list.ids.pop_front();
        if (list.ids.empty()) {
          drop_list(it);
          break;
        }
        CallbackId id = list.ids.front();
        Timer& timer = timers_.at(id);
        if (now - timer.start < msecs) {
          queue_.erase({list.expiry, list.id, msecs});
          list.expiry = std::max(timer.start + msecs, now + 1);
          list.id = ++list_ids_;
          queue_.insert({list.expiry, list.id, msecs});
          break;
        }
        if (ran) between();
        ran = true;
        list.ids.pop_front();
        --list.live;
        Timer taken = std::move(timer);
        timers_.erase(id);
        std::int64_t start = taken.repeat > 0 ? restart() : 0;
        bool again = run(id, taken.payload, taken.repeat);
        if (again && taken.repeat > 0) insert(id, taken.repeat, start, taken.repeat, std::move(taken.payload));
        it = lists_.find(msecs);  // the callback may have added or dropped lists
        if (it != lists_.end() && it->second.live == 0 && it->second.ids.empty()) {
          drop_list(it);
          break;
        }
      }
    }
  }

  struct View {
    CallbackId id;
    std::int64_t msecs;
    std::int64_t due;  // start + msecs
  };
  struct ListView {
    std::int64_t msecs;
    std::vector<View> items;  // the first `cap` of its live timers
    std::size_t live;         // how many it has
  };
  // Lists in the order they would run, each timer in its list's order (the stepper's view):
  // the first `cap` lists with their first `cap` timers each (all by default).
  std::vector<ListView> lists(std::size_t cap = static_cast<std::size_t>(-1)) const {
    std::vector<ListView> out;
    for (const auto& [expiry, list_id, msecs] : queue_) {
      (void)list_id;
      (void)expiry;
      if (out.size() == cap) break;
      const List& list = lists_.at(msecs);
      ListView view{msecs, {}, list.live};
      for (CallbackId id : list.ids) {
        if (view.items.size() == cap) break;
        if (!is_live(id, msecs)) continue;
        view.items.push_back({id, msecs, timers_.at(id).start + msecs});
      }
      out.push_back(std::move(view));
    }
    return out;
  }

 private:
  struct Timer {
    std::int64_t msecs;
    std::int64_t start;   // _idleStart
    std::int64_t repeat;  // _repeat (setInterval), 0 for none
    Payload payload;
  };
  struct List {
    std::deque<CallbackId> ids;  // insertion order; may hold ids cleared since
    std::size_t live = 0;
    std::int64_t expiry = 0;
    std::uint64_t id = 0;
  };

  bool is_live(CallbackId id, std::int64_t msecs) const {
    auto t = timers_.find(id);
    return t != timers_.end() && t->second.msecs == msecs;
  }
  void drop_list(typename std::map<std::int64_t, List>::iterator it) {
    queue_.erase({it->second.expiry, it->second.id, it->first});
    lists_.erase(it);
  }

  std::unordered_map<CallbackId, Timer> timers_;
  std::map<std::int64_t, List> lists_;                            // timerListMap
  std::set<std::tuple<std::int64_t, std::uint64_t, std::int64_t>> queue_;  // (expiry, list id, msecs)
  std::uint64_t list_ids_ = 0;                                     // timerListId
};

}  // namespace elt
