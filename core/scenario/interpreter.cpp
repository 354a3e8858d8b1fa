#include "scenario/interpreter.h"

#include <charconv>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

namespace elt::scenario {

namespace {

// One name bound to one value; scopes form a chain towards the program's top level.
struct Scope {
  std::shared_ptr<const Scope> parent;
  std::string name;
  Value value;
};
using ScopePtr = std::shared_ptr<const Scope>;

ScopePtr bind_name(ScopePtr parent, std::string name, Value value) {
  return std::make_shared<const Scope>(Scope{std::move(parent), std::move(name), std::move(value)});
}

struct ScriptError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Interpreter {
 public:
  void run_list(Runtime& rt, const std::vector<Action>& actions, const ScopePtr& scope) {
    try {
      for (const Action& action : actions) run_action(rt, action, scope);
    } catch (const ScriptError& e) {
      rt.report_error(e.what());
    }
  }

 private:
  Value lookup(const Action& action, const Template::Segment& seg, const ScopePtr& scope) {
    const Scope* s = scope.get();
    while (s != nullptr && s->name != seg.path[0]) s = s->parent.get();
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

  std::string render(const Action& action, const Template& t, const ScopePtr& scope) {
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

  std::int64_t number(const Action& action, const IntArg& arg, const ScopePtr& scope, std::int64_t lo,
                      std::int64_t hi, std::string_view what) {
    if (arg.literal) return *arg.literal;
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

  // The callback an operation calls back: runs `then` with the result, or `catch`.
  Runtime::Callback make_callback(const Action& action, ScopePtr scope) {
    return [this, &action, scope = std::move(scope)](Runtime& rt, Outcome outcome) {
      if (outcome.failed()) {
        run_list(rt, action.on_error, bind_name(scope, "error", Value::string(*outcome.error)));
      } else if (action.as.empty()) {
        run_list(rt, action.then, scope);
      } else {
        run_list(rt, action.then, bind_name(scope, action.as, std::move(outcome.value)));
      }
    };
  }

  void run_action(Runtime& rt, const Action& a, const ScopePtr& scope) {
    switch (a.kind) {
      case ActionKind::Print: rt.print(render(a, a.text, scope)); break;
      case ActionKind::PrintContent: rt.print_content(render(a, a.text, scope), a.label); break;
      case ActionKind::SetTimeout: {
        auto ms = number(a, a.number, scope, 0, kMaxDelayMs, "a delay in ms");
        rt.set_timeout(Millis(ms), make_callback(a, scope));
        break;
      }
      case ActionKind::FsRead: {
        std::filesystem::path path = render(a, a.text, scope);
        auto ms = number(a, a.delay, scope, 0, kMaxDelayMs, "a delay in ms");
        rt.fs_read(std::move(path), Millis(ms), make_callback(a, scope));
        break;
      }
      case ActionKind::Encrypt: {
        auto n = number(a, a.number, scope, 0, 50, "n");
        rt.encrypt(n, Millis(a.cost_ms.value_or(0)), make_callback(a, scope));
        break;
      }
      case ActionKind::HttpGetSlow: {
        auto ms = number(a, a.delay, scope, 0, kMaxDelayMs, "a delay in ms");
        rt.http_get_slow(render(a, a.text, scope), Millis(ms), make_callback(a, scope));
        break;
      }
      case ActionKind::HttpGet: rt.http_get(render(a, a.text, scope), make_callback(a, scope)); break;
      case ActionKind::Repeat: {
        auto count = number(a, a.number, scope, 0, kMaxRepeat, "a repeat count");
        for (std::int64_t i = 0; i < count && !rt.stop_requested(); ++i) {
          auto inner = bind_name(scope, a.as, Value::integer(i));
          for (const Action& action : a.then) run_action(rt, action, inner);
        }
        break;
      }
    }
  }

};

}  // namespace

RuntimeOptions runtime_options(const Scenario& scenario) {
  RuntimeOptions options;
  const Settings& s = scenario.settings;
  if (s.threads) options.threads = static_cast<std::size_t>(*s.threads);
  if (s.http_latency_ms) options.http_latency = Millis(*s.http_latency_ms);
  if (s.http_timeout_ms) options.http_timeout = Millis(*s.http_timeout_ms);
  options.base_dir = scenario.base_dir;
  return options;
}

void run_scenario(Runtime& runtime, const Scenario& scenario) {
  Interpreter interpreter;
  runtime.run([&](Runtime& rt) { interpreter.run_list(rt, scenario.program, nullptr); });
}

}  // namespace elt::scenario
