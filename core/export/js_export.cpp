#include "export/js_export.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <string_view>

#include <fmt/format.h>
#include "scenario/actions/action.h"
#include "trace/format.h"

namespace elt::exporter {

namespace {

// The JavaScript helpers an exported program defines when its scenario uses them.
// http_get's helpers: the request, the response as eventloop-trace shows it, its errors.
constexpr const char* kHttpHelpers =
    "\n// http_get: the whole response, or an error in eventloop-trace's words. The timer is the\n"
    "// scenario's http_timeout_ms; it is cleared as soon as the request ends.\n"
    "function httpGet(url, shownUrl, timeoutMs, callback) {\n"
    "  let done = false;\n"
    "  const finish = (err, response) => {\n"
    "    if (done) return;\n"
    "    done = true;\n"
    "    clearTimeout(timer);\n"
    "    callback(err, response);\n"
    "  };\n"
    "  const request = http.get(url, { agent: false }, (res) => {\n"
    "    let body = \"\";\n"
    "    res.setEncoding(\"latin1\");\n"
    "    res.on(\"data\", (chunk) => { body += chunk; });\n"
    "    res.on(\"end\", () => finish(null, httpResponse(res, body)));\n"
    "  });\n"
    "  request.on(\"error\", (err) => finish(httpError(err, shownUrl)));\n"
    "  const timer = setTimeout(() => {\n"
    "    request.destroy();\n"
    "    finish(`no complete response from ${shownUrl} within ${timeoutMs} ms`);\n"
    "  }, timeoutMs);\n"
    "}\n"
    "\n"
    "// A response as eventloop-trace shows it: printed whole it is the raw text; it has\n"
    "// status, reason, body and headers (named in lowercase).\n"
    "function httpResponse(res, body) {\n"
    "  const lines = [];\n"
    "  for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: "
    "${res.rawHeaders[i + 1]}`);\n"
    "  const headers = { ...res.headers, toString: () => lines.map((l) => `${l}\\n`).join(\"\") };\n"
    "  const raw = `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\\r\\n` +\n"
    "    lines.map((l) => `${l}\\r\\n`).join(\"\") + `\\r\\n${body}`;\n"
    "  return { status: res.statusCode, reason: res.statusMessage, headers, body, toString: () => raw };\n"
    "}\n"
    "\n"
    "function httpError(err, shownUrl) {\n"
    "  if (err.code === \"ECONNREFUSED\") return `connect to ${err.address}:${err.port}: Connection refused`;\n"
    "  if (err.code === \"ENOTFOUND\") return `unknown host \"${err.hostname}\": Name or service not known`;\n"
    "  return `${shownUrl}: ${err.message}`;\n"
    "}\n";

// The delay service's path for a url.
constexpr const char* kEncodePath =
    "\n// The delay service's path for a url: bytes outside printable ASCII, %, ? and # as %XX.\n"
    "const encodePath = (text) => Array.from(Buffer.from(text, \"utf8\"), (c) =>\n"
    "  c <= 0x20 || c >= 0x7f || c === 0x25 || c === 0x3f || c === 0x23\n"
    "    ? `%${c.toString(16).toUpperCase().padStart(2, \"0\")}` : String.fromCharCode(c)).join(\"\");\n";

// A failed read in eventloop-trace's words.
constexpr const char* kFsError =
    "\n// A failed read in eventloop-trace's words: `open \"test.txt\": No such file or directory`.\n"
    "const strerror = { ENOENT: \"No such file or directory\", EACCES: \"Permission denied\",\n"
    "  EISDIR: \"Is a directory\", ENOTDIR: \"Not a directory\", EMFILE: \"Too many open files\" };\n"
    "const fsError = (err, file) => `${err.syscall} \"${file}\": ${strerror[err.code] ?? err.message}`;\n";

// block: a busy main thread.
constexpr const char* kBlock =
    "\n// block: keep the main thread busy, as a long computation would: nothing else runs meanwhile.\n"
    "function block(ms) {\n"
    "  const until = performance.now() + ms;\n"
    "  while (performance.now() < until) {}\n"
    "}\n";

// print_content's block.
constexpr const char* kPrintContent =
    "\n// print_content: the block eventloop-trace prints: the first two lines, the first\n"
    "// Location line, a note.\n"
    "function printContent(content, label) {\n"
    "  const text = content.trim();\n"
    "  const lines = text === \"\" ? [] : text.split(\"\\n\").map((l) => l.replace(/\\r$/, \"\"));\n"
    "  const shown = lines.slice(0, 2);\n"
    "  const location = lines.slice(2).find((l) => l.startsWith(\"Location\"));\n"
    "  if (location !== undefined) shown.push(location);\n"
    "  console.log(`\\n===== THREAD main START CONTENT - ${label} =====`);\n"
    "  for (const l of shown) console.log(l);\n"
    "  console.log(\"... [Note: Abbreviated for display] ...\");\n"
    "  console.log(\"===== END CONTENT =====\\n\");\n"
    "}\n";

using scenario::Action;
using scenario::ActionKind;
using scenario::IntArg;
using scenario::PromiseStep;
using scenario::Scenario;
using scenario::Template;
using scenario::ActionSpec;
using scenario::Bound;
using scenario::JsHelper;

// Words a scenario's name must not become in JavaScript: reserved words, and the globals
// and helpers the program itself uses.
const std::set<std::string, std::less<>> kTaken = {
    "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do",
    "else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "implements", "import",
    "in", "instanceof", "interface", "let", "new", "null", "package", "private", "protected", "public",
    "return", "static", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while",
    "with", "yield", "undefined", "NaN", "Infinity", "arguments", "eval", "fs", "path", "http", "crypto",
    "console", "process", "Buffer", "Promise", "Number", "String", "Error", "Math", "performance",
    "setTimeout", "setInterval", "setImmediate", "clearTimeout", "clearInterval", "clearImmediate",
    "queueMicrotask", "require", "module", "exports", "__dirname", "__filename", "block", "encrypt", "fib",
    "httpGet", "printContent", "fsError", "httpError", "httpResponse", "encodePath", "scenarioDir",
    "DELAY_SERVICE", "HTTP_TIMEOUT_MS", "PBKDF2_PER_MS", "calibratePbkdf2", "strerror", "runs"};

// ---- scenario text inside the program ----
// Every string a scenario supplies (its description, a file name, a label, a URL, a
// message, a header's name) reaches the program in exactly one of two places: inside a
// string or template literal, or inside a `//` comment. Neither may end early, or the rest
// of the value would be live JavaScript (issue 25: a description with a newline ended its
// comment, and the next line wrote a file). So:
// - in a literal, every character that could end it or start code in it is escaped: the
//   quote, the backslash, `${` in a template, the line terminators (LF, CR, U+2028,
//   U+2029) and every other control character; `</` and `*/` are broken too, so that the
//   program can also be pasted into a <script> or a block comment unharmed;
// - in a comment, the text is shown as the trace shows scenario text on one line
//   (trace/format.h), which leaves no control character, and U+2028 and U+2029 (line
//   ends to JavaScript, though not to a terminal) are shown escaped the same way.
// fuzz/fuzz_js_export.cpp checks both against a small JavaScript tokenizer.

constexpr std::string_view kLineSeparator = "\xe2\x80\xa8";       // U+2028
constexpr std::string_view kParagraphSeparator = "\xe2\x80\xa9";  // U+2029

// Appends `s` as the inside of a literal quoted by `quote` ('"' or '`').
void append_literal_text(std::string& out, std::string_view s, char quote) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const char next = i + 1 < s.size() ? s[i + 1] : '\0';
    const std::string_view rest = s.substr(i);
    if (c == '\\' || c == quote) {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
    } else if (rest.starts_with(kLineSeparator) || rest.starts_with(kParagraphSeparator)) {
      out += rest.starts_with(kLineSeparator) ? "\\u2028" : "\\u2029";
      i += 2;
    } else if (c == '$' && quote == '`' && next == '{') {
      out += "\\$";
    } else if ((c == '<' || c == '*') && next == '/') {
      out += c;
      out += "\\";  // `\/` is `/` itself, but it no longer ends a comment or a <script>
    } else {
      out += c;
    }
  }
}

std::string js_string(std::string_view s) {
  std::string out = "\"";
  append_literal_text(out, s, '"');
  return out + '"';
}

// Text as the inside of a JavaScript template literal.
std::string escape_template_text(std::string_view s) {
  std::string out;
  append_literal_text(out, s, '`');
  return out;
}

// Scenario text for a `//` comment: one line, whatever it holds.
std::string comment_text(std::string_view s) {
  std::string out = shown_on_one_line(s);
  for (auto [separator, shown] : {std::pair{kLineSeparator, "\\u{2028}"}, std::pair{kParagraphSeparator, "\\u{2029}"}}) {
    for (auto at = out.find(separator); at != std::string::npos; at = out.find(separator, at)) {
      out.replace(at, separator.size(), shown);
    }
  }
  return out;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

// Measures pbkdf2 iterations per ms on one thread, for the encrypt helper.
std::string calibration_function() {
  return "function calibratePbkdf2() {\n"
         "  for (let iterations = 1000; ; iterations *= 2) {\n"
         "    const start = performance.now();\n"
         "    crypto.pbkdf2Sync(\"eventloop-trace\", \"salt\", iterations, 32, \"sha256\");\n"
         "    const ms = performance.now() - start;\n"
         "    if (ms >= 50) return iterations / ms;\n"
         "  }\n"
         "}\n";
}

class Writer final : public scenario::JsWriter {
 public:
  explicit Writer(const Scenario& scenario) : scenario_(scenario) {}

  JsProgram run() {
    collect(scenario_.program);
    if (auto latency = scenario_.settings.http_latency_ms; latency && *latency > 0) {
      note(fmt::format("settings.http_latency_ms ({} ms): the delay service waits it on the real clock, and the "
                       "loopback network and the scheduler add their own time.", *latency));
    }
    std::string body;
    indent_ = 0;
    emit_list(scenario_.program, body);
    JsProgram out;
    out.threads = scenario_.settings.threads.value_or(4);
    out.uses_delay_service = uses_delay_service_;
    out.uses_network = uses_http_;
    out.reads_files = uses_fs_;
    out.uses_pool_work = uses_encrypt_;
    out.approximations = approximations_;
    out.unsupported = unsupported_;
    out.source = header(out) + prelude() + "\n// The scenario's program.\n" + declarations() + body;
    return out;
  }

 private:
  // ---- what the program needs, found before writing it ----

  void collect(const std::vector<Action>& actions) {
    for (const Action& a : actions) {
      // A response's actions name the callback's parameter (res), not a handle of their own.
      using K = scenario::ActionKind;
      const bool names_response = a.kind == K::OnData || a.kind == K::OnEnd || a.kind == K::Resume ||
                                  a.kind == K::SetEncoding || a.kind == K::Respond;
      if (!a.detail().handle.empty() && !names_response) handle_names_.insert(a.detail().handle);
      if (!a.detail().as.empty()) bound_names_.insert(a.detail().as);
      for (const auto& step : a.detail().chain) {
        bound_names_.insert(step.as);
        collect(step.body);
      }
      collect(a.then);
      collect(a.detail().on_error);
    }
  }

  // The parser allows a name to start with a digit; JavaScript does not.
  std::string js_name(const std::string& name) const override {
    if (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0]))) return "_" + name;
    return kTaken.count(name) > 0 ? name + "_" : name;
  }
  std::string handle_var(const std::string& name) const override {
    std::string n = js_name(name);
    return bound_names_.count(name) > 0 || n == err_name() ? n + "Handle" : n;
  }
  std::string err_name() const override { return bound_names_.count("err") > 0 ? "failure" : "err"; }

  void note(std::string text) override {
    if (std::find(approximations_.begin(), approximations_.end(), text) == approximations_.end()) {
      approximations_.push_back(std::move(text));
    }
  }
  void refuse(std::string why) override {
    if (unsupported_.empty()) unsupported_ = std::move(why);
  }
  std::string where(const Action& a) const override {
    return a.line > 0 ? fmt::format("line {}", a.line) : a.json_path;
  }

  // ---- expressions ----

  const Bound* lookup(const std::string& name) const {
    for (auto it = scope_.rbegin(); it != scope_.rend(); ++it) {
      if (it->first == name) return &it->second;
    }
    return nullptr;
  }

  // One `${name.field...}` as a JavaScript expression.
  std::string reference(const Action& a, const std::vector<std::string>& path) {
    const Bound* bound = lookup(path[0]);
    std::string var = js_name(path[0]);
    std::string shown = "${" + fmt::format("{}", fmt::join(path, ".")) + "}";
    auto no_field = [&] {
      refuse(fmt::format("{} at {} asks for a field its value does not have (eventloop-trace reports an error "
                         "there; JavaScript would print undefined)", shown, where(a)));
      return var;
    };
    if (bound == nullptr) return no_field();
    std::size_t n = path.size();
    switch (*bound) {
      case Bound::Text:
      case Bound::OpError:
        if (n == 1) return var;
        if (n == 2 && path[1] == "length") return fmt::format("Buffer.byteLength({})", var);
        return no_field();
      case Bound::Number:
        if (n == 1) return var;
        return no_field();
      case Bound::PromiseValue:
        if (n == 1) return var;
        if (n == 2 && path[1] == "length") return fmt::format("Buffer.byteLength(String({}))", var);
        return no_field();
      case Bound::PromiseError:
        if (n == 1) return var + ".message";
        if (n == 2 && path[1] == "length") return fmt::format("Buffer.byteLength({}.message)", var);
        return no_field();
      case Bound::Response: {
        if (n == 1) return var;
        const std::string& f = path[1];
        if (f == "length" && n == 2) return fmt::format("Buffer.byteLength(String({}))", var);
        if ((f == "status" || f == "reason") && n == 2) return var + "." + f;
        if (f == "body") {
          if (n == 2) return var + ".body";
          if (n == 3 && path[2] == "length") return fmt::format("Buffer.byteLength({}.body)", var);
          return no_field();
        }
        if (f == "headers") {
          if (n == 2) return var + ".headers";
          std::string header = is_identifier(path[2]) ? var + ".headers." + path[2]
                                                      : fmt::format("{}.headers[{}]", var, js_string(path[2]));
          if (n == 3) return header;
          if (n == 4 && path[3] == "length") return fmt::format("Buffer.byteLength({})", header);
        }
        return no_field();
      }
      case Bound::HttpObject: {
        std::string out = var;
        for (std::size_t i = 1; i < n; ++i) out += is_identifier(path[i]) ? "." + path[i] : fmt::format("[{}]", js_string(path[i]));
        return out;
      }
    }
    return var;
  }

  // A template as a JavaScript template literal.
  std::string text(const Action& a, const Template& t) override {
    std::string out = "`";
    for (const auto& seg : t.segments) {
      if (seg.path.empty()) {
        out += escape_template_text(seg.literal);
      } else {
        out += "${" + reference(a, seg.path) + "}";
      }
    }
    return out + "`";
  }

  std::string number(const Action& a, const IntArg& arg) override {
    if (arg.literal) return std::to_string(*arg.literal);
    if (arg.expr.segments.size() == 1 && !arg.expr.segments[0].path.empty()) {
      return reference(a, arg.expr.segments[0].path);
    }
    return fmt::format("Number({})", text(a, arg.expr));
  }

  // ---- statements ----

  void line(std::string& out, std::string_view s) override {
    out.append(static_cast<std::size_t>(indent_) * 2, ' ');
    out += s;
    out += '\n';
  }

  void emit_list(const std::vector<Action>& actions, std::string& out) {
    for (const Action& a : actions) emit(a, out);
  }

  // `() => { body }` for a callback with no value, on one line when empty.
  void block(const std::vector<Action>& body, std::string& out) override {
    ++indent_;
    const std::size_t names = scope_.size();  // a let's name ends with its block
    emit_list(body, out);
    scope_.resize(names);
    --indent_;
  }

  void with_scope(const std::vector<Action>& body, const std::string& name, Bound bound,
                  std::string& out) override {
    scope_.emplace_back(name, bound);
    block(body, out);
    scope_.pop_back();
  }

  std::string handle_prefix(const Action& a) const override {
    return a.detail().handle.empty() ? "" : handle_var(a.detail().handle) + " = ";
  }

  void emit(const Action& a, std::string& out) { scenario::action_spec(a.kind).export_js(*this, a, out); }

  // `head() => {` body `}tail;`
  void arrow_call(const Action& a, const std::string& head, const std::string& tail, std::string& out) override {
    if (a.then.empty()) {
      line(out, head + "() => {}" + tail + ";");
      return;
    }
    line(out, head + "() => {");
    block(a.then, out);
    line(out, "}" + tail + ";");
  }

  // `(err, name) => { if (err) { catch } ... then }`, the Node callback convention.
  void node_callback(const Action& a, const std::string& head, const std::string& shown_error, Bound bound,
                     std::string& out) override {
    std::string err = err_name();
    std::string value = js_name(a.detail().as);
    if (a.then.empty() && a.detail().on_error.empty()) {
      line(out, head + "() => {});");
      return;
    }
    line(out, fmt::format("{}({}, {}) => {{", head, err, value));
    ++indent_;
    if (a.detail().on_error.empty()) {
      line(out, fmt::format("if ({}) return;", err));
    } else {
      line(out, fmt::format("if ({}) {{", err));
      ++indent_;
      line(out, fmt::format("const error = {};", shown_error));
      --indent_;
      with_scope(a.detail().on_error, "error", Bound::OpError, out);
      ++indent_;
      line(out, "return;");
      --indent_;
      line(out, "}");
    }
    --indent_;
    with_scope(a.then, a.detail().as, bound, out);
    line(out, "});");
  }

  // ---- the rest of JsWriter ----

  const Scenario& scenario() const override { return scenario_; }
  void indent() override { ++indent_; }
  void outdent() override { --indent_; }
  void need(JsHelper helper) override {
    switch (helper) {
      case JsHelper::Fs: uses_fs_ = true; break;
      case JsHelper::FsError: uses_fs_error_ = true; break;
      case JsHelper::Http: uses_http_ = true; break;
      case JsHelper::EncodePath: uses_encode_path_ = true; break;
      case JsHelper::DelayService: uses_delay_service_ = true; break;
      case JsHelper::Encrypt: uses_encrypt_ = true; break;
      case JsHelper::Block: uses_block_ = true; break;
      case JsHelper::PrintContent: uses_print_content_ = true; break;
    }
  }
  std::string js_string(std::string_view s) const override { return exporter::js_string(s); }
  std::string template_text(std::string_view s) const override { return escape_template_text(s); }
  void push_scope(const std::string& name, Bound bound) override { scope_.emplace_back(name, bound); }
  void pop_scope() override { scope_.pop_back(); }
  int next_interval() override { return ++intervals_; }
  int next_counter() override { return ++counters_; }

  // ---- around the program ----

  std::string header(const JsProgram& p) const {
    std::string out;
    std::string name = std::filesystem::path(scenario_.file).filename().string();
    out += fmt::format("// {}, as a Node program (written by `eventloop-trace export-js`).\n", comment_text(name));
    if (!scenario_.description.empty()) out += comment_wrapped(comment_text(scenario_.description), "//   ");
    out += "//\n";
    std::string env = fmt::format("UV_THREADPOOL_SIZE={}", p.threads);
    if (p.uses_delay_service) env += fmt::format(" {}=<port>", kEnvDelayPort);
    out += fmt::format("// Run it as\n//   {} node <this file>\n", env);
    out += "// libuv reads UV_THREADPOOL_SIZE once, when its pool starts, so it must be in the\n"
           "// environment before node starts (setting process.env here would be too late if anything\n"
           "// had used the pool already).\n";
    if (p.uses_delay_service) {
      out += fmt::format("// {} is the port of eventloop-trace's delay service, which `eventloop-trace verify`\n",
                         kEnvDelayPort);
      out += "// starts (with the scenario's http_latency_ms) and passes in.\n";
    }
    if (uses_fs_) {
      out += fmt::format("// Files are read from {} (verify sets it to the scenario's folder), or from\n",
                         kEnvScenarioDir);
      out += "// this file's folder when it is saved beside the scenario.\n";
    }
    if (!p.approximations.empty()) {
      out += "//\n// Not reproduced exactly (verify does not compare orders that depend on these):\n";
      for (const auto& a : p.approximations) out += comment_wrapped("- " + comment_text(a), "//   ");
    }
    if (!p.unsupported.empty()) {
      out += "//\n// Not comparable with eventloop-trace's run:\n";
      out += comment_wrapped(comment_text(p.unsupported), "//   ");
    }
    return out;
  }

  static std::string comment_wrapped(std::string_view text, std::string_view prefix) {
    std::string out;
    std::string current;
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find(' ', start);
      if (end == std::string_view::npos) end = text.size();
      std::string_view word = text.substr(start, end - start);
      if (!current.empty() && current.size() + 1 + word.size() + prefix.size() > 96) {
        out += std::string(prefix) + current + "\n";
        // A list item's next lines line up under its text.
        current = text.starts_with("- ") ? "  " : "";
      }
      if (!current.empty() && current != "  ") current += ' ';
      current += word;
      start = end + 1;
    }
    if (!current.empty()) out += std::string(prefix) + current + "\n";
    return out;
  }

  std::string prelude() const {
    std::string out = "\n\"use strict\";\n";
    if (uses_fs_) out += "const fs = require(\"node:fs\");\nconst path = require(\"node:path\");\n";
    if (uses_http_) out += "const http = require(\"node:http\");\n";
    if (uses_encrypt_) out += "const crypto = require(\"node:crypto\");\n";
    if (uses_fs_) out += fmt::format("\nconst scenarioDir = process.env.{} ?? __dirname;\n", kEnvScenarioDir);
    if (uses_delay_service_) {
      out += fmt::format("const DELAY_SERVICE = `http://127.0.0.1:${{process.env.{}}}`;\n", kEnvDelayPort);
    }
    if (uses_http_) out += kHttpHelpers;
    if (uses_encode_path_) out += kEncodePath;
    if (uses_fs_error_) out += kFsError;
    if (uses_encrypt_) {
      out += fmt::format(
          "\n// encrypt: crypto.pbkdf2 runs on libuv's pool, like the scenario's encrypt, with as many\n"
          "// iterations as take cost_ms on this machine ({} is measured once by verify;\n"
          "// without it, here, before the program starts). The result the scenario binds, fib(n),\n"
          "// is computed cheaply.\n"
          "const PBKDF2_PER_MS = Number(process.env.{}) || calibratePbkdf2();\n",
          kEnvPbkdf2PerMs, kEnvPbkdf2PerMs);
      out += calibration_function();
      out += "function fib(n) {\n"
             "  let [a, b] = [0, 1];\n"
             "  for (let i = 0; i < n; i++) [a, b] = [b, a + b];\n"
             "  return a;\n"
             "}\n"
             "function encrypt(n, costMs, callback) {\n"
             "  const iterations = Math.max(1, Math.round(costMs * PBKDF2_PER_MS));\n"
             "  crypto.pbkdf2(\"eventloop-trace\", \"salt\", iterations, 32, \"sha256\", (err) => "
             "callback(err, err ? undefined : fib(n)));\n"
             "}\n";
    }
    if (uses_block_) out += kBlock;
    if (uses_print_content_) out += kPrintContent;
    return out;
  }

  std::string declarations() const {
    if (handle_names_.empty()) return {};
    std::vector<std::string> vars;
    for (const auto& h : handle_names_) vars.push_back(handle_var(h));
    return fmt::format("let {};  // the handles the scenario names (\"id\")\n", fmt::join(vars, ", "));
  }


  const Scenario& scenario_;
  int indent_ = 0;
  std::vector<std::pair<std::string, Bound>> scope_;
  std::set<std::string> handle_names_;
  std::set<std::string> bound_names_;
  std::vector<std::string> approximations_;
  std::string unsupported_;
  int intervals_ = 0;
  int counters_ = 0;
  bool uses_fs_ = false;
  bool uses_fs_error_ = false;
  bool uses_http_ = false;
  bool uses_encode_path_ = false;
  bool uses_delay_service_ = false;
  bool uses_encrypt_ = false;
  bool uses_block_ = false;
  bool uses_print_content_ = false;
};

}  // namespace

JsProgram export_js(const Scenario& scenario) { return Writer(scenario).run(); }

std::string pbkdf2_calibration_program() {
  // Three measurements, the fastest kept: a busy machine only ever makes one slower.
  return "\"use strict\";\nconst crypto = require(\"node:crypto\");\n" + calibration_function() +
         "console.log(Math.max(calibratePbkdf2(), calibratePbkdf2(), calibratePbkdf2()));\n";
}

}  // namespace elt::exporter
