// Decision 8 of the runtime's timing decisions (loop/timing.h): where libuv's millisecond
// turns, after work whose time varies by a millisecond or more. Runtime members; loop
// thread only.
//
// libuv's clock counts whole milliseconds (uv_now), and Node reads it when a timer starts
// (getLibuvNow) and when the timers run (processTimers' `now`). A 0 ms timer is due when
// the clock has turned once since its start. The virtual clock puts the program's start
// at one place in its millisecond (the profile's clock_phase), and a plain run keeps
// every turn where that places it. But after work whose measured spread is a millisecond
// or more (the first console.log sets standard output up in 12.7 to 45.1 ms), where the
// next turn falls is anyone's guess: a run of Node may be anywhere in its millisecond.
// Measured with node v20 (tests/races/timeout-vs-immediate-in-immediate.js): a 0 ms timer
// set right after the first console.log ran at the end of that iteration in 12 runs of
// 40, one iteration later in 10, two later in 6, and only after three more immediates in
// 12; the loop's work between those clock reads is about 0.1 ms an iteration, and the
// first write's nextTick (afterWriteTick) drain and the timers phase's own entry about
// 0.3 ms, so only where the turn falls tells them apart.
//
// So for the millisecond after such work, each read of libuv's clock that a timer's
// start or due time depends on is a decision: has the clock turned yet? "Turned" ends
// the question (the clock does not turn back); "not yet" asks again at the next read.
// Either side is made real by moving where the millisecond ends (ms_shift_, read by
// loop_ms and time_of_ms), as a run that started elsewhere in its millisecond would
// have it; nothing is charged, so the other threads' timing is the plain run's. A
// poll phase that waits ends the question: its wait ran to libuv's own deadline.
#include <fmt/format.h>

#include "clock/clock.h"
#include "loop/runtime.h"

namespace elt {

namespace {

}  // namespace

// After charging `cost`: a spread of a millisecond or more sets the next millisecond's
// turn free. The main program's own spread is decision 1's (uv_run's first timers pass),
// which already takes both sides of where its millisecond ends.
void Runtime::free_clock_phase(Cost cost) {
  if (cost == Cost::MainProgram || !deciding() || !options_.model.timer_start_reads_clock) return;
  const Duration spread = clock_.stated_cost(options_.costs.most(cost) - options_.costs.least(cost));
  if (spread < Millis(1)) return;
  ClockWindow window;
  window.until = clock_.now() + Millis(1);
  window.cost = cost;
  clock_window_ = window;
}

void Runtime::read_libuv_clock(ClockRead read, CallbackId timer) {
  if (!clock_window_) return;
  ClockWindow& w = *clock_window_;
  if (loop_now_ >= w.until || stop_requested()) {
    close_clock_window();
    return;
  }
  if (!w.ms) {  // the first read after the work: the millisecond the question is about
    w.ms = loop_ms();
    w.last_at = loop_now_;
    w.last_read = read;
    return;
  }
  const std::int64_t ms = *w.ms;
  const bool turned = loop_ms() > ms;
  // A timers phase depends on the turn only when a timer falls due at it.
  if (read == ClockRead::TimersPhase) {
    const auto next = first_timer_due_after(ms);
    if (!next || next->second != ms + 1) return;
    timer = next->first;
  }
  // uv_run's first timers pass is decision 1's; one statement's reads at one instant are one.
  if (read == ClockRead::LoopStart || (w.last_read == read && w.last_at == loop_now_)) {
    if (turned) close_clock_window();
    return;
  }
  w.last_at = loop_now_;
  w.last_read = read;
  const std::string at = read == ClockRead::TimerStart ? fmt::format("timer {}'s start", timer)
                                                       : fmt::format("the timers phase of iteration {}", tick_);
  const Cost cost = w.cost;
  const std::string still = fmt::format(
      "libuv's clock is still in millisecond {} at {} ({} varies from {} to {}: after it, where a millisecond "
      "ends is anyone's guess)",
      ms, at, cost_name(cost), ms_text(clock_.stated_cost(options_.costs.least(cost))),
      ms_text(clock_.stated_cost(options_.costs.most(cost))));
  const std::string has_turned = fmt::format("libuv's clock has turned to millisecond {} by {}", ms + 1, at);
  Decision d{DecisionKind::ClockTurn, {turned ? has_turned : still, turned ? still : has_turned}};
  const std::size_t choice = decide(d, {.id = timer});
  const TimePoint turn = time_of_ms(ms + 1);
  if (turned && choice == 1) {
    ms_shift_ -= loop_now_ - turn + std::chrono::nanoseconds(1);  // the turn just after now
  } else if (!turned && choice == 1) {
    ms_shift_ += turn - loop_now_;  // the turn now
  }
  if (turned == (choice == 0)) close_clock_window();
}

}  // namespace elt
