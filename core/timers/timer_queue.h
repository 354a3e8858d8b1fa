// The loop's timers, ordered by (deadline, id).
//
// Mirrors libuv's timer heap (src/timer.c): a binary min-heap keyed by deadline and then
// by the order of registration, so two timers with the same deadline fire in the order
// they were set. The book keyed its timers by deadline alone, so the second of two equal
// deadlines overwrote the first; here both are kept.
// Owns: deadlines and ids only (callbacks live in the runtime). Loop thread only.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "common/time.h"

namespace elt {

class TimerQueue {
 public:
  void add(TimePoint deadline, CallbackId id);
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  std::optional<DeadlineKey> next() const;
  // Removes every timer due at `now` (deadline <= now) and appends its id to `out`,
  // earliest first.
  void pop_expired(TimePoint now, std::vector<CallbackId>& out);
  // Every timer, earliest first (for the stepper's state view).
  std::vector<DeadlineKey> sorted() const;

 private:
  std::vector<DeadlineKey> heap_;  // std::push_heap with greater<>: the front is the minimum
};

}  // namespace elt
