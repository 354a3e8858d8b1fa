#include "pool/thread_pool.h"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include <new>
#include <system_error>

#include "clock/clock.h"
#include "clock/participant_thread.h"
#include "common/check.h"
#include "common/thread_name.h"
#include "channel/channel.h"
#include "trace/tracer.h"

namespace elt {

namespace {
// An exception must not leave a pool thread (std::thread would call std::terminate): an
// allocation that fails, or any other exception, fails this task and only this task.
Outcome run_guarded(const std::function<Outcome()>& work) {
  try {
    return work();
  } catch (const std::bad_alloc&) {
    return Outcome::fail("out of memory");
  } catch (const std::exception& e) {
    return Outcome::fail(e.what());
  }
}
}  // namespace

std::string_view to_string(TaskKind kind) {
  switch (kind) {
    case TaskKind::FileRead: return "File read";
    case TaskKind::Encrypt: return "Encrypt";
    case TaskKind::Close: return "Close";
    case TaskKind::FsOpen: return "fs.open";
    case TaskKind::FsFstat: return "fs.fstat";
    case TaskKind::FsRead: return "fs.read";
    case TaskKind::FsClose: return "fs.close";
    case TaskKind::Lookup: return "getaddrinfo";
  }
  return "?";
}

ThreadPool::ThreadPool(std::size_t threads, Clock& clock, Tracer& tracer,
                       CompletionChannel& channel, PoolPolicy policy)
    : clock_(clock), tracer_(tracer), channel_(channel), policy_(policy) {
  ensure(threads >= 1, "a pool needs at least one thread");
  workers_.reserve(threads);
  free_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    try {
      auto worker = std::make_unique<Worker>();
      worker->name = fmt::format("pool{}", i);
      Worker& w = *worker;
      workers_.push_back(std::move(worker));
      w.thread = start_participant_thread(clock_, w.name, w.participant, [this, i] { run_worker(i); });
    } catch (const std::exception& e) {
      // A process or memory limit (EAGAIN, ENOMEM, bad_alloc): close the threads that did
      // start, in the usual order, and say which one could not.
      if (!workers_.empty() && !workers_.back()->thread.joinable()) workers_.pop_back();
      shutdown();
      std::error_code code = std::make_error_code(std::errc::resource_unavailable_try_again);
      if (const auto* system = dynamic_cast<const std::system_error*>(&e)) code = system->code();
      throw std::system_error(code, fmt::format("starting pool thread {} of {} (lower --threads, or raise the "
                                                "process and memory limits)",
                                                i + 1, threads));
    }
    free_.push_back(i);  // [0, 1, ..., N-1]: the first task goes to pool N-1, as in the book
  }
  // libuv: lowest index first, so keep the free list sorted high to low and take back().
  if (policy_ == PoolPolicy::LibuvFifo) std::reverse(free_.begin(), free_.end());
}

ThreadPool::~ThreadPool() { shutdown(); }

bool ThreadPool::submit(Task task, TimePoint now) {
  std::size_t index = 0;
  {
    std::lock_guard lock(state_mutex_);
    ensure(!shut_down_, "submit after shutdown");
    if (free_.empty()) {
      queue_.push_back(std::move(task));
      return false;
    }
    index = free_.back();
    free_.pop_back();
  }
  hand_out(index, std::move(task), now);
  return true;
}

// Marks `w` as running `task` from `now` and prepares its mail. Lock held.
ThreadPool::Mail ThreadPool::start_locked(Worker& w, Task task, TimePoint now) {
  w.busy = true;
  w.task_id = task.id;
  w.kind = task.kind;
  w.since = now;
  w.until.reset();
  Mail mail{std::move(task), std::nullopt};
  if (mail.task.simulated_latency > Duration::zero()) {
    mail.simulated_until = DeadlineKey{now + mail.task.simulated_latency, mail.task.id};
    simulated_.insert(*mail.simulated_until);
    w.until = mail.simulated_until->deadline;
  }
  return mail;
}

void ThreadPool::hand_out(std::size_t index, Task task, TimePoint now) {
  Worker& w = *workers_[index];
  Mail mail;
  {
    std::lock_guard lock(state_mutex_);
    mail = start_locked(w, std::move(task), now);
  }
  clock_.wake(w.participant);
  {
    std::lock_guard lock(w.mutex);
    w.mailbox.push_back(std::move(mail));
  }
  w.wakeup.notify_one();
  clock_.yield_to(w.participant);
}

void ThreadPool::on_completion(std::size_t thread, CallbackId id, TimePoint now) {
  ensure(thread < workers_.size(), "completion from an unknown thread");
  if (policy_ == PoolPolicy::LibuvFifo) return;  // the worker freed itself when it finished
  Worker& w = *workers_[thread];
  std::optional<Task> next;
  {
    std::lock_guard lock(state_mutex_);
    ensure(w.busy, "completion from an idle thread");
    if (w.task_id != id) return;  // it has already taken a queued task itself
    w.busy = false;
    w.task_id = 0;
    if (!queue_.empty()) {
      next = std::move(queue_.front());
      queue_.pop_front();
    }
  }
  if (next) {
    hand_out(thread, std::move(*next), now);
  } else {
    std::lock_guard lock(state_mutex_);
    free_.push_back(thread);
  }
}

std::size_t ThreadPool::queued() const {
  std::lock_guard lock(state_mutex_);
  return queue_.size();
}

void ThreadPool::note_arrived(const DeadlineKey& key) {
  std::lock_guard lock(state_mutex_);
  simulated_.erase(key);
}

std::optional<DeadlineKey> ThreadPool::earliest_simulated() const {
  std::lock_guard lock(state_mutex_);
  if (simulated_.empty()) return std::nullopt;
  return *simulated_.begin();
}

void ThreadPool::shutdown() {
  {
    std::lock_guard lock(state_mutex_);
    if (shut_down_) return;
    shut_down_ = true;
    queue_.clear();  // stopped early: what never started is dropped, not run
  }
  for (auto& worker : workers_) {
    clock_.wake(worker->participant);
    {
      std::lock_guard lock(worker->mutex);
      worker->mailbox.push_back(Mail{Task{}, std::nullopt});  // a default Task is Close
    }
    worker->wakeup.notify_one();
    if (worker->thread.joinable()) {
      clock_.will_join(worker->participant);
      clock_.block();
      worker->thread.join();
      clock_.resume();
    }
  }
}

void ThreadPool::run_worker(std::size_t index) {
  Worker& w = *workers_[index];
  set_thread_name(w.name);
  request_precise_timers();
  clock_.bind(w.participant);
  std::optional<Mail> carried;  // a queued task taken right after the previous one
  for (;;) {
    Mail mail;
    if (carried) {
      mail = std::move(*carried);
      carried.reset();
    } else {
      std::unique_lock lock(w.mutex);
      if (w.mailbox.empty()) {
        clock_.block();
        w.wakeup.wait(lock, [&] { return !w.mailbox.empty(); });
        lock.unlock();
        clock_.resume();
        lock.lock();
      }
      mail = std::move(w.mailbox.front());
      w.mailbox.pop_front();
    }
    const Task& task = mail.task;
    if (tracer_.active()) {
      tracer_.emit({.kind = EventKind::TaskReceived, .id = task.id, .what = to_string(task.kind)});
    }
    if (task.kind == TaskKind::Close) {
      clock_.exit_participant();
      return;
    }

    bool slept = !mail.simulated_until || clock_.sleep_until(*mail.simulated_until);
    if (slept && mail.simulated_until && tracer_.wants_markers()) {
      tracer_.emit({.kind = EventKind::TaskWork, .id = task.id, .what = to_string(task.kind)});
    }
    Outcome outcome = !slept      ? Outcome::fail("interrupted by shutdown")
                      : task.work ? run_guarded(task.work)
                                  : Outcome::ok(Value{});
    if (tracer_.active()) {
      tracer_.emit({.kind = EventKind::TaskFinished, .id = task.id, .what = to_string(task.kind)});
    }

    TaskDone done{index, task.id, std::move(outcome), mail.simulated_until};
    {
      // Take the next queued task now, before the loop sees this completion: the loop
      // then knows this thread is busy again (on_completion checks the task id).
      std::lock_guard lock(state_mutex_);
      if (!queue_.empty()) {
        Task next = std::move(queue_.front());
        queue_.pop_front();
        carried = start_locked(w, std::move(next), clock_.now());
      } else if (policy_ == PoolPolicy::LibuvFifo) {
        // libuv's worker goes straight back to waiting on the queue: free now, in index
        // order so that the lowest idle thread is taken next.
        w.busy = false;
        w.task_id = 0;
        auto at = std::lower_bound(free_.begin(), free_.end(), index, std::greater<>());
        free_.insert(at, index);
      }
    }
    channel_.post(std::move(done));
  }
}

std::vector<ThreadPool::WorkerView> ThreadPool::workers() const {
  std::lock_guard lock(state_mutex_);
  std::vector<WorkerView> out;
  for (const auto& w : workers_) out.push_back({w->name, w->busy, w->task_id, w->kind, w->since, w->until});
  return out;
}

std::vector<std::pair<CallbackId, TaskKind>> ThreadPool::queued_tasks() const {
  std::lock_guard lock(state_mutex_);
  std::vector<std::pair<CallbackId, TaskKind>> out;
  for (const auto& t : queue_) out.emplace_back(t.id, t.kind);
  return out;
}

}  // namespace elt
