// A scenario: the JSON program eventloop-trace runs, as a tree of actions.
//
// The format is documented in docs/scenario-format.md and described for editors by
// docs/scenario.schema.json. This header is the parsed form; parser.cpp checks every
// field and reports the first problem with the file, the line:column and the JSON path.
// Immutable once loaded; read by the loop thread only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loop/limits.h"

namespace elt::scenario {

// Text with `${name.field}` references, resolved when the action runs.
struct Template {
  struct Segment {
    std::string literal;            // used when path is empty
    std::vector<std::string> path;  // name, then fields: ["text", "length"]
  };
  std::vector<Segment> segments;
  std::string source;  // as written
  bool is_literal() const { return segments.size() <= 1 && (segments.empty() || segments[0].path.empty()); }
};

// A whole number, written as a number or as a template that yields one.
struct IntArg {
  std::optional<std::int64_t> literal;
  Template expr;
};

enum class ActionKind {
  Print, PrintContent, SetTimeout, FsRead, Encrypt, HttpGetSlow, HttpGet, Repeat,
  // Node's own (issue 9): timers.js, task_queues.js and promises.
  SetInterval, SetImmediate, NextTick, QueueMicrotask, Promise, ClearTimeout, ClearInterval, ClearImmediate,
  Block,
  // A program's own state (issue 21): variables, assignments, conditions; timers' ref count.
  Let, Set, If, Unref, Ref,
  // Promises as values and async functions (issue 21): scenario/actions/async.cpp.
  NewPromise, ResolvePromise, RejectPromise, PromiseThen, Async, Await,
  PromiseAll, PromiseRace, PromiseAllSettled, PromiseAny, Sleep, OnUnhandledRejection, ReadFile,
  // Thenables, try/catch/finally and throw in async bodies (issue 21, session 8).
  Thenable, Try, Throw,
  // HTTP as Node streams it, and a server in the program (issue 21): actions/http_events.cpp.
  HttpGetStream, OnData, OnEnd, Resume, SetEncoding, HttpServer, Listen, Respond, CloseServer,
};

struct Action;
namespace expr {
struct Node;  // scenario/expr.h
}

// One `.then(...)` or `.catch(...)` of a promise chain. Each step, run or passed through,
// costs one microtask, as a reaction job does in V8.
struct PromiseStep {
  bool is_catch = false;           // runs on rejection; a `then` step runs on fulfilment
  bool is_finally = false;         // `.finally(f)`: runs either way and passes the state on (promise_then)
  std::string as;                  // the name the value (or the error message) gets
  std::vector<Action> body;
  std::optional<Template> result;  // "return": the value the next step sees
  bool throws = false;             // result is thrown ("throw"): the chain becomes rejected
  std::string adopt;               // "return_promise": the named promise the next step waits for
  std::string json_path;
};

// An action as the interpreter walks it. The fields every action has are inline; what only
// some kinds use (a delay, a handle, a catch callback, a promise chain...) lives in an
// ActionDetail on the heap, allocated only by the kinds that have one. A print is then 144
// bytes instead of 464: 400,000 sibling prints take 58 MB, not 186 MB (docs/benchmarks.md,
// "Parsing many sibling actions").
struct ActionDetail;
struct Action {
  ActionKind kind = ActionKind::Print;
  std::string json_path;         // "/program/1/then/0", for run-time error messages
  std::size_t line = 0;          // where the action's object starts in the file (1-based; 0: unknown)
  std::size_t column = 0;
  Template text;                 // print, print_content's content, fs_read's path, URLs
  std::vector<Action> then;      // the callback, on success (repeat: the body)

  // The kind-specific fields; an action without any reads shared defaults.
  const ActionDetail& detail() const;
  // For the parser and for tools that rewrite a scenario (verify's scaling): allocates
  // the detail on first use.
  ActionDetail& edit_detail();
  bool has_detail() const { return detail_ != nullptr; }

  Action() = default;
  Action(const Action& other);
  Action& operator=(const Action& other);
  Action(Action&&) noexcept = default;
  Action& operator=(Action&&) noexcept = default;
  ~Action();

 private:
  std::unique_ptr<ActionDetail> detail_;
};

struct ActionDetail {
  std::string label;             // print_content
  IntArg number;                 // set_timeout's delay, encrypt's n, repeat's count
  IntArg delay;                  // fs_read's and http_get_slow's delay_ms
  std::optional<std::int64_t> cost_ms;  // encrypt: stated CPU cost (used by the virtual clock)
  std::string as;                // the name the callback's result (or repeat's index) gets
  std::vector<Action> on_error;  // "catch": the callback, on failure
  std::string handle;            // "id": the name clear_* use (set_timeout, set_interval, set_immediate);
                                 // clear_*: the name to clear
  std::optional<std::int64_t> times;  // set_interval: cleared after this many runs
  bool reject = false;           // promise: starts rejected
  std::vector<PromiseStep> chain;  // promise: its then/catch steps
  // let and set: the value (their name is `as`); if: the condition (`then` runs when it
  // holds, `on_error` is its else).
  std::shared_ptr<const expr::Node> expression;
};

inline const ActionDetail& Action::detail() const {
  static const ActionDetail kNone;
  return detail_ ? *detail_ : kNone;
}
inline ActionDetail& Action::edit_detail() {
  if (!detail_) detail_ = std::make_unique<ActionDetail>();
  return *detail_;
}
inline Action::Action(const Action& other)
    : kind(other.kind), json_path(other.json_path), line(other.line), column(other.column), text(other.text),
      then(other.then), detail_(other.detail_ ? std::make_unique<ActionDetail>(*other.detail_) : nullptr) {}
inline Action& Action::operator=(const Action& other) {
  if (this != &other) *this = Action(other);
  return *this;
}
inline Action::~Action() = default;

struct Settings {
  std::optional<std::int64_t> threads;
  std::optional<std::int64_t> http_latency_ms;
  std::optional<std::int64_t> http_timeout_ms;
  std::optional<std::string> model;  // "book" or "node"
  // "limits": the run's bounds by name (loop/limits.h), as the file sets them; the
  // command line's --limit wins.
  std::vector<std::pair<std::string, std::int64_t>> limits;
};

struct Scenario {
  std::string file;                 // as given on the command line
  std::filesystem::path base_dir;   // fs_read paths are relative to the scenario's folder
  std::string description;
  Settings settings;
  std::vector<Action> program;
  // "verify": what `eventloop-trace verify` should expect of real Node.
  bool racy_in_node = false;
  bool racy_declared = false;  // "racy" was written (false: declared deterministic), not assumed
  std::string racy_why;
};

// Bad input: names the file, where in it, and what was expected.
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(std::string file, std::string where, std::string what);
  const std::string& file() const { return file_; }
  const std::string& where() const { return where_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  std::string where_;
  std::string problem_;
};

// Longest delay a timer holds: Node's TIMEOUT_MAX, 2^31-1 ms (about 24.8 days).
inline constexpr std::int64_t kMaxDelayMs = 2147483647;
inline constexpr std::int64_t kMaxThreads = 1024;  // libuv's cap on UV_THREADPOOL_SIZE
inline constexpr std::int64_t kMaxRepeat = 10'000'000;
inline constexpr int kMaxNesting = 64;             // callbacks inside callbacks
// The most actions one run may create (each run of an action counts once): twice the
// largest benchmark (1,000,000 timers); at the cap, timers take 86 MB on the virtual clock
// and 233 MB on the real one. The parser refuses a file whose literal counts exceed it;
// the interpreter stops a run that gets there anyway.
inline constexpr std::uint64_t kMaxActions = kDefaultActions;  // settings.limits.actions may lower it, --limit actions=N raise it

// `actions`: the command line's --limit actions, which the file's literal counts are then
// checked against instead of its settings (a file may only lower a limit; this raises it).
Scenario load_scenario(const std::filesystem::path& file, std::optional<std::uint64_t> actions = std::nullopt);
// Refuses (ScenarioError, exit 2) an action the model cannot run, naming the model to use.
void check_model_support(const Scenario& scenario, std::string_view model);
Scenario parse_scenario(std::string_view text, const std::string& file, const std::filesystem::path& base_dir,
                        std::optional<std::uint64_t> actions = std::nullopt);

}  // namespace elt::scenario
