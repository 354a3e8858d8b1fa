// http_get_slow (the book's Http::http_get_slow, through the local delay service) and
// http_get (a plain GET to any http:// URL): sockets the epoll thread watches.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "http/url.h"
#include "scenario/actions/action.h"
#include "scenario/actions/families.h"

namespace elt::scenario::actions {

namespace {

using nlohmann::ordered_json;

// The runtime's default for settings.http_timeout_ms, which the program's timer copies.
constexpr std::int64_t kDefaultHttpTimeoutMs = 30'000;

// ---- reading and running ----

void parse_http_get_slow(ActionReader& r, const ActionSource& src, Action& a) {
  a.text = r.text(src.arg, src.at, "the url the delay service redirects to");
  if (!src.object.contains("delay_ms")) {
    r.fail(src.path, "\"http_get_slow\" needs \"delay_ms\": how long the delay service waits");
  }
  a.edit_detail().delay = r.int_arg(src.object["delay_ms"], src.path + "/delay_ms", 0, kMaxDelayMs, "a delay in ms");
  r.with_callback(src, a);
}

void parse_http_get(ActionReader& r, const ActionSource& src, Action& a) {
  a.text = r.text(src.arg, src.at, "an http:// URL");
  r.with_callback(src, a);
}

void run_http_get_slow(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  auto ms = runner.number(a, a.detail().delay, scope, 0, kMaxDelayMs, "a delay in ms");
  CallbackId id = rt.http_get_slow(runner.text(rt, a, a.text, scope), Millis(ms), runner.result_callback(a, scope));
  rt.label_registration(id, runner.label(rt, "http_get_slow", a, a.then));
}

void run_http_get(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  CallbackId id =
      rt.http_get(runner.text(rt, a, a.text, scope), runner.result_callback(a, scope), SourcePos{a.line, a.column});
  rt.label_registration(id, runner.label(rt, "http_get", a, a.then));
}

// ---- JavaScript ----

std::int64_t http_timeout(const JsWriter& w) {
  return w.scenario().settings.http_timeout_ms.value_or(kDefaultHttpTimeoutMs);
}

// The delay service's URL for the url it redirects to; the timeout adds the delay asked for.
void export_http_get_slow(JsWriter& w, const Action& a, std::string& out) {
  w.need(JsHelper::Http);
  w.need(JsHelper::DelayService);
  if (!a.text.is_literal()) w.need(JsHelper::EncodePath);
  std::string encoded = a.text.is_literal() ? w.template_text(percent_encode_path(a.text.source))
                                            : "${encodePath(" + w.text(a, a.text) + ")}";
  const IntArg& delay_ms = a.detail().delay;
  std::string delay = delay_ms.literal ? std::to_string(*delay_ms.literal) : "${" + w.number(a, delay_ms) + "}";
  std::string url = fmt::format("`${{DELAY_SERVICE}}/delay/{}/url/{}`", delay, encoded);
  std::string shown = fmt::format("`http://delay-service/delay/{}/url/{}`", delay, encoded);
  std::int64_t timeout = http_timeout(w);
  std::string timeout_js = delay_ms.literal ? std::to_string(timeout + *delay_ms.literal)
                                            : fmt::format("{} + {}", timeout, w.number(a, delay_ms));
  w.node_callback(a, fmt::format("httpGet({}, {}, {}, ", url, shown, timeout_js), w.err_name(), Bound::Response,
                  out);
}

// A literal URL is checked here: one Node would refuse in other words, a broken response
// only our delay service stages, or a host off this machine makes the run not comparable.
void export_http_get(JsWriter& w, const Action& a, std::string& out) {
  w.need(JsHelper::Http);
  std::string url;
  std::string shown;
  if (a.text.is_literal()) {
    std::string error;
    auto parsed = parse_http_url(a.text.source, error);
    shown = w.text(a, a.text);
    if (!parsed) {
      w.refuse(fmt::format("http_get at {}: \"{}\" is not a URL Node and eventloop-trace reject in the same "
                           "words ({})", w.where(a), a.text.source, error));
      url = shown;
    } else if (parsed->host == "delay-service") {
      w.need(JsHelper::DelayService);
      url = fmt::format("`${{DELAY_SERVICE}}{}`", w.template_text(parsed->target));
      if (parsed->target.starts_with("/truncate") || parsed->target.starts_with("/garbage")) {
        w.refuse(fmt::format("http_get at {}: {} is a broken response the delay service stages, and Node's HTTP "
                             "parser reports it in its own words", w.where(a), parsed->target));
      }
    } else {
      url = shown;
      if (parsed->host != "127.0.0.1" && parsed->host != "localhost") {
        w.refuse(fmt::format("http_get at {}: {} is not on this machine, and a scenario's trace must not depend "
                             "on the network", w.where(a), a.text.source));
      }
    }
  } else {
    w.refuse(fmt::format("http_get at {}: a URL built at run time ({})", w.where(a), a.text.source));
    url = shown = w.text(a, a.text);
  }
  w.node_callback(a, fmt::format("httpGet({}, {}, {}, ", url, shown, http_timeout(w)), w.err_name(), Bound::Response,
                  out);
}

constexpr const char* kHttpGetSlowSchema = R"json({
  "title": "http_get_slow",
  "description": "The book's Http::http_get_slow: a GET to the local delay service, which answers after delay_ms (plus settings.http_latency_ms) with 302 Found and a Location made from the url. The socket is watched by the epoll thread; the callback runs when the whole response has arrived. Prints \"Event with id: <id> registered.\".",
  "type": "object",
  "properties": {
    "http_get_slow": {
      "description": "The url the delay service puts in its Location header, as \"http://\" + the url with repeated slashes merged. The book writes \"http//www.google.com\".",
      "$ref": "#/$defs/template"
    },
    "delay_ms": {
      "description": "Required: how long the delay service waits before it answers.",
      "$ref": "#/$defs/delayMs"
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
    "http_get_slow",
    "delay_ms"
  ],
  "additionalProperties": false
})json";

constexpr const char* kHttpGetSchema = R"json({
  "title": "http_get",
  "description": "A plain HTTP/1.1 GET to any http:// URL, watched by the epoll thread. The result is the raw response, with fields status, reason, body and headers (headers.<lowercase-name>).",
  "type": "object",
  "properties": {
    "http_get": {
      "description": "An http://host[:port][/path] URL; may contain ${...} references. https is not supported: the request fails with a message saying so.",
      "$ref": "#/$defs/template"
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
    "http_get"
  ],
  "additionalProperties": false
})json";

constexpr std::string_view kHttpGetSlowKeys[] = {"delay_ms", "as", "then", "catch"};
constexpr std::string_view kHttpGetKeys[] = {"as", "then", "catch"};

}  // namespace

const ActionSpec kHttpGetSlow{ActionKind::HttpGetSlow, "http_get_slow", kHttpGetSlowKeys, false,
                              parse_http_get_slow, run_http_get_slow, export_http_get_slow, kHttpGetSlowSchema, plan_once};
const ActionSpec kHttpGet{ActionKind::HttpGet, "http_get", kHttpGetKeys, false,
                          parse_http_get, run_http_get, export_http_get, kHttpGetSchema, plan_once};

}  // namespace elt::scenario::actions
