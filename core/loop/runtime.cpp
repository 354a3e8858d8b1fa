#include "loop/runtime.h"

#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <variant>

#include <fmt/format.h>

#include "clock/clock.h"
#include "common/check.h"
#include "common/thread_name.h"
#include "fs/open_file.h"
#include "http/delay_server.h"
#include "loop/fs_plan.h"
#include "loop/model_parts.h"
#include "loop/poll_rule.h"
#include "loop/timer_store.h"
#include "poller/poller.h"
#include "poller/reactor.h"
#include "pool/thread_pool.h"
#include "trace/tracer.h"

namespace elt {

namespace {

constexpr std::uint64_t kTrimAfter = 100'000;  // callbacks run between two malloc_trim calls
constexpr std::size_t kKeepReady = 1024;       // the due callbacks' spare buffer kept between bursts

// Every cost and every spread zero: charge_time() could only ever add zero.
bool all_zero(const CostProfile& p) {
  for (int i = 0; i < kCostKinds; ++i) {
    if (p.costs[i] != Duration::zero() || p.low[i] != Duration::zero() || p.high[i] != Duration::zero()) return false;
  }
  return true;
}



}  // namespace

Runtime::Runtime(RuntimeOptions options, Clock& clock, Tracer& tracer)
    : options_(std::move(options)),
      clock_(clock),
      tracer_(tracer),
      // The virtual clock knows the thread that created it as participant 0: the loop.
      channel_(clock, clock.creator()) {
  ensure(options_.threads >= 1, "the pool needs at least one thread");
  // The one place the model's charges_costs is read: a model that does not charge costs
  // sees a zero profile everywhere.
  if (!options_.model.charges_costs) options_.costs = zero_costs();
  loop_thread_ = std::this_thread::get_id();
  charges_ = !all_zero(options_.costs) && clock_.stated_cost(std::chrono::hours(1)) != Duration::zero();
  set_thread_name("main");
  start_ = clock_.now();
  loop_now_ = start_;
  tracer_.set_clock(&clock_, start_);
  // Nobody reads the trace any more (`| head -3`): stop, however long the loop would wait.
  tracer_.set_on_broken([this] { request_stop(); });
  read_scope_ = std::make_unique<fs::OpenedScope>(fs::ReadScope{options_.base_dir, options_.allow_read});
  // The tracer counts trace_events; crossing it stops the loop the same way.
  tracer_.set_on_limit([this] { request_stop(); });
  ModelParts parts = make_model_parts(options_.model, options_.threads, clock_, tracer_, channel_);
  pool_ = std::move(parts.pool);
  io_ = std::move(parts.io);
  timer_store_ = std::move(parts.timers);
  poll_rule_ = std::move(parts.poll);
  fs_plan_ = std::move(parts.fs);
  poller_ = io_->epoll_thread();
  reactor_ = io_->reactor();
  struct stat out {};
  if (tracer_.fd() >= 0 && fstat(tracer_.fd(), &out) == 0 && S_ISFIFO(out.st_mode)) {
    io_->watch_output(tracer_.fd(), [this] { tracer_.mark_broken(); });
  }
}

Runtime::~Runtime() {
  tracer_.set_on_broken({});
  tracer_.set_on_limit({});
  // An exception unwound past run(): still join every thread, quietly.
  if (!shut_down_) {
    if (pool_) pool_->shutdown();
    if (io_) io_->close();
    if (delay_server_) delay_server_->stop();
  }
}

void Runtime::assert_in_loop_thread() const {
  ensure(std::this_thread::get_id() == loop_thread_, "a loop-thread-only call from another thread");
}

void Runtime::request_stop() {
  stop_.store(true, std::memory_order_relaxed);
  channel_.wake();
}

CallbackId Runtime::add_callback(Callback callback, std::string_view what) {
  assert_in_loop_thread();
  CallbackId id = ids_.next();
  callbacks_.emplace(id, std::move(callback), what);  // built in its slot
  count_registration();
  return id;
}

// Only the first crossing is kept: it is the one that stopped the run.
void Runtime::cross_limit(Limit limit, std::uint64_t value) {
  assert_in_loop_thread();
  if (!crossed_) {
    crossed_ = LimitCrossed{limit, value, {}, fmt::format("at tick {} ({} ms)", tick_, loop_ms())};
  }
  request_stop();
}

void Runtime::locate_limit(std::string where) {
  assert_in_loop_thread();
  if (crossed_ && crossed_->where.empty()) crossed_->where = std::move(where);
}

bool Runtime::charge_value_bytes(std::size_t bytes) {
  assert_in_loop_thread();
  value_bytes_ += bytes;
  if (value_bytes_ <= options_.limits.value_bytes) return true;
  cross_limit(Limit::ValueBytes, options_.limits.value_bytes);
  return false;
}

bool Runtime::take_value_bytes(std::size_t bytes) {
  assert_in_loop_thread();
  if (bytes > value_bytes_left()) return false;
  value_bytes_ += bytes;
  return true;
}

std::uint64_t Runtime::value_bytes_left() const {
  assert_in_loop_thread();
  return value_bytes_ >= options_.limits.value_bytes ? 0 : options_.limits.value_bytes - value_bytes_;
}

Runtime::Pending Runtime::take_pending(CallbackId id, const char* unknown) {
  std::optional<Pending> pending = callbacks_.take(id);
  ensure(pending.has_value(), unknown);
  return std::move(*pending);
}

void Runtime::update_time() {
  loop_now_ = clock_.now();
  charged_ = Duration::zero();
}

std::int64_t Runtime::loop_ms() const {
  return std::chrono::duration_cast<Millis>(loop_now_ - start_ + options_.costs.clock_phase + ms_shift_).count();
}

TimePoint Runtime::time_of_ms(std::int64_t ms) const {
  return start_ + Millis(ms) - options_.costs.clock_phase - ms_shift_;
}

// Charges sleep on the virtual clock like block(): the other threads go on meanwhile.
// Their keys sit above every callback id, so that charging never takes an id a trace
// would print.
// Divergence: nothing is charged while an HTTP exchange is under way. The virtual clock
// lets time run on past a busy loop thread even when a socket waits for it (virtual_clock.h),
// so where the exchange lands would depend on real time, and the run would not be the same
// bytes every time.
// `charges_` is false where every charge would be zero (the real clock, a model that does
// not charge, or --costs zero): the pool benchmark's 100,000 callbacks then skip the three
// virtual calls to the clock that each charge costs.
Duration Runtime::charge(Cost cost) {
  if (!charges_) return Duration::zero();
  const Duration charged = charge_time(cost_of(cost), cost);
  free_clock_phase(cost);  // a spread of a millisecond or more: where the next one ends is timing's (ClockTurn)
  return charged;
}

// Whether the first timer is due when uv_run first runs the timers depends on how long
// the main program took: a 0 ms timer is due 1 ms after it was set, on libuv's clock of
// whole milliseconds. When a cost inside the profile's spread would flip it, and an
// immediate waits on the other side (the check phase runs before the timers in the first
// iteration), the order Node prints depends on timing: say so, and what would flip it.
void Runtime::report_loop_start_race(Duration main_program) {
  if (!options_.model.reports_races || !tracer_.active() || main_program <= Duration::zero()) return;
  CallbackId immediate = 0;
  for (const auto& q : immediates_) {
    if (immediate_live_.count(q.id) != 0) {
      immediate = q.id;
      break;
    }
  }
  auto lists = node_timers_.lists(1);
  if (immediate == 0 || lists.empty() || lists.front().items.empty()) return;
  const auto& timer = lists.front().items.front();
  // Where in libuv's clock the program's run would have ended had the main program cost
  // nothing; the timer is due when the main program takes `needed` or more.
  const Duration before = loop_now_ - start_ + options_.costs.clock_phase - main_program;
  const Duration needed = Millis(timer.due) - before;
  const Duration least = clock_.stated_cost(options_.costs.least(Cost::MainProgram));
  const Duration most = clock_.stated_cost(options_.costs.most(Cost::MainProgram));
  if (needed <= least || needed > most) return;  // the same side for every cost in the spread
  // Where the check took the other side and the program printed the same, it is no race.
  if (options_.races) {
    const RaceFound* found = options_.races->at(decisions_met_);
    if (found == nullptr || found->kind != DecisionKind::TimerAtLoopStart) return;
  }
  loop_start_race_shown_ = true;
  race_ = TraceEvent{.kind = EventKind::Race,
                     .id = timer.id,
                     .what = cost_name(Cost::MainProgram),
                     .delay = main_program,
                     .due = needed,
                     .race = RaceKind::TimerAtLoopStart,
                     .rival = immediate};
  tracer_.emit(*race_);
}

void Runtime::enter(Phase phase) { tracer_.set_position(tick_, phase); }

bool Runtime::narrating() const { return options_.model.narrate && tracer_.active(); }

void Runtime::narrate(TraceEvent event) {
  if (narrating()) tracer_.emit(std::move(event));
}

void Runtime::note_label(CallbackId id, std::string label) {
  if (!label.empty() && tracer_.active()) labels_.insert_or_assign(id, std::move(label));
}

// uv__loop_alive (core.c): ref'd handles (timers, Node's immediate idle handle) or
// requests (pool work, sockets) outstanding. A timer counts unless it was unref'd.
bool Runtime::alive() const {
  assert_in_loop_thread();
  const bool ref_timers = timers_.size() + node_timers_.size() > unrefed_.size();
  return !callbacks_.empty() || ref_timers || !callbacks_to_run_.empty() || !immediates_.empty();
}

void Runtime::run(const std::function<void(Runtime&)>& script) {
  start(script);
  while (run_once()) {
  }
  finish();
}

void Runtime::start(const std::function<void(Runtime&)>& script) {
  assert_in_loop_thread();
  update_time();
  enter(Phase::Script);
  script(*this);
  after_callback();
  const Duration main_program = charge(Cost::MainProgram);
  // uv_run (core.c): `if (mode == UV_RUN_DEFAULT && r != 0 && loop->stop_flag == 0)
  // { uv__update_time(loop); uv__run_timers(loop); }`, before the first iteration.
  if (options_.model.timers_before_first_iteration && alive() && !stop_requested()) {
    update_time();
    enter(Phase::Timers);
    report_loop_start_race(main_program);
    if (timers_due_now(DecisionKind::TimerAtLoopStart)) run_node_timers();
  }
}

void Runtime::finish() {
  assert_in_loop_thread();
  shutdown();
}

// One tick: the model's phases, in order (uv_run's loop body). Returns false when the
// loop should end.
bool Runtime::run_once() {
  assert_in_loop_thread();
  if (!alive() || stop_requested() || tracer_.broken()) return false;
  pause(tick_ + 1, options_.model.phases.front(), true);
  if (stop_requested()) return false;
  ++tick_;
  enter(options_.model.phases.front());
  if (tracer_.active()) tracer_.emit({.kind = EventKind::Tick});  // the tracer stamps tick_
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
      timer_store_->run_phase(*this);  // the model's store (loop/timer_store.h)
      break;
    case Phase::Pending: run_callbacks(); break;  // uv__run_pending
    case Phase::IdlePrepare: break;                // Node's internals use it; nothing of ours does
    case Phase::Poll: io_->run_poll_phase(*this, go_on); break;  // the model's I/O (loop/model_parts.h)
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

// What an inspector reads (step/inspector.h), between two phases.
Runtime::View Runtime::view() const {
  assert_in_loop_thread();
  return View{.model = options_.model,
              .clock = clock_,
              .start = start_,
              .ms_zero = time_of_ms(0),
              .tick = tick_,
              .phase = tracer_.phase(),
              .race = race_shown(),
              .timers = timers_,
              .node_timers = node_timers_,
              .immediates = immediates_,
              .immediate_live = immediate_live_,
              .ticks = ticks_,
              .microtasks = microtasks_,
              .unrefed = unrefed_,
              .labels = labels_,
              .callbacks = callbacks_,
              .callbacks_to_run = callbacks_to_run_,
              .arrived = arrived_,
              .arrived_keyed = arrived_keyed_,
              .channel = channel_,
              .pool = *pool_,
              .io = *io_};
}

// The loop start's race while its two sides wait; a race of loop/timing.h's other
// decisions in the iteration it is decided in, from before it is met (the check found it)
// until that iteration ends.
std::optional<TraceEvent> Runtime::race_shown() const {
  std::optional<TraceEvent> shown;
  if (race_ && (node_timers_.contains(race_->id) || immediate_live_.count(race_->rival) != 0)) shown = race_;
  if (auto ahead = race_ahead()) shown = std::move(ahead);
  if (race_ && !race_->text.empty() && race_->tick == tick_ && !shown) shown = race_;
  return shown;
}

void Runtime::run_timers() {
  timers_.pop_expired(loop_now_, [this](CallbackId id, Callback&& callback) {
    if (!clearable_.empty()) clearable_.erase(id);
    if (!unrefed_.empty() && intervals_.find(id) == intervals_.end()) unrefed_.erase(id);  // a timeout is done
    callbacks_to_run_.push_back(Ready{id, Outcome{}, Pending{std::move(callback), "Timer"}});
  });
}

// lib/internal/timers.js processTimers/listOnTimeout, run from the one libuv timer Node
// arms (Environment::RunTimers in src/env.cc). Ticks and microtasks run between one
// timer and the next (`runNextTicks()`), and after the last (the callback scope closes).
void Runtime::run_node_timers() {
  read_libuv_clock(tick_ == 0 ? ClockRead::LoopStart : ClockRead::TimersPhase);
  auto due = node_timers_.next_expiry();
  std::int64_t now = loop_ms();
  if (!due || *due > now) return;
  bool announced = false;
  node_timers_.process(
      now,
      [&](CallbackId id, Callback& callback, std::int64_t repeat) {
        if (!announced) {
          narrate({.kind = EventKind::PhaseRun});  // not counted: the lists are walked as they run
          announced = true;
        }
        running_timer_ = id;
        running_timer_cleared_ = false;
        charge(Cost::Callback);
        run_marked(id, repeat == 0 ? "Timer" : "Interval", [&] { callback(*this, Outcome{}); });
        running_timer_ = 0;
        ++ran_since_trim_;
        if (repeat == 0 || running_timer_cleared_) {
          labels_.erase(id);
          timer_slack_.erase(id);
          unrefed_.erase(id);
        }
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
  if (live > 0) narrate({.kind = EventKind::PhaseRun, .count = live});
  for (auto& q : batch) {
    if (immediate_live_.erase(q.id) == 0) continue;  // cleared
    labels_.erase(q.id);
    charge(Cost::Callback);
    run_marked(q.id, "Immediate", [&] { q.callback(*this, Outcome{}); });
    ++ran_since_trim_;
    after_callback();
    if (stop_requested()) return;
  }
}

// Runs a queue until it is empty, jobs queued meanwhile included. False when the run
// was stopped meanwhile.
bool Runtime::drain(std::deque<Queued>& queue, QueueName name, std::string_view marker) {
  if (queue.empty()) return true;
  narrate({.kind = EventKind::QueueRun, .count = queue.size(), .queue = name});
  while (!queue.empty()) {
    Queued q = std::move(queue.front());
    queue.pop_front();
    labels_.erase(q.id);
    charge(Cost::Callback);
    run_marked(q.id, marker, [&] { q.callback(*this, Outcome{}); });
    if (stop_requested()) return false;
  }
  return true;
}

// InternalCallbackScope::Close (src/api/callback.cc) and processTicksAndRejections
// (lib/internal/process/task_queues.js): every nextTick, then every microtask (V8 runs
// the microtask queue until it is empty, including jobs queued meanwhile), repeated until
// both are empty.
void Runtime::after_callback() {
  if (!options_.model.ticks_and_microtasks) return;
  if (!ticked_ && (!ticks_.empty() || !microtasks_.empty())) {
    charge(Cost::FirstTick);
    ticked_ = true;
  }
  // processTicksAndRejections loops until processPromiseRejections finds nothing left:
  // an unhandledRejection handler may queue more ticks and microtasks.
  for (;;) {
    while (!ticks_.empty() || !microtasks_.empty()) {
      if (!drain(ticks_, QueueName::NextTick, "nextTick")) return;
      if (!drain(microtasks_, QueueName::Microtask, "Microtask")) return;
    }
    if (unhandled_.empty()) return;
    if (unhandled_handlers_.empty()) {
      // Node's default mode (--unhandled-rejections=throw): the first one is thrown.
      tracer_.emit({.kind = EventKind::CallbackError, .unhandled = true, .text = unhandled_.front().second});
      unhandled_.clear();
      request_stop();
      return;
    }
    auto left = std::move(unhandled_);
    unhandled_.clear();
    for (auto& [token, message] : left) {
      for (std::size_t i = 0; i < unhandled_handlers_.size(); ++i) unhandled_handlers_[i](*this, Outcome::fail(message));
    }
  }
}

// uv__backend_timeout (src/unix/core.c), the same rule in both models: do not block while
// the loop is stopping, while immediates are queued (Node keeps an idle handle active for
// them, src/timers.cc ToggleImmediateRef), while events polled earlier wait their turn
// (PollPolicy::OneEvent) or when nothing is pending; else block until the next timer, or
// until an event when there is no timer. Timers come from the model's timer store.
Runtime::PollBound Runtime::poll_bound() const {
  if (stop_requested()) return {PollReason::Stopping, loop_now_};
  if (!immediates_.empty()) return {PollReason::Immediates, loop_now_};
  if (!polled_.empty()) return {PollReason::Polled, loop_now_};
  if (!alive()) return {PollReason::NothingPending, loop_now_};
  const std::optional<TimePoint> timer = timer_store_->next_due(*this);
  if (timer) return {callbacks_.empty() ? PollReason::Timer : PollReason::IoOrTimer, timer};
  return {PollReason::Io, std::nullopt};
}

// The poll phase on the loop thread (IoPlacement::LoopThread): uv__io_poll. The loop thread
// itself waits in epoll_wait, for sockets and for the pool's eventfd together, at most as
// long as poll_bound() says. The model's poll rule (loop/poll_rule.h) says how many of the
// events behind the wake-up it handles: libuv's, every ready socket and finished pool task
// in the order they became ready; the book's, the first, keeping the rest for the next
// poll phases. Each callback is followed by its ticks and microtasks.
void Runtime::poll_on_loop_thread() {
  release_held_responses();
  const PollBound bound = poll_bound();
  const std::optional<TimePoint> deadline = bound.until;
  Duration left{};
  if (deadline && *deadline > loop_now_) left = Millis(std::max<std::int64_t>(0, std::chrono::duration_cast<Millis>(*deadline - time_of_ms(0)).count() - loop_ms()));
  narrate({.kind = EventKind::PollWait, .delay = left, .reason = bound.why});
  std::vector<Completion> ready;
  std::optional<Pending> pending;  // each completion's callback, taken out of the table into here
  const bool marked = tracer_.wants_markers() && !(deadline && *deadline <= loop_now_);
  if (marked) tracer_.emit({.kind = EventKind::WaitStart});
  const TimePoint wait_from = clock_.now();
  for (;;) {
    tracer_.flush();
    bool got = reactor_->poll(deadline, ready);
    if (got || stop_requested()) break;
    if (deadline && clock_.now() >= *deadline) break;
  }
  if (marked) tracer_.emit({.kind = EventKind::WaitEnd});
  update_time();  // uv__io_poll updates the loop's time when epoll_wait returns
  if (loop_now_ > wait_from) close_clock_window();  // the wait ran to libuv's own deadline
  poll_rule_->take(*this, ready, loop_now_ > wait_from);  // the model's rule (loop/poll_rule.h)
  if (ready.empty()) return;
  narrate({.kind = EventKind::PhaseRun, .count = ready.size()});
  for (auto& completion : ready) {
    // The reactor hands back finished requests and, behind the channel's eventfd, finished
    // pool tasks; the book's epoll-thread timeout never reaches this loop.
    if (auto* task = std::get_if<TaskDone>(&completion)) pool_->on_completion(task->thread, task->id, loop_now_);
    ensure(!std::holds_alternative<WaitTimedOut>(completion), "a poll timeout reached the reactor's poll");
    const CallbackId id = callback_of(completion);
    Outcome outcome = take_outcome(completion);
    const bool known = callbacks_.take_into(id, pending);
    ensure(known, "a completion for an unknown callback id");
    if (!trip_kind_.empty()) trip_kind_.erase(id);  // hashing the id costs more than the look
    const bool internal = pending->what == "internal";  // a step inside an operation (a trip of fs.readFile)
    if (outcome.failed() && !pending->what.empty() && !internal) {
      tracer_.emit({.kind = EventKind::CallbackError, .id = id, .what = pending->what, .text = *outcome.error});
    }
    if (!internal && !labels_.empty()) labels_.erase(id);
    charge(Cost::Callback);  // a trip's own step is JavaScript too (ReadFileContext)
    if (internal) {
      pending->callback(*this, std::move(outcome));
    } else {
      run_marked(id, pending->what, [&] { pending->callback(*this, std::move(outcome)); });
    }
    ++ran_since_trim_;
    after_callback();
    pending.reset();  // the callback and what it holds go here, as they did before
    if (stop_requested()) return;
  }
}


void Runtime::run_callbacks() {
  // Callbacks may register new work, and that work may complete within this phase's
  // run; take the list first so that the vector is not modified while we walk it.
  // The two vectors swap rather than move, so that the book's loop, which runs one
  // callback a tick, allocates nothing per tick (a moved-from vector has no capacity).
  std::vector<Ready>& batch = running_;
  while (!callbacks_to_run_.empty()) {
    batch.clear();  // left over only when a callback threw: those are dropped, as before
    batch.swap(callbacks_to_run_);
    for (auto& ready : batch) {
      if (ready.outcome.failed()) {
        tracer_.emit({.kind = EventKind::CallbackError, .id = ready.id, .what = ready.pending.what,
                      .text = *ready.outcome.error});
      }
      run_marked(ready.id, ready.pending.what, [&] { ready.pending.callback(*this, std::move(ready.outcome)); });
      ++ran_since_trim_;
      if (stop_requested()) {
        batch.clear();
        return;
      }
    }
    batch.clear();
  }
  if (batch.capacity() > kKeepReady) std::vector<Ready>().swap(batch);  // a burst's memory goes back
  callbacks_.shrink();  // when empty, hand a burst's memory back
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
    channel_.take_all(taken_);
    absorb(taken_);
    recycle(taken_);
    // A task handed out now (a queued one taking a freed thread) starts its simulated
    // latency now, not at the start of the tick.
    update_time();
    for (;;) {
      if (!poll_rule_->takes_more(delivered)) break;
      auto next = take_deliverable();
      if (!next) break;
      deliver(*next);
      ++delivered;
    }
    // A timeout ends the wait only when nothing else did: the timers phase checks the
    // deadlines itself. poll_bound() says when not to wait at all (stopping; immediates
    // are queued: the check phase has work, what Node's idle handle does). A timer, even
    // one already due, is waited for through the epoll thread's timerfd, which the book
    // prints ("epoll event timeout is ready").
    if (delivered > 0 || timeout_seen_) break;
    if (auto why = poll_bound().why; why != PollReason::Timer && why != PollReason::IoOrTimer && why != PollReason::Io) break;

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
    const bool marked = tracer_.wants_markers();
    if (marked) tracer_.emit({.kind = EventKind::WaitStart});
    tracer_.flush();
    channel_.wait();
    if (marked) tracer_.emit({.kind = EventKind::WaitEnd});
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

void Runtime::absorb(std::vector<Completion>& arrived) {
  for (auto& completion : arrived) {
    if (const auto* timeout = std::get_if<WaitTimedOut>(&completion)) {
      // One armed by an earlier poll phase is stale.
      if (timeout->generation == generation_) timeout_seen_ = true;
      continue;
    }
    std::uint64_t seq = ++arrival_seq_;
    const auto* task = std::get_if<TaskDone>(&completion);
    if (task != nullptr && task->key) {
      const DeadlineKey key = *task->key;
      pool_->note_arrived(key);
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

void Runtime::deliver(Completion& completion) {
  // Which source it came from decides who is told (a pool thread is free again, the epoll
  // thread has one socket less); then its callback is due.
  if (const auto* task = std::get_if<TaskDone>(&completion)) {
    pool_->on_completion(task->thread, task->id, loop_now_);
  } else if (std::holds_alternative<RequestDone>(completion)) {
    poller_->note_completed();
  } else {
    return;  // a timeout: absorb() keeps these out
  }
  const CallbackId id = callback_of(completion);
  Outcome outcome = take_outcome(completion);
  callbacks_to_run_.push_back(Ready{id, std::move(outcome), take_pending(id, "a completion for an unknown callback id")});
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
  io_->close();
  if (delay_server_) delay_server_->stop();
  tracer_.emit({.kind = EventKind::Finished});
  tracer_.flush();
}

void Runtime::submit(Task&& task) {
  // libuv creates its threads in the first uv__work_submit (uv_once: init_threads), on
  // the submitting thread: the loop pays for it before the first task is queued.
  if (!pool_started_) {
    charge(Cost::PoolStart);
    pool_started_ = true;
    task.simulated_latency += slow_pool_start(task.id);
  }
  CallbackId id = task.id;
  TaskKind kind = task.kind;
  if (options_.model.charges_costs && deciding()) trip_kind_.insert_or_assign(id, kind);  // for the timing decisions
  // The loop's cached time, plus what it has been charged since: work handed out after a
  // charged callback starts when that JavaScript has run.
  if (!pool_->submit(std::move(task), loop_now_ + charged_) && tracer_.active()) {
    tracer_.emit({.kind = EventKind::TaskQueued, .id = id, .what = to_string(kind), .count = pool_->queued()});
  }
}

}  // namespace elt
