// The runtime's timing decisions (loop/timing.h): each place where the node model's order
// could go either way with how long real work takes, asked of one seam, decide(). Runtime
// members; loop thread only.
//
// Each point works out, from the cost profile's spread (loop/costs.h), whether the other
// side is reachable at all: where every cost in the spread takes the same side there is
// no decision, and the run is what it always was. Where there is one, the default is the
// side the median costs take (what a plain run prints), and the other side is made real
// on the virtual clock: the loop is charged more time, holds a completion back, or runs
// completions in another order, as a slower or faster Node would have.
#include <algorithm>
#include <variant>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "clock/clock.h"
#include "loop/runtime.h"
#include "loop/model_parts.h"
#include "pool/thread_pool.h"
#include "poller/reactor.h"
#include "trace/tracer.h"

namespace elt {

namespace {

// When a completion became ready: its simulated latency's end, or (none) the collection.
TimePoint finished_at(const Completion& c, TimePoint collected) {
  if (const auto* task = std::get_if<TaskDone>(&c); task != nullptr && task->key) return task->key->deadline;
  return collected;
}

bool from_pool(const Completion& c) { return std::holds_alternative<TaskDone>(c); }

constexpr std::size_t kOrderWindow = 8;  // completions after one that may overtake it

// Whether a trip of fs.readFile before its last: its completion only sends the next trip
// to the pool, so the order it lands in prints nothing by itself (a later trip's decision
// covers what its timing changes). Deciding on these too ran the three-reads search
// past 100,000 schedules without finishing (with them left out: 196).
bool step_kind(TaskKind kind) { return kind == TaskKind::FsOpen || kind == TaskKind::FsFstat || kind == TaskKind::FsRead; }

}  // namespace

// A completion whose callback runs the program's code: not a step of an operation that
// went well (a failed step hands its error to the program).
bool Runtime::visible(const Completion& completion) const {
  const auto* task = std::get_if<TaskDone>(&completion);
  if (task == nullptr) return true;
  auto kind = trip_kind_.find(task->id);
  return kind == trip_kind_.end() || !step_kind(kind->second) || task->outcome.failed();
}

// Whether anyone asks: a plain run takes every default, and each default is what the loop
// does anyway, so without a chooser (or race events to show) the points cost nothing.
bool Runtime::deciding() const {
  const bool shown = options_.model.reports_races && tracer_.active();
  return options_.timing != nullptr || (shown && (options_.report_timing_races || options_.races != nullptr));
}

// The one seam: the chooser decides, or (none) the default. A plain run under a model
// that reports races shows the decisions it meets as `race` events, naming the side it
// took and the side timing could have taken: those whose other side prints something
// else (RuntimeOptions::races), or (report_timing_races) every one after the loop start.
std::size_t Runtime::decide(const Decision& decision, TraceEvent race) {
  const std::size_t index = decisions_met_++;
  if (options_.timing) {
    options_.timing->at_tick(tick_);
    return options_.timing->choose(decision);
  }
  if (!options_.model.reports_races || !tracer_.active()) return 0;
  if (options_.races) {
    show_found_race(index, decision, std::move(race));
  } else if (options_.report_timing_races && decision.kind != DecisionKind::TimerAtLoopStart) {
    race.kind = EventKind::Race;
    race.text = fmt::format("{}; if instead {}", decision.when[0], decision.when[1]);
    tracer_.emit(std::move(race));
  }
  return 0;
}

Duration Runtime::charge_time(Duration d, Cost cost) {
  const int i = static_cast<int>(cost);
  slack_.early += clock_.stated_cost(std::max(Duration::zero(), options_.costs.costs[i] - options_.costs.low[i]));
  slack_.late += clock_.stated_cost(std::max(Duration::zero(), options_.costs.high[i] - options_.costs.costs[i]));
  if (d <= Duration::zero()) return Duration::zero();
  if (io_->exchanges_on_loop_thread() > 0) return Duration::zero();
  constexpr std::uint64_t kChargeKeys = std::uint64_t{1} << 62;
  clock_.busy_until(DeadlineKey{clock_.now() + d, kChargeKeys + ++charge_seq_}, stop_);
  charged_ += d;
  return d;
}

// How far apart two pool completions may land and still swap, or a completion and the
// poll phase's collection: the spread of one pool trip (what a trip can take beyond its
// fastest). Zero without a spread (the book, --costs zero): no decision.
Duration Runtime::trip_spread() const {
  return clock_.stated_cost(options_.costs.most(Cost::PoolTrip) - options_.costs.least(Cost::PoolTrip));
}

// The poll phase has collected `ready` (uv__io_poll's epoll_wait, then uv__work_done's
// queue). Completions held back from the last poll phase come first; then the three
// pool decisions, in the order libuv meets them: which still-running tasks finish before
// the collection (2), in which order the collected ones finished (3), and whether the
// last of them landed just after the collection instead (2 again, the other way).
// `waited`: the loop was idle in this poll phase (until an event or a deadline), which
// absorbs what the work before the wait took: a faster run waits longer.
void Runtime::settle_poll_batch(std::vector<Completion>& ready, bool waited) {
  if (waited) waited_at_ = slack_;
  if (!polled_.empty()) {
    std::vector<Completion> all(std::make_move_iterator(polled_.begin()), std::make_move_iterator(polled_.end()));
    polled_.clear();
    for (auto& c : ready) all.push_back(std::move(c));
    ready = std::move(all);
  }
  hold_late_responses(ready);
  if (!deciding() || ready.empty() || trip_spread() <= Duration::zero()) return;
  gather_more(ready);
  order_batch(ready);
  cut_batch(ready);
}

// Decision 3, the late side: a pool task still running that finishes within a trip's
// spread of now could have finished before the collection, and shares this poll phase.
void Runtime::gather_more(std::vector<Completion>& ready) {
  for (;;) {
    std::optional<ThreadPool::WorkerView> next;
    for (const auto& w : pool_->workers()) {
      if (!w.busy || !w.until || step_kind(w.kind) || *w.until - loop_now_ > trip_spread()) continue;
      bool collected = std::any_of(ready.begin(), ready.end(), [&](const Completion& c) {
        return from_pool(c) && callback_of(c) == w.task_id;
      });
      if (!collected && (!next || *w.until < *next->until)) next = w;
    }
    if (!next) return;
    const CallbackId first = callback_of(ready.front());
    Decision d{DecisionKind::PollGather,
               {fmt::format("pool task {} finishes after the poll phase collects (in {}): it waits for the next one",
                            next->task_id, ms_text(*next->until - loop_now_)),
                fmt::format("pool task {} finishes before the poll phase collects: it shares the poll phase of task {}",
                            next->task_id, first)}};
    if (decide(d, {.id = first, .race = RaceKind::PollGather, .rival = next->task_id}) == 0) return;
    const std::size_t before = ready.size();
    while (ready.size() == before && !stop_requested()) reactor_->poll(std::nullopt, ready);
    update_time();
    if (stop_requested()) return;
  }
}

// Decision 2: pool completions collected together that finished within a trip's spread of
// each other could have finished in another order; uv__work_done runs them in the order
// they finished. Each position in turn: which of the close ones is first.
void Runtime::order_batch(std::vector<Completion>& ready) {
  for (std::size_t i = 0; i + 1 < ready.size(); ++i) {
    if (!from_pool(ready[i]) || !visible(ready[i])) continue;
    const TimePoint at = finished_at(ready[i], loop_now_);
    std::vector<std::size_t> close{i};
    // A window of the next few: a burst of thousands collected at once would otherwise make
    // each decision list thousands of sides (and the search could never take them all).
    for (std::size_t j = i + 1; j < ready.size() && j <= i + kOrderWindow; ++j) {
      const Duration apart = finished_at(ready[j], loop_now_) - at;
      if (from_pool(ready[j]) && visible(ready[j]) && apart <= trip_spread() && apart >= -trip_spread()) {
        close.push_back(j);
      }
    }
    if (close.size() < 2) continue;
    Decision d{DecisionKind::PoolOrder, {}};
    pool_order_sides_.clear();
    for (std::size_t j : close) {
      std::vector<CallbackId> others;
      for (std::size_t k : close) {
        if (k != j) others.push_back(callback_of(ready[k]));
      }
      d.when.push_back(fmt::format("pool task {} finishes before task{} {}", callback_of(ready[j]),
                                   others.size() > 1 ? "s" : "", fmt::join(others, " and ")));
      pool_order_sides_.push_back(callback_of(ready[j]));
    }
    const std::size_t c = decide(d, {.id = callback_of(ready[i]), .race = RaceKind::PoolOrder,
                                     .rival = callback_of(ready[close[1]])});
    if (c != 0) std::rotate(ready.begin() + static_cast<std::ptrdiff_t>(i), ready.begin() + static_cast<std::ptrdiff_t>(close[c]),
                            ready.begin() + static_cast<std::ptrdiff_t>(close[c]) + 1);
  }
}

// Decision 3, the early side: the last pool completion collected finished within a trip's
// spread of the collection; a little later and the next poll phase finds it instead.
void Runtime::cut_batch(std::vector<Completion>& ready) {
  while (ready.size() >= 2 && from_pool(ready.back()) && visible(ready.back()) && loop_now_ - finished_at(ready.back(), loop_now_) <= trip_spread()) {
    const CallbackId last = callback_of(ready.back());
    const CallbackId before = callback_of(ready[ready.size() - 2]);
    Decision d{DecisionKind::PollGather,
               {fmt::format("pool task {} finishes before the poll phase collects: it shares the poll phase of task {}",
                            last, before),
                fmt::format("pool task {} finishes just after the poll phase collects: it waits for the next one",
                            last)}};
    if (decide(d, {.id = before, .race = RaceKind::PollGather, .rival = last}) == 0) return;
    polled_.push_front(std::move(ready.back()));
    ready.pop_back();
  }
}

// A timer keeps the slack of when it was set: only work after its start can make it due
// sooner or later. The program's first setTimeout inside a callback also counts that
// callback's spread as after its start: Node reads libuv's clock first, then sets its
// timer lists up (the list, its queue entry, libuv's timer: 0.17 to 0.21 ms measured here,
// tests/races/first-timer-cost.js), and a callback's measured spread covers it. That is
// why a 0 ms timer set in an immediate is due at the same iteration's timers phase in
// about one run in five (tests/races/timeout-in-immediate-vs-chain.orders).
void Runtime::note_timer_set(CallbackId id) {
  if (!options_.model.charges_costs || !deciding()) return;
  Slack at = slack_;
  if (!timer_set_up_ && tick_ > 0) {
    const int i = static_cast<int>(Cost::Callback);
    at.early -= clock_.stated_cost(std::max(Duration::zero(), options_.costs.costs[i] - options_.costs.low[i]));
    at.late -= clock_.stated_cost(std::max(Duration::zero(), options_.costs.high[i] - options_.costs.costs[i]));
  }
  timer_set_up_ = true;
  timer_slack_.insert_or_assign(id, at);
}

// Decisions 1 and 4: a timers pass, uv_run's before the first iteration or the timers
// phase at an iteration's end (uv__run_timers). The first timer's deadline lies within
// what the spread of the loop's charges since it was set (the main program's, the prints',
// the callbacks') could move the loop's time: a faster run finds it not yet due, a slower
// one due. It matters only when something could run between this pass and the next (an
// immediate, an operation under way). A timer is held back once at most: the next timers
// phase runs it. False: do not run the timers now.
bool Runtime::timers_due_now(DecisionKind kind) {
  if (!deciding()) return true;
  auto lists = node_timers_.lists(1);
  if (lists.empty() || lists.front().items.empty()) return true;
  const auto& timer = lists.front().items.front();
  auto slack = timer_slack_.find(timer.id);
  if (slack == timer_slack_.end() || held_back_.count(timer.id) != 0) return true;
  if (immediates_.empty() && callbacks_.empty()) return true;
  // Work before the loop last waited is absorbed by the wait (a faster run waits longer
  // for the same event or deadline): only the work since counts.
  const Duration early = slack_.early - std::max(slack->second.early, waited_at_.early);
  const Duration late = slack_.late - std::max(slack->second.late, waited_at_.late);
  const TimePoint deadline = time_of_ms(timer.due);
  const bool due = loop_now_ >= deadline;
  if (due ? loop_now_ - early >= deadline : loop_now_ + late < deadline) return true;
  const std::string pass = kind == DecisionKind::TimerAtLoopStart
                               ? std::string("uv_run's first timers pass (before the first iteration)")
                               : fmt::format("the timers phase of iteration {}", tick_);
  const std::string is_due =
      due ? fmt::format("timer {} is due by {}: it runs there", timer.id, pass)
          : fmt::format("the work before {} takes {} longer: timer {} is due there and runs there", pass,
                        ms_text(deadline - loop_now_), timer.id);
  const std::string not_due =
      due ? fmt::format("the work before {} takes more than {} less: timer {} is not due there yet and runs at the "
                        "next timers phase", pass, ms_text(loop_now_ - deadline), timer.id)
          : fmt::format("timer {} is not due by {}: it runs at the next timers phase", timer.id, pass);
  Decision d{kind, {due ? is_due : not_due, due ? not_due : is_due}};
  const RaceKind race = kind == DecisionKind::TimerAtLoopStart ? RaceKind::TimerAtLoopStart : RaceKind::TimerDue;
  if (decide(d, {.id = timer.id, .race = race}) == 0) return true;  // run_node_timers checks for itself
  if (due) {
    held_back_.emplace(timer.id, true);
    return false;
  }
  charge_time(deadline - loop_now_, Cost::Callback);  // the same work, slower
  update_time();
  return true;
}

}  // namespace elt

namespace elt {

// Decision 5: Node's timer start reads libuv's clock (getLibuvNow), in whole milliseconds,
// and a run starts anywhere within one. Two timers started in the same millisecond and the
// same stretch of JavaScript, the later one due 1 ms before the earlier (setTimeout 2 ms,
// then 1 ms): when the millisecond ends between the two calls, the later one starts 1 ms
// on and both are due together; Node's timer lists then run in the order they were made.
// It can happen only where the work between the calls has a spread in the profile (the
// main program's, or a callback's): with --costs zero the clock never moves there.
void Runtime::cross_ms_before_start(CallbackId id, std::int64_t ms) {
  const TimerStart before = last_start_;
  const std::int64_t start = loop_ms();
  last_start_ = {id, start, start + ms, tick_};
  if (!deciding() || before.start != start || before.tick != tick_ || start + ms + 1 != before.due) return;
  if (!node_timers_.contains(before.id)) return;
  const Cost work = tick_ == 0 ? Cost::MainProgram : Cost::Callback;
  if (options_.costs.most(work) - options_.costs.least(work) <= Duration::zero()) return;
  Decision d{DecisionKind::TimerStart,
             {fmt::format("libuv's clock stays in millisecond {} from timer {}'s start to timer {}'s: timer {} is due "
                          "1 ms before timer {} and runs first",
                          start, before.id, id, id, before.id),
              fmt::format("libuv's clock crosses into millisecond {} between timer {}'s start and timer {}'s: both "
                          "are due at {} ms and timer {}, whose list was made first, runs first",
                          start + 1, before.id, id, before.due, before.id)}};
  if (decide(d, {.id = id, .race = RaceKind::TimerStart, .rival = before.id}) == 0) return;
  charge_time(time_of_ms(start + 1) - loop_now_, work);  // the same statements, later in the millisecond
  update_time();
  last_start_ = {id, loop_ms(), loop_ms() + ms, tick_};
}

}  // namespace elt

namespace elt {

// Decision 6: the first task for the pool. The loop pays pool_start's median when it
// creates libuv's threads (Runtime::submit), but the threads must then be scheduled
// before one takes the task, and on a busy machine that can take far longer: the first
// fs.readFile of a program took 0.6 to 10 ms here where a warm one takes 0.1 ms
// (tests/races/first-read-cost.js). The slow side lets the first task wait the rest of
// pool_start's measured spread on the pool (what the loop was not charged), so that a
// timer set meanwhile may be due before it finishes.
Duration Runtime::slow_pool_start(CallbackId id) {
  if (!deciding() || !options_.model.charges_costs) return Duration::zero();
  const Duration later = clock_.stated_cost(options_.costs.most(Cost::PoolStart) - options_.costs.of(Cost::PoolStart));
  if (later <= Duration::zero()) return Duration::zero();
  Decision d{DecisionKind::PoolStart,
             {fmt::format("libuv's pool threads start within pool_start's median ({}): task {} runs at once",
                          ms_text(clock_.stated_cost(options_.costs.of(Cost::PoolStart))), id),
              fmt::format("libuv's pool threads start late, as late as pool_start's measured spread allows ({} "
                          "more): task {} waits for them",
                          ms_text(later), id)}};
  return decide(d, {.id = id, .race = RaceKind::PoolStart}) == 0 ? Duration::zero() : later;
}

}  // namespace elt
