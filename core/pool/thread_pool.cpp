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
#include "pool/pool_rule.h"
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

ThreadPool::ThreadPool(std::size_t threads, Clock& clock, Tracer& tracer,
                       CompletionChannel& channel, std::unique_ptr<const PoolRule> rule)
    : clock_(clock), tracer_(tracer), channel_(channel), rule_(std::move(rule)) {
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
    free_.push_back(i);  // [0, 1, ..., N-1]: the book's order (the first task goes to pool N-1)
  }
  rule_->order_free(*this);
}

ThreadPool::ThreadPool(std::size_t threads, Clock& clock, Tracer& tracer, CompletionChannel& channel)
    : ThreadPool(threads, clock, tracer, channel, make_book_lifo_rule()) {}

ThreadPool::~ThreadPool() { shutdown(); }

// Binding queued tasks (BookLifo).
//
// A task that finds every thread busy is bound at once to the thread that is planned to
// be free first, and that thread runs it as soon as its earlier work is done. Each
// thread's plan is the key of the end of its last task, `free_at`: a task started at `s`
// that is planned to take `d` ends at (s + d, its id), where `d` is its simulated latency
// or, for CPU work, its stated cost; ties go to the smaller key, the order in which the
// virtual clock wakes sleepers that are due at the same moment (virtual_clock.h), and a
// task planned to take no time leaves the key as it was, because under the virtual clock
// the thread that ran it still holds the baton and is first to take the next one.
//
// So the choice depends only on what the loop submitted and when, never on which thread
// a real scheduler wakes first: each thread's own sequence is the same in every run, and
// the same under the real clock as under the virtual one, where binding reproduces what
// a free-for-all queue gives (the first thread to finish takes the oldest queued task).
// A bound task's simulated latency is counted from its planned start, the end of the
// previous task's plan, not from the moment the real thread got round to it: its key is
// known when it is bound, and the loop orders completions by those keys
// (Runtime::poll_io), so it waits for a bound task with a smaller key, as it does for a
// running one. Under the real clock a bound task therefore ends on time even after a
// late wake-up, and a task whose real work overran its stated cost (an encrypt slower
// than its cost_ms) lets the next one start late and end at once.
// Divergence: libuv has no such plan (any idle worker takes the queue's front, which the
// node model, LibuvFifo, keeps); a real runtime cannot know how long a read will take.
ThreadPool::Mail ThreadPool::plan_locked(Worker& w, Task&& task, TimePoint now) {
  TimePoint start = std::max(w.free_at.deadline, now);
  Duration planned = std::max(task.simulated_latency, task.expected_cost);
  if (planned > Duration::zero()) {
    w.free_at = DeadlineKey{start + planned, task.id};
  } else if (start != w.free_at.deadline) {
    w.free_at = DeadlineKey{start, task.id};
  }
  Mail mail{std::move(task), std::nullopt};
  if (mail.task.simulated_latency > Duration::zero()) {
    mail.simulated_until = DeadlineKey{start + mail.task.simulated_latency, mail.task.id};
    simulated_.insert(*mail.simulated_until);
  }
  return mail;
}

void ThreadPool::bind_locked(Task&& task, TimePoint now) {
  auto first = std::min_element(workers_.begin(), workers_.end(),
                                [](const auto& a, const auto& b) { return a->free_at < b->free_at; });
  Worker& w = **first;
  ensure(w.busy, "a task bound to an idle thread");
  w.bound.push_back(Bound{plan_locked(w, std::move(task), now), ++bound_seq_});
}

// Task&& down the chain (and in start_queued_locked, take_next): a task is moved into the
// queue or a mail once, not once per call it passes through (four moves of its
// std::function and four destructions a task before).
bool ThreadPool::submit(Task&& task, TimePoint now) {
  std::size_t index = 0;
  Mail mail;
  {
    std::lock_guard lock(state_mutex_);
    ensure(!shut_down_, "submit after shutdown");
    if (free_.empty()) {
      rule_->wait(*this, std::move(task), now);
      return false;
    }
    index = free_.back();
    free_.pop_back();
    Worker& w = *workers_[index];
    mail = rule_->start(*this, w, std::move(task), now);
    start_locked(w, mail, now);
  }
  hand_out(index, std::move(mail));
  return true;
}

// Marks `w` as running `mail` from `now`. Lock held.
void ThreadPool::start_locked(Worker& w, const Mail& mail, TimePoint now) {
  w.busy = true;
  w.task_id = mail.task.id;
  w.kind = mail.task.kind;
  w.since = now;
  w.until.reset();
  if (mail.simulated_until) w.until = mail.simulated_until->deadline;
}

// LibuvFifo: a task's simulated latency starts when a thread takes it. Lock held.
ThreadPool::Mail ThreadPool::start_queued_locked(Worker& w, Task&& task, TimePoint now) {
  Mail mail{std::move(task), std::nullopt};
  if (mail.task.simulated_latency > Duration::zero()) {
    mail.simulated_until = DeadlineKey{now + mail.task.simulated_latency, mail.task.id};
    simulated_.insert(*mail.simulated_until);
  }
  start_locked(w, mail, now);
  return mail;
}

void ThreadPool::hand_out(std::size_t index, Mail mail) {
  Worker& w = *workers_[index];
  clock_.wake(w.participant);
  {
    std::lock_guard lock(w.mutex);
    w.mailbox.push_back(std::move(mail));
    w.has_mail.store(true, std::memory_order_release);
  }
  // Free of a system call when the worker is spinning rather than waiting (glibc's
  // pthread_cond_signal returns at once when the condition variable has no waiter).
  w.wakeup.notify_one();
  clock_.yield_to(w.participant);
}

void ThreadPool::on_completion(std::size_t thread, CallbackId id, TimePoint now) {
  ensure(thread < workers_.size(), "completion from an unknown thread");
  if (!rule_->loop_frees_thread()) return;  // the worker freed itself when it finished
  Worker& w = *workers_[thread];
  std::optional<Mail> next;
  {
    std::lock_guard lock(state_mutex_);
    ensure(w.busy, "completion from an idle thread");
    if (w.task_id != id) return;  // it has already started a task bound to it
    if (w.bound.empty()) {
      w.busy = false;
      w.task_id = 0;
      free_.push_back(thread);
      return;
    }
    // Bound to it after it had finished, while the loop had yet to see that: hand it over.
    next = std::move(w.bound.front().mail);
    w.bound.pop_front();
    start_locked(w, *next, now);
  }
  hand_out(thread, std::move(*next));
}

std::size_t ThreadPool::queued() const {
  std::lock_guard lock(state_mutex_);
  std::size_t n = queue_.size();
  for (const auto& w : workers_) n += w->bound.size();
  return n;
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
    for (auto& w : workers_) w->bound.clear();
  }
  for (auto& worker : workers_) {
    clock_.wake(worker->participant);
    {
      std::lock_guard lock(worker->mutex);
      worker->mailbox.push_back(Mail{Task{}, std::nullopt});  // a default Task is Close
      worker->has_mail.store(true, std::memory_order_release);
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

// A worker's life: take mail, run its task, hand the outcome to the loop; until Close.
void ThreadPool::run_worker(std::size_t index) {
  Worker& w = *workers_[index];
  set_thread_name(w.name);
  request_precise_timers();
  clock_.bind(w.participant);
  // The task in hand: a queued one taken right after the previous one (take_next), or
  // the next mail. Run where it lies, without moving it out first.
  std::optional<Mail> mail;
  for (;;) {
    if (!mail) mail.emplace(wait_for_mail(w));
    const Task& task = mail->task;
    if (tracer_.active()) {
      tracer_.emit({.kind = EventKind::TaskReceived, .id = task.id, .what = to_string(task.kind)});
    }
    if (task.kind == TaskKind::Close) {
      clock_.exit_participant();
      return;
    }
    TaskDone done{index, task.id, run_task(*mail), mail->simulated_until};
    take_next(w, index, mail);
    channel_.post(std::move(done));
  }
}

// The next mail in the worker's mailbox, waiting (spinning first: spin_for_mail) for one.
ThreadPool::Mail ThreadPool::wait_for_mail(Worker& w) {
  if (!w.has_mail.load(std::memory_order_acquire)) spin_for_mail(w);
  std::unique_lock lock(w.mutex);
  if (w.mailbox.empty()) {
    clock_.block();
    w.wakeup.wait(lock, [&] { return !w.mailbox.empty(); });
    lock.unlock();
    clock_.resume();
    lock.lock();
  }
  Mail mail = std::move(w.mailbox.front());
  w.mailbox.pop_front();
  if (w.mailbox.empty()) w.has_mail.store(false, std::memory_order_relaxed);
  return mail;
}

// Sleeps the task's simulated latency, then does its real work (a shutdown during the
// sleep fails it instead).
Outcome ThreadPool::run_task(const Mail& mail) {
  const Task& task = mail.task;
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
  return outcome;
}

// After a task: into `next` (emptied first), the task bound to this thread or queued for
// any, started now (the worker runs it next), or, under LibuvFifo with nothing waiting,
// nothing, and the thread freed.
void ThreadPool::take_next(Worker& w, std::size_t index, std::optional<Mail>& next) {
  next.reset();
  // Take the next bound or queued task now, before the loop sees this completion:
  // the loop then knows this thread is busy again (on_completion checks the task id).
  std::lock_guard lock(state_mutex_);
  if (!w.bound.empty()) {
    next.emplace(std::move(w.bound.front().mail));
    w.bound.pop_front();
    start_locked(w, *next, clock_.now());
    return;
  }
  if (!queue_.empty()) {
    next.emplace(start_queued_locked(w, std::move(queue_.front()), clock_.now()));
    queue_.pop_front();
    return;
  }
  rule_->idle(*this, w, index);  // libuv's frees the thread now; the book's waits for the loop
}

// Spin-then-park, as a futex-based mutex or Go's scheduler do: a thread that runs out of
// work watches its mailbox for a few microseconds before it sleeps on its condition
// variable. A loop that hands out small tasks one after another (100,000 encrypts from
// the main program) then finds the thread still awake, and neither side makes a system
// call or a context switch per task. libuv's workers sleep at once (uv_cond_wait), but
// its uv_queue_work is cheap enough that its queue fills before a worker wakes; ours
// costs a microsecond or so. Which thread takes which task does not change: a spinning
// thread is free like a sleeping one. One thread spins at a time, so that spinning never
// takes more than one CPU from the loop, and only where the clock allows it (not the
// virtual clock, which must see every wait).
void ThreadPool::spin_for_mail(Worker& w) {
  constexpr auto kSpin = std::chrono::microseconds(50);
  if (!clock_.may_spin() || spinning_.exchange(true, std::memory_order_acquire)) return;
  const auto until = real_time_now() + kSpin;  // only on a clock that may spin: real time
  for (unsigned i = 1; !w.has_mail.load(std::memory_order_acquire); ++i) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    if (i % 64 == 0 && real_time_now() >= until) break;
  }
  spinning_.store(false, std::memory_order_release);
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
  // BookLifo: every thread's bound tasks, in the order they queued.
  std::vector<const Bound*> bound;
  for (const auto& w : workers_) {
    for (const auto& b : w->bound) bound.push_back(&b);
  }
  std::sort(bound.begin(), bound.end(), [](const Bound* a, const Bound* b) { return a->seq < b->seq; });
  for (const Bound* b : bound) out.emplace_back(b->mail.task.id, b->mail.task.kind);
  return out;
}

}  // namespace elt
