// The thread pool: N named threads (pool0..poolN-1) that run file reads and CPU work.
//
// Mirrors the book's pool and libuv's threadpool (src/threadpool.c, UV_THREADPOOL_SIZE):
// a task is split in two, `work` on a pool thread and its callback on the loop thread.
// As in the book, the loop hands each task to one chosen thread, picking the free thread
// that came back last (a last-in-first-out list, so the first task goes to the highest
// numbered thread). Unlike the book, which panicked with "Out of threads." when more
// tasks than threads were in flight, a task that finds no free thread waits, as in libuv.
// Under the book model it is bound, when it queues, to the thread that is planned to be
// free first (see "Binding queued tasks" in thread_pool.cpp), and that thread runs it
// right after its current work, without a round trip through the loop; a thread with
// nothing bound to it is free again only once the loop has seen its completion, as in the
// book (so the thread whose completion the loop handles first is reused first). Under the
// node model a thread that finishes takes the front of one FIFO queue, as libuv's do.
//
// Owns: the threads, their mailboxes and the queue. Does not own callbacks (the runtime
// does). Thread contract: submit(), on_completion(), shutdown() and the queries are
// loop-thread only; workers touch their own mailbox, and the queue and the thread views
// under state_mutex_, and post results to the channel.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "clock/clock.h"
#include "common/task_kind.h"
#include "common/time.h"
#include "common/value.h"

namespace elt {

class Clock;
class CompletionChannel;
class PoolRule;
class Tracer;

// Which thread takes a task, and when a thread that finished is free again: the model's
// choice (LoopModel::pool), made into a PoolRule (pool/pool_rule.h) by make_model_parts.
enum class PoolPolicy {
  // The book: the loop hands each task to the free thread that came back last (LIFO), and
  // a thread is free again once the loop has seen its completion. A task that finds no
  // free thread is bound to the thread planned to be free first.
  BookLifo,
  // libuv (src/threadpool.c `worker`): one FIFO queue, and a thread that finished takes
  // the next task at once, or waits idle. Which idle thread libuv wakes is up to the OS;
  // here it is the lowest-numbered idle thread, so that a run is reproducible.
  LibuvFifo,
};

struct Task {
  CallbackId id = 0;
  TaskKind kind = TaskKind::Close;
  // How long the task pretends to take before its real work (the book sleeps 1000 ms to
  // stand in for a large file). Counted from the moment a thread takes the task.
  Duration simulated_latency{};
  // What the task is expected to cost when no latency is simulated for it: an encrypt's
  // cost_ms (or its estimate), which the real clock does not sleep through (the real work
  // is the cost there). The pool plans with the larger of the two, so that a queued task
  // is bound to the same thread on both clocks.
  Duration expected_cost{};
  std::function<Outcome()> work;  // runs on a pool thread
};

class ThreadPool {
 public:
  ThreadPool(std::size_t threads, Clock& clock, Tracer& tracer, CompletionChannel& channel,
             std::unique_ptr<const PoolRule> rule);  // the model's (pool/pool_rule.h)
  // With the book's rule (the unit tests' pool).
  ThreadPool(std::size_t threads, Clock& clock, Tracer& tracer, CompletionChannel& channel);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Hands the task to a free thread, or queues it. `now` is the loop's time: a
  // simulated latency ends at now + latency. Returns false when it had to queue.
  bool submit(Task&& task, TimePoint now);
  // The loop took the TaskDone of task `id` from `thread`: unless the thread has
  // already taken a queued task itself, it is free again (or takes the next queued one).
  void on_completion(std::size_t thread, CallbackId id, TimePoint now);
  // Close to every thread in order, joining each (the book's shutdown order).
  void shutdown();

  std::size_t size() const { return workers_.size(); }
  std::size_t queued() const;
  // The earliest simulated latency still running whose completion the loop has not yet
  // seen; see Runtime::poll_io for why the loop wants it.
  std::optional<DeadlineKey> earliest_simulated() const;
  void note_arrived(const DeadlineKey& key);

  struct WorkerView {
    std::string name;
    bool busy = false;
    CallbackId task_id = 0;
    TaskKind kind = TaskKind::Close;
    TimePoint since{};
    std::optional<TimePoint> until;  // when the task's simulated latency ends, if it has one
  };
  std::vector<WorkerView> workers() const;
  std::vector<std::pair<CallbackId, TaskKind>> queued_tasks() const;

 private:
  // The rules (pool/pool_rule.h) work on the records below, under state_mutex_.
  friend class PoolRule;
  friend class BookLifoRule;
  friend class LibuvFifoRule;
  struct Mail {
    Task task;
    std::optional<DeadlineKey> simulated_until;
  };
  // A task waiting for the thread it is bound to (BookLifo), with the key its simulated
  // latency will end at, fixed when it was bound.
  struct Bound {
    Mail mail;
    std::uint64_t seq = 0;  // the order it queued in, across threads (queued_tasks())
  };
  struct Worker {
    std::string name;
    std::thread thread;
    std::mutex mutex;                // guards mailbox
    std::condition_variable wakeup;  // signalled when mail arrives
    std::deque<Mail> mailbox;
    std::atomic<bool> has_mail{false};  // !mailbox.empty(), readable without the lock
    Participant participant = kNoParticipant;
    // What the worker is doing; guarded by ThreadPool::state_mutex_.
    bool busy = false;
    CallbackId task_id = 0;
    TaskKind kind = TaskKind::Close;
    TimePoint since{};
    std::optional<TimePoint> until;
    // BookLifo: the tasks bound to this thread, in order, and the moment it is planned to
    // be free, the key of the last of them (or of its running task) to end.
    std::deque<Bound> bound;
    DeadlineKey free_at{};
  };

  void hand_out(std::size_t index, Mail mail);
  Mail plan_locked(Worker& w, Task&& task, TimePoint start);
  void bind_locked(Task&& task, TimePoint now);
  void start_locked(Worker& w, const Mail& mail, TimePoint now);
  Mail start_queued_locked(Worker& w, Task&& task, TimePoint now);
  void run_worker(std::size_t index);
  // run_worker's steps, on the worker's own thread.
  Mail wait_for_mail(Worker& w);
  Outcome run_task(const Mail& mail);
  void take_next(Worker& w, std::size_t index, std::optional<Mail>& next);
  void spin_for_mail(Worker& w);

  Clock& clock_;
  Tracer& tracer_;
  CompletionChannel& channel_;
  std::vector<std::unique_ptr<Worker>> workers_;
  const std::unique_ptr<const PoolRule> rule_;

  mutable std::mutex state_mutex_;   // guards the five below and the workers' views
  // Free threads. BookLifo: back() is handed out next, and only the loop thread changes it
  // (a thread is freed when the loop sees its completion). LibuvFifo: the lowest index is
  // handed out next, and a worker frees itself when it finishes, hence the lock.
  std::vector<std::size_t> free_;
  std::deque<Task> queue_;           // LibuvFifo: tasks waiting for any thread
  std::uint64_t bound_seq_ = 0;      // BookLifo: tasks bound so far
  std::set<DeadlineKey> simulated_;  // running simulated latencies not yet seen by the loop
  bool shut_down_ = false;
  std::atomic<bool> spinning_{false};  // a worker is in spin_for_mail (at most one at a time)
};

}  // namespace elt
