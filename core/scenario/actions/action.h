// The action registry: everything the tool knows about one kind of action, in one place.
//
// An action (print, set_timeout, fs_read...) is declared once, as an ActionSpec in the
// file of its family under scenario/actions/: its name, the keys it takes besides its own,
// how it is read from JSON, how it runs on the runtime, how it is written as JavaScript
// and its JSON Schema. The parser, the interpreter, export-js and the schema generator
// each walk this table instead of switching on the kind, so adding an action is adding a
// spec (docs/design.md, "How to add an action").
//
// Each of the three jobs gets a context: the parser's (ActionReader), the interpreter's
// (ActionRunner) and export-js's (JsWriter). They are interfaces, implemented by the
// Parser, the Interpreter and the export Writer in their own files, so that an action sees
// only the few operations it needs and none of their bookkeeping.
// The table is immutable; any thread may read it. Each context belongs to one parse, one
// run (loop thread) or one export.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loop/runtime.h"
#include "scenario/scenario.h"
#include "scenario/scope.h"

namespace elt::scenario {

struct AsyncState;  // scenario/actions/async_state.h

// ---- reading: the parser's side ----

// The action being read: its JSON object, its own key's value, where it is.
struct ActionSource {
  const nlohmann::json& object;
  const nlohmann::json& arg;    // object[name]
  const std::string& path;      // "/program/2"
  const std::string& at;        // "/program/2/set_timeout": the action key's own pointer
  int depth;                    // callbacks around it
};

// What an action's parse function may ask of the parser. Every failure throws a
// ScenarioError naming the file, line:column and JSON path.
class ActionReader {
 public:
  [[noreturn]] virtual void fail(const std::string& pointer, const std::string& what) = 0;
  // A value as messages show it: "the string \"x\"", "the number 1.5"...
  virtual std::string describe(const nlohmann::json& value) const = 0;
  // A string with ${...} references to names in scope.
  virtual Template text(const nlohmann::json& value, const std::string& pointer, std::string_view what) = 0;
  virtual Template parse_template(const std::string& text, const std::string& pointer) = 0;
  // A whole number from lo to hi, or a template that yields one when the action runs.
  virtual IntArg int_arg(const nlohmann::json& value, const std::string& pointer, std::int64_t lo, std::int64_t hi,
                         std::string_view what) = 0;
  // A plain whole number from lo to hi.
  virtual std::int64_t whole(const nlohmann::json& value, const std::string& pointer, std::int64_t lo,
                             std::int64_t hi, std::string_view what) = 0;
  // A list of actions one callback deeper than `depth`, seeing the names now in scope.
  virtual std::vector<Action> actions(const nlohmann::json& list, const std::string& pointer, int depth) = 0;
  // The same, and `at_end` runs where the list ends, while the names its actions bound (a
  // let, an await's `as`) are still in scope: an async function's return reads them.
  virtual std::vector<Action> actions(const nlohmann::json& list, const std::string& pointer, int depth,
                                      const std::function<void()>& at_end) = 0;
  // Names in scope for the templates and callbacks read next: unbind_to(mark) drops
  // every name bound since scope_mark() gave that mark.
  virtual std::size_t scope_mark() const = 0;
  virtual void bind(const std::string& name) = 0;
  virtual void unbind_to(std::size_t mark) = 0;
  // Whether a name is in scope here (a let's, a callback's, a repeat's).
  virtual bool in_scope(const std::string& name) const = 0;
  // clear_* may only name a handle that some "id" in the file gives: both are collected
  // and compared once the whole file is read.
  virtual void note_handle(const std::string& name) = 0;
  virtual void note_clear(const std::string& name, const std::string& pointer) = 0;

  // Shared helpers built on the above (parse_helpers.cpp).
  // `key`'s actions, with `binds` in scope; none when the key is absent.
  std::vector<Action> callback(const ActionSource& src, const char* key, std::initializer_list<std::string> binds);
  // "as": the name the result gets, or `fallback`.
  std::string result_name(const ActionSource& src, const char* fallback);
  // "id": the name a timer, interval or immediate's handle gets (empty: none).
  std::string handle_name(const ActionSource& src);
  // The callback of an operation with a result: `as` names the result in `then`, and
  // `catch` sees `error`.
  void with_callback(const ActionSource& src, Action& a);

 protected:
  ~ActionReader() = default;
};

// Letters, digits and _: what names of results and handles are made of.
bool valid_name(const std::string& s);
// A key as one token of a JSON pointer (RFC 6901): '~' and '/' are escaped.
std::string pointer_token(const std::string& key);

// ---- running: the interpreter's side ----

// What an action's run function may ask of the interpreter. A template that fails (an
// unbound name, a field that is not there) throws, and the interpreter ends the
// callback's list there with an error line, as a thrown exception would.
class ActionRunner {
 public:
  // A template's text, counted against the run's value_bytes.
  virtual std::string text(Runtime& rt, const Action& a, const Template& t, const ScopePtr& scope) = 0;
  // A promise step's result: false when a limit stopped the run (already located); a
  // template error is reported and leaves `out` as it was.
  virtual bool result_text(Runtime& rt, const Action& a, const Template& t, const ScopePtr& scope,
                           std::string& out) = 0;
  // Counts bytes of a value against value_bytes; past the limit, ends the list as text() does.
  virtual void charge_value_bytes(Runtime& rt, std::size_t bytes) = 0;
  virtual std::int64_t number(const Action& a, const IntArg& arg, const ScopePtr& scope, std::int64_t lo,
                              std::int64_t hi, std::string_view what) = 0;
  // "set_timeout at book.json:14: prints \"...\"", for the stepper and the jsonl; empty
  // when nobody will see it.
  virtual std::string label(Runtime& rt, std::string_view kind, const Action& a,
                            const std::vector<Action>& body) const = 0;
  // The callback of an operation with a result: `then` with it bound to `as`, or `catch`.
  virtual Runtime::Callback result_callback(const Action& a, ScopePtr scope) = 0;
  // A callback that runs a.then in `scope`.
  virtual Runtime::Callback body_callback(const Action& a, ScopePtr scope) = 0;
  virtual void run_list(Runtime& rt, const std::vector<Action>& actions, const ScopePtr& scope) = 0;
  // One action inside a running list (repeat's body): a limit it crosses ends the list.
  virtual void run_nested(Runtime& rt, const Action& a, const ScopePtr& scope) = 0;
  // Counts one more run of `a` (an interval's) against the cap on total work; false when
  // the run is over it (reported) or already stopping.
  virtual bool count_run(Runtime& rt, const Action& a) = 0;
  // The handles scenarios name with "id": the latest registration of each name.
  virtual void name_handle(const std::string& name, CallbackId id) = 0;
  virtual const CallbackId* find_handle(const std::string& name) const = 0;
  // An error where `a` runs (a condition over text and a number...): the list ends there
  // with an error line, as a template's error does.
  [[noreturn]] virtual void fail(const Action& a, const std::string& what) = 0;
  // A `let`: the actions after it in the same list run in `scope`, which binds its name.
  virtual void declare(ScopePtr scope) = 0;
  // A list inside a running action (an if's branch): its lets stay in it, and a limit it
  // crosses ends the enclosing list too, as run_nested does.
  virtual void run_block(Runtime& rt, const std::vector<Action>& actions, const ScopePtr& scope) = 0;
  // The promises the run names and the async functions waiting at an await (async.cpp).
  virtual AsyncState& async_state() = 0;

 protected:
  ~ActionRunner() = default;
};

// ---- writing JavaScript: export-js's side ----

// What a name holds, as far as the JavaScript is concerned: the same `${x.length}` is
// `Buffer.byteLength(x)` for a file's text and `x.message.length` for a caught Error.
// HttpObject: req and res of http_get_stream and http_server, whose fields are Node's
// property names (statusCode, url, headers.x).
enum class Bound { Text, Number, Response, OpError, PromiseValue, PromiseError, HttpObject };

// The helpers the program defines only when an action uses them.
enum class JsHelper { Fs, FsError, Http, EncodePath, DelayService, Encrypt, Block, PrintContent };

// What an action's export function may ask of export-js's writer.
class JsWriter {
 public:
  virtual const Scenario& scenario() const = 0;
  // One line of the program at the current indentation; indent and outdent move it.
  virtual void line(std::string& out, std::string_view s) = 0;
  virtual void indent() = 0;
  virtual void outdent() = 0;
  virtual void need(JsHelper helper) = 0;
  // Expressions: a template as a template literal, a number or its expression.
  virtual std::string text(const Action& a, const Template& t) = 0;
  virtual std::string number(const Action& a, const IntArg& arg) = 0;
  // Scenario text inside a "..." literal, or inside a `...` literal (no quotes added).
  virtual std::string js_string(std::string_view s) const = 0;
  virtual std::string template_text(std::string_view s) const = 0;
  // A scenario's name as a JavaScript variable (reserved words and our helpers avoided).
  virtual std::string js_name(const std::string& name) const = 0;
  virtual std::string handle_var(const std::string& name) const = 0;
  // "t1 = " when the action names its handle.
  virtual std::string handle_prefix(const Action& a) const = 0;
  virtual std::string err_name() const = 0;
  // Statements around a body: `head() => { body }tail;`; the body alone, one level in;
  // the body with a name bound; `(err, value) => {...}`, Node's callback convention.
  virtual void arrow_call(const Action& a, const std::string& head, const std::string& tail, std::string& out) = 0;
  virtual void block(const std::vector<Action>& body, std::string& out) = 0;
  virtual void with_scope(const std::vector<Action>& body, const std::string& name, Bound bound,
                          std::string& out) = 0;
  virtual void push_scope(const std::string& name, Bound bound) = 0;
  virtual void pop_scope() = 0;
  virtual void node_callback(const Action& a, const std::string& head, const std::string& shown_error, Bound bound,
                             std::string& out) = 0;
  // A fresh number for a generated variable (interval1, runs1...).
  virtual int next_interval() = 0;
  virtual int next_counter() = 0;
  // What Node reproduces only approximately (listed in the header), and what it cannot
  // reproduce at all (the program is then not compared).
  virtual void note(std::string text) = 0;
  virtual void refuse(std::string why) = 0;
  virtual std::string where(const Action& a) const = 0;

 protected:
  ~JsWriter() = default;
};

// ---- planning: the cap on total work, checked before anything runs ----

// What an action's plan function may ask of the parser, which checks the file's literal
// counts against the cap on total work (kMaxActions) before the run (docs/scenario-format.md,
// "Limits"). An action counts once each time it runs.
class WorkPlanner {
 public:
  // The actions a list would create; an action in it whose own total is over the cap is
  // refused, so that the message names the innermost one: the one to change.
  virtual std::uint64_t planned(const std::vector<Action>& actions) = 0;
  virtual std::uint64_t cap() const = 0;
  [[noreturn]] virtual void refuse(const Action& a, const std::string& what) = 0;

 protected:
  ~WorkPlanner() = default;
};

// The usual plan: the action once, then the larger of its callbacks (then or catch), once.
std::uint64_t plan_once(WorkPlanner& planner, const Action& a);
std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b);
std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b);
// 1,000,000 rather than 1000000; a count that saturated says so.
std::string count_text(std::uint64_t n);

// ---- the registry ----

struct ActionSpec {
  ActionKind kind;
  std::string_view name;                   // the action's key: {"set_timeout": 100}
  std::span<const std::string_view> keys;  // the keys it also takes, in the order messages list them
  bool needs_node = false;                 // the book's loop has no queue for it (check_model_support)
  void (*parse)(ActionReader& reader, const ActionSource& src, Action& a);
  void (*run)(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope);
  void (*export_js)(JsWriter& writer, const Action& a, std::string& out);
  // The action's definition in the schema's $defs, as JSON text.
  std::string_view schema;
  // How many actions it creates, as far as the file says (plan_once for most).
  std::uint64_t (*plan)(WorkPlanner& planner, const Action& a);
  // Adds the definitions the action's own one refers to, if any (a promise's steps).
  void (*more_schema)(nlohmann::ordered_json& defs) = nullptr;
};

// Every action, in ActionKind's order (the order of "expected one of: ..." in messages).
std::span<const ActionSpec* const> action_specs();
const ActionSpec& action_spec(ActionKind kind);
const ActionSpec* find_action(std::string_view name);

// The whole JSON Schema of a scenario (docs/scenario.schema.json), generated from the
// registry: the frame (settings, verify, the shared definitions) and each action's part.
std::string scenario_schema();

}  // namespace elt::scenario
