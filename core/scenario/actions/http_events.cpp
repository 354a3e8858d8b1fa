// HTTP as a learner writes it in Node (issue 21), node model only:
// - http_get_stream: http.get(url, res => ...), with the response as Node's stream, and
//   on_data, on_end, resume and set_encoding on it (modules/http_stream.h says where each
//   event is queued);
// - http_server, listen, respond and close_server: http.createServer((req, res) => ...),
//   server.listen(port, cb), res.end(body) and server.close(cb), on a real loopback socket
//   the loop thread's epoll set watches (modules/http_server.cpp).
// The book's loop has no nextTick queue for the stream's events and no server: each spec
// needs the node model, so the parser refuses them there naming --model node.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "scenario/actions/action.h"
#include "scenario/actions/async_state.h"
#include "scenario/actions/families.h"

namespace elt::scenario::actions {

namespace {

using nlohmann::ordered_json;

constexpr std::int64_t kMaxPort = 65535;

// A name given by the action's own key ({"on_data": "res"}).
std::string own_name(ActionReader& r, const ActionSource& src, std::string_view what) {
  if (!src.arg.is_string() || !valid_name(src.arg.get<std::string>())) {
    r.fail(src.at, fmt::format("expected {}: letters, digits and _; found {}", what, r.describe(src.arg)));
  }
  return src.arg.get<std::string>();
}

std::string key_name(ActionReader& r, const ActionSource& src, const char* key, const char* fallback) {
  if (!src.object.contains(key)) return fallback;
  const auto& v = src.object[key];
  if (!v.is_string() || !valid_name(v.get<std::string>())) {
    r.fail(src.path + "/" + key, fmt::format("\"{}\" is a name: letters, digits and _; found {}", key, r.describe(v)));
  }
  return v.get<std::string>();
}

// res as the response callback sees it: res.statusCode, res.statusMessage, res.headers.
Value response_value(const Value& raw) {
  Value::Fields fields;
  fields.emplace_back("statusCode", raw.field("status").value_or(Value{}));
  fields.emplace_back("statusMessage", raw.field("reason").value_or(Value{}));
  fields.emplace_back("headers", raw.field("headers").value_or(Value{}));
  return Value::string_with_fields("[object IncomingMessage]", std::move(fields));
}

std::shared_ptr<IncomingMessage> find_response(ActionRunner& runner, const Action& a) {
  auto& responses = runner.async_state().responses;
  auto it = responses.find(a.detail().handle);
  if (it == responses.end()) {
    runner.fail(a, fmt::format("no response named \"{}\" has arrived yet", a.detail().handle));
  }
  return it->second;
}

// ---- http_get_stream and the response's events ----

void parse_get_stream(ActionReader& r, const ActionSource& src, Action& a) {
  a.text = r.text(src.arg, src.at, "an http:// URL");
  a.edit_detail().as = r.result_name(src, "res");
  a.then = r.callback(src, "then", {a.detail().as});
  a.edit_detail().label = key_name(r, src, "catch_as", "error");  // label: the error's name
  a.edit_detail().on_error = r.callback(src, "catch", {a.detail().label});
}

void run_get_stream(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  auto inner = std::make_shared<Runtime::Callback>(runner.result_callback(a, scope));
  AsyncState& state = runner.async_state();
  auto on_response = [inner, &state, &a, &runner, scope](Runtime& r, Outcome outcome) {
    if (outcome.failed() && !a.detail().on_error.empty()) {
      // req.on('error', e => ...): the error under the name the handler gives it.
      runner.run_list(r, a.detail().on_error, bind_name(scope, a.detail().label, Value::string(*outcome.error)));
      return;
    }
    if (!outcome.failed()) {
      // The body and its end are in the stream's buffer, as the parser's push(chunk) and
      // push(null) leave them; the callback sees res itself.
      auto body = outcome.value.field("body");
      state.responses[a.detail().as] = std::make_shared<IncomingMessage>(body ? body->as_string() : std::string());
      outcome.value = response_value(outcome.value);
    }
    (*inner)(r, std::move(outcome));
  };
  CallbackId id = rt.http_get(runner.text(rt, a, a.text, scope), on_response, SourcePos{a.line, a.column});
  rt.label_registration(id, runner.label(rt, "http_get_stream", a, a.then));
}

void parse_on_data(ActionReader& r, const ActionSource& src, Action& a) {
  a.edit_detail().handle = own_name(r, src, "the name of a response (http_get_stream's \"as\")");
  a.edit_detail().as = r.result_name(src, "chunk");
  a.then = r.callback(src, "then", {a.detail().as});
}

void run_on_data(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  find_response(runner, a)->on_data(rt, runner.result_callback(a, scope));
}

void parse_on_end(ActionReader& r, const ActionSource& src, Action& a) {
  a.edit_detail().handle = own_name(r, src, "the name of a response (http_get_stream's \"as\")");
  a.then = r.callback(src, "then", {});
}

void run_on_end(ActionRunner& runner, Runtime&, const Action& a, const ScopePtr& scope) {
  find_response(runner, a)->on_end(runner.body_callback(a, scope));
}

void parse_stream_call(ActionReader& r, const ActionSource& src, Action& a) {
  a.edit_detail().handle = own_name(r, src, "the name of a response (http_get_stream's \"as\")");
  if (a.kind != ActionKind::SetEncoding) return;
  const auto& enc = src.object.contains("encoding") ? src.object["encoding"] : nlohmann::json("utf8");
  if (enc != "utf8" && enc != "utf-8") {
    r.fail(src.path + "/encoding", fmt::format("expected \"utf8\"; found {}", r.describe(enc)));
  }
}

void run_resume(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr&) {
  find_response(runner, a)->resume(rt);
}

void run_set_encoding(ActionRunner& runner, Runtime&, const Action& a, const ScopePtr&) {
  find_response(runner, a)->set_encoding();
}

// ---- the server ----

void parse_http_server(ActionReader& r, const ActionSource& src, Action& a) {
  a.edit_detail().handle = own_name(r, src, "the server's name, for listen and close_server");
  a.edit_detail().as = key_name(r, src, "request", "req");
  a.edit_detail().label = key_name(r, src, "response", "res");  // label: the response's name
  a.then = r.callback(src, "then", {a.detail().as, a.detail().label});
}

void run_http_server(ActionRunner& runner, Runtime&, const Action& a, const ScopePtr& scope) {
  runner.async_state().servers[a.detail().handle] = HttpServerDef{&a, scope, 0};
}

HttpServerDef& find_server(ActionRunner& runner, const Action& a) {
  auto& servers = runner.async_state().servers;
  auto it = servers.find(a.detail().handle);
  if (it == servers.end()) runner.fail(a, fmt::format("no server named \"{}\" was created yet", a.detail().handle));
  return it->second;
}

void parse_listen(ActionReader& r, const ActionSource& src, Action& a) {
  a.edit_detail().handle = own_name(r, src, "the name of an http_server");
  if (!src.object.contains("port")) r.fail(src.path, "\"listen\" needs \"port\": 0 asks for a free one");
  a.edit_detail().number = r.int_arg(src.object["port"], src.path + "/port", 0, kMaxPort, "a port from 0 to 65535");
  a.edit_detail().as = r.result_name(src, "port");
  a.then = r.callback(src, "then", {a.detail().as});
  a.edit_detail().on_error = r.callback(src, "catch", {"error"});
}

void run_listen(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  HttpServerDef& server = find_server(runner, a);
  auto port = static_cast<std::uint16_t>(runner.number(a, a.detail().number, scope, 0, kMaxPort, "a port"));
  const Action& handler = *server.action;
  ScopePtr closure = server.scope;
  // The handler runs with req and res bound; res is the request's id, which respond uses.
  auto on_request = [&runner, &handler, closure](Runtime& r, CallbackId request, Value req) {
    ScopePtr s = bind_name(closure, handler.detail().as, std::move(req));
    s = bind_name(std::move(s), handler.detail().label, Value::integer(static_cast<std::int64_t>(request)));
    runner.run_list(r, handler.then, s);
  };
  server.id = rt.http_listen(port, on_request, runner.result_callback(a, scope),
                             runner.label(rt, "listen", a, a.then));
}

void parse_respond(ActionReader& r, const ActionSource& src, Action& a) {
  a.edit_detail().handle = own_name(r, src, "the name of an http_server's response (its \"response\")");
  a.text = src.object.contains("body") ? r.text(src.object["body"], src.path + "/body", "the response's body")
                                       : r.parse_template("", src.path);
  a.edit_detail().number = src.object.contains("status")
                               ? r.int_arg(src.object["status"], src.path + "/status", 100, 599, "a status from 100 to 599")
                               : IntArg{200, {}};
}

void run_respond(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  const Value* res = find_binding(scope, a.detail().handle);
  if (res == nullptr || res->kind() != Value::Kind::Int) {
    runner.fail(a, fmt::format("\"{}\" is not a server's response here", a.detail().handle));
  }
  auto status = static_cast<int>(runner.number(a, a.detail().number, scope, 100, 599, "a status"));
  rt.http_respond(static_cast<CallbackId>(res->as_int()), status, runner.text(rt, a, a.text, scope));
}

void parse_close_server(ActionReader& r, const ActionSource& src, Action& a) {
  a.edit_detail().handle = own_name(r, src, "the name of an http_server");
  a.then = r.callback(src, "then", {});
}

void run_close_server(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  HttpServerDef& server = find_server(runner, a);
  rt.http_close_server(server.id, runner.body_callback(a, scope));
}

// ---- JavaScript: the program a learner would write ----

void export_get_stream(JsWriter& w, const Action& a, std::string& out) {
  w.need(JsHelper::Http);
  const std::string res = w.js_name(a.detail().as);
  const std::string& err = a.detail().label;
  const std::string tail = a.detail().on_error.empty() ? ");" : fmt::format(").on(\"error\", ({}) => {{", w.js_name(err));
  w.line(out, fmt::format("http.get({}, ({}) => {{", w.text(a, a.text), res));
  w.with_scope(a.then, a.detail().as, Bound::HttpObject, out);
  w.line(out, "}" + tail);
  if (a.detail().on_error.empty()) return;
  // Node's error is an Error: the scenario's error is its message.
  w.with_scope(a.detail().on_error, err, Bound::PromiseError, out);
  w.line(out, "});");
}

void export_on_data(JsWriter& w, const Action& a, std::string& out) {
  w.line(out, fmt::format("{}.on(\"data\", ({}) => {{", w.js_name(a.detail().handle), w.js_name(a.detail().as)));
  w.with_scope(a.then, a.detail().as, Bound::Text, out);
  w.line(out, "});");
}

void export_on_end(JsWriter& w, const Action& a, std::string& out) {
  w.arrow_call(a, w.js_name(a.detail().handle) + ".on(\"end\", ", ")", out);
}

void export_resume(JsWriter& w, const Action& a, std::string& out) {
  w.line(out, w.js_name(a.detail().handle) + ".resume();");
}

void export_set_encoding(JsWriter& w, const Action& a, std::string& out) {
  w.line(out, w.js_name(a.detail().handle) + ".setEncoding(\"utf8\");");
}

void export_http_server(JsWriter& w, const Action& a, std::string& out) {
  w.need(JsHelper::Http);
  const auto& d = a.detail();
  // The server's variable is declared with the program's handles (let server;).
  w.line(out, fmt::format("{} = http.createServer(({}, {}) => {{", w.handle_var(d.handle), w.js_name(d.as),
                          w.js_name(d.label)));
  w.push_scope(d.as, Bound::HttpObject);
  w.push_scope(d.label, Bound::HttpObject);
  w.block(a.then, out);
  w.pop_scope();
  w.pop_scope();
  w.line(out, "});");
}

void export_listen(JsWriter& w, const Action& a, std::string& out) {
  const std::string server = w.handle_var(a.detail().handle);
  if (!a.detail().on_error.empty()) {
    w.line(out, fmt::format("{}.on(\"error\", (error) => {{", server));
    w.with_scope(a.detail().on_error, "error", Bound::OpError, out);
    w.line(out, "});");
  }
  w.line(out, fmt::format("{}.listen({}, () => {{", server, w.number(a, a.detail().number)));
  w.indent();
  w.line(out, fmt::format("const {} = {}.address().port;", w.js_name(a.detail().as), server));
  w.outdent();
  w.with_scope(a.then, a.detail().as, Bound::Number, out);
  w.line(out, "});");
}

void export_respond(JsWriter& w, const Action& a, std::string& out) {
  const std::string res = w.js_name(a.detail().handle);
  const IntArg& status = a.detail().number;
  if (!status.literal || *status.literal != 200) w.line(out, fmt::format("{}.statusCode = {};", res, w.number(a, status)));
  w.line(out, fmt::format("{}.end({});", res, w.text(a, a.text)));
}

void export_close_server(JsWriter& w, const Action& a, std::string& out) {
  w.arrow_call(a, w.handle_var(a.detail().handle) + ".close(", ")", out);
}

// ---- schemas ----

constexpr const char* kGetStreamSchema = R"json({
  "title": "http_get_stream",
  "description": "http.get(url, res => {...}) as Node runs it: a GET whose callback gets the response as a stream (res.statusCode, res.statusMessage, res.headers.<lowercase-name>); its body comes through on_data and on_end, queued where Node's stream queues them (docs/scenario-format.md, \"HTTP as Node streams it\"). Node model only.",
  "type": "object",
  "properties": {
    "http_get_stream": {
      "description": "An http://host[:port][/path] URL; may contain ${...} references (a port listen gave).",
      "$ref": "#/$defs/template"
    },
    "as": {
      "description": "The response's name (default res), for on_data, on_end, resume and set_encoding.",
      "$ref": "#/$defs/resultName"
    },
    "then": {
      "description": "The response callback.",
      "$ref": "#/$defs/actions"
    },
    "catch": {
      "description": "req.on('error', error => {...}): runs when the request fails (a refused connection), with the error's message bound.",
      "$ref": "#/$defs/actions"
    },
    "catch_as": {
      "description": "The error's name in catch (default error).",
      "$ref": "#/$defs/resultName"
    }
  },
  "required": [
    "http_get_stream"
  ],
  "additionalProperties": false
})json";

constexpr const char* kOnDataSchema = R"json({
  "title": "on_data",
  "description": "res.on('data', chunk => {...}): adds a listener for the body's chunks and resumes the stream (one nextTick, resume_, queued now; the chunk is emitted from it). Node model only.",
  "type": "object",
  "properties": {
    "on_data": {
      "description": "The response's name (http_get_stream's as).",
      "$ref": "#/$defs/resultName"
    },
    "as": {
      "description": "The chunk's name (default chunk): the body's text.",
      "$ref": "#/$defs/resultName"
    },
    "then": {
      "$ref": "#/$defs/actions"
    }
  },
  "required": [
    "on_data"
  ],
  "additionalProperties": false
})json";

constexpr const char* kOnEndSchema = R"json({
  "title": "on_end",
  "description": "res.on('end', () => {...}): runs once the body has been read, as a nextTick queued by the read that emptied the stream. A response nobody reads (no on_data, no resume) never ends, as in Node. Node model only.",
  "type": "object",
  "properties": {
    "on_end": {
      "description": "The response's name (http_get_stream's as).",
      "$ref": "#/$defs/resultName"
    },
    "then": {
      "$ref": "#/$defs/actions"
    }
  },
  "required": [
    "on_end"
  ],
  "additionalProperties": false
})json";

constexpr const char* kResumeSchema = R"json({
  "title": "resume",
  "description": "res.resume(): reads the body without a data listener (one nextTick, as on_data's), so that on_end's listeners run. Node model only.",
  "type": "object",
  "properties": {
    "resume": {
      "description": "The response's name (http_get_stream's as).",
      "$ref": "#/$defs/resultName"
    }
  },
  "required": [
    "resume"
  ],
  "additionalProperties": false
})json";

constexpr const char* kSetEncodingSchema = R"json({
  "title": "set_encoding",
  "description": "res.setEncoding('utf8'): chunks are text. Node model only.",
  "type": "object",
  "properties": {
    "set_encoding": {
      "description": "The response's name (http_get_stream's as).",
      "$ref": "#/$defs/resultName"
    },
    "encoding": {
      "description": "\"utf8\" (the default), the one encoding supported.",
      "enum": [
        "utf8",
        "utf-8"
      ]
    }
  },
  "required": [
    "set_encoding"
  ],
  "additionalProperties": false
})json";

constexpr const char* kHttpServerSchema = R"json({
  "title": "http_server",
  "description": "const server = http.createServer((req, res) => {...}): a server whose handler runs for each request once listen has started it (req.method, req.url, req.headers.<lowercase-name>; respond answers through res). Node model only.",
  "type": "object",
  "properties": {
    "http_server": {
      "description": "The server's name, for listen and close_server.",
      "$ref": "#/$defs/resultName"
    },
    "request": {
      "description": "The request's name in the handler (default req).",
      "$ref": "#/$defs/resultName"
    },
    "response": {
      "description": "The response's name in the handler (default res), for respond.",
      "$ref": "#/$defs/resultName"
    },
    "then": {
      "description": "The request handler.",
      "$ref": "#/$defs/actions"
    }
  },
  "required": [
    "http_server"
  ],
  "additionalProperties": false
})json";

constexpr const char* kListenSchema = R"json({
  "title": "listen",
  "description": "server.listen(port, () => {...}): a real socket on 127.0.0.1 that the loop's epoll set watches. The callback runs as a nextTick queued by listen itself, with the port bound (port 0: a free port the system picks, so that runs never collide). The server keeps the loop alive until close_server. Node model only.",
  "type": "object",
  "properties": {
    "listen": {
      "description": "The name of an http_server.",
      "$ref": "#/$defs/resultName"
    },
    "port": {
      "description": "Required: a port from 0 to 65535, or a template that yields one; 0 asks for a free port.",
      "anyOf": [
        {
          "type": "integer",
          "minimum": 0,
          "maximum": 65535
        },
        {
          "$ref": "#/$defs/templatedNumber"
        }
      ]
    },
    "as": {
      "description": "The name the port gets in then (default port): server.address().port.",
      "$ref": "#/$defs/resultName"
    },
    "then": {
      "$ref": "#/$defs/actions"
    },
    "catch": {
      "description": "server.on('error', error => {...}): the port could not be had (EADDRINUSE).",
      "$ref": "#/$defs/actions"
    }
  },
  "required": [
    "listen",
    "port"
  ],
  "additionalProperties": false
})json";

constexpr const char* kRespondSchema = R"json({
  "title": "respond",
  "description": "res.end(body) in a server's handler (with res.statusCode = status first): writes the response and closes the connection. Node model only.",
  "type": "object",
  "properties": {
    "respond": {
      "description": "The handler's response name (http_server's response, default res).",
      "$ref": "#/$defs/resultName"
    },
    "body": {
      "description": "The body (default empty); may contain ${...} references.",
      "$ref": "#/$defs/template"
    },
    "status": {
      "description": "The status code (default 200), from 100 to 599, or a template that yields one.",
      "anyOf": [
        {
          "type": "integer",
          "minimum": 100,
          "maximum": 599
        },
        {
          "$ref": "#/$defs/templatedNumber"
        }
      ]
    }
  },
  "required": [
    "respond"
  ],
  "additionalProperties": false
})json";

constexpr const char* kCloseServerSchema = R"json({
  "title": "close_server",
  "description": "server.close(() => {...}): stops listening; the callback runs as a nextTick queued by close. Node model only.",
  "type": "object",
  "properties": {
    "close_server": {
      "description": "The name of an http_server.",
      "$ref": "#/$defs/resultName"
    },
    "then": {
      "$ref": "#/$defs/actions"
    }
  },
  "required": [
    "close_server"
  ],
  "additionalProperties": false
})json";

constexpr std::string_view kGetStreamKeys[] = {"as", "then", "catch", "catch_as"};
constexpr std::string_view kOnDataKeys[] = {"as", "then"};
constexpr std::string_view kThenKeys[] = {"then"};
constexpr std::string_view kEncodingKeys[] = {"encoding"};
constexpr std::string_view kServerKeys[] = {"request", "response", "then"};
constexpr std::string_view kListenKeys[] = {"port", "as", "then", "catch"};
constexpr std::string_view kRespondKeys[] = {"body", "status"};

}  // namespace

const ActionSpec kHttpGetStream{ActionKind::HttpGetStream, "http_get_stream", kGetStreamKeys, true,
                                parse_get_stream, run_get_stream, export_get_stream, kGetStreamSchema, plan_once};
const ActionSpec kOnData{ActionKind::OnData, "on_data", kOnDataKeys, true,
                         parse_on_data, run_on_data, export_on_data, kOnDataSchema, plan_once};
const ActionSpec kOnEnd{ActionKind::OnEnd, "on_end", kThenKeys, true,
                        parse_on_end, run_on_end, export_on_end, kOnEndSchema, plan_once};
const ActionSpec kResume{ActionKind::Resume, "resume", {}, true,
                         parse_stream_call, run_resume, export_resume, kResumeSchema, plan_once};
const ActionSpec kSetEncoding{ActionKind::SetEncoding, "set_encoding", kEncodingKeys, true,
                              parse_stream_call, run_set_encoding, export_set_encoding, kSetEncodingSchema, plan_once};
const ActionSpec kHttpServer{ActionKind::HttpServer, "http_server", kServerKeys, true,
                             parse_http_server, run_http_server, export_http_server, kHttpServerSchema, plan_once};
const ActionSpec kListen{ActionKind::Listen, "listen", kListenKeys, true,
                         parse_listen, run_listen, export_listen, kListenSchema, plan_once};
const ActionSpec kRespond{ActionKind::Respond, "respond", kRespondKeys, true,
                          parse_respond, run_respond, export_respond, kRespondSchema, plan_once};
const ActionSpec kCloseServer{ActionKind::CloseServer, "close_server", kThenKeys, true,
                              parse_close_server, run_close_server, export_close_server, kCloseServerSchema, plan_once};

}  // namespace elt::scenario::actions
