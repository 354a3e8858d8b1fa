// The model's timer store (LoopModel::timers), built by make_model_parts: how a timer is
// kept, and how the timers phase runs the due ones.
//
// The book keeps one queue by (deadline, id), as libuv's timer heap; Node keeps one list per
// duration (lib/internal/timers.js) behind the one libuv timer it arms. The timers module
// (modules/timers.cpp) and the loop (the timers phase, the poll phase's bound) call this
// interface and never ask which store they have. The records themselves stay the
// Runtime's (timers_, node_timers_), because the state view and the timing decisions read
// them; a store object is the rule that writes and runs them, and holds no data.
// Thread contract: loop thread only, as the Runtime it works on.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/ids.h"
#include "common/time.h"
#include "loop/runtime.h"

namespace elt {

class TimerStore {
 public:
  virtual ~TimerStore() = default;
  // setTimeout: keeps `callback` under `id`, due after `delay`, and traces the registration.
  virtual void add_timeout(Runtime& rt, CallbackId id, Duration delay, Runtime::Callback callback,
                           const std::string& label) const = 0;
  // setInterval: the same, run every `interval` until cleared.
  virtual void add_interval(Runtime& rt, CallbackId id, Duration interval, Runtime::Callback callback,
                            const std::string& label) const = 0;
  // clearTimeout / clearInterval's part in the store: false when `id` was not in it.
  virtual bool remove(Runtime& rt, CallbackId id) const = 0;
  // A live timer (it has not run, or it repeats, and it was not cleared).
  virtual bool contains(const Runtime& rt, CallbackId id) const = 0;
  // The timers phase (uv__run_timers, or Node's processTimers behind it).
  virtual void run_phase(Runtime& rt) const = 0;
  // When the first timer is due, as the poll phase's bound counts it; none without timers.
  virtual std::optional<TimePoint> next_due(const Runtime& rt) const = 0;
};

// The two stores (loop/timer_store.cpp); make_model_parts picks one.
std::unique_ptr<TimerStore> make_heap_timer_store();
std::unique_ptr<TimerStore> make_list_timer_store();

}  // namespace elt
