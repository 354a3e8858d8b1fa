#include "timers/timer_queue.h"

#include <algorithm>
#include <functional>

namespace elt {

namespace {
// After a burst (a million timers) the heap's capacity would stay at its peak; give the
// memory back once the queue is small again, so memory follows pending work, not history.
constexpr std::size_t kShrinkAbove = 4096;
}  // namespace

void TimerQueue::add(TimePoint deadline, CallbackId id) {
  heap_.push_back(DeadlineKey{deadline, id});
  std::push_heap(heap_.begin(), heap_.end(), std::greater<>{});
}

std::optional<DeadlineKey> TimerQueue::next() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.front();
}

void TimerQueue::pop_expired(TimePoint now, std::vector<CallbackId>& out) {
  while (!heap_.empty() && heap_.front().deadline <= now) {
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>{});
    out.push_back(heap_.back().id);
    heap_.pop_back();
  }
  if (heap_.capacity() > kShrinkAbove && heap_.size() < heap_.capacity() / 4) {
    heap_.shrink_to_fit();
  }
}

std::vector<DeadlineKey> TimerQueue::sorted() const {
  std::vector<DeadlineKey> out = heap_;
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace elt
