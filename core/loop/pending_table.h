// PendingTable: the callbacks of pool tasks and requests not yet run, by callback id.
//
// libuv needs no such table (a uv_work_t carries its own after_work pointer); we keep one
// because a completion crosses threads carrying only its id, and the trace and the state
// view name callbacks by id. Ids come from one counter (common/ids.h), so a burst of
// registrations takes consecutive ids, and completions come back roughly in the order
// the tasks were queued. The table is built for that: a window, a deque of slots indexed
// by `id - base`, takes an id at its end (after at most kMaxGap unused ids, which the
// timers and immediates registered in between have taken) and gives slots back from its
// front. An id that does not fit (an old id registered again, as the trips of
// fs.readFile do, or a jump past kMaxGap) goes to an ordinary hash map.
//
// Why not the hash map alone: for 100,000 tasks queued at once, tsl::robin_map cost 250
// instructions a registration (its rehashes move every callback several times) and 16 MB
// of buckets touched for the first time, each page a fault (callgrind, perf record).
//
// Owns: the entries. Thread contract: none of its own; the runtime uses it on the loop
// thread only.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

#include <tsl/robin_map.h>

#include "common/check.h"
#include "common/time.h"

namespace elt {

template <class T>
class PendingTable {
 public:
  // Adds `value` under `id`, which must not be in the table.
  void emplace(CallbackId id, T value) {
    if (window_.empty()) base_ = id;
    const CallbackId end = base_ + window_.size();
    if (id >= end && id - end <= kMaxGap) {
      window_.resize(window_.size() + (id - end));  // the ids others took: empty slots
      window_.emplace_back(std::move(value));
      ++in_window_;
      return;
    }
    if (id >= base_ && id < end && !window_[id - base_]) {
      window_[id - base_].emplace(std::move(value));
      ++in_window_;
      return;
    }
    ensure(!(id >= base_ && id < end), "a callback id registered twice");
    ensure(others_.emplace(id, std::move(value)).second, "a callback id registered twice");
  }

  // The entry under `id`, or nullptr.
  T* find(CallbackId id) {
    if (std::optional<T>* slot = window_slot(id)) return &**slot;
    auto it = others_.find(id);
    return it == others_.end() ? nullptr : &it.value();
  }

  // Removes the entry under `id` and returns it; nullopt when there is none.
  std::optional<T> take(CallbackId id) {
    std::optional<T> out;
    if (std::optional<T>* slot = window_slot(id)) {
      out = std::move(*slot);
      slot->reset();
      --in_window_;
      while (!window_.empty() && !window_.front()) {  // hand the front's slots back
        window_.pop_front();
        ++base_;
      }
      return out;
    }
    auto it = others_.find(id);
    if (it == others_.end()) return out;
    out = std::move(it.value());
    others_.erase(it);
    return out;
  }

  std::size_t size() const { return in_window_ + others_.size(); }
  bool empty() const { return size() == 0; }

  // When empty, hands a burst's memory back (the window's chunks, the map's buckets).
  void shrink() {
    if (!empty()) return;
    std::deque<std::optional<T>>().swap(window_);
    others_.rehash(0);
  }

  // f(id, const T&) for every entry, in no particular order.
  template <class F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i < window_.size(); ++i) {
      if (window_[i]) f(base_ + i, *window_[i]);
    }
    for (const auto& [id, value] : others_) f(id, value);
  }

 private:
  // How many unused ids may sit between two entries of the window: each costs an empty
  // slot, so this bounds the window's memory at (kMaxGap + 1) slots per live entry.
  static constexpr CallbackId kMaxGap = 8;

  std::optional<T>* window_slot(CallbackId id) {
    if (id < base_ || id - base_ >= window_.size()) return nullptr;
    std::optional<T>& slot = window_[id - base_];
    return slot ? &slot : nullptr;
  }

  CallbackId base_ = 0;                  // the id of window_.front()
  std::deque<std::optional<T>> window_;  // a deque: growing it moves no entry
  std::size_t in_window_ = 0;            // the window's slots that hold an entry
  tsl::robin_map<CallbackId, T> others_;
};

}  // namespace elt
