// Decision 7 of the runtime's timing decisions (loop/timing.h): socket readiness against a
// timer. Runtime members; loop thread only.
//
// An HTTP exchange runs on real loopback sockets, and the virtual clock charges nothing
// while one is under way (the Divergence note at Runtime::charge), so a plain run has the
// response back at one moment: the delay service's answer after the request's set-up,
// charged at connect's median. A real Node run takes longer there by anything up to
// connect's measured spread (the first http.get of a program loads and sets up the http
// client, 1.8 to 38.9 ms on the machine of the default profile), and a timer due within
// that span may then be due first. Where one is, the poll phase that collects the
// response asks whether it came back before the timer's due time or after it; the late
// side holds the response back until libuv's clock reaches that time, as a slower
// exchange would land. The early side is not taken: connect's spread below its median is
// a fifth of a millisecond in the default profile, and a response cannot be made to come
// back sooner than the server sends it.
#include <algorithm>
#include <variant>

#include <fmt/format.h>

#include "clock/clock.h"
#include "loop/runtime.h"
#include "poller/reactor.h"
#include "trace/tracer.h"

namespace elt {

// The timer that becomes due first after millisecond `ms` of libuv's clock, with its due
// time; none when no timer is pending past it. A list's timers are in start order, so
// each list's first timer not yet due is the list's earliest.
std::optional<std::pair<CallbackId, std::int64_t>> Runtime::first_timer_due_after(std::int64_t ms) const {
  std::optional<std::pair<CallbackId, std::int64_t>> first;
  for (const auto& list : node_timers_.lists()) {
    auto it = std::find_if(list.items.begin(), list.items.end(), [&](const auto& t) { return t.due > ms; });
    if (it != list.items.end() && (!first || it->due < first->second)) first = std::pair{it->id, it->due};
  }
  return first;
}

// Each response collected meets the decision once per timer that falls due within what
// connect's spread could add to its exchange (counted from when it first came back); the
// late side holds it, and if the poll phase then has nothing to run it waits on, as its
// epoll_wait would not have returned for a response that was not there yet.
// The timers it weighs are Node's lists (first_timer_due_after): a model whose timers are
// the book's heap has none there, so no response is held.
void Runtime::hold_late_responses(std::vector<Completion>& ready) {
  if (!deciding()) return;
  const Duration later = clock_.stated_cost(options_.costs.most(Cost::Connect) - options_.costs.of(Cost::Connect));
  if (later <= Duration::zero()) return;
  std::size_t held = 0;
  for (std::size_t i = 0; i < ready.size();) {
    if (!std::holds_alternative<RequestDone>(ready[i])) {
      ++i;
      continue;
    }
    const CallbackId id = callback_of(ready[i]);
    const TimePoint back = response_back_.try_emplace(id, loop_now_).first->second;
    const auto timer = first_timer_due_after(loop_ms());
    const TimePoint due = timer ? time_of_ms(timer->second) : TimePoint{};
    if (!timer || due > back + later) {
      response_back_.erase(id);
      ++i;
      continue;
    }
    Decision d{DecisionKind::SocketReady,
               {fmt::format("request {}'s exchange takes what a plain run charges: its response is ready before "
                            "timer {} is due, in a poll phase before that timer's",
                            id, timer->first),
                fmt::format("request {}'s exchange takes {} or more longer (connect's measured spread allows up to {} "
                            "more): timer {} is due before the response is ready",
                            id, ms_text(due - back), ms_text(later), timer->first)}};
    if (decide(d, {.id = id}) == 0) {
      response_back_.erase(id);
      ++i;
      continue;
    }
    held_responses_.push_back({std::move(ready[i]), timer->first, timer->second});
    ready.erase(ready.begin() + static_cast<std::ptrdiff_t>(i));
    ++held;
  }
  if (held == 0 || !ready.empty()) return;
  const PollBound bound = poll_bound();
  while (!stop_requested()) {
    tracer_.flush();  // what the run printed so far is out before the loop sleeps
    if (reactor_->poll(bound.until, ready)) break;
    if (bound.until && clock_.now() >= *bound.until) break;
  }
  update_time();
  hold_late_responses(ready);
}

// At a poll phase's start: a held response whose time has come is there to be collected
// (polled_: the poll phase does not block for it). One whose timer was cleared meanwhile
// is there at once: nothing would wake the loop at its time.
void Runtime::release_held_responses() {
  for (auto it = held_responses_.begin(); it != held_responses_.end();) {
    if (loop_ms() >= it->ready_ms || !node_timers_.contains(it->timer)) {
      polled_.push_back(std::move(it->completion));
      it = held_responses_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace elt
