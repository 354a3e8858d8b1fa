// Node's own queues (lib/internal/process/task_queues.js): next_tick and queue_microtask.
// The book's loop has neither, so both need the node model.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "scenario/actions/action.h"
#include "scenario/actions/families.h"

namespace elt::scenario::actions {

namespace {

using nlohmann::ordered_json;

void parse_queued(ActionReader& r, const ActionSource& src, Action& a) {
  a.then = r.actions(src.arg, src.at, src.depth);
}

void run_next_tick(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  rt.next_tick(runner.body_callback(a, scope), runner.label(rt, "next_tick", a, a.then));
}
void run_queue_microtask(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  rt.queue_microtask(runner.body_callback(a, scope), runner.label(rt, "queue_microtask", a, a.then));
}

void export_next_tick(JsWriter& w, const Action& a, std::string& out) {
  w.arrow_call(a, "process.nextTick(", ")", out);
}
void export_queue_microtask(JsWriter& w, const Action& a, std::string& out) {
  w.arrow_call(a, "queueMicrotask(", ")", out);
}

constexpr const char* kNextTickSchema = R"json({
  "title": "next_tick",
  "description": "process.nextTick(() => {...}): the actions run before any other callback once the current one ends. Node model only.",
  "type": "object",
  "properties": {
    "next_tick": {
      "description": "The callback's actions.",
      "$ref": "#/$defs/actions"
    }
  },
  "required": [
    "next_tick"
  ],
  "additionalProperties": false
})json";

constexpr const char* kQueueMicrotaskSchema = R"json({
  "title": "queue_microtask",
  "description": "queueMicrotask(() => {...}): the actions run in the microtask queue, after the nextTick queue. Node model only.",
  "type": "object",
  "properties": {
    "queue_microtask": {
      "description": "The callback's actions.",
      "$ref": "#/$defs/actions"
    }
  },
  "required": [
    "queue_microtask"
  ],
  "additionalProperties": false
})json";

}  // namespace

const ActionSpec kNextTick{ActionKind::NextTick, "next_tick", {}, true,
                           parse_queued, run_next_tick, export_next_tick, kNextTickSchema, plan_once};
const ActionSpec kQueueMicrotask{ActionKind::QueueMicrotask, "queue_microtask", {}, true,
                                 parse_queued, run_queue_microtask, export_queue_microtask, kQueueMicrotaskSchema, plan_once};

}  // namespace elt::scenario::actions
