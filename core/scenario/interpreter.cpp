#include "scenario/interpreter.h"

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <unordered_map>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

namespace elt::scenario {

namespace {

// One name bound to one value; scopes form a chain towards the program's top level.
// Each callback keeps its chain alive, as a JavaScript closure keeps its variables.
// Reference-counted by hand, without atomics: scopes live on the loop thread only, and a
// one-pointer handle lets a callback's capture fit std::function's inline storage (a
// million timers then cost no extra allocation each).
struct Scope;
class ScopePtr {
 public:
  ScopePtr() = default;
  explicit ScopePtr(Scope* s);
  ScopePtr(const ScopePtr& other);
  ScopePtr(ScopePtr&& other) noexcept : s_(std::exchange(other.s_, nullptr)) {}
  ScopePtr& operator=(ScopePtr other) noexcept {
    std::swap(s_, other.s_);
    return *this;
  }
  ~ScopePtr() {
    if (s_ != nullptr) release(s_);
  }
  const Scope* get() const { return s_; }

 private:
  static void release(Scope* s);
  Scope* s_ = nullptr;
};

struct Scope {
  std::size_t refs = 0;
  ScopePtr parent;
  const std::string* name;  // points into the Scenario, which outlives the run
  Value value;
};

ScopePtr::ScopePtr(Scope* s) : s_(s) { ++s_->refs; }
ScopePtr::ScopePtr(const ScopePtr& other) : s_(other.s_) {
  if (s_ != nullptr) ++s_->refs;
}
void ScopePtr::release(Scope* s) {
  // Iterative, so that a long chain cannot overflow the stack when it goes.
  while (s != nullptr && --s->refs == 0) {
    Scope* parent = s->parent.s_;
    s->parent.s_ = nullptr;
    delete s;
    s = parent;
  }
}

ScopePtr bind_name(ScopePtr parent, const std::string& name, Value value) {
  return ScopePtr(new Scope{0, std::move(parent), &name, std::move(value)});
}

const std::string kErrorName = "error";

struct ScriptError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Thrown when an action crossed one of the run's limits (loop/limits.h): the runtime has
// recorded it and is stopping, so the rest of the list is skipped without an error line.
struct LimitReached {};

// "3:14 (at /program/0/then/0)": where an action is, as the parser's messages say it.
std::string where_of(const Action& a) {
  if (a.line == 0) return fmt::format("(at {})", a.json_path);
  return fmt::format("{}:{} (at {})", a.line, a.column, a.json_path);
}

class Interpreter {
 public:
  explicit Interpreter(const Scenario& scenario)
      : file_(std::filesystem::path(scenario.file).filename().string()) {}

  void run_list(Runtime& rt, const std::vector<Action>& actions, const ScopePtr& scope) {
    // After the cap on total work, callbacks that the loop still runs before it stops do nothing.
    if (work_exhausted_) return;
    try {
      for (const Action& action : actions) run_checked(rt, action, scope);
    } catch (const ScriptError& e) {
      rt.report_error(e.what());
    } catch (const LimitReached&) {
    }
  }

 private:
  static Value lookup(const Action& action, const Template::Segment& seg, const ScopePtr& scope) {
    const Scope* s = scope.get();
    while (s != nullptr && *s->name != seg.path[0]) s = s->parent.get();
    if (s == nullptr) throw ScriptError(fmt::format("error at {}: \"{}\" is not bound", action.json_path, seg.path[0]));
    Value v = s->value;
    std::string walked = seg.path[0];
    for (std::size_t i = 1; i < seg.path.size(); ++i) {
      auto next = v.field(seg.path[i]);
      if (!next) {
        std::string names;
        for (const auto& n : v.field_names()) names += (names.empty() ? "" : ", ") + n;
        throw ScriptError(fmt::format("error at {}: {} has no field \"{}\" ({})", action.json_path, walked,
                                      seg.path[i], names.empty() ? "it has no fields" : "it has: " + names));
      }
      v = std::move(*next);
      walked += "." + seg.path[i];
    }
    return v;
  }

  static std::string render(const Action& action, const Template& t, const ScopePtr& scope) {
    std::string out;
    for (const auto& seg : t.segments) {
      if (seg.path.empty()) {
        out += seg.literal;
      } else {
        out += lookup(action, seg, scope).to_display();
      }
    }
    return out;
  }

  // A template rendered into a value's text, counted against value_bytes: text that would
  // cross the limit is never used (a print of it is not printed).
  static std::string text_of(Runtime& rt, const Action& action, const Template& t, const ScopePtr& scope) {
    std::string out = render(action, t, scope);
    if (!rt.charge_value_bytes(out.size())) throw LimitReached{};
    return out;
  }

  // One action, and the limit it crossed, if it crossed one: located, and the list ends.
  void run_checked(Runtime& rt, const Action& action, const ScopePtr& scope) {
    try {
      run_action(rt, action, scope);
    } catch (const LimitReached&) {
      rt.locate_limit(where_of(action));
      throw;
    }
    if (rt.limit_crossed()) {
      rt.locate_limit(where_of(action));
      throw LimitReached{};
    }
  }

  static std::int64_t number(const Action& action, const IntArg& arg, const ScopePtr& scope, std::int64_t lo,
                             std::int64_t hi, std::string_view what) {
    if (arg.literal) return *arg.literal;
    if (arg.expr.segments.size() == 1 && !arg.expr.segments[0].path.empty()) {
      // "${i}": take the integer itself, without printing and re-reading it.
      Value v = lookup(action, arg.expr.segments[0], scope);
      if (v.kind() == Value::Kind::Int && v.as_int() >= lo && v.as_int() <= hi) return v.as_int();
    }
    std::string text = render(action, arg.expr, scope);
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
      throw ScriptError(fmt::format("error at {}: {} gave \"{}\", which is not a whole number", action.json_path,
                                    arg.expr.source, text.size() > 40 ? text.substr(0, 40) + "..." : text));
    }
    if (v < lo || v > hi) {
      throw ScriptError(fmt::format("error at {}: {} gave {}; expected {} from {} to {}", action.json_path,
                                    arg.expr.source, v, what, lo, hi));
    }
    return v;
  }

  // "set_timeout at book.json:14: prints \"Immediate1 timed out\"": what the stepper and
  // the jsonl show for a registration. Only built when someone will see it.
  std::string label(Runtime& rt, std::string_view kind, const Action& a, const std::vector<Action>& body) const {
    if (!rt.tracing()) return {};
    std::string where = a.line > 0 ? fmt::format("{}:{}", file_, a.line) : fmt::format("{} {}", file_, a.json_path);
    std::string out = fmt::format("{} at {}", kind, where);
    if (!body.empty() && body.front().kind == ActionKind::Print) {
      std::string text = body.front().text.source;
      if (text.size() > 40) text = text.substr(0, 40) + "...";
      out += fmt::format(": prints \"{}\"", text);
    }
    return out;
  }

  // The callback an operation calls back: runs `then` with the result, or `catch`.
  Runtime::Callback make_callback(const Action& action, ScopePtr scope) {
    // A callback with nothing to run keeps no scope alive, as a JavaScript closure that
    // names no variable keeps no context: 100,000 such pool tasks then hold 100,000 fewer
    // scopes, and the repeat's per-iteration scope goes back to the allocator at once.
    if (action.then.empty() && action.detail().on_error.empty()) scope = ScopePtr();
    return [this, &action, scope = std::move(scope)](Runtime& rt, Outcome outcome) {
      // Nothing to run: no scope to bind (a callback with an empty body costs no allocation).
      if ((outcome.failed() ? action.detail().on_error : action.then).empty()) return;
      take_value(rt, outcome);
      if (outcome.failed()) {
        run_list(rt, action.detail().on_error, bind_name(scope, kErrorName, Value::string(*outcome.error)));
      } else if (action.detail().as.empty()) {
        run_list(rt, action.then, scope);
      } else {
        run_list(rt, action.then, bind_name(scope, action.detail().as, std::move(outcome.value)));
      }
    };
  }

  // A value that arrives (a file's text, a response) counts against value_bytes. A read
  // was already cut to what was left when it started; another value that took the rest
  // meanwhile turns this one into an error for its callback.
  static void take_value(Runtime& rt, Outcome& outcome) {
    if (outcome.failed() || outcome.value.kind() != Value::Kind::String) return;
    std::size_t bytes = outcome.value.as_string().size();
    if (rt.take_value_bytes(bytes)) return;
    outcome = Outcome::fail(value_bytes_refusal(rt.limits().value_bytes, rt.value_bytes_left()));
    rt.report_error(*outcome.error);
  }

  // The run-time half of the cap on total work (kMaxActions; the parser checks what the
  // file's literal counts say before anything runs): every action run counts, so counts
  // given by templates and callbacks that start more are caught too.
  void count_one(Runtime& rt, const Action& a) {
    const std::uint64_t cap = rt.limits().actions;
    if (++actions_run_ <= cap) return;
    work_exhausted_ = true;
    rt.cross_limit(Limit::Actions, cap);
    rt.locate_limit(where_of(a));
    throw ScriptError(fmt::format("error at {}: this run has created {} actions, the most one run may "
                                  "(see \"Limits\" in docs/scenario-format.md); the run stops here",
                                  a.json_path, cap));
  }

  Runtime::Callback body_callback(const Action& action, ScopePtr scope) {
    return [this, &action, scope = std::move(scope)](Runtime& rt, Outcome) { run_list(rt, action.then, scope); };
  }

  // One step of a promise chain, as one microtask (a PromiseReactionJob): a `then` step
  // runs on fulfilment, a `catch` step on rejection, any other passes the state on.
  struct Settled {
    bool rejected = false;
    std::string value;
  };
  void queue_step(Runtime& rt, const Action& a, std::size_t index, Settled state, ScopePtr scope) {
    if (index == a.detail().chain.size()) {
      if (state.rejected) rt.unhandled_rejection(state.value);
      return;
    }
    const PromiseStep& step = a.detail().chain[index];
    std::string what = rt.tracing() ? label(rt, step.is_catch ? "promise catch" : "promise then", a, step.body) : "";
    rt.queue_microtask(
        [this, &a, index, state = std::move(state), scope](Runtime& rt2, Outcome) mutable {
          const PromiseStep& st = a.detail().chain[index];
          Settled next = state;
          if (st.is_catch == state.rejected) {
            auto inner = bind_name(scope, st.as, Value::string(state.value));
            run_list(rt2, st.body, inner);
            next.rejected = false;
            next.value = "undefined";
            if (st.result) {
              try {
                next.value = text_of(rt2, a, *st.result, inner);
              } catch (const ScriptError& e) {
                rt2.report_error(e.what());
              } catch (const LimitReached&) {
                rt2.locate_limit(where_of(a));
                return;
              }
              next.rejected = st.throws;
            }
          }
          queue_step(rt2, a, index + 1, std::move(next), scope);
        },
        std::move(what));
  }

  void run_action(Runtime& rt, const Action& a, const ScopePtr& scope) {
    count_one(rt, a);
    switch (a.kind) {
      case ActionKind::Print: rt.print(text_of(rt, a, a.text, scope)); break;
      case ActionKind::PrintContent: {
        // The label is printed with the content each time, so it counts like rendered text:
        // a long label repeated a million times is gigabytes of trace otherwise.
        std::string content = text_of(rt, a, a.text, scope);
        if (!rt.charge_value_bytes(a.detail().label.size())) throw LimitReached{};
        rt.print_content(std::move(content), a.detail().label);
        break;
      }
      case ActionKind::SetTimeout: {
        auto ms = number(a, a.detail().number, scope, 0, kMaxDelayMs, "a delay in ms");
        CallbackId id = rt.set_timeout(Millis(ms), make_callback(a, scope), label(rt, "set_timeout", a, a.then));
        if (!a.detail().handle.empty()) handles_[a.detail().handle] = id;
        break;
      }
      case ActionKind::SetInterval: {
        auto ms = number(a, a.detail().number, scope, 0, kMaxDelayMs, "a delay in ms");
        auto runs = std::make_shared<std::int64_t>(0);
        auto id_box = std::make_shared<CallbackId>(0);
        CallbackId id = rt.set_interval(
            Millis(ms),
            [this, &a, scope, runs, id_box](Runtime& rt2, Outcome) {
              // Each run counts towards the cap on total work, so that an interval nobody
              // clears (even with an empty callback) ends with the run at the cap.
              if (work_exhausted_) return;
              try {
                count_one(rt2, a);
              } catch (const ScriptError& e) {
                rt2.report_error(e.what());
                return;
              }
              run_list(rt2, a.then, scope);
              // `times`: the exported program does `if (++n === times) clearInterval(h)`
              // at the end of the callback.
              if (a.detail().times && ++*runs == *a.detail().times) rt2.clear_timer(*id_box);
            },
            label(rt, "set_interval", a, a.then));
        *id_box = id;
        if (!a.detail().handle.empty()) handles_[a.detail().handle] = id;
        break;
      }
      case ActionKind::SetImmediate: {
        CallbackId id = rt.set_immediate(body_callback(a, scope), label(rt, "set_immediate", a, a.then));
        if (!a.detail().handle.empty()) handles_[a.detail().handle] = id;
        break;
      }
      case ActionKind::NextTick: rt.next_tick(body_callback(a, scope), label(rt, "next_tick", a, a.then)); break;
      case ActionKind::QueueMicrotask:
        rt.queue_microtask(body_callback(a, scope), label(rt, "queue_microtask", a, a.then));
        break;
      case ActionKind::Promise:
        queue_step(rt, a, 0, Settled{a.detail().reject, text_of(rt, a, a.text, scope)}, scope);
        break;
      case ActionKind::ClearTimeout:
      case ActionKind::ClearInterval: {
        auto it = handles_.find(a.detail().handle);
        if (it != handles_.end()) rt.clear_timer(it->second);
        break;
      }
      case ActionKind::ClearImmediate: {
        auto it = handles_.find(a.detail().handle);
        if (it != handles_.end()) rt.clear_immediate(it->second);
        break;
      }
      case ActionKind::Block: rt.block(Millis(number(a, a.detail().number, scope, 0, 60'000, "a time in ms"))); break;
      case ActionKind::FsRead: {
        std::filesystem::path path = text_of(rt, a, a.text, scope);
        auto ms = number(a, a.detail().delay, scope, 0, kMaxDelayMs, "a delay in ms");
        CallbackId id = rt.fs_read(std::move(path), Millis(ms), make_callback(a, scope), SourcePos{a.line, a.column});
        rt.label_registration(id, label(rt, "fs_read", a, a.then));
        break;
      }
      case ActionKind::Encrypt: {
        auto n = number(a, a.detail().number, scope, 0, 50, "n");
        std::optional<Duration> cost;
        if (a.detail().cost_ms) cost = Millis(*a.detail().cost_ms);
        CallbackId id = rt.encrypt(n, cost, make_callback(a, scope));
        rt.label_registration(id, label(rt, "encrypt", a, a.then));
        break;
      }
      case ActionKind::HttpGetSlow: {
        auto ms = number(a, a.detail().delay, scope, 0, kMaxDelayMs, "a delay in ms");
        CallbackId id = rt.http_get_slow(text_of(rt, a, a.text, scope), Millis(ms), make_callback(a, scope));
        rt.label_registration(id, label(rt, "http_get_slow", a, a.then));
        break;
      }
      case ActionKind::HttpGet: {
        CallbackId id = rt.http_get(text_of(rt, a, a.text, scope), make_callback(a, scope), SourcePos{a.line, a.column});
        rt.label_registration(id, label(rt, "http_get", a, a.then));
        break;
      }
      case ActionKind::Repeat: {
        auto count = number(a, a.detail().number, scope, 0, kMaxRepeat, "a repeat count");
        for (std::int64_t i = 0; i < count && !rt.stop_requested(); ++i) {
          auto inner = bind_name(scope, a.detail().as, Value::integer(i));
          for (const Action& action : a.then) run_checked(rt, action, inner);
        }
        break;
      }
    }
  }

  std::string file_;
  // The handles scenarios name with "id" (clearTimeout(t1)): the latest registration of
  // each name.
  std::unordered_map<std::string, CallbackId> handles_;
  std::uint64_t actions_run_ = 0;  // towards limits().actions
  bool work_exhausted_ = false;    // the cap was reached: the run is stopping
};

}  // namespace

RuntimeOptions runtime_options(const Scenario& scenario) {
  RuntimeOptions options;
  const Settings& s = scenario.settings;
  if (s.threads) options.threads = static_cast<std::size_t>(*s.threads);
  if (s.http_latency_ms) options.http_latency = Millis(*s.http_latency_ms);
  if (s.http_timeout_ms) options.http_timeout = Millis(*s.http_timeout_ms);
  options.base_dir = scenario.base_dir;
  if (s.model && *s.model == "node") options.model = node_model();
  for (const auto& [name, value] : s.limits) options.limits.set(name, static_cast<std::uint64_t>(value));
  return options;
}

void run_scenario(Runtime& runtime, const Scenario& scenario) {
  Interpreter interpreter(scenario);
  runtime.run([&](Runtime& rt) { interpreter.run_list(rt, scenario.program, ScopePtr()); });
}

void start_scenario(Runtime& runtime, const Scenario& scenario, std::shared_ptr<void>& keep) {
  auto interpreter = std::make_shared<Interpreter>(scenario);
  keep = interpreter;
  runtime.start([&](Runtime& rt) { interpreter->run_list(rt, scenario.program, ScopePtr()); });
}

}  // namespace elt::scenario
