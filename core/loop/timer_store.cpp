// The two timer stores (loop/timer_store.h). Each is a friend of Runtime: it writes the
// loop's own records, as the code it replaced in the timers module and the loop did.
#include "loop/timer_store.h"

#include <chrono>
#include <utility>

#include "trace/tracer.h"

namespace elt {

// The book's loop: one queue by (deadline, id), like libuv's heap, so equal deadlines run in
// the order they were set. A deadline counts from the loop's cached time (uv_now), not from
// the instant setTimeout runs.
class HeapTimerStore final : public TimerStore {
 public:
  void add_timeout(Runtime& rt, CallbackId id, Duration delay, Runtime::Callback callback,
                   const std::string& label) const override {
    rt.timers_.add(rt.loop_now_ + delay, id, std::move(callback));
    // Only a labelled timeout has a handle a scenario can clear (clear_timer finds it here).
    if (!label.empty()) rt.clearable_[id] = rt.loop_now_ + delay;
    if (rt.tracer_.active()) {
      rt.tracer_.emit({.kind = EventKind::TimerRegistered, .id = id, .delay = delay,
                       .due = rt.loop_now_ + delay - rt.start_, .origin = label});
    }
  }

  // The heap holds a trampoline (fire_book_interval) that re-arms the interval; the
  // callback itself waits in intervals_.
  void add_interval(Runtime& rt, CallbackId id, Duration interval, Runtime::Callback callback,
                    const std::string& label) const override {
    if (interval < Millis(1)) interval = Millis(1);  // as Node: an interval of 0 would spin
    rt.intervals_.emplace(id, Runtime::Interval{interval, std::move(callback)});
    rt.timers_.add(rt.loop_now_ + interval, id, [id](Runtime& r, Outcome) { r.fire_book_interval(id); });
    rt.clearable_[id] = rt.loop_now_ + interval;
    if (rt.tracer_.active()) {
      rt.tracer_.emit({.kind = EventKind::TimerRegistered, .id = id, .delay = interval,
                       .due = rt.loop_now_ + interval - rt.start_, .repeat = true, .origin = label});
    }
  }

  bool remove(Runtime& rt, CallbackId id) const override {
    bool removed = false;
    auto it = rt.clearable_.find(id);
    if (it != rt.clearable_.end()) {
      removed = rt.timers_.remove(it->second, id);
      rt.clearable_.erase(it);
    }
    if (rt.intervals_.erase(id) > 0) removed = true;
    return removed;
  }

  bool contains(const Runtime& rt, CallbackId id) const override {
    return rt.clearable_.find(id) != rt.clearable_.end() || rt.intervals_.find(id) != rt.intervals_.end();
  }

  void run_phase(Runtime& rt) const override { rt.run_timers(); }

  std::optional<TimePoint> next_due(const Runtime& rt) const override {
    if (auto next = rt.timers_.next()) return next->deadline;
    return std::nullopt;
  }
};

// Node's JavaScript layer: one list per duration, in whole milliseconds of libuv's clock.
class ListTimerStore final : public TimerStore {
 public:
  // Timeout's constructor: 0 and out-of-range delays become 1 ms; the start is the loop's
  // time, read afresh (getLibuvNow updates it first).
  void add_timeout(Runtime& rt, CallbackId id, Duration delay, Runtime::Callback callback,
                   const std::string& label) const override {
    std::int64_t ms = NodeTimerLists<Runtime::Callback>::coerce(std::chrono::duration_cast<Millis>(delay).count());
    if (rt.options_.model.timer_start_reads_clock) {
      rt.update_time();
      rt.cross_ms_before_start(id, ms);
      rt.read_libuv_clock(Runtime::ClockRead::TimerStart, id);
    }
    std::int64_t start = rt.loop_ms();
    rt.node_timers_.insert(id, ms, start, 0, std::move(callback));
    rt.note_timer_set(id);
    if (rt.tracer_.active()) {
      rt.tracer_.emit({.kind = EventKind::TimerRegistered, .id = id, .delay = Millis(ms), .due = Millis(start + ms),
                       .queue = QueueName::TimerList, .origin = label});
    }
  }

  void add_interval(Runtime& rt, CallbackId id, Duration interval, Runtime::Callback callback,
                    const std::string& label) const override {
    std::int64_t ms = NodeTimerLists<Runtime::Callback>::coerce(std::chrono::duration_cast<Millis>(interval).count());
    if (rt.options_.model.timer_start_reads_clock) {
      rt.update_time();
      rt.read_libuv_clock(Runtime::ClockRead::TimerStart, id);
    }
    std::int64_t start = rt.loop_ms();
    rt.node_timers_.insert(id, ms, start, ms, std::move(callback));
    if (rt.tracer_.active()) {
      rt.tracer_.emit({.kind = EventKind::TimerRegistered, .id = id, .delay = Millis(ms), .due = Millis(start + ms),
                       .queue = QueueName::TimerList, .repeat = true, .origin = label});
    }
  }

  bool remove(Runtime& rt, CallbackId id) const override {
    const bool removed = rt.node_timers_.remove(id);
    rt.timer_slack_.erase(id);
    return removed;
  }

  bool contains(const Runtime& rt, CallbackId id) const override { return rt.node_timers_.contains(id); }

  // libuv 1.45+: `uv__update_time(loop); uv__run_timers(loop);` at the iteration's end;
  // Node's one libuv timer runs the due lists (Runtime::run_node_timers).
  void run_phase(Runtime& rt) const override {
    rt.update_time();
    if (rt.timers_due_now(DecisionKind::TimerDue)) rt.run_node_timers();
  }

  std::optional<TimePoint> next_due(const Runtime& rt) const override {
    if (auto expiry = rt.node_timers_.next_expiry()) return rt.time_of_ms(*expiry);
    return std::nullopt;
  }
};

std::unique_ptr<TimerStore> make_heap_timer_store() { return std::make_unique<HeapTimerStore>(); }
std::unique_ptr<TimerStore> make_list_timer_store() { return std::make_unique<ListTimerStore>(); }

// The trampoline a book interval keeps in the heap (HeapTimerStore::add_interval).
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

}  // namespace elt
