#include "loop/runtime.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "clock/clock.h"
#include "common/check.h"
#include "common/thread_name.h"
#include "http/delay_server.h"
#include "http/url.h"
#include "poller/poller.h"
#include "poller/reactor.h"
#include "pool/thread_pool.h"
#include "trace/tracer.h"

namespace elt {

namespace {

constexpr std::string_view kDelayServiceHost = "delay-service";
constexpr std::uint64_t kTrimAfter = 100'000;  // callbacks run between two malloc_trim calls

// A file read refuses files larger than this: /dev/zero would otherwise never end.
constexpr std::size_t kMaxFileBytes = 64 * 1024 * 1024;
// fib(n) by naive recursion costs about 1.6 times more with every n; fib(50) takes seconds.
constexpr std::int64_t kMaxEncrypt = 50;

// `shown` is the path as the scenario wrote it: messages must not depend on the folder
// the tool was started from.
Outcome read_file(const std::filesystem::path& path, const std::string& shown) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Outcome::fail(fmt::format("open \"{}\": {}", shown, std::strerror(errno)));
  std::string text;
  char buf[16 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Outcome::fail(fmt::format("read \"{}\": {}", shown, std::strerror(err)));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxFileBytes) {
      ::close(fd);
      return Outcome::fail(fmt::format("read \"{}\": larger than {} MiB", shown,
                                       kMaxFileBytes / (1024 * 1024)));
    }
  }
  ::close(fd);
  return Outcome::ok(Value::string(std::move(text)));
}

// The node model's trips (read_file_trips): open, then read what an fd holds.
Outcome open_for_read(const std::string& path, const std::string& shown) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Outcome::fail(fmt::format("open \"{}\": {}", shown, std::strerror(errno)));
  return Outcome::ok(Value::integer(fd));
}

Outcome read_fd(int fd, const std::string& shown) {
  std::string text;
  char buf[16 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Outcome::fail(fmt::format("read \"{}\": {}", shown, std::strerror(errno)));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxFileBytes) {
      return Outcome::fail(fmt::format("read \"{}\": larger than {} MiB", shown, kMaxFileBytes / (1024 * 1024)));
    }
  }
  return Outcome::ok(Value::string(std::move(text)));
}

// The book's "encryption": naive recursive Fibonacci, a stand-in for CPU-bound work.
// Unsigned arithmetic: fib(93) overflows 64 bits, and we cap n well below that.
// `stop` is checked only high in the recursion, where each check guards millions of calls.
// Not instrumented by ThreadSanitizer: it touches no shared memory but the relaxed atomic,
// and TSan's per-call hooks would make fib(39) take seconds, changing the book's timing.
#if defined(__SANITIZE_THREAD__)
__attribute__((no_sanitize_thread))
#endif
std::uint64_t fib(std::uint64_t n, const std::atomic<bool>& stop) {
  if (n < 2) return n;
  if (n >= 30 && stop.load(std::memory_order_relaxed)) return 0;
  return fib(n - 1, stop) + fib(n - 2, stop);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

Runtime::Runtime(RuntimeOptions options, Clock& clock, Tracer& tracer)
    : options_(std::move(options)),
      clock_(clock),
      tracer_(tracer),
      // The virtual clock knows the thread that created it as participant 0: the loop.
      channel_(clock, clock.kind() == ClockKind::Virtual ? Participant{0} : kNoParticipant) {
  ensure(options_.threads >= 1, "the pool needs at least one thread");
  set_thread_name("main");
  start_ = clock_.now();
  loop_now_ = start_;
  tracer_.set_clock(&clock_, start_);
  // Nobody reads the trace any more (`| head -3`): stop, however long the loop would wait.
  tracer_.set_on_broken([this] { request_stop(); });
  pool_ = std::make_unique<ThreadPool>(options_.threads, clock_, tracer_, channel_, options_.model.pool);
  switch (options_.model.io) {
    case IoPlacement::EpollThread: {
      poller_ = std::make_unique<Poller>(clock_, tracer_, channel_);
      struct stat out {};
      if (tracer_.fd() >= 0 && fstat(tracer_.fd(), &out) == 0 && S_ISFIFO(out.st_mode)) {
        poller_->watch_output(tracer_.fd(), [this] { tracer_.mark_broken(); });
      }
      break;
    }
    case IoPlacement::LoopThread: reactor_ = std::make_unique<Reactor>(clock_, tracer_, channel_); break;
  }
}

Runtime::~Runtime() {
  tracer_.set_on_broken({});
  // An exception unwound past run(): still join every thread, quietly.
  if (!shut_down_) {
    if (pool_) pool_->shutdown();
    if (poller_) poller_->close();
    if (reactor_) reactor_->close_all();
    if (delay_server_) delay_server_->stop();
  }
}

void Runtime::request_stop() {
  stop_.store(true, std::memory_order_relaxed);
  channel_.wake();
}

CallbackId Runtime::add_callback(Callback callback, std::string_view what) {
  CallbackId id = ids_.next();
  callbacks_.emplace(id, Pending{std::move(callback), what});
  return id;
}

void Runtime::update_time() { loop_now_ = clock_.now(); }

std::int64_t Runtime::loop_ms() const {
  return std::chrono::duration_cast<Millis>(loop_now_ - start_).count();
}

void Runtime::enter(Phase phase) { tracer_.set_position(tick_, phase); }

void Runtime::narrate(EventKind kind, CallbackId id, std::string message, std::string queue) {
  if (!options_.model.narrate || !tracer_.active()) return;
  tracer_.emit(kind, id, std::move(message), Tracer::Extra{{}, std::move(queue)});
}

void Runtime::note_label(CallbackId id, std::string label) {
  if (!label.empty() && tracer_.active()) labels_.insert_or_assign(id, std::move(label));
}

// uv__loop_alive (core.c): ref'd handles (timers, Node's immediate idle handle) or
// requests (pool work, sockets) outstanding.
bool Runtime::alive() const {
  return !callbacks_.empty() || !timers_.empty() || !callbacks_to_run_.empty() || !node_timers_.empty() ||
         !immediates_.empty();
}

void Runtime::run(const std::function<void(Runtime&)>& script) {
  start(script);
  while (run_once()) {
  }
  finish();
}

void Runtime::start(const std::function<void(Runtime&)>& script) {
  update_time();
  enter(Phase::Script);
  script(*this);
  after_callback();
  // uv_run (core.c): `if (mode == UV_RUN_DEFAULT && r != 0 && loop->stop_flag == 0)
  // { uv__update_time(loop); uv__run_timers(loop); }`, before the first iteration.
  if (options_.model.timers_before_first_iteration && alive() && !stop_requested()) {
    update_time();
    enter(Phase::Timers);
    run_node_timers();
  }
}

void Runtime::finish() { shutdown(); }

// One tick: the model's phases, in order (uv_run's loop body). Returns false when the
// loop should end.
bool Runtime::run_once() {
  if (!alive() || stop_requested() || tracer_.broken()) return false;
  pause(tick_ + 1, options_.model.phases.front(), true);
  if (stop_requested()) return false;
  ++tick_;
  enter(options_.model.phases.front());
  if (tracer_.active()) tracer_.emit(EventKind::Tick, 0, fmt::format("===== TICK {} =====", tick_));
  update_time();
  bool first = true;
  for (Phase phase : options_.model.phases) {
    if (!first) pause(tick_, phase, false);
    first = false;
    if (stop_requested() || tracer_.broken()) return false;
    enter(phase);
    bool go_on = true;
    run_phase(phase, go_on);
    if (!go_on) return false;
  }
  return true;
}

void Runtime::run_phase(Phase phase, bool& go_on) {
  switch (phase) {
    case Phase::Timers:
      // libuv 1.45+: `uv__update_time(loop); uv__run_timers(loop);` at the iteration's end.
      if (options_.model.timers == TimerDispatch::NodeLists) {
        update_time();
        run_node_timers();
      } else {
        run_timers();
      }
      break;
    case Phase::Pending: run_callbacks(); break;  // uv__run_pending
    case Phase::IdlePrepare: break;                // Node's internals use it; nothing of ours does
    case Phase::Poll:
      if (options_.model.io == IoPlacement::LoopThread) {
        poll_on_loop_thread();
        break;
      }
      // Nothing left to wait for: the book ends the loop here, before polling.
      if (!alive()) {
        go_on = false;
        return;
      }
      poll_io();
      run_callbacks();
      break;
    case Phase::Check: run_immediates(); break;  // uv__run_check: Node's setImmediate
    case Phase::Closing: break;                  // close callbacks would run here
    case Phase::Script:
    case Phase::Shutdown: break;
  }
}

void Runtime::pause(std::uint64_t tick, Phase phase, bool tick_start) {
  if (!pause_hook_) return;
  tracer_.flush();
  pause_hook_(*this, PausePoint{tick, phase, tick_start});
}

RuntimeState Runtime::state() const {
  RuntimeState s;
  s.tick = tick_;
  s.phase = tracer_.phase();
  TimePoint now = clock_.now();
  s.now = now - start_;
  auto label_of = [&](CallbackId id) {
    auto it = labels_.find(id);
    return it == labels_.end() ? std::string() : it->second;
  };
  for (const auto& key : timers_.sorted()) s.timers.push_back({key.id, key.deadline - now, label_of(key.id)});
  for (const auto& [msecs, items] : node_timers_.lists()) {
    RuntimeState::NamedQueue list{fmt::format("timer list {} ms", msecs), {}};
    for (const auto& t : items) {
      s.timers.push_back({t.id, start_ + Millis(t.due) - now, label_of(t.id)});
      list.items.push_back(fmt::format("id {} due at {} ms{}", t.id, t.due,
                                       label_of(t.id).empty() ? "" : ": " + label_of(t.id)));
    }
    s.queues.push_back(std::move(list));
  }
  auto queue_view = [&](std::string name, const std::deque<Queued>& q) {
    RuntimeState::NamedQueue view{std::move(name), {}};
    for (const auto& item : q) {
      if (&q == &immediates_ && immediate_live_.count(item.id) == 0) continue;
      view.items.push_back(fmt::format("id {}{}", item.id, label_of(item.id).empty() ? "" : ": " + label_of(item.id)));
    }
    s.queues.push_back(std::move(view));
  };
  if (options_.model.ticks_and_microtasks) {
    queue_view("nextTick", ticks_);
    queue_view("microtask", microtasks_);
  }
  queue_view("immediate", immediates_);
  for (const auto& w : pool_->workers()) {
    std::optional<Duration> ends;
    if (w.until) ends = *w.until - start_;
    s.workers.push_back({w.name, w.busy, w.task_id, std::string(to_string(w.kind)), w.since - start_,
                         w.busy ? label_of(w.task_id) : std::string(), ends});
  }
  for (const auto& [id, kind] : pool_->queued_tasks()) s.queued_tasks.emplace_back(id, std::string(to_string(kind)));
  s.sockets = poller_ ? poller_->registered() : reactor_->registered();
  auto describe = [&](const Completion& c) {
    switch (c.source) {
      case Completion::Source::Pool:
        return fmt::format("pool{} finished task {}{}", c.thread, c.id, c.outcome.failed() ? " (failed)" : "");
      case Completion::Source::Epoll:
        return fmt::format("epoll: request {} complete{}", c.id, c.outcome.failed() ? " (failed)" : "");
      case Completion::Source::Timeout: return std::string("epoll: timeout");
    }
    return std::string();
  };
  for (const auto& a : arrived_) s.completed.push_back(describe(a.completion));
  for (const auto& [key, a] : arrived_keyed_) s.completed.push_back(describe(a.completion));
  for (const auto& c : channel_.snapshot()) s.completed.push_back(describe(c));
  for (const auto& ready : callbacks_to_run_) s.callbacks_to_run.push_back(ready.id);
  s.pending = callbacks_.size() + timers_.size() + node_timers_.size() + immediate_live_.size();
  return s;
}

void Runtime::run_timers() {
  timers_.pop_expired(loop_now_, [this](CallbackId id, Callback&& callback) {
    if (!clearable_.empty()) clearable_.erase(id);
    callbacks_to_run_.push_back(Ready{id, Outcome{}, Pending{std::move(callback), "Timer"}});
  });
}

// lib/internal/timers.js processTimers/listOnTimeout, run from the one libuv timer Node
// arms (Environment::RunTimers in src/env.cc). Ticks and microtasks run between one
// timer and the next (`runNextTicks()`), and after the last (the callback scope closes).
void Runtime::run_node_timers() {
  auto due = node_timers_.next_expiry();
  std::int64_t now = loop_ms();
  if (!due || *due > now) return;
  bool announced = false;
  node_timers_.process(
      now,
      [&](CallbackId id, Callback& callback, std::int64_t repeat) {
        if (!announced) {
          narrate(EventKind::PhaseRun, 0, "-- timers phase --");
          announced = true;
        }
        running_timer_ = id;
        running_timer_cleared_ = false;
        callback(*this, Outcome{});
        running_timer_ = 0;
        ++ran_since_trim_;
        if (repeat == 0 || running_timer_cleared_) labels_.erase(id);
        // clearInterval inside its own callback: Node checks `_idleTimeout !== -1`.
        return !stop_requested() && !running_timer_cleared_;
      },
      [&] { after_callback(); },
      [&] {
        update_time();
        return loop_ms();
      });
  after_callback();
}

// Node's processImmediate (lib/internal/timers.js), run by the check handle: the queue
// is taken whole first, so immediates queued now run in the next iteration.
void Runtime::run_immediates() {
  if (immediates_.empty()) return;
  auto batch = std::move(immediates_);
  immediates_.clear();
  std::size_t live = 0;
  for (const auto& q : batch) live += immediate_live_.count(q.id);
  if (live > 0) narrate(EventKind::PhaseRun, 0, fmt::format("-- check phase: {} immediate{} --", live, live == 1 ? "" : "s"));
  for (auto& q : batch) {
    if (immediate_live_.erase(q.id) == 0) continue;  // cleared
    labels_.erase(q.id);
    q.callback(*this, Outcome{});
    ++ran_since_trim_;
    after_callback();
    if (stop_requested()) return;
  }
}

// InternalCallbackScope::Close (src/api/callback.cc) and processTicksAndRejections
// (lib/internal/process/task_queues.js): every nextTick, then every microtask (V8 runs
// the microtask queue until it is empty, including jobs queued meanwhile), repeated until
// both are empty.
void Runtime::after_callback() {
  if (!options_.model.ticks_and_microtasks) return;
  while (!ticks_.empty() || !microtasks_.empty()) {
    if (!ticks_.empty()) {
      narrate(EventKind::QueueRun, 0,
              fmt::format("process.nextTick queue: {} callback{}", ticks_.size(), ticks_.size() == 1 ? "" : "s"),
              "nextTick");
    }
    while (!ticks_.empty()) {
      Queued q = std::move(ticks_.front());
      ticks_.pop_front();
      labels_.erase(q.id);
      q.callback(*this, Outcome{});
      if (stop_requested()) return;
    }
    if (!microtasks_.empty()) {
      narrate(EventKind::QueueRun, 0,
              fmt::format("microtask queue: {} callback{}", microtasks_.size(), microtasks_.size() == 1 ? "" : "s"),
              "microtask");
    }
    while (!microtasks_.empty()) {
      Queued q = std::move(microtasks_.front());
      microtasks_.pop_front();
      labels_.erase(q.id);
      q.callback(*this, Outcome{});
      if (stop_requested()) return;
    }
  }
  if (unhandled_) {
    tracer_.emit(EventKind::CallbackError, 0,
                 fmt::format("Unhandled promise rejection: Error: {} (Node prints it and exits with code 1)", *unhandled_));
    unhandled_.reset();
    request_stop();
  }
}

// The node model's poll phase: uv__backend_timeout, then uv__io_poll on the loop thread.
// Every ready socket and every finished pool task behind the wake-up is handled, in the
// order they became ready, each callback followed by its ticks and microtasks.
void Runtime::poll_on_loop_thread() {
  std::optional<TimePoint> deadline;
  std::string why;
  bool active = !callbacks_.empty() || !node_timers_.empty() || !immediates_.empty();
  if (stop_requested()) {
    deadline = loop_now_;
    why = "not blocking (stopping)";
  } else if (!immediates_.empty()) {
    deadline = loop_now_;
    why = "not blocking: immediates are queued (Node's idle handle)";
  } else if (!active) {
    deadline = loop_now_;
    why = "not blocking: nothing is pending";
  } else if (auto expiry = node_timers_.next_expiry()) {
    deadline = start_ + Millis(*expiry);
    auto left = std::max<std::int64_t>(0, *expiry - loop_ms());
    why = fmt::format("waiting for I/O, up to {} ms (the next timer)", left);
    if (callbacks_.empty()) why = fmt::format("waiting up to {} ms for the next timer", left);
  } else {
    why = "waiting for I/O (no timer to wake for)";
  }
  narrate(EventKind::PollWait, 0, fmt::format("poll: {}", why));
  std::vector<Completion> ready;
  for (;;) {
    tracer_.flush();
    bool got = reactor_->poll(deadline, ready);
    if (got || stop_requested()) break;
    if (deadline && clock_.now() >= *deadline) break;
  }
  update_time();  // uv__io_poll updates the loop's time when epoll_wait returns
  if (ready.empty()) return;
  narrate(EventKind::PhaseRun, 0, fmt::format("-- poll phase: {} event{} --", ready.size(), ready.size() == 1 ? "" : "s"));
  for (auto& completion : ready) {
    if (completion.source == Completion::Source::Pool) {
      pool_->on_completion(completion.thread, completion.id, loop_now_);
    }
    auto it = callbacks_.find(completion.id);
    ensure(it != callbacks_.end(), "a completion for an unknown callback id");
    Pending pending = std::move(it->second);
    callbacks_.erase(it);
    if (completion.outcome.failed() && !pending.what.empty() && pending.what != "internal") {
      tracer_.emit(EventKind::CallbackError, completion.id,
                   fmt::format("{} {} failed: {}", pending.what, completion.id, *completion.outcome.error));
    }
    if (pending.what != "internal") labels_.erase(completion.id);
    pending.callback(*this, std::move(completion.outcome));
    ++ran_since_trim_;
    after_callback();
    if (stop_requested()) return;
  }
}

void Runtime::fire_book_interval(CallbackId id) {
  auto it = intervals_.find(id);
  if (it == intervals_.end()) return;  // cleared since it was due
  // Re-armed before the callback runs, from the loop's time, as Node re-inserts an
  // interval with the start it read before calling it.
  timers_.add(loop_now_ + it->second.every, id, [id](Runtime& rt, Outcome) { rt.fire_book_interval(id); });
  clearable_[id] = loop_now_ + it->second.every;
  it->second.callback(*this, Outcome{});
}

void Runtime::run_callbacks() {
  // Callbacks may register new work, and that work may complete within this phase's
  // run; take the list first so that the vector is not modified while we walk it.
  while (!callbacks_to_run_.empty()) {
    auto batch = std::move(callbacks_to_run_);
    callbacks_to_run_.clear();
    for (auto& ready : batch) {
      if (ready.outcome.failed()) {
        tracer_.emit(EventKind::CallbackError, ready.id,
                     fmt::format("{} {} failed: {}", ready.pending.what, ready.id, *ready.outcome.error));
      }
      ready.pending.callback(*this, std::move(ready.outcome));
      ++ran_since_trim_;
      if (stop_requested()) return;
    }
  }
  if (callbacks_.empty()) callbacks_.rehash(0);  // hand a burst's buckets back
  // After a large burst has drained, give the freed memory back to the system: glibc
  // keeps freed heap while a small live block sits above it, so RSS would stay at the
  // burst's peak. Rare and cheap (a few ms after a hundred thousand callbacks).
  if (ran_since_trim_ >= kTrimAfter && timers_.size() + callbacks_.size() < kTrimAfter / 100) {
    malloc_trim(0);
    ran_since_trim_ = 0;
  }
}

// The poll phase. Waits for the first event, or for the next timer's deadline, whichever
// comes first, and delivers events as the model's poll policy says.
//
// Ordering rule (written in docs/design.md): things that happen at a known time, timers
// and the simulated latencies of pool tasks, are delivered in (deadline, id) order. A pool
// task whose simulated latency ends before the next timer is awaited before that timer,
// and its completion is not overtaken by one with a later key. The wait itself is the
// same in both clocks; the order is what makes a run reproducible.
void Runtime::poll_io() {
  std::size_t delivered = 0;
  for (;;) {
    absorb(channel_.take_all());
    // A task handed out now (a queued one taking a freed thread) starts its simulated
    // latency now, not at the start of the tick.
    update_time();
    for (;;) {
      if (options_.model.poll == PollPolicy::OneEvent && delivered > 0) break;
      auto next = take_deliverable();
      if (!next) break;
      deliver(std::move(*next));
      ++delivered;
    }
    // A timeout ends the wait only when nothing else did: the timers phase checks the
    // deadlines itself.
    if (delivered > 0 || timeout_seen_ || stop_requested()) break;

    auto timer = timers_.next();
    auto simulated = pool_->earliest_simulated();
    if (timer && (!simulated || *timer < *simulated)) {
      if (!armed_) {
        ++generation_;
        poller_->arm_timeout(*timer, generation_);
        armed_ = true;
      }
    } else if (armed_) {
      poller_->disarm_timeout();
      armed_ = false;
    }
    tracer_.flush();
    channel_.wait();
  }
  if (armed_) {
    poller_->disarm_timeout();
    armed_ = false;
  }
  // The poll phase is over: a timeout that came with the delivered event has done its
  // job and must not end the next poll early.
  timeout_seen_ = false;
  update_time();
}

void Runtime::absorb(std::deque<Completion> arrived) {
  for (auto& completion : arrived) {
    if (completion.source == Completion::Source::Timeout) {
      // One armed by an earlier poll phase is stale.
      if (completion.generation == generation_) timeout_seen_ = true;
      continue;
    }
    std::uint64_t seq = ++arrival_seq_;
    if (completion.key) {
      pool_->note_arrived(*completion.key);
      DeadlineKey key = *completion.key;
      arrived_keyed_.emplace(key, Arrived{seq, std::move(completion)});
    } else {
      arrived_.push_back(Arrived{seq, std::move(completion)});
    }
  }
}

// The next completion to deliver: in arrival order, except that a completion with a
// deadline key waits while a task with a smaller key is still running, and keyed ones go
// in key order among themselves.
std::optional<Completion> Runtime::take_deliverable() {
  const Arrived* keyed = nullptr;
  if (!arrived_keyed_.empty()) {
    auto simulated = pool_->earliest_simulated();
    const auto& [key, first] = *arrived_keyed_.begin();
    if (!simulated || !(*simulated < key)) keyed = &first;
  }
  const Arrived* plain = arrived_.empty() ? nullptr : &arrived_.front();
  if (keyed == nullptr && plain == nullptr) return std::nullopt;
  if (keyed != nullptr && (plain == nullptr || keyed->seq < plain->seq)) {
    Completion out = std::move(arrived_keyed_.begin()->second.completion);
    arrived_keyed_.erase(arrived_keyed_.begin());
    return out;
  }
  Completion out = std::move(arrived_.front().completion);
  arrived_.pop_front();
  return out;
}

void Runtime::deliver(Completion completion) {
  switch (completion.source) {
    case Completion::Source::Pool: pool_->on_completion(completion.thread, completion.id, loop_now_); break;
    case Completion::Source::Epoll: poller_->note_completed(); break;
    case Completion::Source::Timeout: return;
  }
  auto it = callbacks_.find(completion.id);
  ensure(it != callbacks_.end(), "a completion for an unknown callback id");
  callbacks_to_run_.push_back(Ready{completion.id, std::move(completion.outcome), std::move(it->second)});
  callbacks_.erase(it);
}

void Runtime::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  enter(Phase::Shutdown);
  // Stopped early (a signal, quit, a closed output): cut simulated latencies short so
  // that Close reaches every pool thread at once.
  if (stop_requested() || tracer_.broken()) {
    stop_.store(true, std::memory_order_relaxed);
    clock_.interrupt_sleeps();
  }
  pool_->shutdown();
  if (poller_) poller_->close();
  if (reactor_) reactor_->close_all();
  if (delay_server_) delay_server_->stop();
  tracer_.emit(EventKind::Finished, 0, "FINISHED");
  tracer_.flush();
}

DelayServer& Runtime::delay_server() {
  if (!delay_server_) delay_server_ = std::make_unique<DelayServer>(clock_, options_.http_latency);
  return *delay_server_;
}

// ---- the scenario's API ----

void Runtime::print(std::string_view message) { tracer_.emit(EventKind::Print, 0, std::string(message)); }

void Runtime::report_error(std::string_view message) {
  tracer_.emit(EventKind::CallbackError, 0, std::string(message));
}

void Runtime::print_content(std::string_view content, std::string_view label) {
  // The book shows the first two lines, then the first Location line if there is one.
  std::vector<std::string_view> lines;
  std::string_view rest = trim(content);
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  std::string shown;
  for (std::size_t i = 0; i < lines.size() && i < 2; ++i) fmt::format_to(std::back_inserter(shown), "{}\n", lines[i]);
  for (std::size_t i = 2; i < lines.size(); ++i) {
    if (lines[i].starts_with("Location")) {
      fmt::format_to(std::back_inserter(shown), "{}\n", lines[i]);
      break;
    }
  }
  std::string upper(label);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  tracer_.emit(EventKind::Content, 0, std::move(upper), std::move(shown));
}

CallbackId Runtime::set_timeout(Duration delay, Callback callback, std::string label) {
  CallbackId id = ids_.next();
  if (options_.model.timers == TimerDispatch::NodeLists) {
    // Timeout's constructor: 0 and out-of-range delays become 1 ms; the start is the
    // loop's time, read afresh (getLibuvNow updates it first).
    std::int64_t ms = NodeTimerLists<Callback>::coerce(std::chrono::duration_cast<Millis>(delay).count());
    if (options_.model.timer_start_reads_clock) update_time();
    std::int64_t start = loop_ms();
    node_timers_.insert(id, ms, start, 0, std::move(callback));
    if (tracer_.active()) {
      tracer_.emit(EventKind::TimerRegistered, id,
                   fmt::format("Registered timer event id: {} (list {} ms, due at {} ms)", id, ms, start + ms),
                   Tracer::Extra{label, fmt::format("timer list {} ms", ms)});
    }
    note_label(id, std::move(label));
    return id;
  }
  // Like libuv, the deadline counts from the loop's cached time, not from this instant.
  timers_.add(loop_now_ + delay, id, std::move(callback));
  if (!label.empty()) clearable_[id] = loop_now_ + delay;
  if (tracer_.active()) {
    tracer_.emit(EventKind::TimerRegistered, id, fmt::format("Registered timer event id: {}", id),
                 Tracer::Extra{label, {}});
  }
  note_label(id, std::move(label));
  return id;
}

CallbackId Runtime::set_interval(Duration interval, Callback callback, std::string label) {
  CallbackId id = ids_.next();
  if (options_.model.timers == TimerDispatch::NodeLists) {
    std::int64_t ms = NodeTimerLists<Callback>::coerce(std::chrono::duration_cast<Millis>(interval).count());
    if (options_.model.timer_start_reads_clock) update_time();
    std::int64_t start = loop_ms();
    node_timers_.insert(id, ms, start, ms, std::move(callback));
    if (tracer_.active()) {
      tracer_.emit(EventKind::TimerRegistered, id,
                   fmt::format("Registered interval id: {} (every {} ms, first at {} ms)", id, ms, start + ms),
                   Tracer::Extra{label, fmt::format("timer list {} ms", ms)});
    }
    note_label(id, std::move(label));
    return id;
  }
  if (interval < Millis(1)) interval = Millis(1);  // as Node: an interval of 0 would spin
  intervals_.emplace(id, Interval{interval, std::move(callback)});
  timers_.add(loop_now_ + interval, id, [id](Runtime& rt, Outcome) { rt.fire_book_interval(id); });
  clearable_[id] = loop_now_ + interval;
  if (tracer_.active()) {
    tracer_.emit(EventKind::TimerRegistered, id, fmt::format("Registered interval id: {}", id),
                 Tracer::Extra{label, {}});
  }
  note_label(id, std::move(label));
  return id;
}

bool Runtime::clear_timer(CallbackId id) {
  if (id == running_timer_ && running_timer_ != 0) running_timer_cleared_ = true;
  bool removed = false;
  if (options_.model.timers == TimerDispatch::NodeLists) {
    removed = node_timers_.remove(id);
  } else {
    auto it = clearable_.find(id);
    if (it != clearable_.end()) {
      removed = timers_.remove(it->second, id);
      clearable_.erase(it);
    }
    if (intervals_.erase(id) > 0) removed = true;
  }
  if (removed || running_timer_cleared_) {
    labels_.erase(id);
    narrate(EventKind::Queued, id, fmt::format("cleared timer id: {}", id));
  }
  return removed;
}

CallbackId Runtime::set_immediate(Callback callback, std::string label) {
  CallbackId id = ids_.next();
  immediates_.push_back(Queued{id, std::move(callback)});
  immediate_live_.emplace(id, true);
  if (tracer_.active()) {
    tracer_.emit(EventKind::Queued, id, fmt::format("Registered immediate id: {}", id), Tracer::Extra{label, "immediate"});
  }
  note_label(id, std::move(label));
  return id;
}

bool Runtime::clear_immediate(CallbackId id) {
  if (immediate_live_.erase(id) == 0) return false;
  labels_.erase(id);
  narrate(EventKind::Queued, id, fmt::format("cleared immediate id: {}", id), "immediate");
  return true;
}

CallbackId Runtime::next_tick(Callback callback, std::string label) {
  ensure(options_.model.ticks_and_microtasks, "next_tick in a model without a nextTick queue");
  CallbackId id = ids_.next();
  ticks_.push_back(Queued{id, std::move(callback)});
  narrate(EventKind::Queued, id, fmt::format("process.nextTick id: {} queued", id), "nextTick");
  note_label(id, std::move(label));
  return id;
}

CallbackId Runtime::queue_microtask(Callback callback, std::string label) {
  ensure(options_.model.ticks_and_microtasks, "queue_microtask in a model without a microtask queue");
  CallbackId id = ids_.next();
  microtasks_.push_back(Queued{id, std::move(callback)});
  narrate(EventKind::Queued, id, fmt::format("microtask id: {} queued ({})", id, label.empty() ? "job" : label),
          "microtask");
  note_label(id, std::move(label));
  return id;
}

void Runtime::block(Duration busy) {
  if (tracer_.active()) {
    tracer_.emit(EventKind::Blocked, 0,
                 fmt::format("main thread busy for {} ms (nothing else runs on the loop)",
                             std::chrono::duration_cast<Millis>(busy).count()));
  }
  TimePoint until = clock_.now() + busy;
  if (clock_.kind() == ClockKind::Virtual) {
    // Charged as virtual time: the other threads go on meanwhile, as they would while
    // the loop thread computes.
    clock_.sleep_until(DeadlineKey{until, ids_.next()});
  } else {
    while (clock_.now() < until && !stop_requested()) {
    }
  }
}

void Runtime::unhandled_rejection(std::string_view message) {
  if (!unhandled_) unhandled_ = std::string(message);
}

void Runtime::label_registration(CallbackId id, std::string label) { note_label(id, std::move(label)); }

bool Runtime::tracing() const { return tracer_.active(); }

std::string Runtime::label_of(CallbackId id) const {
  auto it = labels_.find(id);
  return it == labels_.end() ? std::string() : it->second;
}

CallbackId Runtime::fs_read(std::filesystem::path path, Duration latency, Callback callback) {
  CallbackId id = add_callback(std::move(callback), "File read");
  Task task;
  task.id = id;
  task.kind = TaskKind::FileRead;
  task.simulated_latency = latency;
  std::string shown = path.string();
  if (path.is_relative()) path = options_.base_dir / path;
  if (options_.model.fs == FsTrips::ReadFile) {
    read_file_trips(id, path.string(), std::move(shown), latency);
    return id;
  }
  task.work = [path = std::move(path), shown = std::move(shown)] { return read_file(path, shown); };
  submit(std::move(task));
  return id;
}

void Runtime::submit(Task task) {
  CallbackId id = task.id;
  TaskKind kind = task.kind;
  if (!pool_->submit(std::move(task), loop_now_) && tracer_.active()) {
    tracer_.emit(EventKind::TaskQueued, id,
                 fmt::format("No free pool thread: task {} ({}) waits in the queue ({} waiting)", id,
                             to_string(kind), pool_->queued()));
  }
}

CallbackId Runtime::encrypt(std::int64_t n, Duration cost, Callback callback) {
  CallbackId id = add_callback(std::move(callback), "Encrypt");
  Task task;
  task.id = id;
  task.kind = TaskKind::Encrypt;
  // A stated CPU cost is virtual time the work takes under the virtual clock. Under the
  // real clock the real computation is the cost, so the statement is not needed.
  if (clock_.kind() == ClockKind::Virtual) task.simulated_latency = cost;
  task.work = [n, this] {
    if (n < 0 || n > kMaxEncrypt) {
      return Outcome::fail(fmt::format("encrypt: n must be between 0 and {}, got {}", kMaxEncrypt, n));
    }
    auto value = fib(static_cast<std::uint64_t>(n), stop_);
    if (stop_requested()) return Outcome::fail("encrypt: interrupted by shutdown");
    return Outcome::ok(Value::integer(static_cast<std::int64_t>(value)));
  };
  submit(std::move(task));
  return id;
}

CallbackId Runtime::http_get_slow(std::string url, Duration delay, Callback callback) {
  CallbackId id = add_callback(std::move(callback), "HTTP request");
  HttpRequestSpec spec;
  spec.id = id;
  spec.host = "127.0.0.1";
  spec.port = delay_server().port();
  spec.target = fmt::format("/delay/{}/url/{}", std::chrono::duration_cast<Millis>(delay).count(),
                            percent_encode_path(url));
  // Messages name what was really contacted: the stand-in on loopback, not the internet.
  spec.url = fmt::format("http://delay-service{}", spec.target);
  spec.timeout = options_.http_timeout + delay;
  tracer_.emit(EventKind::EventRegistered, id, fmt::format("Event with id: {} registered.", id));
  start_request(std::move(spec));
  return id;
}

CallbackId Runtime::http_get(std::string url, Callback callback) {
  CallbackId id = add_callback(std::move(callback), "HTTP request");
  HttpRequestSpec spec;
  spec.id = id;
  spec.url = url;
  spec.timeout = options_.http_timeout;
  std::string error;
  if (auto parsed = parse_http_url(url, error)) {
    spec.host = parsed->host;
    spec.port = parsed->port;
    spec.target = parsed->target;
    if (parsed->host == kDelayServiceHost) {
      // http://delay-service/... names the built-in stand-in, wherever it listens.
      spec.host = "127.0.0.1";
      spec.port = delay_server().port();
    }
  } else {
    // An unusable URL still goes through the epoll thread, which reports the error as the
    // request's completion: the callback gets it like any other failure.
    spec.error = std::move(error);
  }
  tracer_.emit(EventKind::EventRegistered, id, fmt::format("Event with id: {} registered.", id));
  start_request(std::move(spec));
  return id;
}

}  // namespace elt

namespace elt {

// Where the request goes: the epoll thread (book), or the loop thread's reactor (node),
// after a host-name lookup on the pool (uv_getaddrinfo) when the host is a name.
void Runtime::start_request(HttpRequestSpec spec) {
  if (poller_) {
    poller_->start_http(std::move(spec));
    return;
  }
  in_addr literal{};
  bool needs_lookup = options_.model.lookup_on_pool && spec.error.empty() &&
                      inet_pton(AF_INET, spec.host.c_str(), &literal) != 1;
  if (!needs_lookup) {
    reactor_->start_http(std::move(spec));
    return;
  }
  CallbackId id = spec.id;
  auto it = callbacks_.find(id);
  ensure(it != callbacks_.end(), "a request without its callback");
  struct LookupState {
    Pending user;
    HttpRequestSpec spec;
  };
  auto state = std::make_shared<LookupState>(LookupState{std::move(it->second), std::move(spec)});
  callbacks_.erase(it);
  std::string host = state->spec.host;
  callbacks_.emplace(id, Pending{[this, state](Runtime&, Outcome outcome) {
                                   CallbackId rid = state->spec.id;
                                   if (outcome.failed()) {
                                     tracer_.emit(EventKind::CallbackError, rid,
                                                  fmt::format("HTTP request {} failed: {}", rid, *outcome.error));
                                     state->user.callback(*this, std::move(outcome));
                                     return;
                                   }
                                   state->spec.host = outcome.value.to_display();
                                   callbacks_.emplace(rid, std::move(state->user));
                                   reactor_->start_http(std::move(state->spec));
                                 },
                                 "internal"});
  Task task;
  task.id = id;
  task.kind = TaskKind::Lookup;
  task.work = [host] {
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found);
    if (rc != 0 || found == nullptr) return Outcome::fail(fmt::format("unknown host \"{}\": {}", host, gai_strerror(rc)));
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr, text, sizeof text);
    freeaddrinfo(found);
    return Outcome::ok(Value::string(text));
  };
  narrate(EventKind::TaskSubmitted, id, fmt::format("request id {}: getaddrinfo(\"{}\") goes to the pool", id, host));
  submit(std::move(task));
}

// Node 20's fs.readFile (lib/fs.js, ReadFileContext): open, fstat, read, close, each a
// request on the pool whose callback, on the loop thread, starts the next; the scenario's
// callback runs after close. `latency` (delay_ms) is spent in the read.
// Divergence: Node reads a large file in 512 KiB pieces (kReadFileBufferLength), one trip
// each; here the read trip reads the whole file.
void Runtime::read_file_trips(CallbackId id, std::string path, std::string shown, Duration latency) {
  struct ReadState {
    Pending user;
    std::string path;
    std::string shown;
    int fd = -1;
    Outcome result;
  };
  auto it = callbacks_.find(id);
  ensure(it != callbacks_.end(), "a file read without its callback");
  auto st = std::make_shared<ReadState>();
  st->user = std::move(it->second);
  st->path = std::move(path);
  st->shown = std::move(shown);
  callbacks_.erase(it);

  auto deliver_user = [this, id, st](Outcome outcome) {
    if (outcome.failed()) {
      tracer_.emit(EventKind::CallbackError, id, fmt::format("File read {} failed: {}", id, *outcome.error));
    }
    labels_.erase(id);
    st->user.callback(*this, std::move(outcome));
  };
  // One trip: the work on a pool thread, then `next` on the loop thread.
  auto trip = [this, id](TaskKind kind, Duration simulated, std::function<Outcome()> work, Callback next) {
    callbacks_.emplace(id, Pending{std::move(next), "internal"});
    Task task;
    task.id = id;
    task.kind = kind;
    task.simulated_latency = simulated;
    task.work = std::move(work);
    narrate(EventKind::TaskSubmitted, id, fmt::format("fs.readFile id {}: {} goes to the pool", id, to_string(kind)));
    submit(std::move(task));
  };
  auto close_then = [trip, st, deliver_user]() {
    int fd = st->fd;
    trip(TaskKind::FsClose, Duration::zero(), [fd] {
      ::close(fd);
      return Outcome::ok(Value{});
    }, [st, deliver_user](Runtime&, Outcome) { deliver_user(std::move(st->result)); });
  };
  auto read = [trip, st, latency, close_then]() {
    int fd = st->fd;
    trip(TaskKind::FsRead, latency, [fd, name = st->shown] { return read_fd(fd, name); },
         [st, close_then](Runtime&, Outcome outcome) {
           st->result = std::move(outcome);
           close_then();
         });
  };
  auto fstat_trip = [trip, st, read, close_then]() {
    int fd = st->fd;
    trip(TaskKind::FsFstat, Duration::zero(), [fd, name = st->shown] {
      struct stat info {};
      if (::fstat(fd, &info) != 0) return Outcome::fail(fmt::format("fstat \"{}\": {}", name, std::strerror(errno)));
      if (S_ISDIR(info.st_mode)) return Outcome::fail(fmt::format("read \"{}\": Is a directory", name));
      return Outcome::ok(Value::integer(static_cast<std::int64_t>(info.st_size)));
    }, [st, read, close_then](Runtime&, Outcome outcome) {
      if (outcome.failed()) {
        st->result = std::move(outcome);
        close_then();
        return;
      }
      read();
    });
  };
  std::string open_path = st->path;
  std::string open_shown = st->shown;
  trip(TaskKind::FsOpen, Duration::zero(), [open_path, open_shown] { return open_for_read(open_path, open_shown); },
       [st, fstat_trip, deliver_user](Runtime&, Outcome outcome) {
         if (outcome.failed()) {
           deliver_user(std::move(outcome));
           return;
         }
         st->fd = static_cast<int>(outcome.value.as_int());
         fstat_trip();
       });
}

}  // namespace elt
