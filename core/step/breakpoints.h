// Breakpoints as gdb keeps them: numbered from 1 (a number is never reused), each enabled
// or disabled, listed by `info breaks`, removed by `delete`.
//
// This file holds the list and the parsing of `break ...` arguments; the stepper decides
// when one is hit, because only it sees both the trace and the loop's pause points.
// The loop can only stop between phases (runtime.cpp's pause points), so every kind of
// breakpoint stops at the first pause point at or after the moment it names.
// Thread contract: loop thread only (the stepper copies what its trace observer needs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/time.h"
#include "scenario/scenario.h"
#include "trace/event.h"

namespace elt {

struct Breakpoint {
  enum class Kind {
    Tick,          // before tick N
    Time,          // the first stop at or after TIME on the run's clock
    Phase,         // before phase NAME, every tick
    Id,            // when callback N is registered, queued, handed out, about to run, has run
    Line,          // when a trace line contains TEXT
    ScenarioLine,  // when the action at FILE:LINE runs, and when what it registered runs
  };
  int number = 0;
  Kind kind = Kind::Tick;
  bool enabled = true;
  std::uint64_t hits = 0;

  std::uint64_t tick = 0;
  Duration time{};
  Phase phase = Phase::Timers;
  CallbackId id = 0;
  std::string text;  // Line: the text; ScenarioLine: "book.json:14"
  // ScenarioLine: the action at that line (it outlives the stepper: the Scenario does).
  const scenario::Action* action = nullptr;
  std::size_t line = 0;

  std::string type_name() const;  // "tick", "time", ... as `info breaks` shows it
  std::string what() const;       // "before tick 3", "at 2000 ms", ...
  bool same_place(const Breakpoint& other) const;
};

class Breakpoints {
 public:
  // Adds `bp` unless one already stops at the same place: returns the new one, or the
  // existing one and false (the stepper says so, as gdb's "Note: breakpoint 1 also set").
  std::pair<Breakpoint*, bool> add(Breakpoint bp);
  bool remove(int number);
  void clear() { list_.clear(); }
  bool set_enabled(int number, bool enabled);
  Breakpoint* find(int number);
  const std::vector<Breakpoint>& all() const { return list_; }
  std::vector<Breakpoint>& all() { return list_; }
  bool any_enabled(Breakpoint::Kind kind) const;

 private:
  std::vector<Breakpoint> list_;
  int next_number_ = 1;
};

// The phase a `break phase NAME` names: "timers", "pending", "idle" (or "prepare",
// "idle/prepare"), "poll", "check", "close" (or "closing").
std::optional<Phase> parse_phase_name(const std::string& name);
// The names `break phase` takes, in the loop's order, and the kinds `break` takes.
std::vector<std::string> phase_names();
std::vector<std::string> breakpoint_kinds();
std::string phase_display_name(Phase phase);  // "pending callbacks", "idle/prepare", ...

// Parses what follows `break`; on failure returns nullopt and sets `error` to a message
// that shows the right form. `scenario` resolves `break LINE` and `break FILE:LINE`.
std::optional<Breakpoint> parse_breakpoint(const std::string& args, const scenario::Scenario& scenario,
                                           std::string& error);

// The outermost action that starts at `line` (1-based), or nullptr.
const scenario::Action* action_at_line(const scenario::Scenario& scenario, std::size_t line);
// The actions from the program's top level down to `action` (both included); empty when
// `action` is not in the scenario.
std::vector<const scenario::Action*> action_path(const scenario::Scenario& scenario, const scenario::Action* action);
// The scenario line a runtime label names ("set_timeout at book.json:14: prints ..." -> 14),
// or 0.
std::size_t origin_line(std::string_view origin);
// The action a runtime label names, by its line or (labels without lines) its JSON path.
const scenario::Action* action_of_origin(const scenario::Scenario& scenario, std::string_view origin);
// Whether a printed message could come from this template (its literal parts in order).
bool template_matches(const scenario::Template& t, std::string_view message);
// The action's name as a scenario writes it: "print", "fs_read", "set_timeout", ...
std::string_view action_kind_name(scenario::ActionKind kind);
// Where an action is: "line 8", or its JSON path when lines are not known.
std::string action_place(const scenario::Action& action);
// Every line where an action starts, ascending.
std::vector<std::size_t> action_lines(const scenario::Scenario& scenario);

// A whole number (for `break tick 0`, `next 3`, `delete 2`): nullopt unless `text` is
// only digits.
std::optional<std::uint64_t> parse_count(const std::string& text);
// "2000 ms", "2000ms", "2000", "2.5 ms": a time on the run's clock.
std::optional<Duration> parse_time(const std::string& text);
std::string format_ms(Duration d);  // "1000.000 ms"
// The text without the white space at either end (a command line as typed).
std::string trim(std::string s);

}  // namespace elt
