// PendingTable: the callbacks of pool tasks and requests not yet run, by callback id.
//
// libuv needs no such table (a uv_work_t carries its own after_work pointer); we keep one
// because a completion crosses threads carrying only its id, and the trace and the state
// view name callbacks by id. Ids come from one counter (common/ids.h), so a burst of
// registrations takes consecutive ids, and completions come back roughly in the order
// the tasks were queued. The table is built for that: a window of slots indexed by
// `id - base` takes an id at its end (after at most kMaxGap unused ids, which the
// timers and immediates registered in between have taken) and gives slots back from its
// front. An id that does not fit (an old id registered again, as the trips of
// fs.readFile do, or a jump past kMaxGap) goes to an ordinary hash map.
//
// The window lives in blocks of kBlockSlots slots (a power of two, so that finding a slot
// is a shift and a mask), listed in order; a block the window has left goes back to a
// spare, so that a steady stream of tasks allocates nothing. std::deque, used before, is
// the same idea with chunks of 512 bytes (nine entries), a division per index and an
// allocation per chunk; a single ring that doubles moved every entry again at each
// doubling and touched twice the memory, each new page a fault.
//
// Why not the hash map alone: for 100,000 tasks queued at once, tsl::robin_map cost 250
// instructions a registration (its rehashes move every callback several times) and 16 MB
// of buckets touched for the first time, each page a fault (callgrind, perf record).
//
// Owns: the entries. Thread contract: none of its own; the runtime uses it on the loop
// thread only.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <tsl/robin_map.h>

#include "common/check.h"
#include "common/time.h"

namespace elt {

template <class T>
class PendingTable {
 public:
  PendingTable() = default;
  PendingTable(const PendingTable&) = delete;
  PendingTable& operator=(const PendingTable&) = delete;

  // Adds T(args...) under `id`, which must not be in the table. Built in its slot: a
  // callback is moved once (into the table), not once per call it passes through (each
  // move of a SmallFunction is an indirect call).
  template <class... Args>
  void emplace(CallbackId id, Args&&... args) {
    if (length_ == 0) base_ = id;
    const CallbackId end = base_ + length_;
    if (id >= end && id - end <= kMaxGap) {
      const std::size_t at = length_ + (id - end);  // the ids others took stay empty slots
      while (((first_ + at) >> kShift) >= blocks_.size()) add_block();
      slot(at).emplace(std::forward<Args>(args)...);
      length_ = at + 1;
      ++in_window_;
      return;
    }
    if (id >= base_ && id < end && !slot(id - base_)) {
      slot(id - base_).emplace(std::forward<Args>(args)...);
      ++in_window_;
      return;
    }
    ensure(!(id >= base_ && id < end), "a callback id registered twice");
    ensure(others_.emplace(id, T(std::forward<Args>(args)...)).second, "a callback id registered twice");
  }

  // The entry under `id`, or nullptr.
  T* find(CallbackId id) {
    if (std::optional<T>* s = window_slot(id)) return &**s;
    auto it = others_.find(id);
    return it == others_.end() ? nullptr : &it.value();
  }

  // Removes the entry under `id` and returns it; nullopt when there is none.
  std::optional<T> take(CallbackId id) {
    std::optional<T> out;
    take_into(id, out);
    return out;
  }

  // The same into `out` (emptied first), with no temporary: one move of the entry.
  // False when there is none.
  bool take_into(CallbackId id, std::optional<T>& out) {
    out.reset();
    if (std::optional<T>* s = window_slot(id)) {
      out.emplace(std::move(**s));
      s->reset();
      --in_window_;
      while (length_ > 0 && !slot(0)) pop_front();  // hand the front's slots back
      return true;
    }
    auto it = others_.find(id);
    if (it == others_.end()) return false;
    out.emplace(std::move(it.value()));
    others_.erase(it);
    return true;
  }

  std::size_t size() const { return in_window_ + others_.size(); }
  bool empty() const { return size() == 0; }

  // When empty, hands a burst's memory back (the blocks, the map's buckets). One block
  // stays as the spare: a loop that empties the table every tick (one task at a time)
  // would otherwise allocate a block for every task.
  void shrink() {
    if (!empty()) return;
    if (!spare_ && !blocks_.empty()) spare_ = std::move(blocks_.front());
    if (blocks_.capacity() > kKeepBlocks) {
      std::vector<std::unique_ptr<Block>>().swap(blocks_);
    } else {
      blocks_.clear();
    }
    first_ = 0;
    others_.rehash(0);
  }

  // f(id, const T&) for every entry, in no particular order.
  template <class F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i < length_; ++i) {
      const std::size_t at = first_ + i;
      const std::optional<T>& s = blocks_[at >> kShift]->slots[at & (kBlockSlots - 1)];
      if (s) f(base_ + i, *s);
    }
    for (const auto& [id, value] : others_) f(id, value);
  }

 private:
  // How many unused ids may sit between two entries of the window: each costs an empty
  // slot, so this bounds the window's memory at (kMaxGap + 1) slots per live entry.
  static constexpr CallbackId kMaxGap = 8;
  static constexpr std::size_t kShift = 8;
  static constexpr std::size_t kBlockSlots = std::size_t{1} << kShift;  // 256 slots a block
  static constexpr std::size_t kKeepBlocks = 64;  // the block list's room an empty table keeps

  // Every slot outside the window is empty, in the blocks and in the spare alike.
  struct Block {
    std::optional<T> slots[kBlockSlots];
  };

  // The window's i-th slot.
  std::optional<T>& slot(std::size_t i) {
    const std::size_t at = first_ + i;
    return blocks_[at >> kShift]->slots[at & (kBlockSlots - 1)];
  }

  std::optional<T>* window_slot(CallbackId id) {
    if (id < base_ || id - base_ >= length_) return nullptr;
    std::optional<T>& s = slot(id - base_);
    return s ? &s : nullptr;
  }

  // `new Block`, not make_unique<Block>(): value-initialising zeroed all 256 slots (a
  // 14 kB memset, about 56 instructions a task) before each optional's constructor marked
  // it empty anyway.
  void add_block() { blocks_.push_back(spare_ ? std::move(spare_) : std::unique_ptr<Block>(new Block)); }

  // The window's first slot (empty) leaves it; a block it has left becomes the spare.
  void pop_front() {
    ++base_;
    --length_;
    if (++first_ < kBlockSlots) return;
    first_ = 0;
    spare_ = std::move(blocks_.front());
    blocks_.erase(blocks_.begin());  // a few hundred pointers for a burst of 100,000
  }

  CallbackId base_ = 0;                         // the id of the window's first slot
  std::vector<std::unique_ptr<Block>> blocks_;  // the window's blocks, in order
  std::unique_ptr<Block> spare_;                // the last block the window left
  std::size_t first_ = 0;                       // the window's first slot in blocks_[0]
  std::size_t length_ = 0;                      // the window's slots, empty ones included
  std::size_t in_window_ = 0;                   // the window's slots that hold an entry
  tsl::robin_map<CallbackId, T> others_;
};

}  // namespace elt
