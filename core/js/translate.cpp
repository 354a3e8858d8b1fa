#include "js/translate.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "scenario/scenario.h"

namespace elt::js {

const char kSupported[] =
    "console.log, timers and their clears, process.nextTick, queueMicrotask, Promise.resolve/reject with "
    ".then/.catch/.finally, new Promise, promises in const and their .then/.catch/.finally (async callbacks "
    "too), async functions and await (try/catch/finally around awaits and statements, throw new Error, for...of "
    "over an array literal), thenable objects { then(resolve, reject) {...} }, Promise.all/race/allSettled/any, "
    "timers/promises' and "
    "util.promisify(setTimeout), process.on('unhandledRejection'), fs.readFile, crypto.pbkdf2, http.get (res.on('data' and 'end'), "
    "res.setEncoding('utf8'), res.resume(), .on('error')), http.createServer with server.listen(port) and "
    "server.close() and res.end(body), a "
    "Date.now() busy-wait, counted for loops (let or var; with await in an async function), const, named callbacks, "
    "functions called with arguments and their return values, let variables with =, +=, ++ and if/else "
    "over them, timer.unref()/ref() (docs/javascript.md)";

namespace {

using Json = nlohmann::json;
using Out = nlohmann::ordered_json;

// What a name means to the translator. The scenario has no variables, only the names its
// callbacks bind, so a JavaScript name is one of these or it is refused where it is used.
enum class Bind {
  Module,    // require('fs'): text is the module's name
  Member,    // const { readFile } = require('fs'): text is "fs.readFile"
  Handle,    // const t = setTimeout(...): text is the scenario's id
  Text,      // a callback's text value (a file's content, a promise's value): text is its scenario name
  Bytes,     // fs.readFile's data without an encoding: a Buffer, whose .length is the scenario's
  Number,    // a for loop's counter: text is its scenario name
  Response,  // http.get's response
  Error,     // a .catch's error: only .message can be printed
  Inline,    // a const of a value known now: text is its template text
  EndTime,   // const end = Date.now() + ms
  StartTime, // const start = Date.now()
  Function,  // a named function, put where it is used
  Variable,  // a let (or var) the program changes: text is its scenario name (issue 21)
  Promise,   // a promise the scenario names (new_promise, async, sleep...): text is its name
  Resolver,  // a new Promise executor's resolve (ms 0) or reject (ms 1): text is the promise's name
  Server,    // const server = http.createServer(...): text is its scenario name
  Request,   // a server handler's req: .url, .method, .headers.x
  ServerResponse,  // a server handler's res: res.end(body)
  Unusable,  // a name the scenario cannot give a value to: text says why
};

struct Binding {
  Bind kind = Bind::Unusable;
  std::string text;
  std::int64_t ms = 0;
  const Json* node = nullptr;  // Function: its declaration
  std::size_t scope = 0;       // Function: how many scopes were open where it was declared
  std::optional<std::int64_t> number;  // Inline: a whole number known now (a delay, a count)
  bool is_string = false;              // Inline: JavaScript takes it for text (+ joins)
};

Binding make(Bind kind, std::string text = {}, std::int64_t ms = 0, const Json* node = nullptr, std::size_t scope = 0) {
  Binding b;
  b.kind = kind;
  b.text = std::move(text);
  b.ms = ms;
  b.node = node;
  b.scope = scope;
  return b;
}

// Callbacks inside callbacks: the scenario allows 64 (scenario.h, kMaxNesting); values and
// statements nest a few levels more. Past this the program is refused, so that a hostile
// tree cannot overflow our stack.
constexpr int kMaxDepth = 200;

// pbkdf2 iterations one pool thread does per ms, measured once with node 20 on the
// development machine (pbkdf2Sync of 100,000 iterations: sha256 71 ms, sha512 184 ms). A
// constant, so that a program's trace is the same on every machine, as encrypt's fib cost is.
constexpr double kPbkdf2Sha256PerMs = 1400;
constexpr double kPbkdf2Sha512PerMs = 545;
// encrypt's n for a pbkdf2: fib(20) takes microseconds; cost_ms is what the run charges.
constexpr int kEncryptN = 20;

// A value as a template: its text, and what JavaScript would take it for.
struct Val {
  std::string text;
  bool is_string = false;
  std::optional<std::int64_t> number;  // known now
};

std::string escaped(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s.substr(i, 2) == "${") out += '$';
    out += s[i];
  }
  return out;
}

// A field of an ESTree node; null when the node is not an object or has no such field (acorn
// always writes them, but the fuzz target's trees need not, and nlohmann's operator[] on a
// const object without the key is undefined behaviour).
const Json& at(const Json& n, const char* key) {
  static const Json kNull;
  if (!n.is_object()) return kNull;
  auto it = n.find(key);
  return it == n.end() ? kNull : *it;
}
std::string type_of(const Json& n) {
  const Json& t = at(n, "type");
  return t.is_string() ? t.get<std::string>() : std::string();
}
bool is_type(const Json& n, std::string_view type) { return type_of(n) == type; }
bool is_ident(const Json& n, std::string_view name) { return is_type(n, "Identifier") && n.value("name", "") == name; }
std::string ident(const Json& n) { return is_type(n, "Identifier") ? n.value("name", "") : std::string(); }
bool scenario_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

// obj.prop (not obj[prop]): the property's name, or empty.
std::string property(const Json& member) {
  if (!is_type(member, "MemberExpression") || member.value("computed", true)) return {};
  return ident(at(member, "property"));
}

class Translator {
 public:
  explicit Translator(std::string file) : file_(std::move(file)) {}

  Translation run(const Json& program) {
    if (!is_type(program, "Program")) throw scenario::ScenarioError(file_, "", "acorn gave no Program");
    Out root;
    root["description"] = fmt::format("{}, as eventloop-trace import-js reads it", file_name());
    root["settings"] = Out{{"model", "node"}};
    scopes_.emplace_back();
    assigned_ = assigned_names(program);
    cleared_ = cleared_names(program);
    root["program"] = statements(at(program, "body"), "/program");
    Translation t;
    t.json = root.dump(2) + "\n";
    t.positions = std::move(positions_);
    return t;
  }

 private:
  std::string file_name() const {
    auto slash = file_.rfind('/');
    return slash == std::string::npos ? file_ : file_.substr(slash + 1);
  }

  // acorn's line is 1-based and its column 0-based; ours are both 1-based.
  static std::pair<std::size_t, std::size_t> place(const Json& n) {
    const Json& start = at(at(n, "loc"), "start");
    const Json& line = at(start, "line");
    const Json& column = at(start, "column");
    return {line.is_number_unsigned() ? line.get<std::size_t>() : 0,
            (column.is_number_unsigned() ? column.get<std::size_t>() : 0) + 1};
  }

  std::string where(const Json& n) const {
    const auto [line, column] = place(n);
    return fmt::format("{}:{}", line, column);
  }

  [[noreturn]] void refuse(const Json& n, std::string_view construct) const {
    throw scenario::ScenarioError(file_, where(n),
                                  fmt::format("{} is not supported yet; supported: {}", construct, kSupported));
  }

  const Binding* lookup(const std::string& name) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      if (auto found = it->find(name); found != it->end()) return &found->second;
    }
    return nullptr;
  }

  void bind(const Json& node, const std::string& name, Binding b) {
    if (b.kind != Bind::Module && b.kind != Bind::Member && b.kind != Bind::Function && b.kind != Bind::Inline &&
        b.kind != Bind::Unusable && b.kind != Bind::EndTime && b.kind != Bind::StartTime && !scenario_name(name)) {
      refuse(node, fmt::format("the name {} (a scenario name is letters, digits and _)", name));
    }
    scopes_.back()[name] = std::move(b);
  }

  void record(const std::string& path, const Json& n) { positions_[path] = place(n); }

  struct Depth {
    explicit Depth(Translator& t, const Json& n) : t_(t) {
      if (++t_.depth_ > kMaxDepth) t_.refuse(n, fmt::format("nesting deeper than {} levels", kMaxDepth));
    }
    ~Depth() { --t_.depth_; }
    Translator& t_;
  };

  // ---- names of what is refused, as a learner knows them ----

  std::string construct_name(const Json& n) const;
  std::string callee_text(const Json& callee) const;

  // ---- statements ----
  Out statements(const Json& list, const std::string& path);
  void statement(const Json& list, std::size_t& i, Out& out, const std::string& path);
  void declaration(const Json& decl, Out& out, const std::string& path);
  void declarator(const Json& d, Out& out, const std::string& path);
  bool busy_wait(const Json& st, Out& out, const std::string& path);
  // ---- state (issue 21): variables, assignments, if, unref ----
  static std::set<std::string> assigned_names(const Json& program);
  bool mentions_variable(const Json& e) const;
  void variable(const Json& d, const std::string& name, const std::string& kind, Out& out, const std::string& path);
  void assignment(const Json& e, Out& out, const std::string& path);
  void if_statement(const Json& st, Out& out, const std::string& path);
  Out branch(const Json& st, const std::string& path);
  bool ref_call(const Json& c, Out& out, const std::string& path, const std::string& handle = {});
  std::string expression(const Json& e);
  Out expression_value(const Json& e);
  std::string quoted(const Json& at, const std::string& text) const;
  void counted_loop(const Json& st, Out& out, const std::string& path);
  void hoist_functions(const Json& list);

  // ---- calls: each appends its actions to `out` ----
  std::string canonical(const Json& callee) const;
  void call(const Json& c, Out& out, const std::string& path, const std::string& handle = {});
  void timer(const std::string& name, const Json& c, Out& out, const std::string& path, const std::string& handle);
  void io_call(const std::string& name, const Json& c, Out& out, const std::string& path);
  // HTTP as learners write it (issue 21): http.get with the response's events, a server.
  void http_get(const Json& c, Out& out, const std::string& path, const Json* on_error);
  bool http_method_call(const Json& c, Out& out, const std::string& path);
  void http_create_server(const Json& d, const std::string& name, const Json& init, Out& out, const std::string& path);
  std::string param_name(const Json& cb, std::size_t index, const std::string& fallback);
  void promise_chain(const Json& c, Out& out, const std::string& path);
  // ---- promises as values, async and await (issue 21): translate_async.cpp's part ----
  bool promise_like(const Json& e) const;
  bool promise_declarator(const Json& d, const std::string& name, const Json& init, Out& out, const std::string& path);
  Binding function_binding(const Json& init);
  void async_callback(const Json& fn, Out& body, const std::string& path, const std::vector<Binding>& params,
                      std::vector<std::map<std::string, Binding>>& saved);
  void step_end(const Json& last, Out& body, const std::string& path, std::optional<Val>* result, bool* throws);
  const Json* returned_promise(const Json& fn) const;
  bool is_promisify_of(const Json& e, std::string_view fn) const;
  bool steps_adopt(const std::vector<const Json*>& steps) const;
  std::string fresh_name() { return fmt::format("promise{}", ++fresh_); }
  std::string promise_expr(const Json& e, Out& out, const std::string& path, std::string id);
  std::string promise_call(const Json& c, const std::string& callee, Out& out, const std::string& path,
                           const std::string& id);
  std::string new_promise(const Json& e, Out& out, const std::string& path, const std::string& id);
  std::string settled_promise(const Json& c, bool reject, Out& out, const std::string& path, const std::string& id);
  std::string combinator(const Json& c, const std::string& callee, Out& out, const std::string& path,
                         const std::string& id);
  std::string promise_then(const Json& start, const std::vector<const Json*>& steps, Out& out,
                           const std::string& path, std::string id);
  Out async_function(const Json& fn, const std::string& path, const std::vector<Binding>& params);
  void async_return(const Json& last, Out& action, Out& body, const std::string& path);
  std::vector<Binding> argument_bindings(const Json& args);
  void bind_arguments(const Json& fn, const std::vector<Binding>& params);
  void await_into(const Json& e, Out& out, const std::string& path, const std::string& as);
  void try_await(const Json& st, Out& out, const std::string& path);
  void for_of(const Json& st, Out& out, const std::string& path);
  void on_process_event(const Json& c, Out& out, const std::string& path);
  // ---- thenables, .finally, async steps, try/catch/finally and throw (issue 21, session 8) ----
  static const Json* then_method(const Json& e);
  std::string thenable(const Json& e, Out& out, const std::string& path, const std::string& id);
  Out finally_step(const Json& step, const std::string& path);
  bool has_finally(const std::vector<const Json*>& steps) const;
  void async_step(const Json& fn, Out& body, const std::string& path, const std::vector<Binding>& params,
                  std::vector<std::map<std::string, Binding>>& saved);
  void try_statement(const Json& st, Out& out, const std::string& path);
  void throw_statement(const Json& st, Out& out, const std::string& path);
  bool settle_call(const Json& c, Out& out, const std::string& path);
  Out chain_step(const Json& step, bool is_catch, const std::string& path);
  void print(const Json& c, Out& out, const std::string& path);
  Out callback(const Json& fn, const std::string& path, const std::vector<Binding>& params);
  void callback_body(const Json& fn, Out& body, const std::string& path, const std::vector<Binding>& params,
                     std::optional<Val>* result, bool* throws);
  void emit(Out& out, const std::string& path, const Json& at, Out action) {
    record(fmt::format("{}/{}", path, out.size()), at);
    out.push_back(std::move(action));
  }
  std::string slot(const Out& out, const std::string& path) const { return fmt::format("{}/{}", path, out.size()); }

  // ---- values ----
  bool returns_promise(const Json& e) const {
    if (is_type(e, "NewExpression")) return is_ident(at(e, "callee"), "Promise");
    if (!is_type(e, "CallExpression")) return false;
    const std::string name = canonical(at(e, "callee"));
    return name.rfind("Promise.", 0) == 0 || name.rfind("promise.", 0) == 0;
  }
  Val value(const Json& e);
  std::string read_path(const Json& e);
  Val member_value(const Json& e);
  Val binary_value(const Json& e);
  Out delay(const Json& e);
  // ---- plain functions called with arguments, and loops around async code (issue 21) ----
  // Sets where values and called functions' bodies go for one statement (or, with null, for
  // a value read for a later time), and puts the outer place back when it ends.
  struct Place {
    Place(Translator& t, Out* out, const std::string& path)
        : t_(t), out_(std::exchange(t.out_, out)), path_(std::exchange(t.out_path_, path)) {}
    ~Place() {
      t_.out_ = out_;
      t_.out_path_ = std::move(path_);
    }
    Place(const Place&) = delete;
    Place& operator=(const Place&) = delete;
    Translator& t_;
    Out* out_;
    std::string path_;
  };
  bool plain_function(const Json& callee) const;
  bool mentions_runtime(const Json& e) const;
  Binding argument(const Json& arg, const std::string& param);
  void bind_call(const Json& fn, const Json& args);
  void function_call(const Json& c, Out& out, const std::string& path);
  void inline_statements(const Json& list, std::size_t from, std::size_t to, Out& out, const std::string& path);
  const Json* returned_value(const Json& fn, std::size_t* statements) const;
  template <typename F>
  auto with_call(const Json& c, F&& body);
  bool contains(const Json& n, std::string_view type) const;
  Val call_value(const Json& c);
  std::string call_expression(const Json& c);
  Val hoisted(const Json& e);
  std::string local_name(const std::string& name);
  static std::set<std::string> cleared_names(const Json& program);
  bool var_loop(const Json& st, const std::string& name, std::int64_t start, std::int64_t n, Out& out,
                const std::string& path);
  bool unrolled_loop(const Json& st, const std::string& name, std::int64_t start, std::int64_t n, Out& out,
                     const std::string& path);
  std::optional<Val> constant(const Json& e);
  void text_arithmetic(const Json& l, const Json& r, const std::string& op);
  bool shifted_loop(const Json& st, const std::string& name, std::int64_t start, std::int64_t n, Out& out,
                    const std::string& path);

  std::string file_;
  std::vector<std::map<std::string, Binding>> scopes_;
  std::map<std::string, std::pair<std::size_t, std::size_t>> positions_;
  std::set<const Json*> inlining_;
  std::set<std::string> cleared_;   // names clearTimeout/clearInterval is given: `let t = null` is a handle
  std::set<std::string> assigned_;  // names some statement assigns: their let is a variable  // functions being put in place: one that schedules itself never ends
  int depth_ = 0;
  int fresh_ = 0;                 // promise1, promise2...: names for promises the program does not name
  bool in_async_ = false;         // the statements being read are an async body's own: await may be one
  std::string* adopt_ = nullptr;  // a .then step being read: where its `return p` names p
  // The list the statement being read appends to (null where a value is read for a later
  // time: a step's or an async function's result): where a function's body, called in an
  // expression, and a value computed from what changes at run time are put first.
  Out* out_ = nullptr;
  std::string out_path_;
  int renaming_ = 0;  // inside a function called with arguments: its lets get names of their own
  int locals_ = 0;    // n_1, total_2...: those names
  int recursion_ = 0;  // how deep a function calling itself has been put in place
  std::set<std::string> thenables_;  // the promise names that are thenable objects: no .then of theirs is a chain
  bool in_handler_ = false;          // a catch or finally of an async function's try is being read
};

std::string Translator::callee_text(const Json& callee) const {
  if (is_type(callee, "Identifier")) return ident(callee);
  if (is_type(callee, "MemberExpression") && !callee.value("computed", true)) {
    const Json& obj = at(callee, "object");
    std::string base = is_type(obj, "Identifier") ? ident(obj)
                       : is_type(obj, "CallExpression") ? callee_text(at(obj, "callee")) + "(...)"
                                                        : "(...)";
    return base + "." + ident(at(callee, "property"));
  }
  return "a computed function";
}

std::string Translator::construct_name(const Json& n) const {
  static const std::map<std::string, std::string, std::less<>> names = {
      {"AwaitExpression", "await"},
      {"AssignmentExpression", "assignment to a variable"},
      {"UpdateExpression", "changing a variable with ++ or --"},
      {"IfStatement", "an if statement"},
      {"ConditionalExpression", "the ?: operator"},
      {"LogicalExpression", "&&, || and ??"},
      {"WhileStatement", "a while loop (other than the Date.now() busy-wait)"},
      {"DoWhileStatement", "a do...while loop"},
      {"ForOfStatement", "a for...of loop"},
      {"ForInStatement", "a for...in loop"},
      {"TryStatement", "try/catch"},
      {"ThrowStatement", "throw (outside the end of a .then or .catch callback)"},
      {"ReturnStatement", "return (outside the end of a .then or .catch callback)"},
      {"SwitchStatement", "a switch statement"},
      {"ClassDeclaration", "a class"},
      {"ClassExpression", "a class"},
      {"ObjectExpression", "an object literal"},
      {"ArrayExpression", "an array"},
      {"YieldExpression", "yield"},
      {"SpreadElement", "spread (...)"},
      {"LabeledStatement", "a label"},
      {"BreakStatement", "break"},
      {"ContinueStatement", "continue"},
      {"ThisExpression", "this"},
      {"TaggedTemplateExpression", "a tagged template"},
      {"SequenceExpression", "the comma operator"},
      {"WithStatement", "with"},
      {"DebuggerStatement", "debugger"},
      {"ImportExpression", "import()"},
      {"ImportDeclaration", "import (ES modules)"},
      {"ChainExpression", "optional chaining (?.)"},
      {"ArrowFunctionExpression", "a function used as a value"},
      {"FunctionExpression", "a function used as a value"},
  };
  const std::string type = type_of(n);
  if ((type == "FunctionDeclaration" || type == "FunctionExpression" || type == "ArrowFunctionExpression")) {
    if (n.value("async", false)) return "an async function";
    if (n.value("generator", false)) return "a generator function";
  }
  if (type == "NewExpression") {
    std::string callee = callee_text(at(n, "callee"));
    return callee == "Promise" ? "new Promise" : fmt::format("new {}", callee);
  }
  if (type == "CallExpression") return fmt::format("{}()", callee_text(at(n, "callee")));
  if (type == "Literal" && n.contains("regex")) return "a regular expression";
  if (type == "UnaryExpression" || type == "BinaryExpression") return fmt::format("the {} operator", n.value("operator", ""));
  if (type == "MemberExpression") {
    return n.value("computed", false) ? "indexing with [ ]" : fmt::format("{}", callee_text(n));
  }
  if (auto it = names.find(type); it != names.end()) return it->second;
  return type;
}

// ---- statements ----

void Translator::hoist_functions(const Json& list) {
  for (const Json& st : list) {
    if (!is_type(st, "FunctionDeclaration")) continue;
    if (st.value("generator", false)) refuse(st, construct_name(st));
    Binding b = make(Bind::Function, {}, 0, &st, scopes_.size());
    bind(st, ident(at(st, "id")), b);
  }
}

Out Translator::statements(const Json& list, const std::string& path) {
  Out out = Out::array();
  hoist_functions(list);
  for (std::size_t i = 0; i < list.size(); ++i) statement(list, i, out, path);
  return out;
}

void Translator::statement(const Json& list, std::size_t& i, Out& out, const std::string& path) {
  const Json& st = list[i];
  Depth depth(*this, st);
  Place place(*this, &out, path);
  const std::string type = type_of(st);
  if (type == "ExpressionStatement") {
    if (st.contains("directive")) return;  // 'use strict'
    const Json& e = at(st, "expression");
    if (is_type(e, "AssignmentExpression") || is_type(e, "UpdateExpression")) return assignment(e, out, path);
    if (is_type(e, "AwaitExpression")) return await_into(e, out, path, "");
    if (!is_type(e, "CallExpression")) refuse(e, construct_name(e));
    return call(e, out, path);
  }
  if (type == "IfStatement") return if_statement(st, out, path);
  if (type == "TryStatement" && in_async_) return try_await(st, out, path);
  if (type == "ThrowStatement" && in_async_) return throw_statement(st, out, path);
  if (type == "ReturnStatement" && in_async_) {
    refuse(st, "return before the end of an async function (in a try, an if or a loop: a finally would run after it)");
  }
  if (type == "ForOfStatement") return for_of(st, out, path);
  if (type == "VariableDeclaration") return declaration(st, out, path);
  if (type == "FunctionDeclaration" || type == "EmptyStatement") return;
  if (type == "BlockStatement") {
    scopes_.emplace_back();
    hoist_functions(at(st, "body"));
    for (std::size_t j = 0; j < at(st, "body").size(); ++j) statement(at(st, "body"), j, out, path);
    scopes_.pop_back();
    return;
  }
  if (type == "WhileStatement" && busy_wait(st, out, path)) return;
  if ((type == "WhileStatement" || type == "DoWhileStatement") && mentions_variable(at(st, "test"))) {
    refuse(st, "a loop over a variable (its end is known only when the program runs; a scenario repeats a "
               "count known at the start: count runs in a callback with let and if instead)");
  }
  if (type == "ForStatement") return counted_loop(st, out, path);
  refuse(st, construct_name(st));
}

void Translator::declaration(const Json& decl, Out& out, const std::string& path) {
  const std::string kind = decl.value("kind", "const");
  for (const Json& d : at(decl, "declarations")) {
    const std::string name = ident(at(d, "id"));
    const Json& init = at(d, "init");
    // let t; ... t = setTimeout(...): a handle named before its timer (export-js writes it so).
    if (!name.empty() && (init.is_null() || (is_type(init, "Literal") && at(init, "value").is_null() && cleared_.contains(name))) &&
        kind != "const" && assigned_.contains(name)) {
      bind(d, name, make(Bind::Handle, name));
      continue;
    }
    if (!name.empty() && is_type(init, "CallExpression") &&
        (property(at(init, "callee")) == "unref" || property(at(init, "callee")) == "ref")) {
      // const t = setTimeout(...).unref(): unref() returns the timer itself.
      bind(d, name, make(Bind::Handle, name));
      if (!ref_call(init, out, path, name)) refuse(init, construct_name(init));
      continue;
    }
    // A name the program assigns, or a value computed from one that changes, is a variable.
    if (!name.empty() && !init.is_null() && (assigned_.contains(name) || mentions_variable(init))) {
      variable(d, name, kind, out, path);
    } else {
      declarator(d, out, path);
    }
  }
}

void Translator::declarator(const Json& d, Out& out, const std::string& path) {
  const Json& init = at(d, "init");
  if (init.is_null()) refuse(d, "a variable without a value (it can only change later)");
  const std::string name = ident(at(d, "id"));
  // const { readFile } = require('fs')
  if (is_type(at(d, "id"), "ObjectPattern") && is_type(init, "CallExpression") && is_ident(at(init, "callee"), "require")) {
    call(init, out, path);
    const std::string module = at(init, "arguments")[0].value("value", "");
    for (const Json& p : at(at(d, "id"), "properties")) {
      if (!is_type(p, "Property") || p.value("computed", true) || !is_type(at(p, "value"), "Identifier")) {
        refuse(p, "this kind of destructuring");
      }
      bind(p, ident(at(p, "value")), make(Bind::Member, module + "." + ident(at(p, "key"))));
    }
    return;
  }
  if (name.empty()) refuse(at(d, "id"), "destructuring");
  if (promise_declarator(d, name, init, out, path)) return;
  if (is_type(init, "CallExpression") && !plain_function(at(init, "callee"))) {  // const d = double(2): a value
    const std::string callee = canonical(at(init, "callee"));
    if (callee == "require") {
      call(init, out, path);
      return bind(d, name, make(Bind::Module, at(init, "arguments")[0].value("value", "")));
    }
    if (callee == "Date.now" && at(init, "arguments").empty()) return bind(d, name, make(Bind::StartTime));
    if (callee == "setTimeout" || callee == "setInterval" || callee == "setImmediate") {
      bind(d, name, make(Bind::Handle, name));  // first: its own callback may clear it
      return call(init, out, path, name);
    }
    if (callee == "http.createServer") return http_create_server(d, name, init, out, path);
    if (callee == "http.get") {
      call(init, out, path);
      return bind(d, name, make(Bind::Unusable, "the request object http.get returns"));
    }
    static const std::set<std::string, std::less<>> known = {"console.log", "process.nextTick", "queueMicrotask",
                                                             "fs.readFile", "crypto.pbkdf2", "promise.then",
                                                             "promise.catch"};
    if (!known.contains(callee)) refuse(init, construct_name(init));
    refuse(init, fmt::format("keeping the result of {} in a variable", construct_name(init)));
  }
  // const end = Date.now() + 50
  if (is_type(init, "BinaryExpression") && init.value("operator", "") == "+" && is_type(at(init, "left"), "CallExpression") &&
      canonical(at(at(init, "left"), "callee")) == "Date.now") {
    Val ms = value(at(init, "right"));
    if (!ms.number) refuse(at(init, "right"), "a busy-wait whose length is known only when it runs");
    return bind(d, name, make(Bind::EndTime, {}, *ms.number));
  }
  if (is_type(init, "ArrowFunctionExpression") || is_type(init, "FunctionExpression")) {
    return bind(d, name, function_binding(init));
  }
  Val v = value(init);
  Binding b = make(Bind::Inline, v.text);
  b.number = v.number;
  b.is_string = v.is_string;
  bind(d, name, b);
}

// while (Date.now() < end) {}  or  while (Date.now() - start < ms) {}: the busy main thread.
bool Translator::busy_wait(const Json& st, Out& out, const std::string& path) {
  const Json& test = at(st, "test");
  const Json& body = at(st, "body");
  bool empty = is_type(body, "EmptyStatement") || (is_type(body, "BlockStatement") && at(body, "body").empty());
  if (!empty || !is_type(test, "BinaryExpression") || test.value("operator", "") != "<") return false;
  const Json& left = at(test, "left");
  const Json& right = at(test, "right");
  std::optional<std::int64_t> ms;
  if (is_type(left, "CallExpression") && canonical(at(left, "callee")) == "Date.now") {
    const Binding* end = lookup(ident(right));
    if (end != nullptr && end->kind == Bind::EndTime) ms = end->ms;
  } else if (is_type(left, "BinaryExpression") && left.value("operator", "") == "-" &&
             is_type(at(left, "left"), "CallExpression") && canonical(at(at(left, "left"), "callee")) == "Date.now") {
    const Binding* start = lookup(ident(at(left, "right")));
    Val limit = value(right);
    if (start != nullptr && start->kind == Bind::StartTime && limit.number) ms = limit.number;
  }
  if (!ms) return false;
  emit(out, path, st, Out{{"block", *ms}});
  return true;
}

// for (let i = 0; i < N; i++) { ... }: a repeat, with i bound in each run.
void Translator::counted_loop(const Json& st, Out& out, const std::string& path) {
  const std::string what = "a for loop other than for (let i = 0; i < N; i++)";
  const Json& init = at(st, "init");
  if (!is_type(init, "VariableDeclaration") || at(init, "declarations").size() != 1) refuse(st, what);
  const Json& d = at(init, "declarations")[0];
  const std::string name = ident(at(d, "id"));
  const Json& test = at(st, "test");
  const Json& update = at(st, "update");
  bool counts = !name.empty() && is_type(at(d, "init"), "Literal") && at(at(d, "init"), "value").is_number_integer() &&
                is_type(test, "BinaryExpression") && is_ident(at(test, "left"), name) &&
                (test.value("operator", "") == "<" || test.value("operator", "") == "<=") &&
                ((is_type(update, "UpdateExpression") && update.value("operator", "") == "++" &&
                  is_ident(at(update, "argument"), name)) ||
                 (is_type(update, "AssignmentExpression") && update.value("operator", "") == "+=" &&
                  is_ident(at(update, "left"), name) && is_type(at(update, "right"), "Literal") && at(at(update, "right"), "value") == 1));
  if (!counts) refuse(st, what);
  Val limit = value(at(test, "right"));
  if (!limit.number) refuse(at(test, "right"), "a for loop whose count is known only when it runs");
  const std::int64_t start = at(at(d, "init"), "value").get<std::int64_t>();  // for (let id = 1; ...) too
  std::int64_t n = 0;
  std::int64_t end = 0;
  if (__builtin_add_overflow(*limit.number, test.value("operator", "") == "<=" ? 1 : 0, &end) ||
      __builtin_sub_overflow(end, start, &n)) {
    refuse(st, "a for loop of more than 2^63 runs");
  }
  if (unrolled_loop(st, name, start, n, out, path) || var_loop(st, name, start, n, out, path) ||
      shifted_loop(st, name, start, n, out, path)) {
    return;
  }
  const std::string here = slot(out, path);
  scopes_.emplace_back();
  bind(d, name, make(Bind::Number, name));
  const Json& body = at(st, "body");
  Out actions = is_type(body, "BlockStatement") ? statements(at(body, "body"), here + "/do") : Out::array();
  if (!is_type(body, "BlockStatement")) {
    Json one = Json::array({body});
    std::size_t k = 0;
    statement(one, k, actions, here + "/do");
  }
  scopes_.pop_back();
  emit(out, path, st, Out{{"repeat", std::max<std::int64_t>(n, 0)}, {"as", name}, {"do", std::move(actions)}});
}

// ---- calls ----

// The name a call is dispatched by: "setTimeout", "fs.readFile", "console.log"; module
// names as required (node:fs is fs; timers.setTimeout is setTimeout).
std::string Translator::canonical(const Json& callee) const {
  auto strip = [](std::string m) { return m.rfind("node:", 0) == 0 ? m.substr(5) : m; };
  if (is_type(callee, "Identifier")) {
    const std::string name = ident(callee);
    if (const Binding* b = lookup(name)) {
      if (b->kind == Bind::Member) {
        std::string full = strip(b->text);
        return full.rfind("timers.", 0) == 0 ? full.substr(7) : full;
      }
      if (b->kind == Bind::Function) return "function";
      return "a variable's value";
    }
    return name;
  }
  if (!is_type(callee, "MemberExpression") || callee.value("computed", true)) return {};
  const Json& obj = at(callee, "object");
  const std::string prop = ident(at(callee, "property"));
  if ((is_type(obj, "CallExpression") || is_type(obj, "NewExpression")) && (prop == "then" || prop == "catch" || prop == "finally")) {
    return "promise." + prop;  // new Promise(...).then(...) too
  }
  if (is_type(obj, "MemberExpression") && property(obj) == "promises" && canonical(obj) == "fs.promises") {
    return "fs.promises." + prop;
  }
  const std::string base = ident(obj);
  if (const Binding* b = lookup(base)) {
    if (b->kind == Bind::Promise && !thenables_.contains(b->text) && (prop == "then" || prop == "catch" || prop == "finally")) {
      return "promise." + prop;
    }
    if (b->kind != Bind::Module) return {};
    const std::string module = strip(b->text);
    return module == "timers" ? prop : module + "." + prop;
  }
  return base + "." + prop;
}

void Translator::call(const Json& c, Out& out, const std::string& path, const std::string& handle) {
  Depth depth(*this, c);
  if (ref_call(c, out, path, handle)) return;
  const std::string name = canonical(at(c, "callee"));
  const Json& args = at(c, "arguments");
  if (settle_call(c, out, path)) return;
  if (http_method_call(c, out, path)) return;
  if (name == "require") {
    static const std::set<std::string, std::less<>> modules = {"fs",          "crypto",      "http",
                                                               "timers",      "path",        "node:fs",
                                                               "node:crypto", "node:http",   "node:timers",
                                                               "node:path",   "timers/promises", "node:timers/promises",
                                                               "util",        "node:util",   "fs/promises",
                                                               "node:fs/promises"};
    if (args.size() != 1 || !is_type(args[0], "Literal") || !at(args[0], "value").is_string()) refuse(c, "require of a computed name");
    const std::string module = at(args[0], "value").get<std::string>();
    if (!modules.contains(module)) refuse(c, fmt::format("require('{}')", module));
    return;
  }
  if (name == "setTimeout" || name == "setInterval" || name == "setImmediate" || name == "clearTimeout" ||
      name == "clearInterval" || name == "clearImmediate" || name == "process.nextTick" || name == "queueMicrotask") {
    return timer(name, c, out, path, handle);
  }
  if (name == "console.log") return print(c, out, path);
  if (name == "http.get") return http_get(c, out, path, nullptr);
  if (name == "fs.readFile" || name == "crypto.pbkdf2") return io_call(name, c, out, path);
  if (name == "promise.then" || name == "promise.catch" || name == "promise.finally") return promise_chain(c, out, path);
  if (name == "process.on") return on_process_event(c, out, path);
  if (promise_like(c)) {
    promise_expr(c, out, path, "");
    return;
  }
  const Json& callee = at(c, "callee");
  if ((is_type(callee, "FunctionExpression") || is_type(callee, "ArrowFunctionExpression")) &&
      !callee.value("async", false) && !callee.value("generator", false)) {
    return function_call(c, out, path);  // (function (j) {...})(i)
  }
  if (name == "function") {
    // With arguments, or a return the old path refuses: put in place with its own bindings.
    const Binding* f = lookup(ident(at(c, "callee")));
    const bool returns = f != nullptr && f->node != nullptr && contains(at(*f->node, "body"), "ReturnStatement");
    if ((!args.empty() || returns) && plain_function(at(c, "callee"))) return function_call(c, out, path);
    return callback_body(at(c, "callee"), out, path, {}, nullptr, nullptr);
  }
  refuse(c, construct_name(c));
}

void Translator::timer(const std::string& name, const Json& c, Out& out, const std::string& path,
                       const std::string& handle) {
  const Json& args = at(c, "arguments");
  if (name.rfind("clear", 0) == 0) {
    const Binding* h = args.size() == 1 ? lookup(ident(args[0])) : nullptr;
    if (h == nullptr || h->kind != Bind::Handle) refuse(c, fmt::format("{} of something other than a const handle", name));
    const std::string key = name == "clearTimeout" ? "clear_timeout" : name == "clearInterval" ? "clear_interval" : "clear_immediate";
    return emit(out, path, c, Out{{key, h->text}});
  }
  const bool takes_delay = name == "setTimeout" || name == "setInterval";
  if (args.empty() || args.size() > (takes_delay ? 2u : 1u)) {
    refuse(c, fmt::format("{} with {} arguments (extra arguments for the callback)", name, args.size()));
  }
  // The delay first: one computed when the program runs puts a let before the timer.
  const Out ms = takes_delay && args.size() > 1 ? delay(args[1]) : Out(0);
  const std::string here = slot(out, path);
  Out action;
  const Binding* resolver = lookup(ident(args[0]));
  if (resolver != nullptr && resolver->kind == Bind::Resolver && name == "setTimeout") {
    // setTimeout(resolve, ms): the timer's callback is the resolving function itself.
    action["set_timeout"] = ms;
    action["then"] = Out::array({Out{{resolver->ms == 0 ? "resolve" : "reject", resolver->text}}});
    record(here + "/then/0", args[0]);
  } else if (takes_delay) {
    const std::string key = name == "setTimeout" ? "set_timeout" : "set_interval";
    action[key] = ms;
    action["then"] = callback(args[0], here + "/then", {});
  } else {
    const std::string key = name == "setImmediate" ? "set_immediate" : name == "process.nextTick" ? "next_tick" : "queue_microtask";
    action[key] = callback(args[0], here + "/" + key, {});
  }
  if (!handle.empty()) action["id"] = handle;
  emit(out, path, c, std::move(action));
}

void Translator::io_call(const std::string& name, const Json& c, Out& out, const std::string& path) {
  const Json& args = at(c, "arguments");
  const std::string here = slot(out, path);
  const Binding node_error = make(Bind::Unusable, "the error argument of a Node-style callback (a failure runs no callback here)");
  Out action;
  const Json* cb = nullptr;
  std::vector<Binding> params;
  if (name == "fs.readFile") {
    if (args.size() < 2 || args.size() > 3) refuse(c, "fs.readFile without (path, callback) or (path, encoding, callback)");
    if (args.size() == 3 && !(is_type(args[1], "Literal") && (at(args[1], "value") == "utf8" || at(args[1], "value") == "utf-8"))) {
      refuse(args[1], "an fs.readFile option other than 'utf8'");
    }
    action["fs_read"] = read_path(args[0]);
    cb = &args[args.size() - 1];
    // Without 'utf8' Node gives a Buffer: its length is the text's, but it prints as <Buffer ..>.
    params = {node_error, make(args.size() == 3 ? Bind::Text : Bind::Bytes)};
  } else if (name == "crypto.pbkdf2") {
    if (args.size() != 6) refuse(c, "crypto.pbkdf2 without (password, salt, iterations, keylen, digest, callback)");
    Val iterations = value(args[2]);
    const Json& digest_value = at(args[4], "value");
    const std::string digest = digest_value.is_string() ? digest_value.get<std::string>() : std::string();
    if (!iterations.number || *iterations.number < 1) refuse(args[2], "iterations known only when the program runs");
    if (digest != "sha256" && digest != "sha512") refuse(args[4], "a pbkdf2 digest other than 'sha256' or 'sha512'");
    const double per_ms = digest == "sha256" ? kPbkdf2Sha256PerMs : kPbkdf2Sha512PerMs;
    action["encrypt"] = kEncryptN;
    action["cost_ms"] = static_cast<std::int64_t>(std::llround(static_cast<double>(*iterations.number) / per_ms));
    cb = &args[5];
    params = {node_error, make(Bind::Unusable, "the derived key (a Buffer)")};
  } else {
    refuse(c, construct_name(c));  // only fs.readFile and crypto.pbkdf2 come here
  }
  // The value's name is the callback's parameter (data, res), so that the scenario reads as the program.
  const Json* fn = cb;
  if (const Binding* f = lookup(ident(*cb)); f != nullptr && f->kind == Bind::Function) fn = f->node;
  const Json& fparams = at(*fn, "params");  // null (size 0) when it has none
  const std::size_t value_index = 1;
  if (fparams.size() > value_index && is_type(fparams[value_index], "Identifier")) {
    if (params[value_index].kind != Bind::Unusable) action["as"] = ident(fparams[value_index]);
  }
  action["then"] = callback(*cb, here + "/then", params);
  emit(out, path, c, std::move(action));
}

// ---- http (issue 21): the response as Node's stream, and a server in the same program ----

// The name a callback gives its parameter `index` (a named function's too), or `fallback`.
std::string Translator::param_name(const Json& cb, std::size_t index, const std::string& fallback) {
  const Json* fn = &cb;
  if (const Binding* f = lookup(ident(cb)); f != nullptr && f->kind == Bind::Function) fn = f->node;
  const Json& params = at(*fn, "params");
  if (params.size() > index && is_type(params[index], "Identifier")) return ident(params[index]);
  return fallback;
}

// http.get(url, res => ...), with .on('error', cb) chained when `on_error` is given.
void Translator::http_get(const Json& c, Out& out, const std::string& path, const Json* on_error) {
  const Json& args = at(c, "arguments");
  if (args.size() != 2) refuse(c, "http.get without (url, callback) (an options object is not supported)");
  const std::string here = slot(out, path);
  Out action;
  action["http_get_stream"] = value(args[0]).text;
  action["as"] = param_name(args[1], 0, "res");
  action["then"] = callback(args[1], here + "/then", {make(Bind::Response)});
  if (on_error != nullptr) {
    const std::string err = param_name(*on_error, 0, "error");
    if (err != "error") action["catch_as"] = err;
    action["catch"] = callback(*on_error, here + "/catch", {make(Bind::Error)});
  }
  emit(out, path, c, std::move(action));
}

// const server = http.createServer((req, res) => { ... }).
void Translator::http_create_server(const Json& d, const std::string& name, const Json& init, Out& out,
                                    const std::string& path) {
  const Json& args = at(init, "arguments");
  if (args.size() != 1) refuse(init, "http.createServer without (handler) (options are not supported)");
  bind(d, name, make(Bind::Server, name));  // first: its handler may close it
  const std::string here = slot(out, path);
  Out action;
  action["http_server"] = name;
  const std::string req = param_name(args[0], 0, "req");
  const std::string res = param_name(args[0], 1, "res");
  if (req != "req") action["request"] = req;
  if (res != "res") action["response"] = res;
  action["then"] = callback(args[0], here + "/then", {make(Bind::Request), make(Bind::ServerResponse)});
  emit(out, path, init, std::move(action));
}

// A method of an http object: res.on('data' | 'end'), res.setEncoding, res.resume (a
// response); server.listen, server.close; res.end (a server's response); and
// http.get(...).on('error', cb). False when the callee is none of these objects.
bool Translator::http_method_call(const Json& c, Out& out, const std::string& path) {
  const Json& callee = at(c, "callee");
  if (!is_type(callee, "MemberExpression") || callee.value("computed", true)) return false;
  const Json& obj = at(callee, "object");
  const std::string prop = property(callee);
  const Json& args = at(c, "arguments");
  auto event = [&]() -> std::string {
    return !args.empty() && is_type(args[0], "Literal") && at(args[0], "value").is_string() ? at(args[0], "value").get<std::string>() : "";
  };
  if (is_type(obj, "CallExpression") && canonical(at(obj, "callee")) == "http.get" && prop == "on") {
    if (event() != "error" || args.size() != 2) refuse(c, "http.get(...).on other than .on('error', callback)");
    http_get(obj, out, path, &args[1]);
    return true;
  }
  const Binding* b = lookup(ident(obj));
  if (b == nullptr) return false;
  const std::string here = slot(out, path);
  const std::string name = ident(obj);
  if (b->kind == Bind::Response) {
    if (prop == "on" && event() == "data" && args.size() == 2) {
      emit(out, path, c, Out{{"on_data", name}, {"as", param_name(args[1], 0, "chunk")},
                             {"then", callback(args[1], here + "/then", {make(Bind::Text)})}});
    } else if (prop == "on" && event() == "end" && args.size() == 2) {
      emit(out, path, c, Out{{"on_end", name}, {"then", callback(args[1], here + "/then", {})}});
    } else if (prop == "setEncoding" && args.size() == 1 && (event() == "utf8" || event() == "utf-8")) {
      emit(out, path, c, Out{{"set_encoding", name}});
    } else if (prop == "resume" && args.empty()) {
      emit(out, path, c, Out{{"resume", name}});
    } else {
      refuse(c, fmt::format("{} (a response supports .on('data'), .on('end'), .setEncoding('utf8') and .resume())",
                            construct_name(c)));
    }
    return true;
  }
  if (b->kind == Bind::Server && prop == "listen" && (args.size() == 1 || args.size() == 2)) {
    Val port = value(args[0]);
    Out action{{"listen", name}, {"port", port.number ? Out(*port.number) : Out(port.text)}, {"as", name + "_port"}};
    action["then"] = args.size() == 2 ? callback(args[1], here + "/then", {}) : Out::array();
    emit(out, path, c, std::move(action));
    return true;
  }
  if (b->kind == Bind::Server && prop == "close" && args.size() <= 1) {
    emit(out, path, c, Out{{"close_server", name}, {"then", args.empty() ? Out::array() : callback(args[0], here + "/then", {})}});
    return true;
  }
  if (b->kind == Bind::ServerResponse && prop == "end" && args.size() <= 1) {
    Out action{{"respond", name}};
    if (!args.empty()) action["body"] = value(args[0]).text;
    emit(out, path, c, std::move(action));
    return true;
  }
  if (b->kind == Bind::Server || b->kind == Bind::ServerResponse || b->kind == Bind::Request) {
    refuse(c, fmt::format("{} (a server supports .listen(port, callback) and .close(callback); its handler's res, "
                          ".end(body))", construct_name(c)));
  }
  return false;
}

void Translator::print(const Json& c, Out& out, const std::string& path) {
  const Json& args = at(c, "arguments");
  std::string text;
  for (std::size_t i = 0; i < args.size(); ++i) {
    Val v = value(args[i]);
    // console.log('%s x', a) formats; a single string prints as it is.
    if (i == 0 && args.size() > 1 && v.is_string && v.text.find('%') != std::string::npos) {
      refuse(args[0], "console.log with % placeholders");
    }
    if (v.text.find('\n') != std::string::npos || v.text.find('\r') != std::string::npos) {
      refuse(args[i], "console.log of text with a line break (log each line)");
    }
    text += (i > 0 ? " " : "") + v.text;
  }
  emit(out, path, c, Out{{"print", text}});
}

// Promise.resolve(v).then(...).catch(...)...: one promise action with its chain.
void Translator::promise_chain(const Json& c, Out& out, const std::string& path) {
  std::vector<const Json*> steps;
  const Json* start_node = &c;
  while (is_type(*start_node, "CallExpression") && canonical(at((*start_node), "callee")).rfind("promise.", 0) == 0) {
    steps.push_back(start_node);
    start_node = &at(at(*start_node, "callee"), "object");
  }
  const std::string start = is_type(*start_node, "CallExpression") ? canonical(at((*start_node), "callee")) : "";
  // Promise.resolve(p) of a promise or a thenable is a promise the steps attach to as a value.
  const bool of_promise = start == "Promise.resolve" && at(*start_node, "arguments").size() == 1 &&
                          promise_like(at(*start_node, "arguments")[0]);
  if ((start != "Promise.resolve" && start != "Promise.reject") || steps_adopt(steps) || has_finally(steps) ||
      of_promise) {
    if (promise_like(*start_node)) {
      promise_then(*start_node, steps, out, path, "");
      return;
    }
    // Promise.all(...).then, new Promise(...).then: the start is what is not supported.
    const bool named = is_type(*start_node, "CallExpression") || is_type(*start_node, "NewExpression");
    refuse(*start_node, named ? construct_name(*start_node) : "a .then or .catch on this value");
  }
  const Json& args = at((*start_node), "arguments");
  Out action;
  action["promise"] = start == "Promise.resolve" ? "resolve" : "reject";
  if (start == "Promise.resolve" && args.size() == 1) action["value"] = value(args[0]).text;
  if (start == "Promise.reject") {
    const Json* e = args.size() == 1 ? &args[0] : nullptr;
    if (e == nullptr || !is_type(*e, "NewExpression") || !is_ident(at((*e), "callee"), "Error") || at((*e), "arguments").size() != 1) {
      refuse(*start_node, "Promise.reject of anything but new Error(message)");
    }
    action["value"] = value(at((*e), "arguments")[0]).text;
  }
  if (args.size() > 1) refuse(*start_node, fmt::format("{} with more than one argument", start));
  const std::string base = slot(out, path);
  Out chain = Out::array();
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    const std::string kind = canonical(at((**it), "callee"));
    if (kind == "promise.finally") refuse(**it, ".finally");
    chain.push_back(chain_step(**it, kind == "promise.catch", fmt::format("{}/chain/{}", base, chain.size())));
  }
  action["chain"] = std::move(chain);
  emit(out, path, c, std::move(action));
}

Out Translator::chain_step(const Json& step, bool is_catch, const std::string& path) {
  const Json& args = at(step, "arguments");
  const std::string what = is_catch ? ".catch" : ".then";
  if (args.size() != 1) refuse(step, fmt::format("{} with {} callbacks", what, args.size()));
  const Json& fn = args[0];
  const Json& params = at(fn, "params");
  Out s;
  std::optional<Val> result;
  bool throws = false;
  std::vector<Binding> bound = {make(is_catch ? Bind::Error : Bind::Text)};
  const std::string key = is_catch ? "catch" : "then";
  Out body = Out::array();
  std::string adopt;
  std::string* outer_adopt = std::exchange(adopt_, &adopt);
  callback_body(fn, body, path + "/" + key, bound, &result, &throws);
  adopt_ = outer_adopt;
  s[key] = std::move(body);
  if (!params.empty() && is_type(params[0], "Identifier")) s["as"] = ident(params[0]);
  if (result) s[throws ? "throw" : "return"] = result->text;
  if (!adopt.empty()) s["return_promise"] = adopt;
  return s;
}

Out Translator::callback(const Json& fn, const std::string& path, const std::vector<Binding>& params) {
  Out body = Out::array();
  callback_body(fn, body, path, params, nullptr, nullptr);
  return body;
}

// A callback's statements, with its parameters bound as the caller gives them. A promise
// step (result != nullptr) may end with `return v` or `throw new Error(m)`.
void Translator::callback_body(const Json& fn_in, Out& body, const std::string& path,
                               const std::vector<Binding>& params, std::optional<Val>* result, bool* throws) {
  const Json* fn = &fn_in;
  Place later(*this, nullptr, {});
  std::vector<std::map<std::string, Binding>> saved;
  if (is_type(fn_in, "Identifier")) {
    const Binding* f = lookup(ident(fn_in));
    if (f == nullptr || f->kind != Bind::Function) refuse(fn_in, fmt::format("{} as a callback (it is not a function here)", ident(fn_in)));
    fn = f->node;
    if (inlining_.contains(fn)) refuse(fn_in, "a function that schedules itself (recursion)");
    // Its body sees the names where it was declared, not where it is used.
    saved = scopes_;
    scopes_.resize(f->scope);
  }
  if (!is_type(*fn, "ArrowFunctionExpression") && !is_type(*fn, "FunctionExpression") &&
      !is_type(*fn, "FunctionDeclaration")) {
    refuse(*fn, fmt::format("{} as a callback", construct_name(*fn)));
  }
  if (fn->value("generator", false)) refuse(*fn, construct_name(*fn));
  if (fn->value("async", false) && result == nullptr) return async_callback(*fn, body, path, params, saved);
  if (fn->value("async", false)) return async_step(*fn, body, path, params, saved);
  const bool outer_async = std::exchange(in_async_, false);
  inlining_.insert(fn);
  scopes_.emplace_back();
  const Json& fparams = at((*fn), "params");
  for (std::size_t i = 0; i < fparams.size(); ++i) {
    const std::string name = ident(fparams[i]);
    if (name.empty()) refuse(fparams[i], "a parameter with a default or destructuring");
    Binding b = i < params.size() ? params[i] : make(Bind::Unusable, "a parameter this callback is never given");
    b.text = b.kind == Bind::Unusable || b.kind == Bind::Resolver ? b.text : name;
    bind(fparams[i], name, b);
  }
  const Json& code = at((*fn), "body");
  if (is_type(code, "BlockStatement")) {
    const Json& list = at(code, "body");
    std::size_t n = list.size();
    if (result != nullptr && n > 0 && (is_type(list[n - 1], "ReturnStatement") || is_type(list[n - 1], "ThrowStatement"))) --n;
    hoist_functions(list);
    for (std::size_t i = 0; i < n; ++i) statement(list, i, body, path);
    if (n < list.size()) step_end(list[n], body, path, result, throws);
  } else if (result != nullptr && adopt_ != nullptr && promise_like(code)) {
    *adopt_ = promise_expr(code, body, path, "");  // () => sleep(10): the step returns that promise
  } else if (is_type(code, "CallExpression") && !(result != nullptr && returns_promise(code))) {
    Place place(*this, &body, path);  // () => greet(n): the call is the body's one statement
    call(code, body, path);
  } else if (result != nullptr) {
    *result = value(code);  // v => `got ${v}`: the step's value
  } else {
    refuse(code, construct_name(code));
  }
  scopes_.pop_back();
  inlining_.erase(fn);
  in_async_ = outer_async;
  if (!saved.empty()) scopes_ = std::move(saved);
}

// A promise step's last statement: `throw new Error(m)`, `return v`, or `return p` (the next
// step then waits for p).
void Translator::step_end(const Json& last, Out& body, const std::string& path, std::optional<Val>* result,
                          bool* throws) {
  const Json& arg = at(last, "argument");
  *throws = is_type(last, "ThrowStatement");
  if (*throws) {
    if (!is_type(arg, "NewExpression") || !is_ident(at(arg, "callee"), "Error") || at(arg, "arguments").size() != 1) {
      refuse(last, "throwing anything but new Error(message)");
    }
    *result = value(at(arg, "arguments")[0]);
  } else if (!arg.is_null() && promise_like(arg) && adopt_ != nullptr) {
    *adopt_ = promise_expr(arg, body, path, "");
  } else if (!arg.is_null()) {
    *result = value(arg);
  }
}

// ---- values ----

Val Translator::value(const Json& e) {
  Depth depth(*this, e);
  const std::string type = type_of(e);
  if (type == "Literal" && !e.contains("regex")) {
    const Json& v = at(e, "value");
    if (v.is_string()) return {escaped(v.get<std::string>()), true, std::nullopt};
    if (v.is_number_integer()) return {std::to_string(v.get<std::int64_t>()), false, v.get<std::int64_t>()};
    if (v.is_number_unsigned() || v.is_number_float()) refuse(e, "a number that is not a whole number below 2^63");
    if (v.is_boolean()) return {v.get<bool>() ? "true" : "false", false, std::nullopt};
    if (v.is_null()) return {"null", false, std::nullopt};
  }
  if (type == "TemplateLiteral") {
    Val out{{}, true, std::nullopt};
    const Json& quasis = at(e, "quasis");
    const Json& exprs = at(e, "expressions");
    for (std::size_t i = 0; i < quasis.size(); ++i) {
      const Json& cooked = at(at(quasis[i], "value"), "cooked");
      if (!cooked.is_string()) refuse(quasis[i], "an invalid escape in a template");
      out.text += escaped(cooked.get<std::string>());
      if (i < exprs.size()) out.text += value(exprs[i]).text;
    }
    return out;
  }
  if (type == "Identifier") {
    const std::string name = ident(e);
    const Binding* b = lookup(name);
    if (b == nullptr && name == "undefined") return {"undefined", false, std::nullopt};
    if (b == nullptr) refuse(e, fmt::format("the name {} (not defined here, or not a const of a value)", name));
    switch (b->kind) {
      case Bind::Text: return {"${" + b->text + "}", true, std::nullopt};
      case Bind::Number: return {"${" + b->text + "}", false, std::nullopt};
      case Bind::Variable: return {"${" + b->text + "}", false, std::nullopt};
      case Bind::Inline: return {b->text, b->is_string, b->number};
      case Bind::Error: refuse(e, fmt::format("printing an Error object (print {}.message)", name));
      case Bind::Bytes: refuse(e, fmt::format("printing a Buffer (read with 'utf8' to get text, or print {}.length)", name));
      case Bind::Response: refuse(e, fmt::format("printing the whole response object (print {}.statusCode)", name));
      case Bind::Unusable: refuse(e, fmt::format("{}: {}", name, b->text));
      default: refuse(e, fmt::format("{} as a value", name));
    }
  }
  if (type == "MemberExpression") return member_value(e);
  if (type == "CallExpression" && plain_function(at(e, "callee"))) return call_value(e);
  if ((type == "LogicalExpression" || type == "UnaryExpression") && out_ != nullptr) return hoisted(e);
  if (returns_promise(e)) refuse(e, "a promise as a value (returned from .then or .catch, or kept in a variable)");
  if (type == "BinaryExpression") return binary_value(e);
  refuse(e, construct_name(e));
}

Val Translator::member_value(const Json& e) {
  const std::string prop = property(e);
  // server.address().port: the port listen's callback binds (as server_port).
  if (const Json& o = at(e, "object"); prop == "port" && is_type(o, "CallExpression") && at(o, "arguments").empty() &&
                                        property(at(o, "callee")) == "address") {
    const Binding* server = lookup(ident(at(at(o, "callee"), "object")));
    if (server != nullptr && server->kind == Bind::Server) return {"${" + server->text + "_port}", false, std::nullopt};
  }
  const std::string name = ident(at(e, "object"));
  const Binding* b = name.empty() ? nullptr : lookup(name);
  if (b != nullptr && !prop.empty()) {
    if ((b->kind == Bind::Text || b->kind == Bind::Bytes) && prop == "length") {
      return {"${" + b->text + ".length}", false, std::nullopt};
    }
    if (b->kind == Bind::Error && prop == "message") return {"${" + b->text + "}", true, std::nullopt};
    if (b->kind == Bind::Response && prop == "statusCode") return {"${" + b->text + ".statusCode}", false, std::nullopt};
    if (b->kind == Bind::Response && prop == "statusMessage") return {"${" + b->text + ".statusMessage}", true, std::nullopt};
    if (b->kind == Bind::Request && (prop == "url" || prop == "method")) return {"${" + b->text + "." + prop + "}", true, std::nullopt};
  }
  refuse(e, construct_name(e));
}

// `+` joins text (or adds numbers known now); `*` of a loop counter by a power of ten is
// the counter with zeros, which is how a scenario writes "${i}00".
Val Translator::binary_value(const Json& e) {
  const std::string op = e.value("operator", "");
  Val l = value(at(e, "left"));
  Val r = value(at(e, "right"));
  if (l.number && r.number && (op == "+" || op == "-" || op == "*")) {
    std::int64_t v = 0;
    bool overflow = op == "+"   ? __builtin_add_overflow(*l.number, *r.number, &v)
                    : op == "-" ? __builtin_sub_overflow(*l.number, *r.number, &v)
                                : __builtin_mul_overflow(*l.number, *r.number, &v);
    if (overflow) refuse(e, "arithmetic past 2^63");
    return {std::to_string(v), false, v};
  }
  if (op == "+" && (l.is_string || r.is_string)) return {l.text + r.text, true, std::nullopt};
  if (op == "*" && (l.number || r.number)) {
    const Val& known = l.number ? l : r;
    const Val& counter = l.number ? r : l;
    std::string zeros = known.text.substr(1);
    bool power_of_ten = !known.text.empty() && known.text[0] == '1' && zeros.find_first_not_of('0') == std::string::npos;
    if (power_of_ten && !counter.is_string && counter.text.rfind("${", 0) == 0) {
      return {counter.text + zeros, false, std::nullopt};
    }
  }
  if (out_ != nullptr) return hoisted(e);  // count * 2: computed by a let just before, when it runs
  refuse(e, fmt::format("the {} operator on a value known only when the program runs", op));
}

// fs.readFile's path. A scenario's paths start at its folder, which for a .js file is the
// program's own, the folder __dirname names: so __filename is the file's name, and
// __dirname + '/x' and path.join(__dirname, 'x') are x. (Printed, __dirname would be a
// different text from Node's absolute path, so only a path may use them.)
std::string Translator::read_path(const Json& e) {
  auto global = [this](const Json& n, std::string_view name) { return is_ident(n, name) && lookup(std::string(name)) == nullptr; };
  if (global(e, "__filename")) return escaped(file_name());
  if (is_type(e, "BinaryExpression") && e.value("operator", "") == "+" && global(at(e, "left"), "__dirname")) {
    std::string relative = ".";
    relative += value(at(e, "right")).text;
    return relative;
  }
  if (is_type(e, "CallExpression") && canonical(at(e, "callee")) == "path.join") {
    std::string joined;
    for (const Json& part : at(e, "arguments")) {
      if (global(part, "__dirname") && joined.empty()) continue;
      Val v = value(part);
      if (!v.is_string) refuse(part, "a path.join part that is not text");
      if (!joined.empty()) joined += '/';
      joined += v.text;
    }
    if (joined.empty()) refuse(e, "path.join without a file name");
    return joined;
  }
  return value(e).text;
}

Out Translator::delay(const Json& e) {
  Val v = value(e);
  if (v.number) return Out(*v.number);
  if (v.is_string) refuse(e, "a delay written as text");
  return Out(v.text);
}

// ---- state (issue 21) ----

// Every name an assignment or ++/-- targets, anywhere in the program (by name: a shadowed
// name only makes an outer let a variable that need not be, which changes nothing it
// prints). A counted for loop's own i++ is the loop's, not the program's. Iterative, so
// that a deep tree cannot overflow the stack before the translator's depth check sees it.
std::set<std::string> Translator::assigned_names(const Json& program) {
  std::set<std::string> names;
  std::vector<const Json*> todo = {&program};
  while (!todo.empty()) {
    const Json* n = todo.back();
    todo.pop_back();
    if (is_type(*n, "AssignmentExpression")) names.insert(ident(at(*n, "left")));
    if (is_type(*n, "UpdateExpression")) names.insert(ident(at(*n, "argument")));
    const bool counted_for = is_type(*n, "ForStatement");
    if (n->is_object()) {
      for (const auto& [key, child] : n->items()) {
        if (!(counted_for && key == "update") && (child.is_object() || child.is_array())) todo.push_back(&child);
      }
    } else if (n->is_array()) {
      for (const Json& child : *n) todo.push_back(&child);
    }
  }
  names.erase("");
  return names;
}

bool Translator::mentions_variable(const Json& e) const {
  if (is_type(e, "Identifier")) {
    const Binding* b = lookup(ident(e));
    return b != nullptr && b->kind == Bind::Variable;
  }
  if (is_type(e, "BinaryExpression") || is_type(e, "LogicalExpression")) {
    return mentions_variable(at(e, "left")) || mentions_variable(at(e, "right"));
  }
  if (is_type(e, "UnaryExpression")) return mentions_variable(at(e, "argument"));
  if (is_type(e, "CallExpression") && plain_function(at(e, "callee"))) return mentions_runtime(e);
  if (is_type(e, "TemplateLiteral")) {
    for (const Json& x : at(e, "expressions")) {
      if (mentions_variable(x)) return true;
    }
  }
  return false;
}


// ---- promises as values, async and await (issue 21) ----

// An expression that makes (or names) a promise the scenario can name.
bool Translator::promise_like(const Json& e) const {
  if (is_type(e, "Identifier")) {
    const Binding* b = lookup(ident(e));
    return b != nullptr && b->kind == Bind::Promise;
  }
  if (is_type(e, "NewExpression")) return is_ident(at(e, "callee"), "Promise");
  if (is_type(e, "ObjectExpression")) return then_method(e) != nullptr;  // a thenable: await and resolve take it
  if (!is_type(e, "CallExpression")) return false;
  const Json& callee = at(e, "callee");
  if (is_type(callee, "ArrowFunctionExpression") || is_type(callee, "FunctionExpression")) {
    return callee.value("async", false);
  }
  const std::string name = canonical(callee);
  if (name.rfind("Promise.", 0) == 0 || name.rfind("promise.", 0) == 0) return true;
  if (name == "timers/promises.setTimeout" || name == "node:timers/promises.setTimeout") return true;
  if (name == "fs.promises.readFile" || name == "fs/promises.readFile" || name == "promisified fs.readFile") return true;
  if (name == "function") {
    const Binding* f = lookup(ident(callee));
    if (f == nullptr || f->node == nullptr) return false;
    return f->node->value("async", false) || returned_promise(*f->node) != nullptr;
  }
  return false;
}

// let count = 0 (a name the program changes): a `let` action, and a name that reads it.
void Translator::variable(const Json& d, const std::string& name, const std::string& kind, Out& out,
                          const std::string& path) {
  if (kind == "const" && assigned_.contains(name)) {
    refuse(d, fmt::format("assigning the const {} (JavaScript throws a TypeError; declare it with let)", name));
  }
  // The value is read before the name exists: `let x = x + 1` reads an outer x.
  Out value = expression_value(at(d, "init"));
  const std::string own = renaming_ > 0 ? local_name(name) : name;  // each call's let is its own
  Binding b = make(Bind::Variable, own);
  // let body = '': text, so `body += chunk` joins, as in JavaScript (text_arithmetic).
  const Json& init = at(d, "init");
  b.is_string = is_type(init, "TemplateLiteral") || (is_type(init, "Literal") && at(init, "value").is_string());
  bind(d, name, std::move(b));
  emit(out, path, d, Out{{"let", own}, {"value", std::move(value)}});
}

// count = 1, count += 2, count++, x = 'a' + x: a `set` of the variable.
void Translator::assignment(const Json& e, Out& out, const std::string& path) {
  const bool update = is_type(e, "UpdateExpression");
  const Json& target = at(e, update ? "argument" : "left");
  const std::string name = ident(target);
  const std::string op = e.value("operator", "");
  const Binding* b = name.empty() ? nullptr : lookup(name);
  if (b != nullptr && b->kind == Bind::Handle && op == "=" && is_type(at(e, "right"), "CallExpression")) {
    const std::string timer = canonical(at(at(e, "right"), "callee"));
    if (timer == "setTimeout" || timer == "setInterval" || timer == "setImmediate") {
      return call(at(e, "right"), out, path, b->text);
    }
  }
  if (b == nullptr || b->kind != Bind::Variable) {
    refuse(target, name.empty() ? "assignment to anything but a variable's name (a field, an index, destructuring)"
                                : fmt::format("assignment to {} (only a let variable of the program can change; a "
                                              "const, a parameter or a loop counter cannot here)", name));
  }
  Out value;
  if (update) {
    value = fmt::format("{} {} 1", b->text, op == "++" ? "+" : "-");
  } else if (op == "=") {
    value = expression_value(at(e, "right"));
  } else if (op == "+=" || op == "-=" || op == "*=" || op == "%=") {
    text_arithmetic(target, at(e, "right"), op.substr(0, 1));
    value = fmt::format("{} {} ({})", b->text, op.substr(0, 1), expression(at(e, "right")));
  } else {
    refuse(e, fmt::format("the {} operator", op));
  }
  emit(out, path, e, Out{{"set", b->text}, {"value", std::move(value)}});
}

void Translator::if_statement(const Json& st, Out& out, const std::string& path) {
  // Inside a called function whose arguments are known now, an if over them is decided now:
  // a recursion over them (tick(n - 1)) ends when the translation does.
  if (std::optional<Val> known = renaming_ > 0 ? constant(at(st, "test")) : std::nullopt) {
    const bool holds = known->number ? *known->number != 0
                                     : !(known->text.empty() || known->text == "false" || known->text == "null" ||
                                         known->text == "undefined");
    const Json& taken = at(st, holds ? "consequent" : "alternate");
    if (taken.is_null()) return;
    const Json& list = is_type(taken, "BlockStatement") ? at(taken, "body") : Json::array({taken});
    scopes_.emplace_back();
    hoist_functions(list);
    for (std::size_t j = 0; j < list.size(); ++j) statement(list, j, out, path);
    scopes_.pop_back();
    return;
  }
  Out action;
  action["if"] = expression_value(at(st, "test"));  // first: it may put lets before the if
  const std::string here = slot(out, path);
  action["then"] = branch(at(st, "consequent"), here + "/then");
  if (!at(st, "alternate").is_null()) action["else"] = branch(at(st, "alternate"), here + "/else");
  emit(out, path, st, std::move(action));
}

// An if's branch: a block, or one statement (an else if is an if in the else).
Out Translator::branch(const Json& st, const std::string& path) {
  scopes_.emplace_back();
  Out actions = Out::array();
  if (is_type(st, "BlockStatement")) {
    actions = statements(at(st, "body"), path);
  } else {
    Json one = Json::array({st});
    std::size_t k = 0;
    statement(one, k, actions, path);
  }
  scopes_.pop_back();
  return actions;
}

// t.unref(), t.ref(), setTimeout(...).unref(): false when the call is not one of these.
bool Translator::ref_call(const Json& c, Out& out, const std::string& path, const std::string& handle) {
  const std::string prop = property(at(c, "callee"));
  if (prop != "unref" && prop != "ref") return false;
  if (!at(c, "arguments").empty()) refuse(c, fmt::format(".{}() with arguments", prop));
  const Json& obj = at(at(c, "callee"), "object");
  std::string name = ident(obj);
  if (const Binding* b = name.empty() ? nullptr : lookup(name); b != nullptr && b->kind == Bind::Handle) {
    name = b->text;
  } else if (is_type(obj, "CallExpression") &&
             (canonical(at(obj, "callee")) == "setTimeout" || canonical(at(obj, "callee")) == "setInterval")) {
    // The timer gets a handle for the unref to name: the const's, or one made from its place.
    const auto [line, column] = place(obj);
    name = handle.empty() ? fmt::format("timer_{}_{}", line, column) : handle;
    call(obj, out, path, name);
  } else {
    refuse(c, fmt::format(".{}() of an immediate, or of anything but a timer or an interval", prop));
  }
  emit(out, path, c, Out{{prop, name}});
  return true;
}

std::string Translator::quoted(const Json& n, const std::string& text) const {
  std::string out = "'";
  for (char ch : text) {
    if (ch == '\n' || ch == '\r') refuse(n, "text with a line break in a condition or assignment");
    if (ch == '\\' || ch == '\'') out += '\\';
    out += ch;
  }
  return out + "'";
}

// As the JSON writes it: a literal number, boolean or null as itself; an expression without
// its outer parentheses.
Out Translator::expression_value(const Json& e) {
  const std::string type = type_of(e);
  std::string text = expression(e);
  if (type == "Literal" && at(e, "value").is_number_integer()) return Out(at(e, "value").get<std::int64_t>());
  if (type == "Literal" && at(e, "value").is_boolean()) return Out(at(e, "value").get<bool>());
  if (type == "Literal" && at(e, "value").is_null()) return Out(nullptr);
  if ((type == "BinaryExpression" || type == "LogicalExpression") && text.size() > 2) {
    return text.substr(1, text.size() - 2);  // expression() wrapped the whole in one pair
  }
  return text;
}

// A JavaScript expression as the scenario's (scenario/expr.h): the same operators, so the
// text is the program's, parenthesised as the tree says.
std::string Translator::expression(const Json& e) {
  Depth depth(*this, e);
  const std::string type = type_of(e);
  const std::string op = e.value("operator", "");
  if (type == "Literal" && !e.contains("regex")) {
    const Json& v = at(e, "value");
    if (v.is_string()) return quoted(e, v.get<std::string>());
    if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_null()) return "null";
    refuse(e, "a number that is not a whole number below 2^63");
  }
  if (type == "CallExpression" && plain_function(at(e, "callee"))) return call_expression(e);
  if (type == "Identifier") {
    const Binding* b = lookup(ident(e));
    if (b != nullptr && (b->kind == Bind::Variable || b->kind == Bind::Number || b->kind == Bind::Text)) return b->text;
    if (b != nullptr && b->kind == Bind::Inline && b->text.size() > 3 && b->text.rfind("${", 0) == 0 &&
        b->text.back() == '}' && scenario_name(b->text.substr(2, b->text.size() - 3))) {
      return b->text.substr(2, b->text.size() - 3);  // a parameter given a loop's index or a callback's value
    }
    if (b != nullptr && b->kind == Bind::Inline && b->number) return std::to_string(*b->number);
    if (b != nullptr && b->kind == Bind::Inline && (b->text == "true" || b->text == "false" || b->text == "null")) {
      return b->text;
    }
    if (b != nullptr && b->kind == Bind::Inline && b->is_string && b->text.find('$') == std::string::npos) {
      return quoted(e, b->text);
    }
    value(e);  // refuses it, with what the name is
    refuse(e, fmt::format("{} in a condition or assignment", ident(e)));
  }
  if (type == "TemplateLiteral") {
    std::string out = "''";  // '' + ... joins as text, as the template does
    const Json& quasis = at(e, "quasis");
    const Json& exprs = at(e, "expressions");
    for (std::size_t i = 0; i < quasis.size(); ++i) {
      const Json& cooked = at(at(quasis[i], "value"), "cooked");
      if (!cooked.is_string()) refuse(quasis[i], "an invalid escape in a template");
      if (!cooked.get<std::string>().empty()) out += " + " + quoted(quasis[i], cooked.get<std::string>());
      if (i < exprs.size()) out += " + (" + expression(exprs[i]) + ")";
    }
    return "(" + out + ")";
  }
  static const std::set<std::string, std::less<>> binary = {"+", "-", "*", "%", "<", "<=", ">", ">=", "===", "!==",
                                                            "&&", "||"};
  if (type == "BinaryExpression") text_arithmetic(at(e, "left"), at(e, "right"), op);
  if ((type == "BinaryExpression" || type == "LogicalExpression") && binary.contains(op)) {
    return fmt::format("({} {} {})", expression(at(e, "left")), op, expression(at(e, "right")));
  }
  if (type == "BinaryExpression" && (op == "==" || op == "!=")) {
    refuse(e, fmt::format("the {} operator (it converts between types; write {}=)", op, op));
  }
  if (type == "UnaryExpression" && (op == "!" || op == "-")) return fmt::format("{}{}", op, expression(at(e, "argument")));
  if (type == "UpdateExpression" || type == "AssignmentExpression") {
    refuse(e, "changing a variable inside an expression (write count++ or count = ... as a statement of its own)");
  }
  if (type == "MemberExpression") refuse(e, fmt::format("{} in a condition or assignment (only names)", construct_name(e)));
  refuse(e, construct_name(e));
}

// What a plain function returns when it returns a promise: `ms => new Promise(...)`, or a
// block whose last statement is `return new Promise(...)` (null otherwise).
const Json* Translator::returned_promise(const Json& fn) const {
  const Json& body = at(fn, "body");
  if (!is_type(body, "BlockStatement")) return promise_like(body) ? &body : nullptr;
  const Json& list = at(body, "body");
  if (list.empty() || !is_type(list[list.size() - 1], "ReturnStatement")) return nullptr;
  const Json& arg = at(list[list.size() - 1], "argument");
  return promise_like(arg) ? &arg : nullptr;
}

// const v = await p, const p = <a promise>, const q = p, const sleep = util.promisify(setTimeout).
bool Translator::promise_declarator(const Json& d, const std::string& name, const Json& init, Out& out,
                                    const std::string& path) {
  if (is_type(init, "AwaitExpression")) {
    await_into(init, out, path, name);
    bind(d, name, make(Bind::Text, name));
  } else if (is_promisify_of(init, "setTimeout")) {
    bind(d, name, make(Bind::Member, "timers/promises.setTimeout"));
  } else if (is_promisify_of(init, "fs.readFile")) {
    bind(d, name, make(Bind::Member, "promisified fs.readFile"));
  } else if (promise_like(init)) {
    bind(d, name, make(Bind::Promise, promise_expr(init, out, path, name)));
  } else {
    return false;
  }
  return true;
}

// const f = () => ...: put where it is used. `ms => new Promise(...)` returns a promise;
// other expression bodies are refused where they are written, even if never called.
Binding Translator::function_binding(const Json& init) {
  if (init.value("generator", false)) refuse(init, construct_name(init));
  const Json& body = at(init, "body");
  if (!init.value("async", false) && !is_type(body, "BlockStatement") && !is_type(body, "CallExpression") &&
      !promise_like(body) && !is_type(body, "Literal") && !is_type(body, "Identifier") &&
      !is_type(body, "TemplateLiteral") && !is_type(body, "BinaryExpression") && !is_type(body, "LogicalExpression") &&
      !is_type(body, "UnaryExpression")) {
    refuse(body, construct_name(body));  // (a, b) => a + b is a value a call reads (call_value)
  }
  return make(Bind::Function, {}, 0, &init, scopes_.size());
}

// An async callback: the callback calls it, and its body runs as an async function (in the
// scope it was declared in, which `saved` holds the caller's from).
void Translator::async_callback(const Json& fn, Out& body, const std::string& path, const std::vector<Binding>& params,
                                std::vector<std::map<std::string, Binding>>& saved) {
  Out action = async_function(fn, path + "/" + std::to_string(body.size()) + "/async", params);
  if (!saved.empty()) scopes_ = std::move(saved);
  record(slot(body, path), fn);
  body.push_back(std::move(action));
}

// util.promisify(fn) of a known function: setTimeout gives timers/promises' setTimeout
// (util.promisify.custom), fs.readFile a promise its read settles.
bool Translator::is_promisify_of(const Json& e, std::string_view fn) const {
  if (!is_type(e, "CallExpression")) return false;
  const std::string name = canonical(at(e, "callee"));
  const Json& args = at(e, "arguments");
  return (name == "util.promisify" || name == "node:util.promisify") && args.size() == 1 && canonical(args[0]) == fn;
}

bool Translator::steps_adopt(const std::vector<const Json*>& steps) const {
  for (const Json* step : steps) {
    const Json& args = at(*step, "arguments");
    if (args.size() != 1) continue;
    if (args[0].value("async", false)) return true;  // the step returns the async function's promise
    const Json& body = at(args[0], "body");
    const Json& list = at(body, "body");
    if (is_type(body, "BlockStatement") && !list.empty() && is_type(list[list.size() - 1], "ReturnStatement") &&
        promise_like(at(list[list.size() - 1], "argument"))) {
      return true;
    }
    if (!is_type(body, "BlockStatement") && promise_like(body)) return true;
  }
  return false;
}

// The actions that make the promise `e` is, appended to `out`; returns its name (`id`
// when the program names it, a fresh one otherwise, or the name it already has).
std::string Translator::promise_expr(const Json& e, Out& out, const std::string& path, std::string id) {
  Depth depth(*this, e);
  if (is_type(e, "Identifier")) return lookup(ident(e))->text;
  if (id.empty()) id = fresh_name();
  if (is_type(e, "NewExpression")) return new_promise(e, out, path, id);
  if (is_type(e, "ObjectExpression")) return thenable(e, out, path, id);
  const Json& callee = at(e, "callee");
  if (is_type(callee, "ArrowFunctionExpression") || is_type(callee, "FunctionExpression")) {
    Out action = async_function(callee, slot(out, path) + "/async", argument_bindings(at(e, "arguments")));
    action["id"] = id;
    emit(out, path, e, std::move(action));
    return id;
  }
  return promise_call(e, canonical(callee), out, path, id);
}

std::string Translator::promise_call(const Json& c, const std::string& callee, Out& out, const std::string& path,
                                     const std::string& id) {
  const Json& args = at(c, "arguments");
  if (callee == "Promise.resolve" || callee == "Promise.reject") return settled_promise(c, callee == "Promise.reject", out, path, id);
  if (callee == "Promise.all" || callee == "Promise.race" || callee == "Promise.allSettled" || callee == "Promise.any") {
    return combinator(c, callee, out, path, id);
  }
  if (callee.rfind("promise.", 0) == 0) {
    std::vector<const Json*> steps;
    const Json* start = &c;
    while (is_type(*start, "CallExpression") && canonical(at(*start, "callee")).rfind("promise.", 0) == 0) {
      steps.push_back(start);
      start = &at(at(*start, "callee"), "object");
    }
    if (!promise_like(*start)) refuse(*start, "a .then or .catch on this value");
    return promise_then(*start, steps, out, path, id);
  }
  if (callee == "fs.promises.readFile" || callee == "fs/promises.readFile" || callee == "promisified fs.readFile") {
    if (args.size() != 2 || !(is_type(args[1], "Literal") && (at(args[1], "value") == "utf8" || at(args[1], "value") == "utf-8"))) {
      refuse(c, fmt::format("{} without (path, 'utf8')", callee));
    }
    emit(out, path, c, Out{{"read_file", read_path(args[0])}, {"id", id}});
    return id;
  }
  if (callee.ends_with("timers/promises.setTimeout")) {
    if (args.empty() || args.size() > 2) refuse(c, "timers/promises' setTimeout without (ms) or (ms, value)");
    Out action{{"sleep", delay(args[0])}, {"id", id}};
    if (args.size() == 2) action["value"] = value(args[1]).text;
    emit(out, path, c, std::move(action));
    return id;
  }
  if (callee == "function") {
    const Binding* f = lookup(ident(at(c, "callee")));
    if (inlining_.contains(f->node)) refuse(c, "a function that calls itself (recursion)");
    const Json* node = f->node;
    std::vector<Binding> params = argument_bindings(args);  // in the caller's scope
    std::vector<std::map<std::string, Binding>> saved = scopes_;
    scopes_.resize(f->scope);
    if (node->value("async", false)) {
      Out action = async_function(*node, slot(out, path) + "/async", params);
      action["id"] = id;
      scopes_ = std::move(saved);
      emit(out, path, c, std::move(action));
      return id;
    }
    // ms => new Promise(...): the body's promise, with the arguments' values, after the
    // statements before its return.
    inlining_.insert(node);
    bind_arguments(*node, params);
    const Json& code = at(*node, "body");
    if (is_type(code, "BlockStatement")) {
      const Json& list = at(code, "body");
      hoist_functions(list);
      for (std::size_t i = 0; i + 1 < list.size(); ++i) statement(list, i, out, path);
    }
    std::string name = promise_expr(*returned_promise(*node), out, path, id);
    scopes_.pop_back();
    inlining_.erase(node);
    scopes_ = std::move(saved);
    return name;
  }
  refuse(c, construct_name(c));
}

// new Promise((resolve, reject) => {...}): the executor runs now; resolve and reject are
// what its statements (and the callbacks they register) may call.
std::string Translator::new_promise(const Json& e, Out& out, const std::string& path, const std::string& id) {
  const Json& args = at(e, "arguments");
  if (args.size() != 1) refuse(e, "new Promise without one executor function");
  const Json& fn = args[0];
  if (fn.value("async", false)) refuse(fn, "an async executor");
  Out body = Out::array();
  Binding resolve = make(Bind::Resolver, id, 0);
  Binding reject = make(Bind::Resolver, id, 1);
  callback_body(fn, body, slot(out, path) + "/new_promise", {resolve, reject}, nullptr, nullptr);
  emit(out, path, e, Out{{"new_promise", std::move(body)}, {"id", id}});
  return id;
}

// resolve(v), resolve(p), reject(new Error(m)) of an enclosing executor.
bool Translator::settle_call(const Json& c, Out& out, const std::string& path) {
  const Binding* b = lookup(ident(at(c, "callee")));
  if (b == nullptr || b->kind != Bind::Resolver) return false;
  const Json& args = at(c, "arguments");
  if (args.size() > 1) refuse(c, "resolve or reject with more than one argument");
  Out action{{b->ms == 0 ? "resolve" : "reject", b->text}};
  if (b->ms == 1) {
    const Json* err = args.empty() ? nullptr : &args[0];
    if (err == nullptr || !is_type(*err, "NewExpression") || !is_ident(at(*err, "callee"), "Error") ||
        at(*err, "arguments").size() != 1) {
      refuse(c, "reject of anything but new Error(message)");
    }
    action["value"] = value(at(*err, "arguments")[0]).text;
  } else if (args.size() == 1 && promise_like(args[0])) {
    action["with"] = promise_expr(args[0], out, path, "");
  } else if (args.size() == 1) {
    action["value"] = value(args[0]).text;
  }
  emit(out, path, c, std::move(action));
  return true;
}

// Promise.resolve(v) and Promise.reject(new Error(m)) as named promises (Promise.resolve
// of a promise is that promise).
std::string Translator::settled_promise(const Json& c, bool reject, Out& out, const std::string& path,
                                        const std::string& id) {
  const Json& args = at(c, "arguments");
  if (args.size() > 1) refuse(c, "Promise.resolve or Promise.reject with more than one argument");
  const bool of_thenable = args.size() == 1 && (is_type(args[0], "ObjectExpression") ||
                                                 (is_type(args[0], "Identifier") && promise_like(args[0]) &&
                                                  thenables_.contains(lookup(ident(args[0]))->text)));
  if (!reject && args.size() == 1 && promise_like(args[0]) && !of_thenable) return promise_expr(args[0], out, path, id);
  Out settle{{reject ? "reject" : "resolve", id}};
  // Promise.resolve(thenable) is a new promise resolved with it: its then is called in a job.
  if (!reject && of_thenable) settle["with"] = promise_expr(args[0], out, path, "");
  if (reject) {
    const Json* err = args.empty() ? nullptr : &args[0];
    if (err == nullptr || !is_type(*err, "NewExpression") || !is_ident(at(*err, "callee"), "Error") ||
        at(*err, "arguments").size() != 1) {
      refuse(c, "Promise.reject of anything but new Error(message)");
    }
    settle["value"] = value(at(*err, "arguments")[0]).text;
  } else if (args.size() == 1 && !of_thenable) {
    settle["value"] = value(args[0]).text;
  }
  record(slot(out, path) + "/new_promise/0", c);
  emit(out, path, c, Out{{"new_promise", Out::array({std::move(settle)})}, {"id", id}});
  return id;
}

std::string Translator::combinator(const Json& c, const std::string& callee, Out& out, const std::string& path,
                                   const std::string& id) {
  const Json& args = at(c, "arguments");
  if (args.size() != 1 || !is_type(args[0], "ArrayExpression")) refuse(c, fmt::format("{} of anything but an array literal", callee));
  Out names = Out::array();
  for (const Json& element : at(args[0], "elements")) {
    if (!promise_like(element)) refuse(element, fmt::format("{} of a value that is not a promise", callee));
    names.push_back(promise_expr(element, out, path, ""));
  }
  const std::string key = callee == "Promise.all"          ? "promise_all"
                          : callee == "Promise.race"       ? "promise_race"
                          : callee == "Promise.allSettled" ? "promise_all_settled"
                                                           : "promise_any";
  emit(out, path, c, Out{{key, std::move(names)}, {"id", id}});
  return id;
}

std::string Translator::promise_then(const Json& start, const std::vector<const Json*>& steps, Out& out,
                                     const std::string& path, std::string id) {
  const std::string from = promise_expr(start, out, path, "");
  if (id.empty()) id = fresh_name();
  const std::string base = slot(out, path);
  Out chain = Out::array();
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    const std::string kind = canonical(at((**it), "callee"));
    const std::string step_path = fmt::format("{}/chain/{}", base, chain.size());
    chain.push_back(kind == "promise.finally" ? finally_step(**it, step_path)
                                              : chain_step(**it, kind == "promise.catch", step_path));
  }
  emit(out, path, *steps.front(), Out{{"promise_then", from}, {"chain", std::move(chain)}, {"id", id}});
  return id;
}

// A call's arguments as what the function's parameters will mean: a promise stays the
// promise it names, any other value is put in place (known now, or a name in scope).
std::vector<Binding> Translator::argument_bindings(const Json& args) {
  std::vector<Binding> out;
  for (const Json& arg : args) {
    if (is_type(arg, "Identifier") && promise_like(arg)) {
      out.push_back(*lookup(ident(arg)));
      continue;
    }
    Val v = value(arg);
    Binding b = make(Bind::Inline, v.text);
    b.number = v.number;
    b.is_string = v.is_string;
    out.push_back(b);
  }
  return out;
}

// The parameters of a function put in place. A callback's parameters (Text, Error...) take
// the parameter's own name, which the action binds; values and promises keep theirs.
void Translator::bind_arguments(const Json& fn, const std::vector<Binding>& params) {
  scopes_.emplace_back();
  const Json& fparams = at(fn, "params");
  for (std::size_t i = 0; i < fparams.size(); ++i) {
    const std::string name = ident(fparams[i]);
    if (name.empty()) refuse(fparams[i], "a parameter with a default or destructuring");
    Binding b = i < params.size() ? params[i] : make(Bind::Inline, "undefined");
    if (b.kind != Bind::Unusable && b.kind != Bind::Resolver && b.kind != Bind::Inline && b.kind != Bind::Promise) {
      b.text = name;
    }
    bind(fparams[i], name, b);
  }
}

// An async function's call: its body, up to the end, as an async action; a last return or
// throw is what the call's promise settles with.
Out Translator::async_function(const Json& fn, const std::string& path, const std::vector<Binding>& params) {
  if (inlining_.contains(&fn)) refuse(fn, "a function that calls itself (recursion)");
  Place later(*this, nullptr, {});
  inlining_.insert(&fn);
  bind_arguments(fn, params);
  const bool outer = std::exchange(in_async_, true);
  Out action;
  Out body = Out::array();
  const Json& code = at(fn, "body");
  if (is_type(code, "BlockStatement")) {
    const Json& list = at(code, "body");
    std::size_t n = list.size();
    const bool ends = n > 0 && (is_type(list[n - 1], "ReturnStatement") || is_type(list[n - 1], "ThrowStatement"));
    hoist_functions(list);
    for (std::size_t i = 0; i + (ends ? 1 : 0) < n; ++i) statement(list, i, body, path);
    if (ends) async_return(list[n - 1], action, body, path);
  } else {
    Json ret = {{"type", "ReturnStatement"}, {"argument", code}, {"loc", at(code, "loc")}};
    async_return(ret, action, body, path);
  }
  in_async_ = outer;
  scopes_.pop_back();
  inlining_.erase(&fn);
  action["async"] = std::move(body);
  return action;
}

void Translator::async_return(const Json& last, Out& action, Out& body, const std::string& path) {
  const Json& arg = at(last, "argument");
  if (is_type(last, "ThrowStatement")) {
    if (!is_type(arg, "NewExpression") || !is_ident(at(arg, "callee"), "Error") || at(arg, "arguments").size() != 1) {
      refuse(last, "throwing anything but new Error(message)");
    }
    action["throw"] = value(at(arg, "arguments")[0]).text;
  } else if (is_type(arg, "AwaitExpression")) {
    const std::string name = fmt::format("result{}", ++fresh_);
    await_into(arg, body, path, name);
    action["return"] = "${" + name + "}";
  } else if (!arg.is_null() && promise_like(arg)) {
    action["return_promise"] = promise_expr(arg, body, path, "");
  } else if (!arg.is_null()) {
    action["return"] = value(arg).text;
  }
}

// await X, with the value named `as` for the rest of the body.
void Translator::await_into(const Json& e, Out& out, const std::string& path, const std::string& as) {
  if (!in_async_ && in_handler_) refuse(e, "await in a catch or finally block (only the try block may await)");
  if (!in_async_) refuse(e, "await outside an async function's own statements");
  const Json& arg = at(e, "argument");
  Out action;
  if (promise_like(arg)) {
    action["await"] = promise_expr(arg, out, path, "");
  } else {
    action["await"] = Out{{"value", value(arg).text}};
  }
  if (!as.empty()) action["as"] = as;
  emit(out, path, e, std::move(action));
}

// try { await X } catch (e) {...}: the catch runs on rejection, then the body goes on.
void Translator::try_await(const Json& st, Out& out, const std::string& path) {
  const Json& block = at(at(st, "block"), "body");
  const Json& handler = at(st, "handler");
  if (!at(st, "finalizer").is_null() || handler.is_null() || block.size() != 1) return try_statement(st, out, path);
  const Json& only = block[0];
  const Json* awaited = nullptr;
  if (is_type(only, "ExpressionStatement") && is_type(at(only, "expression"), "AwaitExpression")) {
    awaited = &at(only, "expression");
  }
  if (awaited == nullptr) return try_statement(st, out, path);
  await_into(*awaited, out, path, "");
  const std::string here = fmt::format("{}/{}/catch", path, out.size() - 1);
  scopes_.emplace_back();
  const std::string param = ident(at(handler, "param"));
  if (!param.empty()) bind(at(handler, "param"), param, make(Bind::Error, "error"));
  const bool outer = std::exchange(in_async_, false);
  const bool outer_handler = std::exchange(in_handler_, true);
  out[out.size() - 1]["catch"] = statements(at(at(handler, "body"), "body"), here);
  in_handler_ = outer_handler;
  in_async_ = outer;
  scopes_.pop_back();
}

// for (const x of [a, b, c]) {...}: the body once per element, x bound to it (an await in
// it then waits in turn, as in the loop).
void Translator::for_of(const Json& st, Out& out, const std::string& path) {
  const Json& left = at(st, "left");
  const Json& right = at(st, "right");
  const std::string what = "a for...of other than over an array literal with const or let";
  if (!is_type(left, "VariableDeclaration") || at(left, "declarations").size() != 1 ||
      !is_type(right, "ArrayExpression") || st.value("await", false)) {
    refuse(st, what);
  }
  const Json& id = at(at(left, "declarations")[0], "id");
  if (ident(id).empty()) refuse(id, "destructuring");
  for (const Json& element : at(right, "elements")) {
    Val v = value(element);
    scopes_.emplace_back();
    Binding b = make(Bind::Inline, v.text);
    b.number = v.number;
    b.is_string = v.is_string;
    bind(id, ident(id), b);
    const Json& body = at(st, "body");
    if (is_type(body, "BlockStatement")) {
      hoist_functions(at(body, "body"));
      for (std::size_t j = 0; j < at(body, "body").size(); ++j) statement(at(body, "body"), j, out, path);
    } else {
      Json one = Json::array({body});
      std::size_t k = 0;
      statement(one, k, out, path);
    }
    scopes_.pop_back();
  }
}

// process.on('unhandledRejection', (reason) => {...}).
void Translator::on_process_event(const Json& c, Out& out, const std::string& path) {
  const Json& args = at(c, "arguments");
  if (args.size() != 2 || !is_type(args[0], "Literal") || at(args[0], "value") != "unhandledRejection") {
    refuse(c, "process.on of an event other than 'unhandledRejection'");
  }
  const Json& fparams = at(args[1], "params");
  Out action;
  std::string as = fparams.empty() ? "reason" : ident(fparams[0]);
  if (as.empty()) refuse(args[1], "a parameter with a default or destructuring");
  action["on_unhandled_rejection"] = callback(args[1], slot(out, path) + "/on_unhandled_rejection", {make(Bind::Error)});
  action["as"] = as;
  emit(out, path, c, std::move(action));
}


// ---- plain functions called with arguments, and loops around async code (issue 21) ----
//
// The scenario has no functions, so a call is put in place, as a callback is: its body's
// actions go where the call is, with each parameter bound. A parameter given a value known
// now is that value; one given a value known only when the program runs (a let the program
// changes) becomes a `let` of its own, made at the call, so each call's parameter is its
// own binding and a closure in the body keeps the value it had at that call, as in
// JavaScript. A function read for its value (`const d = double(2)`) runs its statements
// first and is then its return expression.

// A name bound to a function that is neither async nor returns a promise (those are
// promises, promise_call's part).
bool Translator::plain_function(const Json& callee) const {
  const Binding* f = is_type(callee, "Identifier") ? lookup(ident(callee)) : nullptr;
  return f != nullptr && f->kind == Bind::Function && f->node != nullptr && !f->node->value("async", false) &&
         returned_promise(*f->node) == nullptr;
}

// A type of node anywhere in `n`, not looking inside functions (their code runs elsewhere).
bool Translator::contains(const Json& n, std::string_view type) const {
  std::vector<const Json*> todo = {&n};
  while (!todo.empty()) {
    const Json* x = todo.back();
    todo.pop_back();
    if (is_type(*x, type)) return true;
    const bool function = is_type(*x, "FunctionExpression") || is_type(*x, "ArrowFunctionExpression") ||
                          is_type(*x, "FunctionDeclaration");
    if (function && x != &n) continue;
    if (x->is_object() || x->is_array()) {
      for (const auto& child : *x) {
        if (child.is_object() || child.is_array()) todo.push_back(&child);
      }
    }
  }
  return false;
}

// A call whose value can change between where it is read and where it is used: an
// argument that reads a variable, or a body that does more than compute its result.
bool Translator::mentions_runtime(const Json& c) const {
  for (const Json& arg : at(c, "arguments")) {
    if (mentions_variable(arg)) return true;
  }
  const Json& fn = *lookup(ident(at(c, "callee")))->node;
  std::size_t statements = 0;
  const Json* ret = returned_value(fn, &statements);
  return ret == nullptr || statements > 0 || mentions_variable(*ret);
}

// The function's result expression (an arrow's body, or a block's last `return x`), and how
// many statements come before it; null when it has none, or returns anywhere else.
const Json* Translator::returned_value(const Json& fn, std::size_t* statements) const {
  const Json& body = at(fn, "body");
  *statements = 0;
  if (!is_type(body, "BlockStatement")) return &body;
  const Json& list = at(body, "body");
  if (list.empty() || !is_type(list[list.size() - 1], "ReturnStatement")) return nullptr;
  if (at(list[list.size() - 1], "argument").is_null()) return nullptr;
  for (std::size_t i = 0; i + 1 < list.size(); ++i) {
    if (contains(list[i], "ReturnStatement")) return nullptr;
  }
  *statements = list.size() - 1;
  return &at(list[list.size() - 1], "argument");
}

std::string Translator::local_name(const std::string& name) { return fmt::format("{}_{}", name, ++locals_); }

// An argument as the parameter `param` will mean it, read in the caller's scope.
Binding Translator::argument(const Json& arg, const std::string& param) {
  if (is_type(arg, "Identifier") && promise_like(arg)) return *lookup(ident(arg));
  const Binding* resolver = is_type(arg, "Identifier") ? lookup(ident(arg)) : nullptr;
  if (resolver != nullptr && resolver->kind == Bind::Resolver) return *resolver;  // fetchData(id, resolve)
  const bool function = is_type(arg, "ArrowFunctionExpression") || is_type(arg, "FunctionExpression");
  const Binding* named = is_type(arg, "Identifier") ? lookup(ident(arg)) : nullptr;
  if (function || (named != nullptr && named->kind == Bind::Function)) {
    // Put in place inside the callee, it must see the names it was written among: those of
    // the top level are the callee's too; a function's inner ones are not, so refused.
    Binding f = function ? function_binding(arg) : *named;
    if (f.scope > 1) refuse(arg, "passing a function declared inside another function as an argument");
    return f;
  }
  if (mentions_variable(arg) && out_ != nullptr) {
    const std::string name = local_name(param);
    Out value = expression_value(arg);
    emit(*out_, out_path_, arg, Out{{"let", name}, {"value", std::move(value)}});
    return make(Bind::Variable, name);
  }
  Val v = value(arg);
  Binding b = make(Bind::Inline, v.text);
  b.number = v.number;
  b.is_string = v.is_string;
  return b;
}

// Runs body(fn) with the call's parameters bound, in the scope the function was declared in.
// A default (`ms = 10`) is read there, after the parameters before it, as JavaScript does.
template <typename F>
auto Translator::with_call(const Json& c, F&& body) {
  // (function (j) {...})(i): an IIFE is declared where it is called.
  const Json& callee = at(c, "callee");
  const Binding* f = is_type(callee, "Identifier") ? lookup(ident(callee)) : nullptr;
  const Json& fn = f != nullptr ? *f->node : callee;
  const std::size_t scope = f != nullptr ? f->scope : scopes_.size();
  const Json& params = at(fn, "params");
  const Json& args = at(c, "arguments");
  // tick(n - 1) inside tick: with every argument known now, each level's ifs are known now
  // too, so the calls unroll and end (or pass the depth limit, refused there).
  const bool again = inlining_.contains(&fn);
  if (again && (args.empty() || !std::all_of(args.begin(), args.end(), [&](const Json& a) { return constant(a).has_value(); }))) {
    refuse(c, "a function that calls itself (recursion) with arguments known only when the program runs");
  }
  // Each level is a copy of the body: a recursion whose end the arguments do not decide
  // (an if over a variable) would copy it for ever.
  constexpr int kMaxRecursion = 20;
  if (again && recursion_ >= kMaxRecursion) {
    refuse(c, fmt::format("a function that calls itself more than {} levels deep, or whose end depends on a "
                          "variable (known only when the program runs)", kMaxRecursion));
  }
  if (args.size() > params.size()) refuse(c, "more arguments than the function has parameters");
  auto param_name = [&](const Json& p) {
    const std::string name = ident(is_type(p, "AssignmentPattern") ? at(p, "left") : p);
    if (name.empty()) refuse(p, "a parameter with destructuring or ...rest");
    return name;
  };
  std::vector<std::optional<Binding>> given;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (is_ident(args[i], "undefined") && lookup("undefined") == nullptr) {
      given.emplace_back();  // undefined takes the default, as JavaScript's does
    } else {
      given.emplace_back(argument(args[i], param_name(params[i])));
    }
  }
  std::vector<std::map<std::string, Binding>> saved = scopes_;
  scopes_.resize(scope);
  scopes_.emplace_back();
  for (std::size_t i = 0; i < params.size(); ++i) {
    const std::string name = param_name(params[i]);
    if (i < given.size() && given[i]) {
      bind(params[i], name, *given[i]);
    } else if (is_type(params[i], "AssignmentPattern")) {
      bind(params[i], name, argument(at(params[i], "right"), name));
    } else {
      bind(params[i], name, make(Bind::Inline, "undefined"));
    }
  }
  if (!again) inlining_.insert(&fn);
  recursion_ += again ? 1 : 0;
  ++renaming_;
  const bool outer_async = std::exchange(in_async_, false);
  auto result = body(fn);
  in_async_ = outer_async;
  --renaming_;
  recursion_ -= again ? 1 : 0;
  if (!again) inlining_.erase(&fn);
  scopes_ = std::move(saved);
  return result;
}

// greet('Ada'); later('a', 10): the body's actions where the call is.
void Translator::function_call(const Json& c, Out& out, const std::string& path) {
  with_call(c, [&](const Json& fn) {
    const Json& code = at(fn, "body");
    if (is_type(code, "BlockStatement")) {
      hoist_functions(at(code, "body"));
      inline_statements(at(code, "body"), 0, at(code, "body").size(), out, path);
    } else if (is_type(code, "CallExpression")) {
      call(code, out, path);
    } else {
      value(code);  // (a) => a * 2 called for nothing: no action, but what it reads must exist
    }
    return 0;
  });
}

// A called function's statements [from, to). `return` ends them; a guard clause,
// `if (c) { ...; return; }` followed by the rest, is `if (c) {...} else {rest}`.
void Translator::inline_statements(const Json& list, std::size_t from, std::size_t to, Out& out,
                                   const std::string& path) {
  for (std::size_t i = from; i < to; ++i) {
    const Json& st = list[i];
    if (is_type(st, "ReturnStatement")) {
      const Json& arg = at(st, "argument");
      if (is_type(arg, "CallExpression")) {
        call(arg, out, path);
      } else if (!arg.is_null() && (contains(arg, "UpdateExpression") || contains(arg, "AssignmentExpression"))) {
        refuse(arg, "changing a variable inside an expression (write count++ or count = ... as a statement of its own)");
      }
      return;
    }
    const Json& then = at(st, "consequent");
    const Json& block = is_type(then, "BlockStatement") ? at(then, "body") : Json::array({then});
    const bool guard = is_type(st, "IfStatement") && at(st, "alternate").is_null() && !block.empty() &&
                       is_type(block[block.size() - 1], "ReturnStatement");
    if (is_type(st, "IfStatement") && guard) {
      if (std::optional<Val> known = constant(at(st, "test"))) {  // if (n === 0) in tick(0): decided now
        if (known->number ? *known->number != 0 : !(known->text.empty() || known->text == "false" || known->text == "null" || known->text == "undefined")) {
          return inline_statements(block, 0, block.size(), out, path);
        }
        continue;
      }
    }
    if (!guard) {
      if (contains(st, "ReturnStatement")) refuse(st, "a return inside this statement (only at the end, or in an if that ends with it)");
      statement(list, i, out, path);
      continue;
    }
    Place place(*this, &out, path);
    Out action;
    action["if"] = expression_value(at(st, "test"));
    const std::string here = slot(out, path);
    Out yes = Out::array();
    Out no = Out::array();
    scopes_.emplace_back();
    inline_statements(block, 0, block.size(), yes, here + "/then");
    scopes_.pop_back();
    scopes_.emplace_back();
    inline_statements(list, i + 1, to, no, here + "/else");
    scopes_.pop_back();
    action["then"] = std::move(yes);
    if (!no.empty()) action["else"] = std::move(no);
    emit(out, path, st, std::move(action));
    return;
  }
}

// double(2) in a value: its statements first (where the statement reading it is), then its
// result, a template.
Val Translator::call_value(const Json& c) {
  return with_call(c, [&](const Json& fn) {
    std::size_t statements = 0;
    const Json* ret = returned_value(fn, &statements);
    if (ret == nullptr) refuse(c, "the value of a function that does not end with return VALUE (or returns early)");
    if (statements > 0 && out_ == nullptr) refuse(c, "a function with statements, read for a value given later");
    if (statements > 0) inline_statements(at(at(fn, "body"), "body"), 0, statements, *out_, out_path_);
    return value(*ret);
  });
}

// double(n) in a let, a set or an if: the same, its result as an expression.
std::string Translator::call_expression(const Json& c) {
  return with_call(c, [&](const Json& fn) {
    std::size_t statements = 0;
    const Json* ret = returned_value(fn, &statements);
    if (ret == nullptr) refuse(c, "the value of a function that does not end with return VALUE (or returns early)");
    if (statements > 0 && out_ == nullptr) refuse(c, "a function with statements, read for a value given later");
    if (statements > 0) inline_statements(at(at(fn, "body"), "body"), 0, statements, *out_, out_path_);
    return fmt::format("({})", expression(*ret));
  });
}

// A value computed from what changes at run time (count * 2, !done) where a template can
// only name a value: a `let` of its own computes it just before the statement that reads it.
Val Translator::hoisted(const Json& e) {
  Out value = expression_value(e);  // refuses what an expression cannot say, with its name
  const std::string name = fmt::format("value_{}", ++locals_);
  emit(*out_, out_path_, e, Out{{"let", name}, {"value", std::move(value)}});
  return {"${" + name + "}", is_type(e, "TemplateLiteral"), std::nullopt};
}

// for (var i = 0; i < 3; i++): one i for the whole loop (var belongs to the function, not
// the iteration), so a callback that reads it when it runs sees its last value: 3 3 3. A
// let, and a repeat whose index is not the program's, changed at the end of each run.
bool Translator::var_loop(const Json& st, const std::string& name, std::int64_t start, std::int64_t n, Out& out,
                          const std::string& path) {
  if (at(at(st, "init"), "kind") != "var") return false;
  const std::string index = local_name(name + "_run");
  bind(st, name, make(Bind::Variable, name));
  emit(out, path, st, Out{{"let", name}, {"value", start}});
  const std::string here = slot(out, path);
  const Json& body = at(st, "body");
  const Json& list = is_type(body, "BlockStatement") ? at(body, "body") : Json::array({body});
  scopes_.emplace_back();
  Out actions = statements(list, here + "/do");
  scopes_.pop_back();
  actions.push_back(Out{{"set", name}, {"value", name + " + 1"}});
  record(fmt::format("{}/do/{}", here, actions.size() - 1), at(st, "update"));
  emit(out, path, st, Out{{"repeat", std::max<std::int64_t>(n, 0)}, {"as", index}, {"do", std::move(actions)}});
  return true;
}

// A counted loop with an await in an async function: an await is an action of the async
// body itself, not of a repeat, so the body is written once per run (as for...of's is),
// with i the run's number (let) or one variable set at the end of each run (var).
bool Translator::unrolled_loop(const Json& st, const std::string& name, std::int64_t start, std::int64_t n,
                               Out& out, const std::string& path) {
  if (!in_async_ || !contains(at(st, "body"), "AwaitExpression")) return false;
  constexpr std::int64_t kMaxUnrolled = 1000;  // the body is copied once per run
  if (n > kMaxUnrolled) refuse(st, fmt::format("a for loop with await of more than {} runs", kMaxUnrolled));
  const bool is_var = at(at(st, "init"), "kind") == "var";
  if (is_var) {
    bind(st, name, make(Bind::Variable, name));
    emit(out, path, st, Out{{"let", name}, {"value", start}});
  }
  const Json& body = at(st, "body");
  const Json& list = is_type(body, "BlockStatement") ? at(body, "body") : Json::array({body});
  for (std::int64_t k = 0; k < n; ++k) {
    scopes_.emplace_back();
    if (!is_var) {
      Binding b = make(Bind::Inline, std::to_string(start + k));
      b.number = start + k;
      bind(st, name, b);
    }
    hoist_functions(list);
    for (std::size_t j = 0; j < list.size(); ++j) statement(list, j, out, path);
    scopes_.pop_back();
    if (is_var) emit(out, path, at(st, "update"), Out{{"set", name}, {"value", name + " + 1"}});
  }
  return true;
}


// Every name given to clearTimeout or clearInterval: `let timer = null` before
// `clearTimeout(timer); timer = setTimeout(...)` (a debounce) names a timer, not a value.
std::set<std::string> Translator::cleared_names(const Json& program) {
  std::set<std::string> names;
  std::vector<const Json*> todo = {&program};
  while (!todo.empty()) {
    const Json* n = todo.back();
    todo.pop_back();
    if (is_type(*n, "CallExpression") && at(*n, "arguments").size() == 1 &&
        (is_ident(at(*n, "callee"), "clearTimeout") || is_ident(at(*n, "callee"), "clearInterval"))) {
      names.insert(ident(at(*n, "arguments")[0]));
    }
    for (const Json& child : *n) {
      if (child.is_object() || child.is_array()) todo.push_back(&child);
    }
  }
  names.erase("");
  return names;
}


// for (let id = 1; id <= 3; id++): a repeat counts from 0, so each run's id is a let of the
// run's own, the repeat's index plus the start.
bool Translator::shifted_loop(const Json& st, const std::string& name, std::int64_t start, std::int64_t n, Out& out,
                              const std::string& path) {
  if (start == 0) return false;
  const std::string index = local_name(name + "_run");
  const std::string here = slot(out, path);
  const Json& body = at(st, "body");
  const Json& list = is_type(body, "BlockStatement") ? at(body, "body") : Json::array({body});
  scopes_.emplace_back();
  bind(st, name, make(Bind::Variable, name));
  Out actions = Out::array({Out{{"let", name}, {"value", fmt::format("{} + {}", index, start)}}});
  record(here + "/do/0", at(st, "init"));
  hoist_functions(list);
  for (std::size_t j = 0; j < list.size(); ++j) statement(list, j, actions, here + "/do");
  scopes_.pop_back();
  emit(out, path, st, Out{{"repeat", std::max<std::int64_t>(n, 0)}, {"as", index}, {"do", std::move(actions)}});
  return true;
}


// A value known when the program is read, with JavaScript's meaning (numbers, text, true,
// false, null, undefined, and the operators over them), or nullopt. Booleans are the texts
// "true" and "false", as value() writes them.
std::optional<Val> Translator::constant(const Json& e) {
  Depth depth(*this, e);
  const std::string type = type_of(e);
  const std::string op = e.value("operator", "");
  if (type == "Literal" || type == "TemplateLiteral" || type == "Identifier") {
    if (type == "Identifier") {
      const Binding* b = lookup(ident(e));
      if (!(b != nullptr && b->kind == Bind::Inline) && !(b == nullptr && ident(e) == "undefined")) return std::nullopt;
    }
    if (type == "Literal" && !at(e, "value").is_number_integer() && !at(e, "value").is_string() &&
        !at(e, "value").is_boolean() && !at(e, "value").is_null()) {
      return std::nullopt;
    }
    if (type == "TemplateLiteral" && !at(e, "expressions").empty()) return std::nullopt;
    Val v = value(e);
    if (v.text.find("${") != std::string::npos) return std::nullopt;
    return v;
  }
  auto truthy = [](const Val& v) {
    return v.number ? *v.number != 0 : !(v.text.empty() || v.text == "false" || v.text == "null" || v.text == "undefined");
  };
  auto boolean = [](bool b) { return Val{b ? "true" : "false", false, std::nullopt}; };
  if (type == "UnaryExpression" && op == "!") {
    std::optional<Val> a = constant(at(e, "argument"));
    return a ? std::optional<Val>(boolean(!truthy(*a))) : std::nullopt;
  }
  if (type != "BinaryExpression" && type != "LogicalExpression") return std::nullopt;
  std::optional<Val> l = constant(at(e, "left"));
  std::optional<Val> r = constant(at(e, "right"));
  if (!l || !r) return std::nullopt;
  if (op == "&&") return truthy(*l) ? r : l;
  if (op == "||") return truthy(*l) ? l : r;
  const bool same_kind = l->is_string == r->is_string && l->number.has_value() == r->number.has_value();
  if (op == "===" || op == "!==") return boolean((same_kind && l->text == r->text) == (op == "==="));
  if (l->number && r->number && (op == "<" || op == "<=" || op == ">" || op == ">=")) {
    const std::int64_t a = *l->number;
    const std::int64_t b = *r->number;
    return boolean(op == "<" ? a < b : op == "<=" ? a <= b : op == ">" ? a > b : a >= b);
  }
  if (l->number && r->number && op == "%" && *r->number != 0 && *r->number != -1) {  // INT64_MIN % -1 overflows
    const std::int64_t m = *l->number % *r->number;
    return Val{std::to_string(m), false, m};
  }
  if ((l->number && r->number && (op == "+" || op == "-" || op == "*")) || (op == "+" && (l->is_string || r->is_string))) {
    return binary_value(e);
  }
  return std::nullopt;
}


// A value a promise or a callback gave (`const r = await job()`, `data`) is text here, even
// where JavaScript has a number: `total += r` would join text where JavaScript adds, so
// arithmetic on it is refused (joining it to text, `'got ' + r`, is what it is).
void Translator::text_arithmetic(const Json& l, const Json& r, const std::string& op) {
  if (op != "+" && op != "-" && op != "*" && op != "%") return;
  auto given = [this](const Json& x) {
    const Binding* b = is_type(x, "Identifier") ? lookup(ident(x)) : nullptr;
    return b != nullptr && b->kind == Bind::Text;
  };
  auto text = [this](const Json& x) {
    const Binding* b = is_type(x, "Identifier") ? lookup(ident(x)) : nullptr;
    if (b != nullptr && b->kind == Bind::Variable && b->is_string) return true;  // let s = ''
    return is_type(x, "TemplateLiteral") || (is_type(x, "Literal") && at(x, "value").is_string());
  };
  if (!given(l) && !given(r)) return;
  if (op == "+" && (text(l) || text(r))) return;
  const Json& v = given(r) ? r : l;
  refuse(v, fmt::format("the {} operator on {}, a value a promise or callback gave (such a value is text here, "
                        "where JavaScript may have a number)", op, ident(v)));
}

// ---- thenables, .finally, async steps, try/catch/finally and throw (issue 21, session 8) ----

// { then(resolve, reject) {...} } or { then: (resolve) => ... }: the method, when the
// object has it and nothing else (other properties would need objects as values).
const Json* Translator::then_method(const Json& e) {
  if (!is_type(e, "ObjectExpression")) return nullptr;
  const Json& props = at(e, "properties");
  if (props.size() != 1 || !is_type(props[0], "Property") || props[0].value("computed", true)) return nullptr;
  const Json& key = at(props[0], "key");
  const Json& fn = at(props[0], "value");
  const bool named_then = is_ident(key, "then") || (is_type(key, "Literal") && at(key, "value") == "then");
  if (!named_then || !(is_type(fn, "FunctionExpression") || is_type(fn, "ArrowFunctionExpression"))) return nullptr;
  return &fn;
}

// A thenable: its then's parameters are the resolve and reject of whoever calls it (an
// await, a resolve, a step that returns it), one job after that call.
std::string Translator::thenable(const Json& e, Out& out, const std::string& path, const std::string& id) {
  const Json* fn = then_method(e);
  if (fn == nullptr) refuse(e, "an object literal other than { then(resolve, reject) {...} }");
  if (fn->value("async", false)) refuse(*fn, "an async then method");
  Out body = Out::array();
  callback_body(*fn, body, slot(out, path) + "/thenable", {make(Bind::Resolver, id, 0), make(Bind::Resolver, id, 1)},
                nullptr, nullptr);
  emit(out, path, e, Out{{"thenable", std::move(body)}, {"id", id}});
  thenables_.insert(id);
  return id;
}

bool Translator::has_finally(const std::vector<const Json*>& steps) const {
  for (const Json* step : steps) {
    if (canonical(at(*step, "callee")) == "promise.finally") return true;
  }
  return false;
}

// .finally(() => {...}): no value comes in; a value it returns is ignored (JavaScript's
// rule), a promise it returns is waited for, a throw rejects.
Out Translator::finally_step(const Json& step, const std::string& path) {
  const Json& args = at(step, "arguments");
  if (args.size() != 1) refuse(step, fmt::format(".finally with {} callbacks", args.size()));
  std::optional<Val> result;
  bool throws = false;
  Out body = Out::array();
  std::string adopt;
  std::string* outer_adopt = std::exchange(adopt_, &adopt);
  callback_body(args[0], body, path + "/finally", {}, &result, &throws);
  adopt_ = outer_adopt;
  Out s{{"finally", std::move(body)}};
  if (result && throws) s["throw"] = result->text;
  if (!adopt.empty()) s["return_promise"] = adopt;
  return s;
}

// An async function as a .then/.catch/.finally callback: the step calls it and returns its
// promise, which the step's promise adopts (a thenable job and its then: two turns more).
void Translator::async_step(const Json& fn, Out& body, const std::string& path, const std::vector<Binding>& params,
                            std::vector<std::map<std::string, Binding>>& saved) {
  if (adopt_ == nullptr) refuse(fn, "an async function as a callback here");
  const std::string id = fresh_name();
  Out action = async_function(fn, slot(body, path) + "/async", params);
  action["id"] = id;
  if (!saved.empty()) scopes_ = std::move(saved);
  record(slot(body, path), fn);
  body.push_back(std::move(action));
  *adopt_ = id;
}

// try { ... } catch (e) { ... } finally { ... } in an async function: the block may await
// and throw anywhere; catch and finally are plain statements. `try { await x } catch (e)`
// alone stays an await with its catch (try_await).
void Translator::try_statement(const Json& st, Out& out, const std::string& path) {
  const std::string here = slot(out, path);
  const Json& handler = at(st, "handler");
  const Json& finalizer = at(st, "finalizer");
  Out action;
  scopes_.emplace_back();
  action["try"] = statements(at(at(st, "block"), "body"), here + "/try");
  scopes_.pop_back();
  const bool outer = std::exchange(in_async_, false);
  const bool outer_handler = std::exchange(in_handler_, true);
  if (!handler.is_null()) {
    scopes_.emplace_back();
    const std::string param = ident(at(handler, "param"));
    if (!param.empty()) bind(at(handler, "param"), param, make(Bind::Error, "error"));
    action["catch"] = statements(at(at(handler, "body"), "body"), here + "/catch");
    scopes_.pop_back();
  }
  if (!finalizer.is_null()) {
    scopes_.emplace_back();
    action["finally"] = statements(at(finalizer, "body"), here + "/finally");
    scopes_.pop_back();
  }
  in_handler_ = outer_handler;
  in_async_ = outer;
  emit(out, path, st, std::move(action));
}

// throw new Error(m) among an async function's statements (a last one is its "throw").
void Translator::throw_statement(const Json& st, Out& out, const std::string& path) {
  const Json& arg = at(st, "argument");
  if (!is_type(arg, "NewExpression") || !is_ident(at(arg, "callee"), "Error") || at(arg, "arguments").size() != 1) {
    refuse(st, "throwing anything but new Error(message)");
  }
  emit(out, path, st, Out{{"throw_error", value(at(arg, "arguments")[0]).text}});
}

}  // namespace

Translation translate(const nlohmann::json& program, const std::string& file) {
  try {
    return Translator(file).run(program);
  } catch (const nlohmann::json::exception& e) {
    // A field of an unexpected type (a name that is a number...): acorn never writes one, so
    // this is a tree from elsewhere (the fuzz target's); refused like any bad input.
    throw scenario::ScenarioError(file, "", fmt::format("the syntax tree has an unexpected shape: {}", e.what()));
  }
}

}  // namespace elt::js
