// The model's pool rule (LoopModel::pool), built by make_model_parts (loop/model_parts.cpp):
// which thread takes a task, and when a thread that finished is free again. PoolPolicy
// (pool/thread_pool.h) describes the two; these classes are them.
//
// The book's rule: the loop hands each task to the free thread that came back last (LIFO),
// a thread is free again once the loop has seen its completion, and a task that finds no
// free thread is bound at once to the thread planned to be free first. libuv's
// (src/threadpool.c `worker`): one FIFO queue, and a thread that finished takes the next
// task itself, or waits idle.
// Thread contract: wait, start and idle are called with the pool's state lock held (as the
// branches they replaced were), by the loop thread or a worker; order_free by the
// constructor, before any task; loop_frees_thread reads nothing. The rules hold no state.
#pragma once

#include <cstddef>
#include <memory>

#include "pool/thread_pool.h"

namespace elt {

class PoolRule {
 public:
  virtual ~PoolRule() = default;
  // The free list as the constructor made it, [0, 1, ..., N-1]: put in hand-out order
  // (free_.back() is handed out first).
  virtual void order_free(ThreadPool& pool) const = 0;
  // A task that finds no free thread.
  virtual void wait(ThreadPool& pool, Task task, TimePoint now) const = 0;
  // A task that takes the free thread `w`: what the thread is sent.
  virtual ThreadPool::Mail start(ThreadPool& pool, ThreadPool::Worker& w, Task task, TimePoint now) const = 0;
  // Whether the loop's seeing a completion frees the thread (on_completion); if not, the
  // worker freed itself when it finished (idle below).
  virtual bool loop_frees_thread() const = 0;
  // Worker `index` finished and nothing waits for it: what it does until the next task.
  virtual void idle(ThreadPool& pool, ThreadPool::Worker& w, std::size_t index) const = 0;
};

// The two rules (pool/pool_rule.cpp).
std::unique_ptr<PoolRule> make_book_lifo_rule();
std::unique_ptr<PoolRule> make_libuv_fifo_rule();

}  // namespace elt
