// The two pool rules (pool/pool_rule.h). Each is a friend of ThreadPool: it works on the
// pool's own records, under its lock, as the branches it replaced did.
#include "pool/pool_rule.h"

#include <algorithm>
#include <functional>
#include <utility>

namespace elt {

class BookLifoRule final : public PoolRule {
 public:
  // [0, 1, ..., N-1] as it is: the first task goes to pool N-1, as in the book.
  void order_free(ThreadPool& /*pool*/) const override {}
  void wait(ThreadPool& pool, Task task, TimePoint now) const override { pool.bind_locked(std::move(task), now); }
  ThreadPool::Mail start(ThreadPool& pool, ThreadPool::Worker& w, Task task, TimePoint now) const override {
    w.free_at = DeadlineKey{now, task.id};  // a fresh plan: it starts now
    return pool.plan_locked(w, std::move(task), now);
  }
  bool loop_frees_thread() const override { return true; }
  // The thread stays busy until the loop sees its completion (on_completion frees it).
  void idle(ThreadPool& /*pool*/, ThreadPool::Worker& /*w*/, std::size_t /*index*/) const override {}
};

// Which idle thread libuv wakes is up to the OS; here it is the lowest-numbered idle
// thread, so that a run is reproducible.
class LibuvFifoRule final : public PoolRule {
 public:
  // Lowest index first: keep the free list sorted high to low and take back().
  void order_free(ThreadPool& pool) const override { std::reverse(pool.free_.begin(), pool.free_.end()); }
  void wait(ThreadPool& pool, Task task, TimePoint /*now*/) const override { pool.queue_.push_back(std::move(task)); }
  ThreadPool::Mail start(ThreadPool& pool, ThreadPool::Worker& w, Task task, TimePoint now) const override {
    return pool.start_queued_locked(w, std::move(task), now);
  }
  bool loop_frees_thread() const override { return false; }
  // libuv's worker goes straight back to waiting on the queue: free now, in index order
  // so that the lowest idle thread is taken next.
  void idle(ThreadPool& pool, ThreadPool::Worker& w, std::size_t index) const override {
    w.busy = false;
    w.task_id = 0;
    auto at = std::lower_bound(pool.free_.begin(), pool.free_.end(), index, std::greater<>());
    pool.free_.insert(at, index);
  }
};

std::unique_ptr<PoolRule> make_book_lifo_rule() { return std::make_unique<BookLifoRule>(); }
std::unique_ptr<PoolRule> make_libuv_fifo_rule() { return std::make_unique<LibuvFifoRule>(); }

}  // namespace elt
