// Promises as values and async functions (issue 21): new_promise and the resolve/reject its
// executor's callbacks call, promise_then (then/catch attached to a named promise at any
// time), async and await, the four combinators, sleep (timers/promises' setTimeout),
// on_unhandled_rejection, thenable objects, and try/catch/finally and throw_error in async
// bodies. Each runs on modules/promises.h, the spec's operations, so the microtask turns are
// V8's. The book's loop has no microtask queue: all need the node model.
//
// An async body runs until its first await, then goes on as a microtask. The parser folds
// the body so that each await holds the rest of the body as its `then`: a continuation is
// then just a list run in the scope the await left, and the position needs no bookkeeping.
// The function's result promise is found from that scope (a number bound under "%async").
// A try is folded the same way (the rest of the body is its `then`), and its block's scope
// binds "%try": where a stretch of the block ends, a rejected await or a throw_error finds
// the innermost try from the scope it runs in, as an exception unwinds to its handler.
// A try costs no microtask: only awaits suspend the body.
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "modules/fs.h"
#include "modules/timers.h"
#include "scenario/actions/action.h"
#include "scenario/actions/async_state.h"
#include "scenario/actions/families.h"

namespace elt::scenario::actions {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// Names scopes bind that no scenario name can be (a scenario's names are letters, digits, _).
const std::string kFrameName = "%async";
const std::string kErrorName = "error";
// The innermost try an async body is in (0: none, as at the start of every body, so that a
// function called inside another's try does not find that try).
const std::string kTryName = "%try";

// The parse's context, which an action's own parse cannot otherwise see: the depth of the
// async body being read (an await must be directly in it) and the promises whose executor
// encloses the action (only they can be resolved from there, as in JavaScript). A parse
// runs on one thread; thread_local keeps two parses on two threads apart.
thread_local int t_async_body_depth = -1;
thread_local std::vector<std::string> t_executors;

// Puts the parse's context back however the nested parse ends (a bad input throws).
struct ParseContext {
  ParseContext(int depth, const std::string* executor) : outer_depth(t_async_body_depth), pushed(executor != nullptr) {
    if (depth >= 0) t_async_body_depth = depth;
    if (pushed) t_executors.push_back(*executor);
  }
  ~ParseContext() {
    t_async_body_depth = outer_depth;
    if (pushed) t_executors.pop_back();
  }
  ParseContext(const ParseContext&) = delete;
  ParseContext& operator=(const ParseContext&) = delete;
  int outer_depth;
  bool pushed;
};

// ---- reading ----

std::string promise_name(ActionReader& r, const json& v, const std::string& at, std::string_view what) {
  if (!v.is_string() || !valid_name(v.get<std::string>())) {
    r.fail(at, fmt::format("expected {} (letters, digits and _); found {}", what, r.describe(v)));
  }
  return v.get<std::string>();
}

std::string promise_id(ActionReader& r, const ActionSource& src) {
  if (!src.object.contains("id")) return {};
  return promise_name(r, src.object["id"], src.path + "/id", "the name the promise gets");
}

void parse_new_promise(ActionReader& r, const ActionSource& src, Action& a) {
  if (!src.object.contains("id")) r.fail(src.path, "\"new_promise\" needs \"id\": the promise's name");
  a.edit_detail().handle = promise_id(r, src);
  a.edit_detail().label = "%executor:" + a.detail().handle;
  ParseContext context(-1, &a.detail().handle);
  a.then = r.actions(src.arg, src.at, src.depth);
}

void parse_settle(ActionReader& r, const ActionSource& src, Action& a) {
  std::string name = promise_name(r, src.arg, src.at, "the name of a promise made by new_promise");
  if (std::find(t_executors.begin(), t_executors.end(), name) == t_executors.end()) {
    r.fail(src.at, fmt::format("\"{}\" is resolved or rejected only inside its new_promise's executor (its "
                               "callbacks included), where JavaScript sees its resolve and reject", name));
  }
  a.edit_detail().label = "%executor:" + name;
  if (src.object.contains("with")) {
    if (src.object.contains("value")) r.fail(src.path, "a promise is resolved with \"value\" or \"with\", not both");
    a.edit_detail().handle = promise_name(r, src.object["with"], src.path + "/with", "the name of a promise");
  } else if (src.object.contains("value")) {
    a.text = r.text(src.object["value"], src.path + "/value", "the value");
  } else {
    a.text.segments.push_back({"undefined", {}});
    a.text.source = "undefined";
  }
}

void parse_promise_then(ActionReader& r, const ActionSource& src, Action& a) {
  a.edit_detail().label = promise_name(r, src.arg, src.at, "the name of a promise");
  a.edit_detail().handle = promise_id(r, src);
  if (!src.object.contains("chain")) r.fail(src.path, "\"promise_then\" needs \"chain\": its then/catch steps");
  a.edit_detail().chain = parse_promise_chain(r, src.object["chain"], src.path + "/chain", src.depth, true);
}

// The actions after which the body may not go straight on: an await (the rest runs as a
// microtask), a try (the rest runs once its block, catch and finally are done, perhaps
// after awaits) and a throw (the rest never runs).
bool suspends(ActionKind kind) {
  return kind == ActionKind::Await || kind == ActionKind::Try || kind == ActionKind::Throw;
}

// [A, await p, B, await q, C] becomes [A, await p {then: [B, await q {then: [C]}]}], and the
// same after a try or a throw.
std::vector<Action> fold_awaits(std::vector<Action> list) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!suspends(list[i].kind)) continue;
    std::vector<Action> rest(std::make_move_iterator(list.begin() + static_cast<std::ptrdiff_t>(i) + 1),
                             std::make_move_iterator(list.end()));
    list.resize(i + 1);
    list[i].then = fold_awaits(std::move(rest));
    break;
  }
  return list;
}

void parse_async(ActionReader& r, const ActionSource& src, Action& a) {
  a.edit_detail().handle = promise_id(r, src);
  ParseContext context(src.depth + 1, nullptr);
  // What the function returns: a step without a body, read where the body ends, with the
  // names its awaits (and lets) bound still in scope.
  json ret = json::object({{"then", json::array()}});
  for (const char* key : {"return", "throw", "return_promise"}) {
    if (src.object.contains(key)) ret[key] = src.object[key];
  }
  auto body = r.actions(src.arg, src.at, src.depth, [&] {
    a.edit_detail().chain = parse_promise_chain(r, json::array({ret}), src.path, src.depth, true);
  });
  a.then = fold_awaits(std::move(body));
}

void parse_await(ActionReader& r, const ActionSource& src, Action& a) {
  if (src.depth != t_async_body_depth) {
    r.fail(src.at, "\"await\" is an action of an async body itself (not inside one of its callbacks)");
  }
  if (src.arg.is_object() && src.arg.size() == 1 && src.arg.contains("value")) {
    a.text = r.text(src.arg["value"], src.at + "/value", "the value awaited");
  } else {
    a.edit_detail().label = promise_name(r, src.arg, src.at, "a promise's name or {\"value\": text}");
  }
  a.edit_detail().on_error = r.callback(src, "catch", {kErrorName});
  if (src.object.contains("as")) {
    a.edit_detail().as = r.result_name(src, "value");
    r.bind(a.detail().as);  // seen by the rest of the body, as a const is
  }
}

// const id = { then(resolve, reject) {...} }: the method's actions run each time the object
// is awaited or resolves a promise, in a job of their own; resolve and reject inside
// (named by the object's id) settle that promise.
void parse_thenable(ActionReader& r, const ActionSource& src, Action& a) {
  if (!src.object.contains("id")) r.fail(src.path, "\"thenable\" needs \"id\": the object's name");
  a.edit_detail().handle = promise_id(r, src);
  a.edit_detail().label = "%executor:" + a.detail().handle;
  ParseContext context(-1, &a.detail().handle);
  a.then = r.actions(src.arg, src.at, src.depth);
}

// try {...} catch (error) {...} finally {...} in an async body: awaits (and throws, and
// tries) anywhere in the block, folded as the body's are; catch and finally are plain
// actions. The parts are kept as steps: the block first, then the catch (is_catch) and
// the finally (is_finally) that the file has.
void parse_try(ActionReader& r, const ActionSource& src, Action& a) {
  if (src.depth != t_async_body_depth) {
    r.fail(src.at, "\"try\" is an action of an async body itself (not inside one of its callbacks)");
  }
  if (!src.object.contains("catch") && !src.object.contains("finally")) {
    r.fail(src.path, "\"try\" needs \"catch\", \"finally\" or both");
  }
  std::vector<PromiseStep>& parts = a.edit_detail().chain;
  parts.emplace_back().json_path = src.at;
  {
    ParseContext context(src.depth + 1, nullptr);
    parts.back().body = fold_awaits(r.actions(src.arg, src.at, src.depth));
  }
  if (src.object.contains("catch")) {
    PromiseStep& c = parts.emplace_back();
    c.is_catch = true;
    c.as = kErrorName;
    c.json_path = src.path + "/catch";
    c.body = r.callback(src, "catch", {kErrorName});
  }
  if (src.object.contains("finally")) {
    PromiseStep& f = parts.emplace_back();
    f.is_finally = true;
    f.json_path = src.path + "/finally";
    f.body = r.callback(src, "finally", {});
  }
}

// throw new Error(message) in an async body: to the innermost try's catch, or out of the
// function (its promise rejects).
void parse_throw(ActionReader& r, const ActionSource& src, Action& a) {
  if (src.depth != t_async_body_depth) {
    r.fail(src.at, "\"throw_error\" is an action of an async body itself (a callback's throw is a step's \"throw\")");
  }
  a.text = r.text(src.arg, src.at, "the error's message");
}

void parse_combinator(ActionReader& r, const ActionSource& src, Action& a) {
  if (!src.arg.is_array()) r.fail(src.at, fmt::format("expected a list of promise names; found {}", r.describe(src.arg)));
  std::string names;
  for (std::size_t i = 0; i < src.arg.size(); ++i) {
    std::string n = promise_name(r, src.arg[i], fmt::format("{}/{}", src.at, i), "a promise's name");
    names += (names.empty() ? "" : ",") + n;
  }
  a.edit_detail().label = names;
  a.edit_detail().handle = promise_id(r, src);
}

void parse_sleep(ActionReader& r, const ActionSource& src, Action& a) {
  a.edit_detail().number = r.int_arg(src.arg, src.at, 0, kMaxDelayMs, "a delay in ms");
  if (!src.object.contains("id")) r.fail(src.path, "\"sleep\" needs \"id\": the promise's name");
  a.edit_detail().handle = promise_id(r, src);
  if (src.object.contains("value")) {
    a.text = r.text(src.object["value"], src.path + "/value", "the value");
  } else {
    a.text.segments.push_back({"undefined", {}});
    a.text.source = "undefined";
  }
}

void parse_read_file(ActionReader& r, const ActionSource& src, Action& a) {
  a.text = r.text(src.arg, src.at, "a file path, relative to the scenario's folder");
  if (!src.object.contains("id")) r.fail(src.path, "\"read_file\" needs \"id\": the promise's name");
  a.edit_detail().handle = promise_id(r, src);
}

void parse_on_unhandled(ActionReader& r, const ActionSource& src, Action& a) {
  a.edit_detail().as = r.result_name(src, "reason");
  std::size_t mark = r.scope_mark();
  r.bind(a.detail().as);
  a.then = r.actions(src.arg, src.at, src.depth);
  r.unbind_to(mark);
}

// ---- running ----

// The number a scope binds under `name` (a pointer into the Scenario or kFrameName).
std::optional<std::int64_t> bound_number(const ScopePtr& scope, const std::string& name) {
  for (const Scope* s = scope.get(); s != nullptr; s = s->parent.get()) {
    if (*s->name == name) return s->value.as_int();
  }
  return std::nullopt;
}

PromisePtr named(ActionRunner& runner, Runtime& rt, const Action& a, const std::string& name) {
  auto& table = runner.async_state().promises;
  auto it = table.find(name);
  if (it != table.end()) return it->second;
  rt.report_error(fmt::format("error at {}: no promise is named \"{}\" yet", a.json_path, name));
  return nullptr;
}

void name_promise(ActionRunner& runner, const Action& a, PromisePtr p) {
  if (a.detail().handle.empty()) return;
  runner.async_state().thenables.erase(a.detail().handle);
  runner.async_state().promises[a.detail().handle] = std::move(p);
}

ThenablePtr named_thenable(ActionRunner& runner, const std::string& name) {
  auto& table = runner.async_state().thenables;
  auto it = table.find(name);
  return it == table.end() ? nullptr : it->second;
}

// What `await x` and Promise.all([x]) take: the promise named x, or for a thenable a new
// promise resolved with it (PromiseResolve), whose then is called one job later.
PromisePtr awaitable(ActionRunner& runner, Runtime& rt, const Action& a, const std::string& name) {
  if (ThenablePtr t = named_thenable(runner, name)) return promises::from_thenable(rt, t);
  return named(runner, rt, a, name);
}

// `return x` from a step or an async function, or resolve(x), where x is a promise or a thenable.
HandlerResult adopted(ActionRunner& runner, Runtime& rt, const Action& a, const std::string& name) {
  HandlerResult out;
  out.thenable = named_thenable(runner, name);
  if (!out.thenable) out.promise = named(runner, rt, a, name);
  return out;
}

// resolve(p, x) with what `adopted` found.
void resolve_adopting(Runtime& rt, const PromisePtr& p, const HandlerResult& x) {
  if (x.thenable) promises::resolve_with_thenable(rt, p, x.thenable);
  if (x.promise) promises::resolve_with(rt, p, x.promise);
}

// A handler's value as text: "undefined" unless the template says otherwise.
HandlerResult step_result(ActionRunner& runner, Runtime& rt, const Action& a, const PromiseStep& step,
                          const ScopePtr& scope) {
  HandlerResult out{false, Value::string("undefined"), nullptr, nullptr};
  if (!step.adopt.empty()) {
    HandlerResult found = adopted(runner, rt, a, step.adopt);  // neither: reported, and the value stays
    out.promise = std::move(found.promise);
    out.thenable = std::move(found.thenable);
  } else if (step.result) {
    std::string text = "undefined";
    runner.result_text(rt, a, *step.result, scope, text);
    out = {step.throws, Value::string(std::move(text)), nullptr, nullptr};
  }
  return out;
}

void run_new_promise(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  AsyncState& st = runner.async_state();
  auto p = promises::make_pending();
  std::int64_t n = ++st.next_frame;
  st.frames[n] = AsyncFrame{p, &a};
  name_promise(runner, a, p);
  runner.run_list(rt, a.then, bind_name(scope, a.detail().label, Value::integer(n)));
}

void run_settle(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  auto n = bound_number(scope, a.detail().label);
  AsyncState& st = runner.async_state();
  auto it = n ? st.frames.find(*n) : st.frames.end();
  if (it == st.frames.end()) return;  // resolved already: a second call does nothing
  PromisePtr p = it->second.result;
  st.frames.erase(it);
  if (a.kind == ActionKind::RejectPromise) {
    promises::reject(rt, p, Value::string(runner.text(rt, a, a.text, scope)));
  } else if (!a.detail().handle.empty()) {
    resolve_adopting(rt, p, adopted(runner, rt, a, a.detail().handle));
  } else {
    promises::resolve(rt, p, Value::string(runner.text(rt, a, a.text, scope)));
  }
}

PromiseHandler step_handler(ActionRunner& runner, const Action& a, const PromiseStep& step, ScopePtr scope) {
  return [&runner, &a, &step, scope](Runtime& rt, const Value& v) {
    auto inner = step.as.empty() ? scope : bind_name(scope, step.as, v);
    runner.run_list(rt, step.body, inner);
    return step_result(runner, rt, a, step, inner);
  };
}

void run_promise_then(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  PromisePtr p = named(runner, rt, a, a.detail().label);
  if (!p) return;
  for (const PromiseStep& step : a.detail().chain) {
    PromiseHandler h = step_handler(runner, a, step, scope);
    std::string label = runner.label(rt, step.is_finally ? "promise finally" : step.is_catch ? "promise catch" : "promise then",
                                     a, step.body);
    if (step.is_finally) {
      p = promises::finally(rt, p, std::move(h), std::move(label));
    } else {
      p = step.is_catch ? promises::then(rt, p, nullptr, std::move(h), std::move(label))
                        : promises::then(rt, p, std::move(h), nullptr, std::move(label));
    }
  }
  name_promise(runner, a, p);
}

// The body's end: the function's promise settles with what it returns.
void finish_body(ActionRunner& runner, Runtime& rt, const ScopePtr& scope, std::optional<Value> thrown) {
  AsyncState& st = runner.async_state();
  auto n = bound_number(scope, kFrameName);
  auto it = n ? st.frames.find(*n) : st.frames.end();
  if (it == st.frames.end()) return;
  AsyncFrame f = it->second;
  st.frames.erase(it);
  if (thrown) return promises::reject(rt, f.result, std::move(*thrown));
  HandlerResult out = step_result(runner, rt, *f.fn, f.fn->detail().chain.front(), scope);
  if (out.promise || out.thenable) return resolve_adopting(rt, f.result, out);
  out.threw ? promises::reject(rt, f.result, out.value) : promises::resolve(rt, f.result, out.value);
}

void run_stretch(ActionRunner& runner, Runtime& rt, const std::vector<Action>& list, const ScopePtr& scope);

// The innermost try the body is in where `scope` is, if any.
std::optional<std::int64_t> innermost_try(const ScopePtr& scope) {
  auto n = bound_number(scope, kTryName);
  return n && *n > 0 ? n : std::nullopt;
}

// The try numbered n is left: its block ended, normally or by `error` (a rejected await, a
// throw). Its catch handles the error, its finally runs either way, and the body goes on
// after the try, in the scope it was entered in; an error nothing caught goes on outwards.
void leave_try(ActionRunner& runner, Runtime& rt, std::int64_t n, std::optional<Value> error) {
  AsyncState& st = runner.async_state();
  auto it = st.tries.find(n);
  if (it == st.tries.end()) return;
  TryFrame f = std::move(it->second);
  st.tries.erase(it);
  const Action& t = *f.statement;
  for (const PromiseStep& part : t.detail().chain) {
    if (part.is_catch && error) {
      runner.run_list(rt, part.body, bind_name(f.outer, kErrorName, *error));
      error.reset();
    } else if (part.is_finally) {
      runner.run_list(rt, part.body, f.outer);
    }
  }
  if (!error) return run_stretch(runner, rt, t.then, f.outer);
  if (auto outer = innermost_try(f.outer)) return leave_try(runner, rt, *outer, std::move(error));
  finish_body(runner, rt, f.outer, std::move(error));
}

// An exception in the body: the innermost try's, or out of the function.
void throw_in_body(ActionRunner& runner, Runtime& rt, const ScopePtr& scope, Value error) {
  if (auto n = innermost_try(scope)) return leave_try(runner, rt, *n, std::move(error));
  finish_body(runner, rt, scope, std::move(error));
}

// Runs one stretch of the body. A stretch that does not end in an await, a try or a throw
// ends the innermost try's block, or else the body.
void run_stretch(ActionRunner& runner, Runtime& rt, const std::vector<Action>& list, const ScopePtr& scope) {
  runner.run_list(rt, list, scope);
  if (!list.empty() && suspends(list.back().kind)) return;
  if (auto n = innermost_try(scope)) return leave_try(runner, rt, *n, std::nullopt);
  finish_body(runner, rt, scope, std::nullopt);
}

void run_try(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  AsyncState& st = runner.async_state();
  std::int64_t n = ++st.next_frame;
  st.tries[n] = TryFrame{&a, scope};
  run_stretch(runner, rt, a.detail().chain.front().body, bind_name(scope, kTryName, Value::integer(n)));
}

void run_throw(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  throw_in_body(runner, rt, scope, Value::string(runner.text(rt, a, a.text, scope)));
}

void run_thenable(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  auto t = std::make_shared<Thenable>();
  t->label = runner.label(rt, "thenable's then", a, a.then);
  // Each call gets its own resolving functions: a frame, as a new_promise's executor does.
  t->then = [&runner, &a, scope](Runtime& rt2, const PromisePtr& target) {
    AsyncState& st = runner.async_state();
    std::int64_t n = ++st.next_frame;
    st.frames[n] = AsyncFrame{target, &a};
    runner.run_list(rt2, a.then, bind_name(scope, a.detail().label, Value::integer(n)));
  };
  runner.async_state().promises.erase(a.detail().handle);
  runner.async_state().thenables[a.detail().handle] = std::move(t);
}

void run_async(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  AsyncState& st = runner.async_state();
  auto p = promises::make_pending();
  std::int64_t n = ++st.next_frame;
  st.frames[n] = AsyncFrame{p, &a};
  run_stretch(runner, rt, a.then,
              bind_name(bind_name(scope, kFrameName, Value::integer(n)), kTryName, Value::integer(0)));
  // `p = (async () => {...})()`: the name is bound once the call returns.
  name_promise(runner, a, p);
}

void run_await(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  PromisePtr p = a.detail().label.empty() ? promises::make_fulfilled(Value::string(runner.text(rt, a, a.text, scope)))
                                          : awaitable(runner, rt, a, a.detail().label);
  if (!p) return;
  auto go_on = [&runner, &a, scope](Runtime& rt2, const Value& v) {
    run_stretch(runner, rt2, a.then, a.detail().as.empty() ? scope : bind_name(scope, a.detail().as, v));
    return HandlerResult{};
  };
  auto caught = [&runner, &a, scope, go_on](Runtime& rt2, const Value& v) {
    // No catch of its own: the exception goes to the innermost try, or leaves the body and
    // rejects the function's promise.
    if (a.detail().on_error.empty()) {
      throw_in_body(runner, rt2, scope, v);
      return HandlerResult{};
    }
    runner.run_list(rt2, a.detail().on_error, bind_name(scope, kErrorName, v));
    return go_on(rt2, Value::string("undefined"));
  };
  promises::await(rt, p, go_on, caught, runner.label(rt, "await", a, a.then));
}

promises::Combinator combinator_of(ActionKind kind) {
  switch (kind) {
    case ActionKind::PromiseRace: return promises::Combinator::Race;
    case ActionKind::PromiseAllSettled: return promises::Combinator::AllSettled;
    case ActionKind::PromiseAny: return promises::Combinator::Any;
    default: return promises::Combinator::All;
  }
}

void run_combinator(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr&) {
  std::vector<PromisePtr> inputs;
  const std::string& names = a.detail().label;
  for (std::size_t from = 0; from < names.size();) {
    std::size_t comma = std::min(names.find(',', from), names.size());
    PromisePtr p = awaitable(runner, rt, a, names.substr(from, comma - from));
    if (!p) return;
    inputs.push_back(std::move(p));
    from = comma + 1;
  }
  name_promise(runner, a, promises::combine(rt, combinator_of(a.kind), inputs));
}

void run_sleep(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  auto ms = runner.number(a, a.detail().number, scope, 0, kMaxDelayMs, "a delay in ms");
  auto p = promises::make_pending();
  Value v = Value::string(runner.text(rt, a, a.text, scope));
  Timers(rt).set_timeout(Millis(ms), [p, v](Runtime& rt2, Outcome) { promises::resolve(rt2, p, v); },
                 runner.label(rt, "sleep", a, {}));
  name_promise(runner, a, p);
}

// fs_read's whole-file read, its callback settling the promise: util.promisify(fs.readFile).
void run_read_file(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  std::filesystem::path path = runner.text(rt, a, a.text, scope);
  auto p = promises::make_pending();
  CallbackId id = Fs(rt).read(
      std::move(path), Millis(0),
      [p](Runtime& rt2, Outcome o) {
        // The text counts against value_bytes as a read's does (the interpreter's take_value).
        if (!o.failed() && o.value.kind() == Value::Kind::String && !rt2.take_value_bytes(o.value.as_string().size())) {
          o = Outcome::fail(value_bytes_refusal(rt2.limits().value_bytes, rt2.value_bytes_left()));
          rt2.report_error(*o.error);
        }
        if (o.failed()) return promises::reject(rt2, p, Value::string(*o.error));
        promises::resolve(rt2, p, std::move(o.value));
      },
      SourcePos{a.line, a.column});
  rt.label_registration(id, runner.label(rt, "read_file", a, {}));
  name_promise(runner, a, p);
}

void run_on_unhandled(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  rt.on_unhandled_rejection([&runner, &a, scope](Runtime& rt2, Outcome o) {
    runner.run_list(rt2, a.then, bind_name(scope, a.detail().as, Value::string(o.error.value_or(""))));
  });
}

// The work an async body creates: its stretches, one after the other.
std::uint64_t plan_async(WorkPlanner& p, const Action& a) { return saturating_add(1, p.planned(a.then)); }
std::uint64_t plan_await(WorkPlanner& p, const Action& a) {
  return saturating_add(1, saturating_add(p.planned(a.then), p.planned(a.detail().on_error)));
}
std::uint64_t plan_try(WorkPlanner& p, const Action& a) {
  std::uint64_t parts = p.planned(a.then);
  for (const PromiseStep& part : a.detail().chain) parts = saturating_add(parts, p.planned(part.body));
  return saturating_add(1, parts);
}
std::uint64_t plan_promise_then(WorkPlanner& p, const Action& a) {
  std::uint64_t steps = 0;
  for (const PromiseStep& step : a.detail().chain) steps = saturating_add(steps, p.planned(step.body));
  return saturating_add(1, steps);
}

}  // namespace

// ---- JavaScript ----

namespace {

constexpr std::string_view kExecutorPrefix = "%executor:";

std::string resolver(JsWriter& w, const Action& a, std::string_view fn) {
  return fmt::format("{}_{}", fn, w.js_name(a.detail().label.substr(kExecutorPrefix.size())));
}

void export_new_promise(JsWriter& w, const Action& a, std::string& out) {
  std::string name = w.js_name(a.detail().handle);
  w.line(out, fmt::format("{}new Promise((resolve_{}, reject_{}) => {{", w.handle_prefix(a), name, name));
  w.block(a.then, out);
  w.line(out, "});");
}

void export_settle(JsWriter& w, const Action& a, std::string& out) {
  if (a.kind == ActionKind::RejectPromise) {
    w.line(out, fmt::format("{}(new Error({}));", resolver(w, a, "reject"), w.text(a, a.text)));
  } else if (!a.detail().handle.empty()) {
    w.line(out, fmt::format("{}({});", resolver(w, a, "resolve"), w.handle_var(a.detail().handle)));
  } else {
    bool none = a.text.source == "undefined" && a.text.is_literal();
    w.line(out, fmt::format("{}({});", resolver(w, a, "resolve"), none ? "" : w.text(a, a.text)));
  }
}

void export_promise_then(JsWriter& w, const Action& a, std::string& out) {
  w.line(out, w.handle_prefix(a) + w.handle_var(a.detail().label));
  export_promise_steps(w, a, a.detail().chain, out);
}

void export_async(JsWriter& w, const Action& a, std::string& out) {
  w.line(out, fmt::format("{}(async () => {{", w.handle_prefix(a)));
  w.block(a.then, out);
  const PromiseStep& ret = a.detail().chain.front();
  // The return sees the names the body's awaits bound, as the end of the body does.
  std::size_t names = 0;
  for (const std::vector<Action>* list = &a.then; !list->empty() && list->back().kind == ActionKind::Await;
       list = &list->back().then) {
    if (list->back().detail().as.empty()) continue;
    w.push_scope(list->back().detail().as, Bound::PromiseValue);
    ++names;
  }
  w.indent();
  if (!ret.adopt.empty()) {
    w.line(out, fmt::format("return {};", w.handle_var(ret.adopt)));
  } else if (ret.result) {
    std::string v = w.text(a, *ret.result);
    w.line(out, ret.throws ? fmt::format("throw new Error({});", v) : fmt::format("return {};", v));
  }
  w.outdent();
  for (; names > 0; --names) w.pop_scope();
  w.line(out, "})();");
}

// `const v = await p;`, or in a try whose catch goes on with the body; the rest of the
// body (the await's `then`) follows at the same level.
void export_await(JsWriter& w, const Action& a, std::string& out) {
  std::string operand = a.detail().label.empty() ? w.text(a, a.text) : w.handle_var(a.detail().label);
  const std::string& as = a.detail().as;
  if (a.detail().on_error.empty()) {
    w.line(out, fmt::format("{}await {};", as.empty() ? "" : "const " + w.js_name(as) + " = ", operand));
  } else {
    if (!as.empty()) w.line(out, fmt::format("let {};", w.js_name(as)));
    w.line(out, "try {");
    w.indent();
    w.line(out, fmt::format("{}await {};", as.empty() ? "" : w.js_name(as) + " = ", operand));
    w.outdent();
    w.line(out, fmt::format("}} catch ({}) {{", w.js_name(kErrorName)));
    w.with_scope(a.detail().on_error, kErrorName, Bound::PromiseError, out);
    w.line(out, "}");
  }
  if (!as.empty()) w.push_scope(as, Bound::PromiseValue);
  w.outdent();
  w.block(a.then, out);
  w.indent();
  if (!as.empty()) w.pop_scope();
}

// An object literal with a then method, whose parameters are the names resolve and reject
// actions inside it use.
void export_thenable(JsWriter& w, const Action& a, std::string& out) {
  std::string name = w.js_name(a.detail().handle);
  w.line(out, w.handle_prefix(a) + "{");
  w.indent();
  w.line(out, fmt::format("then(resolve_{}, reject_{}) {{", name, name));
  w.block(a.then, out);
  w.line(out, "},");
  w.outdent();
  w.line(out, "};");
}

// try {...} catch (error) {...} finally {...}, then the rest of the body at the same level.
void export_try(JsWriter& w, const Action& a, std::string& out) {
  const std::vector<PromiseStep>& parts = a.detail().chain;
  w.line(out, "try {");
  w.block(parts.front().body, out);
  for (const PromiseStep& part : parts) {
    if (part.is_catch) {
      w.line(out, fmt::format("}} catch ({}) {{", w.js_name(kErrorName)));
      w.with_scope(part.body, kErrorName, Bound::PromiseError, out);
    } else if (part.is_finally) {
      w.line(out, "} finally {");
      w.block(part.body, out);
    }
  }
  w.line(out, "}");
  w.outdent();
  w.block(a.then, out);
  w.indent();
}

void export_throw(JsWriter& w, const Action& a, std::string& out) {
  w.line(out, fmt::format("throw new Error({});", w.text(a, a.text)));
}

void export_combinator(JsWriter& w, const Action& a, std::string& out) {
  std::string_view fn = a.kind == ActionKind::PromiseRace ? "race"
                        : a.kind == ActionKind::PromiseAllSettled ? "allSettled"
                        : a.kind == ActionKind::PromiseAny ? "any" : "all";
  std::string list;
  const std::string& names = a.detail().label;
  for (std::size_t from = 0; from < names.size();) {
    std::size_t comma = std::min(names.find(',', from), names.size());
    list += (list.empty() ? "" : ", ") + w.handle_var(names.substr(from, comma - from));
    from = comma + 1;
  }
  w.line(out, fmt::format("{}Promise.{}([{}]);", w.handle_prefix(a), fn, list));
}

void export_sleep(JsWriter& w, const Action& a, std::string& out) {
  bool none = a.text.source == "undefined" && a.text.is_literal();
  w.line(out, fmt::format("{}require(\"timers/promises\").setTimeout({}{});", w.handle_prefix(a),
                          w.number(a, a.detail().number), none ? "" : ", " + w.text(a, a.text)));
}

// As util.promisify(fs.readFile) builds it, with fs_read's error text.
void export_read_file(JsWriter& w, const Action& a, std::string& out) {
  w.need(JsHelper::Fs);
  w.need(JsHelper::FsError);
  std::string file = w.text(a, a.text);
  w.line(out, fmt::format("{}new Promise((resolve, reject) => fs.readFile(path.resolve(scenarioDir, {}), \"utf8\", "
                          "(err, data) => (err ? reject(new Error(fsError(err, {}))) : resolve(data))));",
                          w.handle_prefix(a), file, file));
}

void export_on_unhandled(JsWriter& w, const Action& a, std::string& out) {
  w.line(out, fmt::format("process.on(\"unhandledRejection\", ({}) => {{", w.js_name(a.detail().as)));
  w.with_scope(a.then, a.detail().as, Bound::PromiseError, out);
  w.line(out, "});");
}

}  // namespace

namespace {

constexpr const char* kNewPromiseSchema = R"json({
  "title": "new_promise",
  "description": "id = new Promise((resolve, reject) => {...}): the executor's actions run at once; a resolve or reject action inside it (or in a callback it registers) settles the promise later. Node model only.",
  "type": "object",
  "properties": {
    "new_promise": {"description": "The executor's actions.", "$ref": "#/$defs/actions"},
    "id": {"description": "The promise's name, for promise_then, await, the combinators, resolve and reject.", "$ref": "#/$defs/resultName"}
  },
  "required": ["new_promise", "id"],
  "additionalProperties": false
})json";

constexpr const char* kResolveSchema = R"json({
  "title": "resolve",
  "description": "resolve(value) or resolve(otherPromise) of the enclosing new_promise named here. Resolving with a promise costs two microtask turns more (NewPromiseResolveThenableJob, then its then). A second call does nothing. Node model only.",
  "type": "object",
  "properties": {
    "resolve": {"description": "The promise's name (its new_promise must enclose this action).", "$ref": "#/$defs/resultName"},
    "value": {"description": "The value, a template (default: the text undefined).", "$ref": "#/$defs/template"},
    "with": {"description": "Resolve with this named promise instead: adopt its state.", "$ref": "#/$defs/resultName"}
  },
  "required": ["resolve"],
  "not": {"required": ["value", "with"]},
  "additionalProperties": false
})json";

constexpr const char* kRejectSchema = R"json({
  "title": "reject",
  "description": "reject(new Error(value)) of the enclosing new_promise named here. Node model only.",
  "type": "object",
  "properties": {
    "reject": {"description": "The promise's name (its new_promise must enclose this action).", "$ref": "#/$defs/resultName"},
    "value": {"description": "The error's message, a template (default: the text undefined).", "$ref": "#/$defs/template"}
  },
  "required": ["reject"],
  "additionalProperties": false
})json";

constexpr const char* kPromiseThenSchema = R"json({
  "title": "promise_then",
  "description": "p.then(...).catch(...): steps attached to a named promise, whenever this action runs (a catch attached before the microtasks drain handles a rejection in time). Node model only.",
  "type": "object",
  "properties": {
    "promise_then": {"description": "The promise's name.", "$ref": "#/$defs/resultName"},
    "chain": {"description": "The steps, as in promise; a step may also return_promise.", "type": "array", "minItems": 1, "items": {"$ref": "#/$defs/step"}},
    "id": {"description": "The name the last step's promise gets.", "$ref": "#/$defs/resultName"}
  },
  "required": ["promise_then", "chain"],
  "additionalProperties": false
})json";

constexpr const char* kAsyncSchema = R"json({
  "title": "async",
  "description": "id = (async () => {...})(): the body runs at once up to its first await; each await goes on as a microtask. Node model only.",
  "type": "object",
  "properties": {
    "async": {"description": "The body's actions; await actions only directly in it.", "$ref": "#/$defs/actions"},
    "id": {"description": "The name the call's promise gets.", "$ref": "#/$defs/resultName"},
    "return": {"description": "What the function returns, a template (default: the text undefined).", "$ref": "#/$defs/template"},
    "throw": {"description": "Throws new Error(this) at the end of the body instead.", "$ref": "#/$defs/template"},
    "return_promise": {"description": "Returns this named promise (return p: two turns more than return await p).", "$ref": "#/$defs/resultName"}
  },
  "required": ["async"],
  "additionalProperties": false
})json";

constexpr const char* kAwaitSchema = R"json({
  "title": "await",
  "description": "const as = await p (one microtask turn for a native promise or a plain value); the rest of the body runs then. Only directly in an async body. Node model only.",
  "type": "object",
  "properties": {
    "await": {"description": "A promise's name, or {\"value\": template} for a plain value.", "oneOf": [{"$ref": "#/$defs/resultName"}, {"type": "object", "properties": {"value": {"$ref": "#/$defs/template"}}, "required": ["value"], "additionalProperties": false}]},
    "as": {"description": "The value's name for the rest of the body.", "$ref": "#/$defs/resultName"},
    "catch": {"description": "try { await } catch (error) {...}: runs on rejection, then the body goes on; without it a rejection rejects the function's promise.", "$ref": "#/$defs/actions"}
  },
  "required": ["await"],
  "additionalProperties": false
})json";

constexpr const char* kThenableSchema = R"json({
  "title": "thenable",
  "description": "const id = { then(resolve, reject) {...} }: an object with a then method, not a promise. Awaiting it, resolving a promise with it (resolve's with, return_promise) or putting it in a combinator calls its then in a microtask of its own (NewPromiseResolveThenableJob): one turn more than a native promise. Node model only.",
  "type": "object",
  "properties": {
    "thenable": {"description": "The then method's actions, run at each call; resolve and reject actions naming the id inside them settle the caller's promise.", "$ref": "#/$defs/actions"},
    "id": {"description": "The object's name, for await, resolve's with, return_promise and the combinators.", "$ref": "#/$defs/resultName"}
  },
  "required": ["thenable", "id"],
  "additionalProperties": false
})json";

constexpr const char* kTrySchema = R"json({
  "title": "try",
  "description": "try {...} catch (error) {...} finally {...} in an async body (directly in it, or in another try's block). The block may hold awaits, throw_error actions and tries; a rejected await or a throw in it runs the catch (error bound to the Error), the finally runs either way, then the body goes on after the try. Without a catch the error goes on outwards after the finally. It costs no microtask of its own. Node model only.",
  "type": "object",
  "properties": {
    "try": {"description": "The block's actions.", "$ref": "#/$defs/actions"},
    "catch": {"description": "Runs when the block throws, with error bound (${error.message} is its text). No await in it.", "$ref": "#/$defs/actions"},
    "finally": {"description": "Runs after the block (and the catch), however they ended. No await in it.", "$ref": "#/$defs/actions"}
  },
  "required": ["try"],
  "anyOf": [{"required": ["catch"]}, {"required": ["finally"]}],
  "additionalProperties": false
})json";

constexpr const char* kThrowSchema = R"json({
  "title": "throw_error",
  "description": "throw new Error(message) in an async body (directly, or in a try's block): the innermost try's catch runs, or the function's promise rejects. The actions after it do not run. Node model only.",
  "type": "object",
  "properties": {
    "throw_error": {"description": "The error's message, a template.", "$ref": "#/$defs/template"}
  },
  "required": ["throw_error"],
  "additionalProperties": false
})json";

constexpr const char* kAllSchema = R"json({
  "title": "promise_all",
  "description": "Promise.all([...]): fulfils with the values joined by commas (as ${values} prints) once all have, rejects with the first rejection. Node model only.",
  "type": "object",
  "properties": {
    "promise_all": {"description": "The promises' names.", "type": "array", "items": {"$ref": "#/$defs/resultName"}},
    "id": {"description": "The name the combined promise gets.", "$ref": "#/$defs/resultName"}
  },
  "required": ["promise_all"],
  "additionalProperties": false
})json";

constexpr const char* kRaceSchema = R"json({
  "title": "promise_race",
  "description": "Promise.race([...]): settles as the first of them settles. Node model only.",
  "type": "object",
  "properties": {
    "promise_race": {"description": "The promises' names.", "type": "array", "items": {"$ref": "#/$defs/resultName"}},
    "id": {"description": "The name the combined promise gets.", "$ref": "#/$defs/resultName"}
  },
  "required": ["promise_race"],
  "additionalProperties": false
})json";

constexpr const char* kAllSettledSchema = R"json({
  "title": "promise_all_settled",
  "description": "Promise.allSettled([...]): fulfils once all have settled (its value prints as [object Object] per promise). Node model only.",
  "type": "object",
  "properties": {
    "promise_all_settled": {"description": "The promises' names.", "type": "array", "items": {"$ref": "#/$defs/resultName"}},
    "id": {"description": "The name the combined promise gets.", "$ref": "#/$defs/resultName"}
  },
  "required": ["promise_all_settled"],
  "additionalProperties": false
})json";

constexpr const char* kAnySchema = R"json({
  "title": "promise_any",
  "description": "Promise.any([...]): fulfils with the first fulfilment; rejects (All promises were rejected) once all have rejected. Node model only.",
  "type": "object",
  "properties": {
    "promise_any": {"description": "The promises' names.", "type": "array", "items": {"$ref": "#/$defs/resultName"}},
    "id": {"description": "The name the combined promise gets.", "$ref": "#/$defs/resultName"}
  },
  "required": ["promise_any"],
  "additionalProperties": false
})json";


constexpr const char* kSleepSchema = R"json({
  "title": "sleep",
  "description": "id = require('timers/promises').setTimeout(ms, value): a promise its timer resolves (as new Promise(r => setTimeout(r, ms)) does). Node model only.",
  "type": "object",
  "properties": {
    "sleep": {"description": "The delay in ms.", "$ref": "#/$defs/delayMs"},
    "id": {"description": "The promise's name.", "$ref": "#/$defs/resultName"},
    "value": {"description": "The value it fulfils with (default: the text undefined).", "$ref": "#/$defs/template"}
  },
  "required": ["sleep", "id"],
  "additionalProperties": false
})json";

constexpr const char* kOnUnhandledSchema = R"json({
  "title": "on_unhandled_rejection",
  "description": "process.on('unhandledRejection', reason => {...}): runs for each rejection nothing handled once the microtasks drained, instead of Node's report and exit with code 1. Node model only.",
  "type": "object",
  "properties": {
    "on_unhandled_rejection": {"description": "The handler's actions.", "$ref": "#/$defs/actions"},
    "as": {"description": "The reason's name (default \"reason\"): an Error, ${reason.message} is its text.", "$ref": "#/$defs/resultName"}
  },
  "required": ["on_unhandled_rejection"],
  "additionalProperties": false
})json";

constexpr const char* kReadFileSchema = R"json({
  "title": "read_file",
  "description": "id = util.promisify(fs.readFile)(path, 'utf8'): fs_read's read on the pool, its callback settling the promise with the text (or rejecting it with the error). The JavaScript front end reads fs.promises.readFile as this too. Node model only.",
  "type": "object",
  "properties": {
    "read_file": {"description": "The file's path, relative to the scenario's folder; a template.", "$ref": "#/$defs/template"},
    "id": {"description": "The promise's name.", "$ref": "#/$defs/resultName"}
  },
  "required": ["read_file", "id"],
  "additionalProperties": false
})json";

constexpr std::string_view kIdKeys[] = {"id"};
constexpr std::string_view kSettleKeys[] = {"value", "with"};
constexpr std::string_view kRejectKeys[] = {"value"};
constexpr std::string_view kThenKeys[] = {"chain", "id"};
constexpr std::string_view kAsyncKeys[] = {"id", "return", "throw", "return_promise"};
constexpr std::string_view kAwaitKeys[] = {"as", "catch"};
constexpr std::string_view kSleepKeys[] = {"id", "value"};
constexpr std::string_view kAsKeys[] = {"as"};
constexpr std::string_view kTryKeys[] = {"catch", "finally"};

}  // namespace

const ActionSpec kNewPromise{ActionKind::NewPromise, "new_promise", kIdKeys, true, parse_new_promise,
                             run_new_promise, export_new_promise, kNewPromiseSchema, plan_once};
const ActionSpec kResolvePromise{ActionKind::ResolvePromise, "resolve", kSettleKeys, true, parse_settle,
                                 run_settle, export_settle, kResolveSchema, plan_once};
const ActionSpec kRejectPromise{ActionKind::RejectPromise, "reject", kRejectKeys, true, parse_settle,
                                run_settle, export_settle, kRejectSchema, plan_once};
const ActionSpec kPromiseThen{ActionKind::PromiseThen, "promise_then", kThenKeys, true, parse_promise_then,
                              run_promise_then, export_promise_then, kPromiseThenSchema, plan_promise_then};
const ActionSpec kAsync{ActionKind::Async, "async", kAsyncKeys, true, parse_async, run_async, export_async,
                        kAsyncSchema, plan_async};
const ActionSpec kAwait{ActionKind::Await, "await", kAwaitKeys, true, parse_await, run_await, export_await,
                        kAwaitSchema, plan_await};
const ActionSpec kPromiseAll{ActionKind::PromiseAll, "promise_all", kIdKeys, true, parse_combinator,
                             run_combinator, export_combinator, kAllSchema, plan_once};
const ActionSpec kPromiseRace{ActionKind::PromiseRace, "promise_race", kIdKeys, true, parse_combinator,
                              run_combinator, export_combinator, kRaceSchema, plan_once};
const ActionSpec kPromiseAllSettled{ActionKind::PromiseAllSettled, "promise_all_settled", kIdKeys, true,
                                    parse_combinator, run_combinator, export_combinator, kAllSettledSchema,
                                    plan_once};
const ActionSpec kPromiseAny{ActionKind::PromiseAny, "promise_any", kIdKeys, true, parse_combinator,
                             run_combinator, export_combinator, kAnySchema, plan_once};
const ActionSpec kSleep{ActionKind::Sleep, "sleep", kSleepKeys, true, parse_sleep, run_sleep, export_sleep,
                        kSleepSchema, plan_once};
const ActionSpec kOnUnhandledRejection{ActionKind::OnUnhandledRejection, "on_unhandled_rejection", kAsKeys, true,
                                       parse_on_unhandled, run_on_unhandled, export_on_unhandled,
                                       kOnUnhandledSchema, plan_once};

const ActionSpec kReadFile{ActionKind::ReadFile, "read_file", kIdKeys, true, parse_read_file, run_read_file,
                           export_read_file, kReadFileSchema, plan_once};

const ActionSpec kThenable{ActionKind::Thenable, "thenable", kIdKeys, true, parse_thenable, run_thenable,
                           export_thenable, kThenableSchema, plan_once};
const ActionSpec kTry{ActionKind::Try, "try", kTryKeys, true, parse_try, run_try, export_try, kTrySchema, plan_try};
const ActionSpec kThrow{ActionKind::Throw, "throw_error", {}, true, parse_throw, run_throw, export_throw, kThrowSchema,
                        plan_once};

}  // namespace elt::scenario::actions
