// The timers module as a scenario calls it (Node's lib/timers.js): setTimeout,
// setInterval, their clears, unref/ref, setImmediate, clearImmediate, and `block`.
//
// A Timers holds the loop it registers with, and nothing else: the timers and the
// immediate queue are the loop's, as libuv's timer heap is uv_loop_t's, because the loop's
// phases run them and its alive() counts them. Make one where it is needed
// (`Timers(rt).set_timeout(...)`); it is two words.
// Not yet: the bodies are still Runtime's private members (further down this folder's
// timers.cpp), beside the loop's records they write; a Timers is the way in from outside
// the loop. They move here once the model's timer store is a part of its own
// (loop/model_parts.h), when they no longer reach into the loop's fields.
// Thread contract: loop thread only; every call checks it (Runtime::assert_in_loop_thread).
#pragma once

#include <string>

#include "common/ids.h"
#include "common/time.h"
#include "loop/runtime.h"

namespace elt {

class Timers {
 public:
  using Callback = Runtime::Callback;

  explicit Timers(Runtime& loop) : loop_(loop) {}

  // `label` says what registered it ("set_timeout at book.json:14"), for the stepper's
  // state view and the trace's jsonl; empty when nobody needs it. Each returns the id.
  CallbackId set_timeout(Duration delay, Callback callback, std::string label = {});
  // Runs `callback` every `interval` until clear_timer(id). The callback may run many times.
  CallbackId set_interval(Duration interval, Callback callback, std::string label = {});
  // clearTimeout / clearInterval: false when it had already run or been cleared.
  bool clear_timer(CallbackId id);
  // timer.unref() / timer.ref(), libuv's uv_unref / uv_ref on the timer's handle: an
  // unref'd timer (or interval) still fires when its time comes, but does not keep the
  // loop alive by itself. False when `id` is not a live timer (it ran, it was cleared, it
  // is an immediate): Node's unref of a finished timer is a no-op too.
  bool ref_timer(CallbackId id, bool ref);
  CallbackId set_immediate(Callback callback, std::string label = {});
  bool clear_immediate(CallbackId id);
  bool immediate_pending(CallbackId id) const;
  // Keeps the loop thread busy for `busy` (real CPU time on the real clock; charged as
  // that much virtual time on the virtual clock). Nothing else runs on the loop meanwhile.
  void block(Duration busy);

 private:
  Runtime& loop_;
};

}  // namespace elt
