// Node's timers (lib/timers.js): set_timeout, set_interval, set_immediate and the three
// clears. A handle named with "id" is what a clear_* names.
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "modules/timers.h"
#include "scenario/actions/action.h"
#include "scenario/actions/families.h"

namespace elt::scenario::actions {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// ---- set_timeout and set_interval ----

void parse_timer(ActionReader& r, const ActionSource& src, Action& a) {
  a.edit_detail().number = r.int_arg(src.arg, src.at, 0, kMaxDelayMs, "a delay in ms");
  a.edit_detail().handle = r.handle_name(src);
  if (src.object.contains("times")) {
    a.edit_detail().times = r.whole(src.object["times"], src.path + "/times", 1, kMaxRepeat, "how many times it runs");
  }
  a.then = r.callback(src, "then", {});
}

void run_set_timeout(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  auto ms = runner.number(a, a.detail().number, scope, 0, kMaxDelayMs, "a delay in ms");
  CallbackId id =
      Timers(rt).set_timeout(Millis(ms), runner.result_callback(a, scope), runner.label(rt, "set_timeout", a, a.then));
  if (!a.detail().handle.empty()) runner.name_handle(a.detail().handle, id);
}

void run_set_interval(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  auto ms = runner.number(a, a.detail().number, scope, 0, kMaxDelayMs, "a delay in ms");
  auto runs = std::make_shared<std::int64_t>(0);
  auto id_box = std::make_shared<CallbackId>(0);
  CallbackId id = Timers(rt).set_interval(
      Millis(ms),
      [&runner, &a, scope, runs, id_box](Runtime& rt2, Outcome) {
        // Each run counts towards the cap on total work, so that an interval nobody
        // clears (even with an empty callback) ends with the run at the cap.
        if (!runner.count_run(rt2, a)) return;
        runner.run_list(rt2, a.then, scope);
        // `times`: the exported program does `if (++n === times) clearInterval(h)`
        // at the end of the callback.
        if (a.detail().times && ++*runs == *a.detail().times) Timers(rt2).clear_timer(*id_box);
      },
      runner.label(rt, "set_interval", a, a.then));
  *id_box = id;
  if (!a.detail().handle.empty()) runner.name_handle(a.detail().handle, id);
}

// With `times`, each run of an interval counts once (it re-arms its timer), then its
// callback; without, it counts as one run: the run-time counter stops one nobody clears.
std::uint64_t plan_interval(WorkPlanner& p, const Action& a) {
  if (!a.detail().times) return plan_once(p, a);
  std::uint64_t runs = static_cast<std::uint64_t>(*a.detail().times);
  return saturating_add(1, saturating_mul(runs, saturating_add(1, p.planned(a.then))));
}

void export_timer(JsWriter& w, const Action& a, const char* fn, std::string& out) {
  w.arrow_call(a, w.handle_prefix(a) + fn + "(", ", " + w.number(a, a.detail().number) + ")", out);
}

void export_set_timeout(JsWriter& w, const Action& a, std::string& out) { export_timer(w, a, "setTimeout", out); }

void export_set_interval(JsWriter& w, const Action& a, std::string& out) {
  if (!a.detail().times) {
    export_timer(w, a, "setInterval", out);
    return;
  }
  // `times`: the interval clears itself after that many runs, at the end of its callback.
  const std::string& handle = a.detail().handle;
  std::string var = handle.empty() ? fmt::format("interval{}", w.next_interval()) : w.handle_var(handle);
  std::string counter = fmt::format("runs{}", w.next_counter());
  w.line(out, fmt::format("let {} = 0;", counter));
  w.line(out, fmt::format("{}{} = setInterval(() => {{", handle.empty() ? "const " : "", var));
  w.block(a.then, out);
  w.indent();
  w.line(out, fmt::format("if (++{} === {}) clearInterval({});", counter, *a.detail().times, var));
  w.outdent();
  w.line(out, fmt::format("}}, {});", w.number(a, a.detail().number)));
}

constexpr const char* kSetTimeoutSchema = R"json({
  "title": "set_timeout",
  "description": "Registers a timer, like setTimeout. The deadline counts from the loop's cached time; timers with equal deadlines fire in the order they were set. Prints \"Registered timer event id: <id>\".",
  "type": "object",
  "properties": {
    "set_timeout": {
      "description": "The delay in milliseconds (0 fires in the next tick's timers phase).",
      "$ref": "#/$defs/delayMs"
    },
    "then": {
      "description": "The callback: actions run when the timer fires. A timer has no result, so set_timeout binds no name.",
      "$ref": "#/$defs/actions"
    },
    "id": {
      "description": "Names the timer's handle, for clear_timeout (new in issue 9).",
      "$ref": "#/$defs/handleName"
    }
  },
  "required": [
    "set_timeout"
  ],
  "additionalProperties": false
})json";

constexpr const char* kSetIntervalSchema = R"json({
  "title": "set_interval",
  "description": "Registers a repeating timer, like setInterval: its callback runs every N ms until the interval is cleared.",
  "type": "object",
  "properties": {
    "set_interval": {
      "description": "The period in milliseconds.",
      "$ref": "#/$defs/delayMs"
    },
    "id": {
      "description": "Names the handle, for clear_interval.",
      "$ref": "#/$defs/handleName"
    },
    "times": {
      "description": "Clears the interval after this many runs, as `if (++n === times) clearInterval(h)` at the end of the callback. Without it, the interval runs until a clear_interval.",
      "type": "integer",
      "minimum": 1,
      "maximum": 10000000
    },
    "then": {
      "description": "The callback: actions run each time the interval fires.",
      "$ref": "#/$defs/actions"
    }
  },
  "required": [
    "set_interval"
  ],
  "additionalProperties": false
})json";

// ---- set_immediate ----

void parse_set_immediate(ActionReader& r, const ActionSource& src, Action& a) {
  a.edit_detail().handle = r.handle_name(src);
  a.then = r.actions(src.arg, src.at, src.depth);
}

void run_set_immediate(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  CallbackId id = Timers(rt).set_immediate(runner.body_callback(a, scope), runner.label(rt, "set_immediate", a, a.then));
  if (!a.detail().handle.empty()) runner.name_handle(a.detail().handle, id);
}

void export_set_immediate(JsWriter& w, const Action& a, std::string& out) {
  w.arrow_call(a, w.handle_prefix(a) + "setImmediate(", ")", out);
}

constexpr const char* kSetImmediateSchema = R"json({
  "title": "set_immediate",
  "description": "setImmediate(() => {...}): the actions run in the loop's check phase.",
  "type": "object",
  "properties": {
    "set_immediate": {
      "description": "The callback's actions.",
      "$ref": "#/$defs/actions"
    },
    "id": {
      "description": "Names the handle, for clear_immediate.",
      "$ref": "#/$defs/handleName"
    }
  },
  "required": [
    "set_immediate"
  ],
  "additionalProperties": false
})json";

// ---- clear_timeout, clear_interval, clear_immediate ----

void parse_clear(ActionReader& r, const ActionSource& src, Action& a) {
  if (!src.arg.is_string() || !valid_name(src.arg.get<std::string>())) {
    r.fail(src.at, fmt::format("expected the \"id\" of a timer, interval or immediate (letters, digits and _); "
                               "found {}", r.describe(src.arg)));
  }
  a.edit_detail().handle = src.arg.get<std::string>();
  r.note_clear(a.detail().handle, src.at);
}

// A name registered but not live (yet, or any more) is a no-op, as in Node.
void run_clear_timer(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr&) {
  if (const CallbackId* id = runner.find_handle(a.detail().handle)) Timers(rt).clear_timer(*id);
}
void run_clear_immediate(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr&) {
  if (const CallbackId* id = runner.find_handle(a.detail().handle)) Timers(rt).clear_immediate(*id);
}

void export_clear_timeout(JsWriter& w, const Action& a, std::string& out) {
  w.line(out, fmt::format("clearTimeout({});", w.handle_var(a.detail().handle)));
}
void export_clear_interval(JsWriter& w, const Action& a, std::string& out) {
  w.line(out, fmt::format("clearInterval({});", w.handle_var(a.detail().handle)));
}
void export_clear_immediate(JsWriter& w, const Action& a, std::string& out) {
  w.line(out, fmt::format("clearImmediate({});", w.handle_var(a.detail().handle)));
}

constexpr const char* kClearTimeoutSchema = R"json({
  "title": "clear_timeout",
  "description": "clearTimeout(handle): cancels a timer by the name its id gave it. A name never registered in the file is refused; one registered but not live (yet, or any more) is a no-op, as in Node.",
  "type": "object",
  "properties": {
    "clear_timeout": {
      "$ref": "#/$defs/handleName"
    }
  },
  "required": [
    "clear_timeout"
  ],
  "additionalProperties": false
})json";

constexpr const char* kClearIntervalSchema = R"json({
  "title": "clear_interval",
  "description": "clearInterval(handle): cancels an interval by the name its id gave it. A name never registered in the file is refused; one registered but not live (yet, or any more) is a no-op, as in Node.",
  "type": "object",
  "properties": {
    "clear_interval": {
      "$ref": "#/$defs/handleName"
    }
  },
  "required": [
    "clear_interval"
  ],
  "additionalProperties": false
})json";

constexpr const char* kClearImmediateSchema = R"json({
  "title": "clear_immediate",
  "description": "clearImmediate(handle): cancels an immediate by the name its id gave it. A name never registered in the file is refused; one registered but not live (yet, or any more) is a no-op, as in Node.",
  "type": "object",
  "properties": {
    "clear_immediate": {
      "$ref": "#/$defs/handleName"
    }
  },
  "required": [
    "clear_immediate"
  ],
  "additionalProperties": false
})json";

constexpr std::string_view kTimeoutKeys[] = {"then", "id"};
constexpr std::string_view kIntervalKeys[] = {"then", "id", "times"};
constexpr std::string_view kImmediateKeys[] = {"id"};

}  // namespace

const ActionSpec kSetTimeout{ActionKind::SetTimeout, "set_timeout", kTimeoutKeys, false,
                             parse_timer, run_set_timeout, export_set_timeout, kSetTimeoutSchema, plan_once};
const ActionSpec kSetInterval{ActionKind::SetInterval, "set_interval", kIntervalKeys, false,
                              parse_timer, run_set_interval, export_set_interval, kSetIntervalSchema, plan_interval};
const ActionSpec kSetImmediate{ActionKind::SetImmediate, "set_immediate", kImmediateKeys, false,
                               parse_set_immediate, run_set_immediate, export_set_immediate, kSetImmediateSchema, plan_once};
const ActionSpec kClearTimeout{ActionKind::ClearTimeout, "clear_timeout", {}, false,
                               parse_clear, run_clear_timer, export_clear_timeout, kClearTimeoutSchema, plan_once};
const ActionSpec kClearInterval{ActionKind::ClearInterval, "clear_interval", {}, false,
                                parse_clear, run_clear_timer, export_clear_interval, kClearIntervalSchema, plan_once};
const ActionSpec kClearImmediate{ActionKind::ClearImmediate, "clear_immediate", {}, false,
                                 parse_clear, run_clear_immediate, export_clear_immediate, kClearImmediateSchema, plan_once};

}  // namespace elt::scenario::actions
