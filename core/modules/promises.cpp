#include "modules/promises.h"

#include <memory>
#include <utility>

#include "loop/runtime.h"

namespace elt::promises {

namespace {

void fulfill_now(Runtime& rt, const PromisePtr& p, Value v);
void reject_now(Runtime& rt, const PromisePtr& p, Value message);
void resolve_now(Runtime& rt, const PromisePtr& p, const PromisePtr& other);
void resolve_thenable_now(Runtime& rt, const PromisePtr& p, const ThenablePtr& t);

// The derived promise of a reaction settles with what its handler did.
void settle_with_result(Runtime& rt, const PromisePtr& p, HandlerResult out) {
  if (out.threw) {
    reject_now(rt, p, std::move(out.value));
  } else if (out.promise) {
    resolve_now(rt, p, out.promise);
  } else if (out.thenable) {
    resolve_thenable_now(rt, p, out.thenable);
  } else {
    fulfill_now(rt, p, std::move(out.value));
  }
}

// PromiseReactionJob: one microtask runs the handler (or passes the state on) and settles
// the derived promise with what it did.
void queue_reaction_job(Runtime& rt, PromiseReaction r, bool rejected, Value v) {
  std::string label = std::move(r.label);
  auto job = std::make_shared<PromiseReaction>(std::move(r));
  rt.queue_microtask(
      [job, rejected, v = std::move(v)](Runtime& rt2, Outcome) {
        const PromiseHandler& h = rejected ? job->on_rejected : job->on_fulfilled;
        HandlerResult out = h ? h(rt2, v) : HandlerResult{rejected, v, nullptr, nullptr};
        if (job->derived) settle_with_result(rt2, job->derived, std::move(out));
      },
      std::move(label));
}

// TriggerPromiseReactions: every reaction waiting becomes a job, in the order attached.
void trigger(Runtime& rt, const PromisePtr& p) {
  std::vector<PromiseReaction> reactions = std::move(p->reactions);
  p->reactions.clear();
  for (auto& r : reactions) queue_reaction_job(rt, std::move(r), p->state == JsPromise::State::Rejected, p->value);
}

void fulfill_now(Runtime& rt, const PromisePtr& p, Value v) {
  p->state = JsPromise::State::Fulfilled;
  p->value = std::move(v);
  trigger(rt, p);
}

void reject_now(Runtime& rt, const PromisePtr& p, Value message) {
  p->state = JsPromise::State::Rejected;
  p->value = std::move(message);
  // HostPromiseRejectionTracker(p, "reject"): Node holds it until the microtasks drain.
  if (!p->handled) p->tracked = rt.track_rejection(p->value.to_display());
  trigger(rt, p);
}

// Resolving p with a promise does not settle p: NewPromiseResolveThenableJob, one
// microtask later, calls other.then(resolve p, reject p), whose reaction (one more turn
// once `other` has settled) settles p. The two extra turns Node shows come from here.
void resolve_now(Runtime& rt, const PromisePtr& p, const PromisePtr& other) {
  if (other == p) {
    reject_now(rt, p, Value::string("Chaining cycle detected for promise #<Promise>"));
    return;
  }
  rt.queue_microtask(
      [p, other](Runtime& rt2, Outcome) {
        PromiseReaction r;
        r.on_fulfilled = [p](Runtime& rt3, const Value& v) {
          fulfill_now(rt3, p, v);
          return HandlerResult{};
        };
        r.on_rejected = [p](Runtime& rt3, const Value& v) {
          reject_now(rt3, p, v);
          return HandlerResult{};
        };
        r.label = rt2.tracing() ? "resolve with the promise's value (its then, from the thenable job)" : "";
        perform_then(rt2, other, std::move(r));
      },
      rt.tracing() ? "NewPromiseResolveThenableJob" : "");
}

// The same job for an object that is not a promise: its then runs inside the job, with
// resolving functions made for p there (CreateResolvingFunctions). The pair that resolved
// p with the thenable is spent, so p's own flag can serve as the new pair's: a then that
// calls resolve twice, or resolves after rejecting, is ignored the second time.
void resolve_thenable_now(Runtime& rt, const PromisePtr& p, const ThenablePtr& t) {
  rt.queue_microtask(
      [p, t](Runtime& rt2, Outcome) {
        p->already_resolved = false;
        t->then(rt2, p);
      },
      rt.tracing() ? "NewPromiseResolveThenableJob: " + t->label : "");
}

// finally's two handlers: call f; unless it threw, wait for what it returned (a value is
// Promise.resolve(value): one turn), then pass on what p settled with.
PromiseHandler finally_handler(PromiseHandler on_finally, bool rejected) {
  return [on_finally = std::move(on_finally), rejected](Runtime& rt, const Value& v) {
    HandlerResult r = on_finally(rt, v);
    if (r.threw) return r;
    PromisePtr waited = r.promise ? r.promise : r.thenable ? from_thenable(rt, r.thenable) : make_fulfilled(r.value);
    PromiseHandler pass_on = [v, rejected](Runtime&, const Value&) { return HandlerResult{rejected, v, nullptr, nullptr}; };
    HandlerResult out;
    out.promise = then(rt, waited, std::move(pass_on), nullptr, rt.tracing() ? "finally: pass the value on" : "");
    return out;
  };
}

// What Promise.all's values print as inside a template: Array.prototype.join's text,
// where undefined is empty.
std::string joined(const std::vector<Value>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    std::string s = values[i].to_display();
    if (s != "undefined") out += s;
  }
  return out;
}

// The combinators' shared count: the spec's remainingElementsCount starts at 1 and drops
// once after the loop, so an empty list settles at once.
struct Gathered {
  std::vector<Value> values;
  std::size_t remaining = 1;
};

PromiseReaction element(Combinator kind, const PromisePtr& result, const std::shared_ptr<Gathered>& g,
                        std::size_t i) {
  PromiseReaction r;
  auto record = [result, g, i, kind](Runtime& rt, Value v) {
    g->values[i] = std::move(v);
    if (--g->remaining > 0) return;
    if (kind == Combinator::Any) {
      reject(rt, result, Value::string("All promises were rejected"));
    } else {
      resolve(rt, result, Value::string(joined(g->values)));
    }
  };
  auto settle_with = [result](bool rejected) {
    return [result, rejected](Runtime& rt, const Value& v) {
      rejected ? reject(rt, result, v) : resolve(rt, result, v);
      return HandlerResult{};
    };
  };
  auto record_as = [record](std::optional<std::string> shown) {
    return [record, shown](Runtime& rt, const Value& v) {
      record(rt, shown ? Value::string(*shown) : v);
      return HandlerResult{};
    };
  };
  switch (kind) {
    case Combinator::All:
      r.on_fulfilled = record_as(std::nullopt);
      r.on_rejected = settle_with(true);
      break;
    case Combinator::Race:
      r.on_fulfilled = settle_with(false);
      r.on_rejected = settle_with(true);
      break;
    case Combinator::AllSettled:
      r.on_fulfilled = record_as("[object Object]");
      r.on_rejected = record_as("[object Object]");
      break;
    case Combinator::Any:
      r.on_fulfilled = settle_with(false);
      r.on_rejected = record_as(std::nullopt);
      break;
  }
  return r;
}

}  // namespace

PromisePtr make_pending() { return std::make_shared<JsPromise>(); }

PromisePtr make_fulfilled(Value v) {
  auto p = make_pending();
  p->state = JsPromise::State::Fulfilled;
  p->value = std::move(v);
  p->already_resolved = true;
  return p;
}

PromisePtr make_rejected(Runtime& rt, Value message) {
  auto p = make_pending();
  p->already_resolved = true;
  reject_now(rt, p, std::move(message));
  return p;
}

void resolve(Runtime& rt, const PromisePtr& p, Value v) {
  if (std::exchange(p->already_resolved, true)) return;
  fulfill_now(rt, p, std::move(v));
}

void resolve_with(Runtime& rt, const PromisePtr& p, const PromisePtr& other) {
  if (std::exchange(p->already_resolved, true)) return;
  resolve_now(rt, p, other);
}

void resolve_with_thenable(Runtime& rt, const PromisePtr& p, const ThenablePtr& t) {
  if (std::exchange(p->already_resolved, true)) return;
  resolve_thenable_now(rt, p, t);
}

PromisePtr from_thenable(Runtime& rt, const ThenablePtr& t) {
  auto p = make_pending();
  resolve_with_thenable(rt, p, t);
  return p;
}

PromisePtr finally(Runtime& rt, const PromisePtr& p, PromiseHandler on_finally, std::string label) {
  PromiseHandler on_rejected = finally_handler(on_finally, true);
  return then(rt, p, finally_handler(std::move(on_finally), false), std::move(on_rejected), std::move(label));
}

void reject(Runtime& rt, const PromisePtr& p, Value message) {
  if (std::exchange(p->already_resolved, true)) return;
  reject_now(rt, p, std::move(message));
}

void perform_then(Runtime& rt, const PromisePtr& p, PromiseReaction reaction) {
  switch (p->state) {
    case JsPromise::State::Pending:
      p->reactions.push_back(std::move(reaction));
      break;
    case JsPromise::State::Fulfilled:
      queue_reaction_job(rt, std::move(reaction), false, p->value);
      break;
    case JsPromise::State::Rejected:
      // HostPromiseRejectionTracker(p, "handle"): a handler attached before the microtasks
      // drained takes the rejection back; later, Node has already reported it.
      if (!p->handled && p->tracked != 0) rt.untrack_rejection(p->tracked);
      queue_reaction_job(rt, std::move(reaction), true, p->value);
      break;
  }
  p->handled = true;
}

PromisePtr then(Runtime& rt, const PromisePtr& p, PromiseHandler on_fulfilled, PromiseHandler on_rejected,
                std::string label) {
  auto derived = make_pending();
  derived->already_resolved = true;  // only its reaction job settles it
  perform_then(rt, p, PromiseReaction{derived, std::move(on_fulfilled), std::move(on_rejected), std::move(label)});
  return derived;
}

void await(Runtime& rt, const PromisePtr& p, PromiseHandler on_fulfilled, PromiseHandler on_rejected,
           std::string label) {
  perform_then(rt, p, PromiseReaction{nullptr, std::move(on_fulfilled), std::move(on_rejected), std::move(label)});
}

PromisePtr combine(Runtime& rt, Combinator kind, const std::vector<PromisePtr>& inputs) {
  auto result = make_pending();
  auto g = std::make_shared<Gathered>();
  g->values.resize(inputs.size(), Value::string("undefined"));
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (kind != Combinator::Race) ++g->remaining;
    perform_then(rt, inputs[i], element(kind, result, g, i));
  }
  if (kind != Combinator::Race && --g->remaining == 0) {
    if (kind == Combinator::Any) {
      reject(rt, result, Value::string("All promises were rejected"));
    } else {
      resolve(rt, result, Value::string(joined(g->values)));
    }
  }
  return result;
}

}  // namespace elt::promises
