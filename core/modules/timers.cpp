// The timers module as the scenario sees it (Node's lib/timers.js): setTimeout,
// setInterval, setImmediate, the clears, process.nextTick, queueMicrotask, and `block`.
// Each writes to the queue the loop model keeps (timers/node_timers.h or the heap); the
// loop (loop/runtime.cpp) runs them. Runtime members; loop thread only.
#include "modules/timers.h"

#include <fmt/format.h>

#include "clock/clock.h"
#include "common/check.h"
#include "trace/tracer.h"

namespace elt {

CallbackId Runtime::set_timeout(Duration delay, Callback callback, std::string label) {
  assert_in_loop_thread();
  CallbackId id = ids_.next();
  if (options_.model.timers == TimerDispatch::NodeLists) {
    // Timeout's constructor: 0 and out-of-range delays become 1 ms; the start is the
    // loop's time, read afresh (getLibuvNow updates it first).
    std::int64_t ms = NodeTimerLists<Callback>::coerce(std::chrono::duration_cast<Millis>(delay).count());
    if (options_.model.timer_start_reads_clock) {
      update_time();
      cross_ms_before_start(id, ms);
      read_libuv_clock(ClockRead::TimerStart, id);
    }
    std::int64_t start = loop_ms();
    node_timers_.insert(id, ms, start, 0, std::move(callback));
    note_timer_set(id);
    if (tracer_.active()) {
      tracer_.emit({.kind = EventKind::TimerRegistered, .id = id, .delay = Millis(ms), .due = Millis(start + ms),
                    .queue = QueueName::TimerList, .origin = label});
    }
    note_label(id, std::move(label));
    count_registration();
    return id;
  }
  // Like libuv, the deadline counts from the loop's cached time, not from this instant.
  timers_.add(loop_now_ + delay, id, std::move(callback));
  if (!label.empty()) clearable_[id] = loop_now_ + delay;
  if (tracer_.active()) {
    tracer_.emit({.kind = EventKind::TimerRegistered, .id = id, .delay = delay, .due = loop_now_ + delay - start_,
                  .origin = label});
  }
  note_label(id, std::move(label));
  count_registration();
  return id;
}

CallbackId Runtime::set_interval(Duration interval, Callback callback, std::string label) {
  assert_in_loop_thread();
  CallbackId id = ids_.next();
  if (options_.model.timers == TimerDispatch::NodeLists) {
    std::int64_t ms = NodeTimerLists<Callback>::coerce(std::chrono::duration_cast<Millis>(interval).count());
    if (options_.model.timer_start_reads_clock) {
      update_time();
      read_libuv_clock(ClockRead::TimerStart, id);
    }
    std::int64_t start = loop_ms();
    node_timers_.insert(id, ms, start, ms, std::move(callback));
    if (tracer_.active()) {
      tracer_.emit({.kind = EventKind::TimerRegistered, .id = id, .delay = Millis(ms), .due = Millis(start + ms),
                    .queue = QueueName::TimerList, .repeat = true, .origin = label});
    }
    note_label(id, std::move(label));
    count_registration();
    return id;
  }
  if (interval < Millis(1)) interval = Millis(1);  // as Node: an interval of 0 would spin
  intervals_.emplace(id, Interval{interval, std::move(callback)});
  timers_.add(loop_now_ + interval, id, [id](Runtime& rt, Outcome) { rt.fire_book_interval(id); });
  clearable_[id] = loop_now_ + interval;
  if (tracer_.active()) {
    tracer_.emit({.kind = EventKind::TimerRegistered, .id = id, .delay = interval,
                  .due = loop_now_ + interval - start_, .repeat = true, .origin = label});
  }
  note_label(id, std::move(label));
  count_registration();
  return id;
}

bool Runtime::clear_timer(CallbackId id) {
  assert_in_loop_thread();
  if (id == running_timer_ && running_timer_ != 0) running_timer_cleared_ = true;
  bool removed = false;
  if (options_.model.timers == TimerDispatch::NodeLists) {
    removed = node_timers_.remove(id);
    timer_slack_.erase(id);
  } else {
    auto it = clearable_.find(id);
    if (it != clearable_.end()) {
      removed = timers_.remove(it->second, id);
      clearable_.erase(it);
    }
    if (intervals_.erase(id) > 0) removed = true;
  }
  unrefed_.erase(id);
  if (removed || running_timer_cleared_) {
    labels_.erase(id);
    narrate({.kind = EventKind::Queued, .id = id, .cleared = true});
  }
  return removed;
}

bool Runtime::ref_timer(CallbackId id, bool ref) {
  assert_in_loop_thread();
  const bool live = options_.model.timers == TimerDispatch::NodeLists
                        ? node_timers_.contains(id)
                        : clearable_.find(id) != clearable_.end() || intervals_.find(id) != intervals_.end();
  if (!live) return false;
  // Node counts its ref'd timers in one number (timeoutInfo[0]) and refs its one libuv
  // timer while it is not 0; a set of the unref'd ones says the same, per timer.
  if (ref) {
    unrefed_.erase(id);
  } else {
    unrefed_.emplace(id, true);
  }
  return true;
}

CallbackId Runtime::set_immediate(Callback callback, std::string label) {
  assert_in_loop_thread();
  CallbackId id = ids_.next();
  immediates_.push_back(Queued{id, std::move(callback)});
  immediate_live_.emplace(id, true);
  if (tracer_.active()) {
    tracer_.emit({.kind = EventKind::Queued, .id = id, .queue = QueueName::Immediate, .origin = label});
  }
  note_label(id, std::move(label));
  count_registration();
  return id;
}

bool Runtime::clear_immediate(CallbackId id) {
  assert_in_loop_thread();
  if (immediate_live_.erase(id) == 0) return false;
  labels_.erase(id);
  narrate({.kind = EventKind::Queued, .id = id, .queue = QueueName::Immediate, .cleared = true});
  return true;
}

CallbackId Runtime::next_tick(Callback callback, std::string label) {
  assert_in_loop_thread();
  ensure(options_.model.ticks_and_microtasks, "next_tick in a model without a nextTick queue");
  CallbackId id = ids_.next();
  ticks_.push_back(Queued{id, std::move(callback)});
  narrate({.kind = EventKind::Queued, .id = id, .queue = QueueName::NextTick});
  note_label(id, std::move(label));
  return id;
}

CallbackId Runtime::queue_microtask(Callback callback, std::string label) {
  assert_in_loop_thread();
  ensure(options_.model.ticks_and_microtasks, "queue_microtask in a model without a microtask queue");
  CallbackId id = ids_.next();
  microtasks_.push_back(Queued{id, std::move(callback)});
  if (narrating()) narrate({.kind = EventKind::Queued, .id = id, .queue = QueueName::Microtask, .text = label});
  note_label(id, std::move(label));
  return id;
}

void Runtime::block(Duration busy) {
  assert_in_loop_thread();
  if (tracer_.active()) {
    tracer_.emit({.kind = EventKind::Blocked, .delay = busy});
  }
  // Real clock: a spin; virtual clock: charged, the other threads go on meanwhile, as
  // they would while the loop thread computes.
  clock_.busy_until(DeadlineKey{clock_.now() + busy + cost_of(Cost::Block), ids_.next()}, stop_);
}

void Runtime::unhandled_rejection(std::string_view message) {
  assert_in_loop_thread();
  track_rejection(std::string(message));
}

std::uint64_t Runtime::track_rejection(std::string message) {
  assert_in_loop_thread();
  unhandled_.emplace_back(++rejection_tokens_, std::move(message));
  return rejection_tokens_;
}

void Runtime::untrack_rejection(std::uint64_t token) {
  assert_in_loop_thread();
  std::erase_if(unhandled_, [token](const auto& entry) { return entry.first == token; });
}

void Runtime::on_unhandled_rejection(Callback handler) {
  assert_in_loop_thread();
  unhandled_handlers_.push_back(std::move(handler));
}

void Runtime::label_registration(CallbackId id, std::string label) {
  assert_in_loop_thread();
  if (label.empty()) return;  // nobody traces: every registration of a pool burst comes here
  note_label(id, std::move(label));
}

bool Runtime::tracing() const { return tracer_.active(); }

void Runtime::fire_book_interval(CallbackId id) {
  auto it = intervals_.find(id);
  if (it == intervals_.end()) return;  // cleared since it was due
  // Re-armed before the callback runs, from the loop's time, as Node re-inserts an
  // interval with the start it read before calling it.
  timers_.add(loop_now_ + it->second.every, id, [id](Runtime& rt, Outcome) { rt.fire_book_interval(id); });
  clearable_[id] = loop_now_ + it->second.every;
  // The callback may clear its own interval, which erases the entry: run it from here.
  Callback callback = std::move(it->second.callback);
  callback(*this, Outcome{});
  if (auto again = intervals_.find(id); again != intervals_.end()) again->second.callback = std::move(callback);
}

// The module's calls (timers.h). Each is the loop's member above, which checks the
// thread; immediate_pending reads the loop's queue itself, so it checks here.
CallbackId Timers::set_timeout(Duration delay, Callback callback, std::string label) {
  return loop_.set_timeout(delay, std::move(callback), std::move(label));
}

CallbackId Timers::set_interval(Duration interval, Callback callback, std::string label) {
  return loop_.set_interval(interval, std::move(callback), std::move(label));
}

bool Timers::clear_timer(CallbackId id) { return loop_.clear_timer(id); }

bool Timers::ref_timer(CallbackId id, bool ref) { return loop_.ref_timer(id, ref); }

CallbackId Timers::set_immediate(Callback callback, std::string label) {
  return loop_.set_immediate(std::move(callback), std::move(label));
}

bool Timers::clear_immediate(CallbackId id) { return loop_.clear_immediate(id); }

bool Timers::immediate_pending(CallbackId id) const {
  loop_.assert_in_loop_thread();
  return loop_.immediate_live_.find(id) != loop_.immediate_live_.end();
}

void Timers::block(Duration busy) { loop_.block(busy); }

}  // namespace elt
