// The timers module as the scenario sees it (Node's lib/timers.js): setTimeout,
// setInterval, setImmediate, the clears, process.nextTick, queueMicrotask, and `block`.
// Timers go to the model's timer store (loop/timer_store.h), the rest to the loop's
// queues; the loop (loop/runtime.cpp) runs them. Runtime members; loop thread only.
#include "modules/timers.h"

#include <fmt/format.h>

#include "clock/clock.h"
#include "common/check.h"
#include "loop/timer_store.h"
#include "trace/tracer.h"

namespace elt {

CallbackId Runtime::set_timeout(Duration delay, Callback callback, std::string label) {
  assert_in_loop_thread();
  CallbackId id = ids_.next();
  timer_store_->add_timeout(*this, id, delay, std::move(callback), label);  // the model's store (loop/timer_store.h)
  note_label(id, std::move(label));
  count_registration();
  return id;
}

CallbackId Runtime::set_interval(Duration interval, Callback callback, std::string label) {
  assert_in_loop_thread();
  CallbackId id = ids_.next();
  timer_store_->add_interval(*this, id, interval, std::move(callback), label);
  note_label(id, std::move(label));
  count_registration();
  return id;
}

bool Runtime::clear_timer(CallbackId id) {
  assert_in_loop_thread();
  if (id == running_timer_ && running_timer_ != 0) running_timer_cleared_ = true;
  bool removed = timer_store_->remove(*this, id);
  unrefed_.erase(id);
  if (removed || running_timer_cleared_) {
    labels_.erase(id);
    narrate({.kind = EventKind::Queued, .id = id, .cleared = true});
  }
  return removed;
}

bool Runtime::ref_timer(CallbackId id, bool ref) {
  assert_in_loop_thread();
  if (!timer_store_->contains(*this, id)) return false;
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
