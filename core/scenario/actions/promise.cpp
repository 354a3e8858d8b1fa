// promise: Promise.resolve(value) or Promise.reject(new Error(value)), then a chain of
// .then(...) and .catch(...) steps. Each step, run or passed through, is one microtask
// (a PromiseReactionJob in V8), so the book's loop, which has no microtask queue, cannot
// run it.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "scenario/actions/action.h"
#include "scenario/actions/families.h"

namespace elt::scenario::actions {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// ---- reading ----

// Checks a step's keys and reads its "as"; returns the step without its body.
// `.finally(() => {...})` (promise_then only): no value to name, and a value it returns is
// ignored, so it takes "finally", "throw" and "return_promise".
PromiseStep finally_head(ActionReader& r, const json& step, const std::string& at, bool adopt) {
  if (!adopt) r.fail(at + "/finally", "a finally step is one of promise_then's (promise's chain has then and catch)");
  for (const auto& [key, value] : step.items()) {
    if (key != "finally" && key != "throw" && key != "return_promise") {
      r.fail(at + "/" + pointer_token(key), fmt::format("a finally step does not take \"{}\" (its callback gets no "
                                                        "value and what it returns is ignored unless it is a promise); "
                                                        "it takes \"finally\", \"throw\" and \"return_promise\"", key));
    }
  }
  if (step.contains("throw") && step.contains("return_promise")) {
    r.fail(at, "a step either returns a promise or throws, not both");
  }
  PromiseStep s;
  s.json_path = at;
  s.is_finally = true;
  if (step.contains("return_promise")) {
    const json& v = step["return_promise"];
    if (!v.is_string() || !valid_name(v.get<std::string>())) {
      r.fail(at + "/return_promise", fmt::format("\"return_promise\" names a promise; found {}", r.describe(v)));
    }
    s.adopt = v.get<std::string>();
  }
  return s;
}

PromiseStep step_head(ActionReader& r, const json& step, const std::string& at, bool adopt) {
  const int kinds = step.is_object() ? int(step.contains("then")) + int(step.contains("catch")) + int(step.contains("finally")) : 0;
  if (kinds != 1) {
    r.fail(at, "a step is an object with one of \"then\", \"catch\" or \"finally\" (a list of actions)");
  }
  if (step.contains("finally")) return finally_head(r, step, at, adopt);
  PromiseStep s;
  s.json_path = at;
  s.is_catch = step.contains("catch");
  for (const auto& [key, value] : step.items()) {
    if (key != "then" && key != "catch" && key != "as" && key != "return" && key != "throw" &&
        !(adopt && key == "return_promise")) {
      r.fail(at + "/" + pointer_token(key), fmt::format("a step does not take \"{}\"; it takes \"{}\", \"as\", "
                                                        "\"return\" and \"throw\"", key, s.is_catch ? "catch" : "then"));
    }
  }
  s.as = s.is_catch ? "error" : "value";
  if (step.contains("as")) {
    const json& v = step["as"];
    if (!v.is_string() || !valid_name(v.get<std::string>())) {
      r.fail(at + "/as", fmt::format("\"as\" names the value: letters, digits and _; found {}", r.describe(v)));
    }
    s.as = v.get<std::string>();
  }
  if (int(step.contains("return")) + int(step.contains("throw")) + int(step.contains("return_promise")) > 1) {
    r.fail(at, "a step either returns, returns a promise or throws, not two of them");
  }
  if (step.contains("return_promise")) {
    const json& v = step["return_promise"];
    if (!v.is_string() || !valid_name(v.get<std::string>())) {
      r.fail(at + "/return_promise", fmt::format("\"return_promise\" names a promise; found {}", r.describe(v)));
    }
    s.adopt = v.get<std::string>();
  }
  return s;
}

PromiseStep parse_step(ActionReader& r, const json& step, const std::string& at, int depth, bool adopt) {
  PromiseStep s = step_head(r, step, at, adopt);
  // The step's own name is in scope in its result as well as in its body.
  std::size_t mark = r.scope_mark();
  if (!s.as.empty()) r.bind(s.as);
  for (const char* key : {"return", "throw"}) {
    if (!step.contains(key)) continue;
    const json& v = step[key];
    if (!v.is_string()) r.fail(at + "/" + key, fmt::format("expected a text (a string); found {}", r.describe(v)));
    s.result = r.parse_template(v.get<std::string>(), at + "/" + key);
    s.throws = std::string_view(key) == "throw";
  }
  const char* key = s.is_finally ? "finally" : s.is_catch ? "catch" : "then";
  s.body = r.actions(step[key], at + "/" + key, depth);
  r.unbind_to(mark);
  return s;
}

}  // namespace

std::vector<PromiseStep> parse_promise_chain(ActionReader& r, const json& j, const std::string& path, int depth,
                                             bool adopt) {
  if (!j.is_array() || j.empty()) {
    r.fail(path, fmt::format("expected a non-empty array of steps such as {{\"then\": [...]}} or "
                             "{{\"catch\": [...]}}; found {}", r.describe(j)));
  }
  std::vector<PromiseStep> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    out.push_back(parse_step(r, j[i], fmt::format("{}/{}", path, i), depth, adopt));
  }
  return out;
}

namespace {

void parse_promise(ActionReader& r, const ActionSource& src, Action& a) {
  const json& arg = src.arg;
  if (!arg.is_string() || (arg.get<std::string>() != "resolve" && arg.get<std::string>() != "reject")) {
    r.fail(src.at, fmt::format("\"promise\" is \"resolve\" or \"reject\"; found {}", r.describe(arg)));
  }
  a.edit_detail().reject = arg.get<std::string>() == "reject";
  if (src.object.contains("value")) {
    a.text = r.text(src.object["value"], src.path + "/value", "the value the promise settles with");
  } else {
    a.text.segments.push_back({"undefined", {}});
    a.text.source = "undefined";
  }
  if (!src.object.contains("chain")) r.fail(src.path, "\"promise\" needs \"chain\": its then/catch steps");
  a.edit_detail().chain = parse_promise_chain(r, src.object["chain"], src.path + "/chain", src.depth, false);
}

// ---- running ----

struct Settled {
  bool rejected = false;
  std::string value;
};

// One step of the chain, as one microtask: a `then` step runs on fulfilment, a `catch`
// step on rejection, any other passes the state on.
void queue_step(ActionRunner& runner, Runtime& rt, const Action& a, std::size_t index, Settled state,
                ScopePtr scope) {
  if (index == a.detail().chain.size()) {
    if (state.rejected) rt.unhandled_rejection(state.value);
    return;
  }
  const PromiseStep& step = a.detail().chain[index];
  std::string what = rt.tracing() ? runner.label(rt, step.is_catch ? "promise catch" : "promise then", a, step.body)
                                  : "";
  rt.queue_microtask(
      [&runner, &a, index, state = std::move(state), scope](Runtime& rt2, Outcome) mutable {
        const PromiseStep& st = a.detail().chain[index];
        Settled next = state;
        if (st.is_catch == state.rejected) {
          auto inner = bind_name(scope, st.as, Value::string(state.value));
          runner.run_list(rt2, st.body, inner);
          next.rejected = false;
          next.value = "undefined";
          if (st.result) {
            if (!runner.result_text(rt2, a, *st.result, inner, next.value)) return;
            next.rejected = st.throws;
          }
        }
        queue_step(runner, rt2, a, index + 1, std::move(next), scope);
      },
      std::move(what));
}

void run_promise(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  queue_step(runner, rt, a, 0, Settled{a.detail().reject, runner.text(rt, a, a.text, scope)}, scope);
}

// Each step of the chain runs once at most.
std::uint64_t plan_promise(WorkPlanner& p, const Action& a) {
  std::uint64_t steps = 0;
  for (const PromiseStep& step : a.detail().chain) steps = saturating_add(steps, p.planned(step.body));
  return saturating_add(1, steps);
}

// ---- JavaScript ----

void export_promise(JsWriter& w, const Action& a, std::string& out) {
  bool default_value = a.text.source == "undefined" && a.text.is_literal();
  std::string start;
  if (a.detail().reject) {
    start = fmt::format("Promise.reject(new Error({}))", w.text(a, a.text));
  } else {
    start = default_value ? "Promise.resolve()" : fmt::format("Promise.resolve({})", w.text(a, a.text));
  }
  w.line(out, start);
  export_promise_steps(w, a, a.detail().chain, out);
}

}  // namespace

// `.then(...)` and `.catch(...)`, one a line, one level in.
void export_promise_steps(JsWriter& w, const Action& a, const std::vector<PromiseStep>& chain, std::string& out) {
  w.indent();
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const PromiseStep& step = chain[i];
    if (step.is_finally) {
      w.line(out, ".finally(() => {");
    } else {
      w.line(out, fmt::format(".{}(({}) => {{", step.is_catch ? "catch" : "then", w.js_name(step.as)));
      w.push_scope(step.as, step.is_catch ? Bound::PromiseError : Bound::PromiseValue);
    }
    w.block(step.body, out);
    if (step.result || !step.adopt.empty()) {
      w.indent();
      if (!step.adopt.empty()) {
        w.line(out, fmt::format("return {};", w.handle_var(step.adopt)));
      } else {
        std::string result = w.text(a, *step.result);
        w.line(out, step.throws ? fmt::format("throw new Error({});", result) : fmt::format("return {};", result));
      }
      w.outdent();
    }
    if (!step.is_finally) w.pop_scope();
    w.line(out, i + 1 == chain.size() ? "});" : "})");
  }
  w.outdent();
}

namespace {

constexpr const char* kPromiseSchema = R"json({
  "title": "promise",
  "description": "Promise.resolve(value) or Promise.reject(new Error(value)), followed by one .then(...) or .catch(...) per step of chain. Each step, run or passed through, is one microtask. Node model only.",
  "type": "object",
  "properties": {
    "promise": {
      "description": "resolve: a fulfilled promise; reject: a rejected one.",
      "enum": [
        "resolve",
        "reject"
      ]
    },
    "value": {
      "description": "The value (resolve) or the error's message (reject); a template. Without it, the text undefined.",
      "$ref": "#/$defs/template"
    },
    "chain": {
      "description": "The steps, at least one: .then(...) and .catch(...), in order.",
      "type": "array",
      "minItems": 1,
      "items": {
        "$ref": "#/$defs/step"
      }
    }
  },
  "required": [
    "promise",
    "chain"
  ],
  "additionalProperties": false
})json";

constexpr const char* kStepSchema = R"json({
  "description": "One step of a promise chain: a then step (runs on fulfilment), a catch step (runs on rejection) or, in promise_then, a finally step (runs either way); the key decides which.",
  "type": "object",
  "anyOf": [
    {
      "required": [
        "then"
      ]
    },
    {
      "required": [
        "catch"
      ]
    },
    {
      "required": [
        "finally"
      ]
    }
  ],
  "allOf": [
    {
      "if": {
        "required": [
          "then"
        ]
      },
      "then": {
        "$ref": "#/$defs/thenStep"
      }
    },
    {
      "if": {
        "required": [
          "catch"
        ]
      },
      "then": {
        "$ref": "#/$defs/catchStep"
      }
    },
    {
      "if": {
        "required": [
          "finally"
        ]
      },
      "then": {
        "$ref": "#/$defs/finallyStep"
      }
    }
  ]
})json";

constexpr const char* kFinallyStepSchema = R"json({
  "type": "object",
  "description": "promise_then only: `.finally(() => {...})`: runs on fulfilment and on rejection, then passes the value or the rejection on (the next step runs two microtask turns later than after a then step: finally returns Promise.resolve(result).then(() => value), which its promise adopts). A throw rejects instead; a returned promise is waited for first.",
  "properties": {
    "finally": {
      "description": "Actions run when the promise settles either way.",
      "$ref": "#/$defs/actions"
    },
    "throw": {
      "description": "Rejects with this message (a template) instead of passing the state on.",
      "$ref": "#/$defs/template"
    },
    "return_promise": {
      "description": "Returns this named promise: the state passes on once it is fulfilled (its rejection replaces the state).",
      "$ref": "#/$defs/resultName"
    }
  },
  "required": [
    "finally"
  ],
  "not": {
    "required": [
      "return_promise",
      "throw"
    ]
  },
  "additionalProperties": false
})json";

constexpr const char* kThenStepSchema = R"json({
  "type": "object",
  "description": "`.then(value => {...})`: runs on fulfilment; a rejection passes through it. It may return or throw, not both.",
  "properties": {
    "then": {
      "description": "Actions run when the promise is fulfilled.",
      "$ref": "#/$defs/actions"
    },
    "as": {
      "description": "The value's name inside then (default \"value\"). Letters, digits and _.",
      "$ref": "#/$defs/resultName"
    },
    "return": {
      "description": "The step's result, a template (default: the text undefined): the next step sees a fulfilled promise.",
      "$ref": "#/$defs/template"
    },
    "throw": {
      "description": "Rejects with this message (a template): the next step sees a rejected promise.",
      "$ref": "#/$defs/template"
    },
    "return_promise": {
      "description": "promise_then only: returns this named promise; the next step waits for it, two microtask turns more than for a value.",
      "$ref": "#/$defs/resultName"
    }
  },
  "required": [
    "then"
  ],
  "not": {
    "required": [
      "return",
      "throw"
    ]
  },
  "additionalProperties": false
})json";

constexpr const char* kCatchStepSchema = R"json({
  "type": "object",
  "description": "`.catch(error => {...})`: runs on rejection; a fulfilment passes through it. It may return or throw, not both.",
  "properties": {
    "catch": {
      "description": "Actions run when the promise is rejected.",
      "$ref": "#/$defs/actions"
    },
    "as": {
      "description": "The error's name inside catch (default \"error\"). Letters, digits and _.",
      "$ref": "#/$defs/resultName"
    },
    "return": {
      "description": "The step's result, a template (default: the text undefined): the next step sees a fulfilled promise.",
      "$ref": "#/$defs/template"
    },
    "throw": {
      "description": "Rejects with this message (a template): the next step sees a rejected promise.",
      "$ref": "#/$defs/template"
    },
    "return_promise": {
      "description": "promise_then only: returns this named promise; the next step waits for it, two microtask turns more than for a value.",
      "$ref": "#/$defs/resultName"
    }
  },
  "required": [
    "catch"
  ],
  "not": {
    "required": [
      "return",
      "throw"
    ]
  },
  "additionalProperties": false
})json";

}  // namespace

// The definitions a promise's steps refer to, beside the promise's own.
void schema_promise_steps(ordered_json& defs) {
  defs["step"] = ordered_json::parse(kStepSchema);
  defs["thenStep"] = ordered_json::parse(kThenStepSchema);
  defs["catchStep"] = ordered_json::parse(kCatchStepSchema);
  defs["finallyStep"] = ordered_json::parse(kFinallyStepSchema);
}

namespace {

constexpr std::string_view kPromiseKeys[] = {"value", "chain"};

}  // namespace

const ActionSpec kPromise{ActionKind::Promise, "promise", kPromiseKeys, true,
                          parse_promise, run_promise, export_promise, kPromiseSchema, plan_promise, schema_promise_steps};

}  // namespace elt::scenario::actions
