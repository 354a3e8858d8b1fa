// repeat (a loop in the program, not a timer) and block (a busy main thread).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "modules/timers.h"
#include "scenario/actions/action.h"
#include "scenario/actions/families.h"

namespace elt::scenario::actions {

namespace {

using nlohmann::ordered_json;

// The longest a block may keep the main thread busy: a minute is already far past what a
// trace can show, and the real clock really spends it.
constexpr std::int64_t kMaxBlockMs = 60'000;

// ---- repeat ----

void parse_repeat(ActionReader& r, const ActionSource& src, Action& a) {
  a.edit_detail().number = r.int_arg(src.arg, src.at, 0, kMaxRepeat, "a repeat count");
  a.edit_detail().as = r.result_name(src, "i");
  if (!src.object.contains("do")) r.fail(src.path, "\"repeat\" needs \"do\": the actions to repeat");
  a.then = r.callback(src, "do", {a.detail().as});
}

void run_repeat(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  auto count = runner.number(a, a.detail().number, scope, 0, kMaxRepeat, "a repeat count");
  ScopePtr inner;
  for (std::int64_t i = 0; i < count && !rt.stop_requested(); ++i) {
    rebind(inner, scope, a.detail().as, Value::integer(i));
    runner.run_block(rt, a.then, inner);  // a let in the body is the iteration's own, as for (let ...) has it
  }
}

void export_repeat(JsWriter& w, const Action& a, std::string& out) {
  std::string i = w.js_name(a.detail().as);
  w.line(out, fmt::format("for (let {0} = 0; {0} < {1}; {0}++) {{", i, w.number(a, a.detail().number)));
  w.with_scope(a.then, a.detail().as, Bound::Number, out);
  w.line(out, "}");
}

constexpr const char* kRepeatSchema = R"json({
  "title": "repeat",
  "description": "Runs do count times, at once and in the same place (it is a loop in the program, not a timer), with the index 0, 1, ... bound to the name given by as.",
  "type": "object",
  "properties": {
    "repeat": {
      "description": "How many times, from 0 to 10000000, or a template that yields the count.",
      "anyOf": [
        {
          "type": "integer",
          "minimum": 0,
          "maximum": 10000000
        },
        {
          "$ref": "#/$defs/templatedNumber"
        }
      ]
    },
    "as": {
      "description": "The index's name inside do (default \"i\"). Letters, digits and _.",
      "type": "string",
      "pattern": "^[A-Za-z0-9_]+$"
    },
    "do": {
      "description": "Required: the actions to run each time.",
      "$ref": "#/$defs/actions"
    }
  },
  "required": [
    "repeat",
    "do"
  ],
  "additionalProperties": false
})json";

// Its body runs count times; a count that is a template is unknown here and counts as 0.
std::uint64_t plan_repeat(WorkPlanner& p, const Action& a) {
  std::uint64_t body = p.planned(a.then);
  std::uint64_t count = a.detail().number.literal ? static_cast<std::uint64_t>(*a.detail().number.literal) : 0;
  std::uint64_t total = saturating_add(1, saturating_mul(count, body));
  if (total > p.cap()) {
    p.refuse(a, fmt::format("this repeat would create {} actions ({} times the {} of its \"do\", and itself); a run "
                            "may create at most {} (see \"Limits\" in docs/scenario-format.md)", count_text(total),
                            count_text(count), count_text(body), count_text(p.cap())));
  }
  return total;
}

// ---- block ----

void parse_block(ActionReader& r, const ActionSource& src, Action& a) {
  a.edit_detail().number = r.int_arg(src.arg, src.at, 0, kMaxBlockMs, "how long to keep the main thread busy, in ms");
}

void run_block(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  Timers(rt).block(Millis(runner.number(a, a.detail().number, scope, 0, kMaxBlockMs, "a time in ms")));
}

void export_block(JsWriter& w, const Action& a, std::string& out) {
  w.need(JsHelper::Block);
  w.line(out, fmt::format("block({});", w.number(a, a.detail().number)));
}

constexpr const char* kBlockSchema = R"json({
  "title": "block",
  "description": "Keeps the main thread busy (a busy loop) for this many ms of real CPU time; the virtual clock charges the same.",
  "type": "object",
  "properties": {
    "block": {
      "description": "Milliseconds, from 0 to 60000, or a template that yields them.",
      "anyOf": [
        {
          "type": "integer",
          "minimum": 0,
          "maximum": 60000
        },
        {
          "$ref": "#/$defs/templatedNumber"
        }
      ]
    }
  },
  "required": [
    "block"
  ],
  "additionalProperties": false
})json";

constexpr std::string_view kRepeatKeys[] = {"as", "do"};

}  // namespace

const ActionSpec kRepeat{ActionKind::Repeat, "repeat", kRepeatKeys, false,
                         parse_repeat, run_repeat, export_repeat, kRepeatSchema, plan_repeat};
const ActionSpec kBlock{ActionKind::Block, "block", {}, false, parse_block, run_block, export_block, kBlockSchema, plan_once};

}  // namespace elt::scenario::actions
