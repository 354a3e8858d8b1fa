#include "scenario/interpreter.h"

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <unordered_map>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "scenario/actions/action.h"
#include "scenario/actions/async_state.h"
#include "scenario/scope.h"
#include "loop/model_kinds.h"

namespace elt::scenario {

namespace {

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

class Interpreter final : public ActionRunner {
 public:
  explicit Interpreter(const Scenario& scenario)
      : file_(std::filesystem::path(scenario.file).filename().string()) {}

  void run_list(Runtime& rt, const std::vector<Action>& actions, const ScopePtr& scope) override {
    // After the cap on total work, callbacks that the loop still runs before it stops do nothing.
    if (work_exhausted_) return;
    try {
      run_block(rt, actions, scope);
    } catch (const ScriptError& e) {
      rt.report_error(e.what());
    } catch (const LimitReached&) {
    }
  }

  // The actions of one list, each in the scope the lets before it made (JavaScript's block
  // scope: a name a let binds is seen from there to the end of its list). Without a let
  // the list's own scope is used as it is, with no copy.
  void run_block(Runtime& rt, const std::vector<Action>& actions, const ScopePtr& scope) override {
    const ScopePtr* current = &scope;
    ScopePtr declared;
    for (const Action& action : actions) {
      run_checked(rt, action, *current);
      if (action.kind == ActionKind::Let && declared_.get() != nullptr) {
        declared = std::exchange(declared_, ScopePtr());
        current = &declared;
      }
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

  static std::int64_t number_of(const Action& action, const IntArg& arg, const ScopePtr& scope, std::int64_t lo,
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
  std::string label(Runtime& rt, std::string_view kind, const Action& a,
                    const std::vector<Action>& body) const override {
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

  Runtime::Callback body_callback(const Action& action, ScopePtr scope) override {
    return [this, &action, scope = std::move(scope)](Runtime& rt, Outcome) { run_list(rt, action.then, scope); };
  }

  void run_action(Runtime& rt, const Action& a, const ScopePtr& scope) {
    count_one(rt, a);
    action_spec(a.kind).run(*this, rt, a, scope);
  }

  // ---- ActionRunner: what an action's own run function uses ----

  std::string text(Runtime& rt, const Action& a, const Template& t, const ScopePtr& scope) override {
    return text_of(rt, a, t, scope);
  }
  bool result_text(Runtime& rt, const Action& a, const Template& t, const ScopePtr& scope,
                   std::string& out) override {
    try {
      out = text_of(rt, a, t, scope);
    } catch (const ScriptError& e) {
      rt.report_error(e.what());
    } catch (const LimitReached&) {
      rt.locate_limit(where_of(a));
      return false;
    }
    return true;
  }
  void charge_value_bytes(Runtime& rt, std::size_t bytes) override {
    if (!rt.charge_value_bytes(bytes)) throw LimitReached{};
  }
  std::int64_t number(const Action& a, const IntArg& arg, const ScopePtr& scope, std::int64_t lo, std::int64_t hi,
                      std::string_view what) override {
    return number_of(a, arg, scope, lo, hi, what);
  }
  Runtime::Callback result_callback(const Action& a, ScopePtr scope) override {
    return make_callback(a, std::move(scope));
  }
  void run_nested(Runtime& rt, const Action& a, const ScopePtr& scope) override { run_checked(rt, a, scope); }
  bool count_run(Runtime& rt, const Action& a) override {
    if (work_exhausted_) return false;
    try {
      count_one(rt, a);
    } catch (const ScriptError& e) {
      rt.report_error(e.what());
      return false;
    }
    return true;
  }
  void name_handle(const std::string& name, CallbackId id) override { handles_[name] = id; }
  const CallbackId* find_handle(const std::string& name) const override {
    auto it = handles_.find(name);
    return it == handles_.end() ? nullptr : &it->second;
  }

  [[noreturn]] void fail(const Action& a, const std::string& what) override {
    throw ScriptError(fmt::format("error at {}: {}", a.json_path, what));
  }
  void declare(ScopePtr scope) override { declared_ = std::move(scope); }
  AsyncState& async_state() override { return async_; }

  std::string file_;
  ScopePtr declared_;  // the scope the let that just ran made, for its list to adopt
  AsyncState async_;
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
  if (s.model) options.model = build_model(*s.model);
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
