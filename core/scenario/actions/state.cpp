// A program's own state (issue 21): let, set and if, over expressions (scenario/expr.h),
// and unref / ref, a timer's say in whether the loop stays alive.
//
// A variable is a name bound in the scope chain (scenario/scope.h) like any callback's
// value, but `set` changes it in place: every callback made where it is in scope holds
// the same binding, so a counter two timers both increment is one counter, as a
// JavaScript closure sees the variable and not a copy. Variables live on the loop thread;
// what a pool task is handed is text rendered from them before it leaves.
//
// None of these needs Node's queues, so both models run them: the book's loop has timers,
// and whether it stays alive is the same question (uv__loop_alive) in both.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "modules/timers.h"
#include "scenario/actions/action.h"
#include "scenario/actions/families.h"
#include "scenario/expr.h"

namespace elt::scenario::actions {

namespace {

using nlohmann::json;

// ---- reading ----

// "value": a JSON number, boolean or null is that value; a string is an expression.
expr::Expr read_expression(ActionReader& r, const json& v, const std::string& pointer) {
  if (v.is_number_integer() || v.is_number_unsigned()) {
    return expr::parse(std::to_string(r.whole(v, pointer, -INT64_MAX, INT64_MAX, "a whole number")), {}).expr;
  }
  if (v.is_boolean()) return expr::parse(v.get<bool>() ? "true" : "false", {}).expr;
  if (v.is_null()) return expr::parse("null", {}).expr;
  if (!v.is_string()) {
    r.fail(pointer, fmt::format("expected an expression (a string such as \"count + 1\"), a whole number, true, "
                                "false or null; found {}", r.describe(v)));
  }
  const std::string text = v.get<std::string>();
  expr::Parsed parsed = expr::parse(text, [&r](const std::string& name) { return r.in_scope(name); });
  if (parsed.error) {
    // The place is the character's number: a long expression is shown by its start only.
    std::string shown = text.size() > 60 ? text.substr(0, 57) + "..." : text;
    r.fail(pointer, fmt::format("in the expression \"{}\", at character {}: {}", shown, parsed.error->offset + 1,
                                parsed.error->what));
  }
  return parsed.expr;
}

std::string variable_name(ActionReader& r, const ActionSource& src, const char* what) {
  if (!src.arg.is_string() || !valid_name(src.arg.get<std::string>())) {
    r.fail(src.at, fmt::format("expected the name of {} (letters, digits and _); found {}", what, r.describe(src.arg)));
  }
  return src.arg.get<std::string>();
}

const json& required(ActionReader& r, const ActionSource& src, const char* key, const char* what) {
  if (!src.object.contains(key)) r.fail(src.path, fmt::format("\"{}\" needs \"{}\": {}", src.object.begin().key(), key, what));
  return src.object[key];
}

void parse_let(ActionReader& r, const ActionSource& src, Action& a) {
  std::string name = variable_name(r, src, "the variable");
  // Read before the name is bound: `let x = x + 1` reads an outer x, or none.
  a.edit_detail().expression = read_expression(r, required(r, src, "value", "its first value"), src.path + "/value");
  a.edit_detail().as = std::move(name);
  r.bind(a.detail().as);  // for the rest of the list, and the callbacks in it
}

void parse_set(ActionReader& r, const ActionSource& src, Action& a) {
  std::string name = variable_name(r, src, "a variable in scope");
  if (!r.in_scope(name)) {
    r.fail(src.at, fmt::format("no variable named \"{}\" here: declare it with {{\"let\": \"{}\", \"value\": ...}} "
                               "first, in this list or one around it", name, name));
  }
  a.edit_detail().expression = read_expression(r, required(r, src, "value", "the new value"), src.path + "/value");
  a.edit_detail().as = std::move(name);
}

void parse_if(ActionReader& r, const ActionSource& src, Action& a) {
  a.edit_detail().expression = read_expression(r, src.arg, src.at);
  a.then = r.callback(src, "then", {});
  a.edit_detail().on_error = r.callback(src, "else", {});
}

void parse_ref(ActionReader& r, const ActionSource& src, Action& a) {
  a.edit_detail().handle = variable_name(r, src, "a timer's or interval's \"id\"");
  r.note_clear(a.detail().handle, src.at);  // the same check as clear_*: some "id" gives it
}

// ---- running ----

Value value_of(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  Value v;
  try {
    v = expr::evaluate(*a.detail().expression, [&scope](const std::string& name) -> std::optional<Value> {
      for (const Scope* s = scope.get(); s != nullptr; s = s->parent.get()) {
        if (*s->name == name) return s->value;
      }
      return std::nullopt;
    });
  } catch (const expr::EvalError& e) {
    runner.fail(a, e.what());
  }
  // Text a program builds (x = x + x) counts against value_bytes, as a template's does.
  if (v.kind() == Value::Kind::String) runner.charge_value_bytes(rt, v.as_string().size());
  return v;
}

void run_let(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  runner.declare(bind_name(scope, a.detail().as, value_of(runner, rt, a, scope)));
}

void run_set(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  Value v = value_of(runner, rt, a, scope);
  Value* binding = find_binding(scope, a.detail().as);
  if (binding == nullptr) runner.fail(a, fmt::format("\"{}\" is not bound", a.detail().as));
  *binding = std::move(v);
}

void run_if(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  const bool holds = expr::truthy(value_of(runner, rt, a, scope));
  runner.run_block(rt, holds ? a.then : a.detail().on_error, scope);
}

void set_ref(ActionRunner& runner, Runtime& rt, const Action& a, bool ref) {
  const CallbackId* id = runner.find_handle(a.detail().handle);
  // Not registered yet, ran, cleared: a no-op, as Node's unref of a finished timer is.
  if (id == nullptr || Timers(rt).ref_timer(*id, ref)) return;
  if (Timers(rt).immediate_pending(*id)) {
    runner.fail(a, fmt::format("{} of an immediate (\"{}\") is not supported: only a timer's or an interval's",
                               ref ? "ref" : "unref", a.detail().handle));
  }
}

void run_unref(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr&) { set_ref(runner, rt, a, false); }
void run_ref(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr&) { set_ref(runner, rt, a, true); }

// ---- JavaScript ----

// The outer parentheses of a binary expression go: a statement or an if has its own.
std::string js_expression(JsWriter& w, const Action& a) {
  std::string js = expr::to_js(
      *a.detail().expression, [&w](const std::string& name) { return w.js_name(name); },
      [&w](std::string_view s) { return w.js_string(s); });
  const expr::Op op = a.detail().expression->op;
  const bool binary = op != expr::Op::Literal && op != expr::Op::Name && op != expr::Op::Not && op != expr::Op::Negate;
  return binary ? js.substr(1, js.size() - 2) : js;
}

void export_let(JsWriter& w, const Action& a, std::string& out) {
  w.line(out, fmt::format("let {} = {};", w.js_name(a.detail().as), js_expression(w, a)));
  w.push_scope(a.detail().as, Bound::Number);  // to the end of its block: fields are not asked of it
}

void export_set(JsWriter& w, const Action& a, std::string& out) {
  w.line(out, fmt::format("{} = {};", w.js_name(a.detail().as), js_expression(w, a)));
}

void export_if(JsWriter& w, const Action& a, std::string& out) {
  w.line(out, fmt::format("if ({}) {{", js_expression(w, a)));
  w.block(a.then, out);
  if (!a.detail().on_error.empty()) {
    w.line(out, "} else {");
    w.block(a.detail().on_error, out);
  }
  w.line(out, "}");
}

void export_unref(JsWriter& w, const Action& a, std::string& out) {
  w.line(out, fmt::format("{}.unref();", w.handle_var(a.detail().handle)));
}
void export_ref(JsWriter& w, const Action& a, std::string& out) {
  w.line(out, fmt::format("{}.ref();", w.handle_var(a.detail().handle)));
}

constexpr const char* kLetSchema = R"json({
  "title": "let",
  "description": "Declares a variable, like `let count = 0`: its name is seen by the actions after it in the same list and by every callback among them, which share it (a closure sees the variable, not a copy). Both models.",
  "type": "object",
  "properties": {
    "let": {
      "description": "The variable's name.",
      "$ref": "#/$defs/handleName"
    },
    "value": {
      "description": "Its first value: a whole number, true, false, null, or an expression as a string (\"'a' + x\", \"count * 2\"; docs/scenario-format.md, \"Expressions\").",
      "$ref": "#/$defs/expression"
    }
  },
  "required": [
    "let",
    "value"
  ],
  "additionalProperties": false
})json";

constexpr const char* kSetSchema = R"json({
  "title": "set",
  "description": "Assigns a variable in scope, like `count = count + 1`: every callback that sees the variable reads the new value from then on. Both models.",
  "type": "object",
  "properties": {
    "set": {
      "description": "The variable's name (a let's, or any name in scope).",
      "$ref": "#/$defs/handleName"
    },
    "value": {
      "description": "The new value: a whole number, true, false, null, or an expression as a string.",
      "$ref": "#/$defs/expression"
    }
  },
  "required": [
    "set",
    "value"
  ],
  "additionalProperties": false
})json";

constexpr const char* kIfSchema = R"json({
  "title": "if",
  "description": "Runs then when the condition holds (anything but false, 0, '' and null), else otherwise, at once and in the same place. Both models.",
  "type": "object",
  "properties": {
    "if": {
      "description": "The condition, an expression: \"count === 3\", \"done < total && !failed\".",
      "$ref": "#/$defs/expression"
    },
    "then": {
      "description": "The actions when it holds.",
      "$ref": "#/$defs/actions"
    },
    "else": {
      "description": "The actions when it does not.",
      "$ref": "#/$defs/actions"
    }
  },
  "required": [
    "if"
  ],
  "additionalProperties": false
})json";

constexpr const char* kUnrefSchema = R"json({
  "title": "unref",
  "description": "timer.unref(): the timer or interval named by its id still fires when its time comes, but no longer keeps the loop alive by itself; when nothing else does, the run ends without it. A handle that ran or was cleared is a no-op. Both models.",
  "type": "object",
  "properties": {
    "unref": {
      "$ref": "#/$defs/handleName"
    }
  },
  "required": [
    "unref"
  ],
  "additionalProperties": false
})json";

constexpr const char* kRefSchema = R"json({
  "title": "ref",
  "description": "timer.ref(): undoes unref; the timer keeps the loop alive again. Both models.",
  "type": "object",
  "properties": {
    "ref": {
      "$ref": "#/$defs/handleName"
    }
  },
  "required": [
    "ref"
  ],
  "additionalProperties": false
})json";

// What a let, set or if takes: an expression, or a literal value.
void expression_schema(nlohmann::ordered_json& defs) {
  defs["expression"] = nlohmann::ordered_json::parse(R"json({
    "description": "An expression over the names in scope, as a string (names, whole numbers, 'text', true, false, null; ! - * % + < <= > >= === !== && || and parentheses), or a literal whole number, true, false or null.",
    "anyOf": [
      {"type": "string", "minLength": 1},
      {"type": "integer"},
      {"type": "boolean"},
      {"type": "null"}
    ]
  })json");
}

constexpr std::string_view kLetKeys[] = {"value"};
constexpr std::string_view kIfKeys[] = {"then", "else"};

}  // namespace

const ActionSpec kLet{ActionKind::Let, "let", kLetKeys, false, parse_let, run_let, export_let, kLetSchema, plan_once,
                      expression_schema};
const ActionSpec kSet{ActionKind::Set, "set", kLetKeys, false, parse_set, run_set, export_set, kSetSchema, plan_once};
const ActionSpec kIf{ActionKind::If, "if", kIfKeys, false, parse_if, run_if, export_if, kIfSchema, plan_once};  // one branch: the larger counts
const ActionSpec kUnref{ActionKind::Unref, "unref", {}, false, parse_ref, run_unref, export_unref, kUnrefSchema,
                        plan_once};
const ActionSpec kRef{ActionKind::Ref, "ref", {}, false, parse_ref, run_ref, export_ref, kRefSchema, plan_once};

}  // namespace elt::scenario::actions
