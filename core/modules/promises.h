// Promises as V8 runs them (ECMA-262 §27.2), built on the runtime's microtask queue.
//
// A promise is an object: its state, its value (or, rejected, the Error's message), the
// reactions waiting for it and whether anything ever handled it. The operations are the
// spec's, by name (PerformPromiseThen, TriggerPromiseReactions, the resolving functions,
// NewPromiseResolveThenableJob, Await, Promise.prototype.finally), so that how many
// microtask turns something takes comes out of the structure, never from a count written
// down: resolving with a promise queues a thenable job, whose `then` queues a reaction,
// whose run resolves the outer one; with a thenable object, the job calls its own then.
// V8's HostPromiseRejectionTracker is Runtime::track_rejection / untrack_rejection: a
// rejection with no handler waits there until the microtasks drain, and a handler attached
// meanwhile (a late .catch, in a nextTick) takes it back out, as in Node.
// Loop thread only, like everything a scenario touches.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/value.h"

namespace elt {

class Runtime;
struct JsPromise;
using PromisePtr = std::shared_ptr<JsPromise>;
struct Thenable;
using ThenablePtr = std::shared_ptr<const Thenable>;

// What a handler (a then/catch callback, an await's continuation) did: returned a value,
// threw one, or returned a promise (which the derived promise then adopts, two turns later)
// or a thenable (whose then the derived promise calls, in a job of its own).
struct HandlerResult {
  bool threw = false;
  Value value;
  PromisePtr promise;
  ThenablePtr thenable;
};
// A handler sees the value (or the rejection's message). Empty: pass the state on, as
// `.then(f)` does with a rejection.
using PromiseHandler = std::function<HandlerResult(Runtime&, const Value&)>;

struct PromiseReaction {
  PromisePtr derived;  // null for Await and the combinators' element functions, which need none
  PromiseHandler on_fulfilled;
  PromiseHandler on_rejected;
  std::string label;   // what the microtask is, for the stepper and the jsonl
};

struct JsPromise {
  enum class State { Pending, Fulfilled, Rejected };
  State state = State::Pending;
  Value value;
  bool handled = false;           // [[PromiseIsHandled]]
  bool already_resolved = false;  // its resolving functions' shared flag
  std::uint64_t tracked = 0;      // the rejection tracker's token while it waits there
  std::vector<PromiseReaction> reactions;
};

// An object with a then method that is not a promise: `{ then(resolve, reject) {...} }`.
// Resolving a promise with one costs a job (NewPromiseResolveThenableJob) that calls `then`
// with fresh resolving functions for that promise; the method may settle it at once, later
// (from a callback) or never. `then` settles `target` through promises::resolve/reject.
struct Thenable {
  std::function<void(Runtime&, const PromisePtr& target)> then;
  std::string label;  // what the job is, for the stepper and the jsonl
};

namespace promises {

PromisePtr make_pending();
// Promise.resolve(v) of a value that is not a promise, and Promise.reject(new Error(m)).
PromisePtr make_fulfilled(Value v);
PromisePtr make_rejected(Runtime& rt, Value message);

// The resolving functions a `new Promise` executor gets (ignored once one has run).
void resolve(Runtime& rt, const PromisePtr& p, Value v);
void resolve_with(Runtime& rt, const PromisePtr& p, const PromisePtr& other);  // resolve(p, aPromise)
void reject(Runtime& rt, const PromisePtr& p, Value message);
void resolve_with_thenable(Runtime& rt, const PromisePtr& p, const ThenablePtr& t);  // resolve(p, {then...})
// PromiseResolve(thenable), as await, Promise.all and Promise.resolve do it: a new promise
// resolved with the thenable, so its then is called one job later.
PromisePtr from_thenable(Runtime& rt, const ThenablePtr& t);

// PerformPromiseThen: `reaction` runs as one microtask once `p` settles (at once queued if
// it already has). Marks `p` handled.
void perform_then(Runtime& rt, const PromisePtr& p, PromiseReaction reaction);
// p.then(onF, onR): perform_then with a fresh derived promise, which it returns.
PromisePtr then(Runtime& rt, const PromisePtr& p, PromiseHandler on_fulfilled, PromiseHandler on_rejected,
                std::string label = {});

// p.finally(f) (§27.2.5.3): then(thenFinally, catchFinally). Each calls f; unless f threw,
// it returns Promise.resolve(f's result).then(() => value) (or `() => { throw reason }`),
// a promise the derived one adopts: so the step after a finally runs two turns later
// than the step after a then would, and a promise f returns is waited for first.
PromisePtr finally(Runtime& rt, const PromisePtr& p, PromiseHandler on_finally, std::string label = {});

// await p (V8 since 7.2: PromiseResolve, then PerformPromiseThen, so a native promise costs
// one turn) and await of a plain value (wrapped in a fulfilled promise: one turn too).
void await(Runtime& rt, const PromisePtr& p, PromiseHandler on_fulfilled, PromiseHandler on_rejected,
           std::string label = {});

// The combinators over promises already made (PromiseResolve of a native promise is the
// promise itself): Promise.all / race / allSettled / any. Values are text, as `${values}`
// prints an array: "a,b" (undefined prints empty), allSettled's objects "[object Object]".
enum class Combinator { All, Race, AllSettled, Any };
PromisePtr combine(Runtime& rt, Combinator kind, const std::vector<PromisePtr>& inputs);

}  // namespace promises
}  // namespace elt
