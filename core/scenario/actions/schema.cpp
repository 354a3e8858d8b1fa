// The JSON Schema of a scenario (docs/scenario.schema.json), generated: the frame below
// (the top level, settings, verify and the definitions several actions share) and one
// definition per action from the registry, each from its own file. The committed file is
// checked to equal this output (tests/code/schema_generated.sh); `cmake --build --preset release
// --target schema` writes it.
#include <set>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/check.h"
#include "scenario/actions/action.h"

namespace elt::scenario {

namespace {

using nlohmann::ordered_json;

// Everything but the actions. "action" is filled in from the registry.
constexpr const char* kFrame = R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "eventloop-trace scenario",
  "description": "A program for eventloop-trace to run on its Node-like runtime. Generated from the action registry (core/scenario/actions/) by eventloop-trace-schema: do not edit it by hand. The parser (core/scenario/parser.cpp) is the authority; docs/scenario-format.md explains every field, and tests/cli/check/schema_agreement.py checks that this schema and the tool agree on a corpus of valid and invalid scenarios. An action is dispatched on its key (if/then on the key's presence), never tried against every kind of action in turn, so a validator's time grows with the file's size, not exponentially with its nesting. What the schema cannot check, because it depends on position or on the command line: whether a ${name} is in scope, nesting deeper than 64 callbacks, a key written twice, a number written with a fraction or an exponent (1.0 and 1e2 are the integers 1 and 100 to JSON Schema; the tool wants 1 and 100), whether a clear_* names a handle registered somewhere, and whether the model (settings.model or --model) allows next_tick, queue_microtask and promise.",
  "type": "object",
  "properties": {
    "$schema": {
      "description": "Where editors find this schema, for example \"../docs/scenario.schema.json\". The tool ignores it, whatever its value."
    },
    "description": {
      "description": "The question this scenario answers, in a sentence or two. Not printed; it is for the reader of the file.",
      "type": "string"
    },
    "settings": {
      "$ref": "#/$defs/settings"
    },
    "program": {
      "description": "The program's first run, before the first tick: the actions run in this order on the main thread.",
      "$ref": "#/$defs/actions"
    },
    "verify": {
      "$ref": "#/$defs/verify"
    }
  },
  "required": [
    "program"
  ],
  "additionalProperties": false,
  "$defs": {
    "settings": {
      "description": "How the runtime is set up for this scenario. Plain whole numbers only: settings are read before anything runs, so they cannot be templates.",
      "type": "object",
      "properties": {
        "threads": {
          "description": "Pool threads, like UV_THREADPOOL_SIZE (default 4). The command line's --threads N overrides it.",
          "type": "integer",
          "minimum": 1,
          "maximum": 1024
        },
        "http_latency_ms": {
          "description": "Extra milliseconds the local delay service waits before it answers, standing in for the internet round trip to the book's public service (default 0). It applies to every http_get_slow answer.",
          "type": "integer",
          "minimum": 0,
          "maximum": 60000
        },
        "http_timeout_ms": {
          "description": "How long an HTTP request may take before it fails with \"no complete response ... within N ms\" (default 30000). For http_get_slow the request's delay_ms is added to it, so a slow answer that was asked for is not a timeout.",
          "type": "integer",
          "minimum": 1,
          "maximum": 2147483647
        },
        "model": {
          "description": "Which event loop runs the scenario: \"book\" (the book's loop, the default) or \"node\" (Node 20's: libuv 1.46 phases, setImmediate, nextTick and microtasks). The command line's --model overrides it.",
          "enum": [
            "book",
            "node"
          ]
        },
        "limits": {
          "description": "Bounds on this run (docs/robustness.md, \"Limits of a run\"): crossing one stops the run with a message naming it and exit status 2 (a read that would cross value_bytes gets an error in its callback instead). A scenario may only lower a limit: a value above its default is refused (exit 2), and only the command line's --limit NAME=N raises one (it overrides each).",
          "type": "object",
          "properties": {
            "callbacks": {
              "description": "Scenario callbacks run (default, and the most a scenario may set, 2000000).",
              "type": "integer",
              "minimum": 1,
              "maximum": 2000000
            },
            "pending": {
              "description": "Registrations alive at once: timers, intervals, immediates, pool tasks, requests (default, and the most a scenario may set, 2000000).",
              "type": "integer",
              "minimum": 1,
              "maximum": 2000000
            },
            "trace_events": {
              "description": "Events the trace records: lines of text or jsonl, entries of chrome or html (default, and the most a scenario may set, 10000000; for chrome and html, which keep every event in memory, 500000, which still bounds a higher value set here).",
              "type": "integer",
              "minimum": 1,
              "maximum": 10000000
            },
            "value_bytes": {
              "description": "Bytes of text the run's values are made of, counted as they are made: files read, templates rendered, print_content labels (default, and the most a scenario may set, 134217728, 128 MiB).",
              "type": "integer",
              "minimum": 1,
              "maximum": 134217728
            },
            "actions": {
              "description": "Actions run in all (default, and the most a scenario may set, 2000000); also the cap the file's literal counts are checked against before the run.",
              "type": "integer",
              "minimum": 1,
              "maximum": 2000000
            }
          },
          "additionalProperties": false
        }
      },
      "additionalProperties": false
    },
    "verify": {
      "description": "What `verify` checks about this scenario (issue 10): whether its order is racy in real Node. Both keys are optional.",
      "type": "object",
      "properties": {
        "racy": {
          "description": "true: the order of this scenario's output is a race in real Node (it may differ from run to run); false: it is fixed.",
          "type": "boolean"
        },
        "why": {
          "description": "Why, in a sentence, for the reader.",
          "type": "string"
        }
      },
      "additionalProperties": false
    },
    "actions": {
      "description": "A list of actions, run in order. Each action is an object with exactly one action key.",
      "type": "array",
      "items": {
        "$ref": "#/$defs/action"
      }
    },
    "action": null,
    "template": {
      "description": "Text in which ${name} or ${name.field} is replaced when the action runs (for example ${text.length}); a name is letters, digits, _ and -. Write $${ for a literal ${. Every other ${ must start a reference that is closed by }.",
      "type": "string",
      "pattern": "^(?:\\$\\$\\{|\\$\\{[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)*\\}|(?!\\$\\$\\{)(?!\\$\\{)[\\s\\S])*$"
    },
    "templatedNumber": {
      "description": "A whole number computed when the action runs: a template with at least one ${...} reference (an escaped $${ is not one), whose text must come out as a whole number in the allowed range (for example \"${text.length}\" or \"${i}00\"). A plain number in quotes, such as \"100\", is refused: write 100.",
      "type": "string",
      "pattern": "^(?:\\$\\$\\{|\\$\\{[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)*\\}|(?!\\$\\$\\{)(?!\\$\\{)[\\s\\S])*\\$\\{[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)*\\}(?:\\$\\$\\{|\\$\\{[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)*\\}|(?!\\$\\$\\{)(?!\\$\\{)[\\s\\S])*$"
    },
    "delayMs": {
      "description": "Milliseconds, from 0 to 2147483647 (Node's TIMEOUT_MAX, about 24.8 days), or a template that yields them.",
      "anyOf": [
        {
          "type": "integer",
          "minimum": 0,
          "maximum": 2147483647
        },
        {
          "$ref": "#/$defs/templatedNumber"
        }
      ]
    },
    "resultName": {
      "description": "The name the callback's result gets inside then (default \"result\"; for repeat, the index's name, default \"i\"). Letters, digits and _.",
      "type": "string",
      "pattern": "^[A-Za-z0-9_]+$"
    },
    "then": {
      "description": "The callback: actions run on the main thread when the operation succeeds, with its result bound to the name given by as.",
      "$ref": "#/$defs/actions"
    },
    "catch": {
      "description": "The error callback: actions run when the operation fails, with the reason bound to the name error. Without catch, the failure still shows in the trace as \"<What> <id> failed: <reason>\".",
      "$ref": "#/$defs/actions"
    },
    "handleName": {
      "description": "The name of a timer's, an interval's or an immediate's handle, for clear_timeout, clear_interval and clear_immediate: letters, digits and _.",
      "type": "string",
      "pattern": "^[A-Za-z0-9_]+$"
    }
  }
})json";

// One action: exactly one action key, whose presence picks the action's definition
// (if/then), so that a validator never backtracks through the other kinds.
ordered_json action_dispatch() {
  std::string names;
  ordered_json any = ordered_json::array();
  ordered_json all = ordered_json::array();
  for (const ActionSpec* spec : action_specs()) {
    std::string name(spec->name);
    names += (names.empty() ? "" : ", ") + name;
    any.push_back({{"required", {name}}});
    all.push_back({{"if", {{"required", {name}}}}, {"then", {{"$ref", "#/$defs/" + name}}}});
  }
  ordered_json out;
  out["description"] = fmt::format("One action: an object with exactly one action key ({}), plus that action's own "
                                    "options. The key picks the action's schema (if/then), so that validation never "
                                    "backtracks through the other kinds.", names);
  out["type"] = "object";
  out["anyOf"] = std::move(any);
  out["allOf"] = std::move(all);
  return out;
}

// The schema and the parser must take the same keys: the definition's properties are
// the action's own key and the keys its spec lists, no more, no fewer.
void check_keys(const ActionSpec& spec, const ordered_json& def) {
  std::set<std::string> declared{std::string(spec.name)};
  for (std::string_view key : spec.keys) declared.insert(std::string(key));
  std::set<std::string> described;
  for (const auto& [key, value] : def.at("properties").items()) described.insert(key);
  ensure(declared == described, fmt::format("action registry: the schema of \"{}\" describes other keys than it takes",
                                            spec.name));
  ensure(def.value("title", "") == spec.name, fmt::format("action registry: \"{}\"'s schema has another title",
                                                          spec.name));
}

}  // namespace

std::string scenario_schema() {
  ordered_json schema = ordered_json::parse(kFrame);
  ordered_json& defs = schema["$defs"];
  defs["action"] = action_dispatch();
  for (const ActionSpec* spec : action_specs()) {
    defs[std::string(spec->name)] = ordered_json::parse(spec->schema);
    if (spec->more_schema != nullptr) spec->more_schema(defs);
    check_keys(*spec, defs.at(std::string(spec->name)));
  }
  return schema.dump(2) + "\n";
}

}  // namespace elt::scenario
