// encrypt: the book's Crypto::encrypt, CPU-bound work on a pool thread (Node: crypto.pbkdf2).
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "modules/crypto.h"
#include "scenario/actions/action.h"
#include "scenario/actions/families.h"

namespace elt::scenario::actions {

namespace {

using nlohmann::ordered_json;

void parse_encrypt(ActionReader& r, const ActionSource& src, Action& a) {
  a.edit_detail().number = r.int_arg(src.arg, src.at, 0, 50, "n, the Fibonacci number to compute");
  if (src.object.contains("cost_ms")) {
    a.edit_detail().cost_ms = r.whole(src.object["cost_ms"], src.path + "/cost_ms", 0, kMaxDelayMs, "a CPU cost in ms");
  }
  r.with_callback(src, a);
}

void run_encrypt(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  auto n = runner.number(a, a.detail().number, scope, 0, 50, "n");
  std::optional<Duration> cost;
  if (a.detail().cost_ms) cost = Millis(*a.detail().cost_ms);
  CallbackId id = Crypto(rt).encrypt(n, cost, runner.result_callback(a, scope));
  // A label is only read by someone who sees the trace: without one, skip the call.
  if (rt.tracing()) rt.label_registration(id, runner.label(rt, "encrypt", a, a.then));
}

void export_encrypt(JsWriter& w, const Action& a, std::string& out) {
  w.need(JsHelper::Encrypt);
  std::int64_t cost = a.detail().cost_ms.value_or(0);
  w.note("encrypt's cost_ms: crypto.pbkdf2 with as many iterations as this machine does in that time on one "
         "thread; the real time varies with the machine's load, and pool threads share its cores.");
  w.node_callback(a, fmt::format("encrypt({}, {}, ", w.number(a, a.detail().number), cost),
                  "String(" + w.err_name() + ")", Bound::Number, out);
}

constexpr const char* kEncryptSchema = R"json({
  "title": "encrypt",
  "description": "CPU-bound work on a pool thread, like the book's Crypto::encrypt: computes the n-th Fibonacci number by naive recursion. The result is a whole number.",
  "type": "object",
  "properties": {
    "encrypt": {
      "description": "n, from 0 to 50. Each step of n multiplies the cost by about 1.6: fib(39), the book's value, takes tens of milliseconds; fib(50) takes seconds to tens of seconds.",
      "anyOf": [
        {
          "type": "integer",
          "minimum": 0,
          "maximum": 50
        },
        {
          "$ref": "#/$defs/templatedNumber"
        }
      ]
    },
    "cost_ms": {
      "description": "The CPU time this work is said to take, in ms (a plain number, 0 to 2147483647). Under the virtual clock it is the time the task takes; the real clock ignores it, because there the real computation is the cost.",
      "type": "integer",
      "minimum": 0,
      "maximum": 2147483647
    },
    "as": {
      "$ref": "#/$defs/resultName"
    },
    "then": {
      "$ref": "#/$defs/then"
    },
    "catch": {
      "$ref": "#/$defs/catch"
    }
  },
  "required": [
    "encrypt"
  ],
  "additionalProperties": false
})json";

constexpr std::string_view kEncryptKeys[] = {"cost_ms", "as", "then", "catch"};

}  // namespace

const ActionSpec kEncrypt{ActionKind::Encrypt, "encrypt", kEncryptKeys, false,
                          parse_encrypt, run_encrypt, export_encrypt, kEncryptSchema, plan_once};

}  // namespace elt::scenario::actions
