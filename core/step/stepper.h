// The stepper: stops the loop between ticks (or phases) and lets a learner look inside,
// the way a debugger stops a program. Backs `eventloop-trace step`.
//
// It hooks into the runtime's pause points (Runtime::set_pause_hook) and into the trace
// (Tracer::set_observer), reads commands from a LineSource, and writes its own output to
// the same stdout as the trace, flushing the trace first so the two never interleave out
// of order. It outlives the runs it watches: `back` and `goto` to an earlier point stop
// the run quietly and ask for a new one (wants_replay()), which the stepper then lets run
// without stopping to the pause point with the same index (replay.h says why that works).
// Breakpoints, the mode and the history carry over from run to run; what the trace said
// about callbacks (their registrations) is collected again by each run.
//
// Thread contract: everything runs on the loop thread, inside the pause hook (or in
// at_end(), on the same thread after the run), except the trace observer, which runs on
// any thread under the tracer's lock and only records what it saw under mutex_.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "loop/runtime.h"
#include "scenario/scenario.h"
#include "step/breakpoints.h"
#include "step/inspector.h"
#include "step/replay.h"

namespace elt {

class Tracer;

// Where commands come from: a line editor on a terminal, a plain stream otherwise.
class LineSource {
 public:
  virtual ~LineSource() = default;
  // nullopt at the end of input.
  virtual std::optional<std::string> read_line(const std::string& prompt) = 0;
  // False when commands come from a script: the stepper then echoes them.
  virtual bool interactive() const = 0;
  // Another thread is about to write a trace line to the terminal (real clock): a line
  // editor clears its prompt now and redraws it, with what was typed, afterwards. Any
  // thread may call it.
  virtual void other_output() {}
};

struct StepperOptions {
  bool color = false;
  // The run is on the virtual clock, so it can be replayed to go back in time.
  bool replayable = true;
  // Clip `state` and `where` rows to this many columns (the terminal's); 0: never clip.
  std::size_t width = 0;
};

// Tab completion at the step prompt: the words that can follow `before` (what is typed
// ahead of the word under the cursor) and start with `word`. Commands first, then what each
// takes: break's kinds and phases, back's, goto's, info's, help's.
std::vector<std::string> step_completions(const std::string& before, const std::string& word);

class Stepper {
 public:
  Stepper(LineSource& input, std::FILE* out, const scenario::Scenario& scenario, StepperOptions options);
  // Installs the pause hook and the trace observer on a new run. Call before Runtime::run.
  void attach(Runtime& runtime, Tracer& tracer);
  // The run has ended (FINISHED printed): lets the user go back, or quit. Returns true
  // when a replay was asked for.
  void at_end();
  // The last run was stopped to go back in time: run the scenario again.
  bool wants_replay() const { return replay_to_.has_value(); }
  bool quit() const { return quit_; }

 private:
  enum class Mode { Tick, Phase, Continue };
  enum class Verdict { Stay, Resume, Replay };  // after a command: prompt again, or go on
  // Where a tracked callback is, as seen at a pause point.
  enum class Where { Unknown, Waiting, AboutToRun, Gone };
  struct Registration {
    std::string origin;      // the runtime's label: "set_timeout at book.json:14: prints ..."
    std::uint64_t tick = 0;
    Phase phase = Phase::Script;
    std::uint64_t seq = 0;   // trace order
    const scenario::Action* action = nullptr;  // the one the origin names (nullptr: unknown)
  };
  // Enough for any scenario a person steps through; a million-timer one keeps its first
  // registrations only (`state` then falls back to the runtime's labels).
  static constexpr std::size_t kMaxRegistrations = 100'000;
  // What the trace observer may look at: a copy of the enabled breakpoints that match on
  // trace events, taken whenever the list changes.
  struct Watch {
    int number;
    Breakpoint::Kind kind;
    std::string text;
    CallbackId id;
    std::size_t line;
    const scenario::Action* action;
  };
  struct Hit {
    int number;
    std::string message;
  };

  void on_pause(Runtime& runtime, const PausePoint& point);
  void on_event(const TraceEvent& event);  // the observer; any thread
  std::vector<Hit> collect_hits(Runtime& runtime, const PausePoint& point, const PauseRecord& record);
  void learn_labels(Runtime& runtime);
  void update_tracked(Runtime& runtime, const PausePoint& point, std::vector<Hit>& hits, bool report);
  bool mode_stops(const PausePoint& point);
  void prompt(Runtime* runtime, const PausePoint& point);
  Verdict run_command(const std::string& cmd, Runtime* runtime, const PausePoint& point);
  // The commands that move (next, phase, continue, back, goto, quit) and the one-line ones
  // that only report; `word` is the command as typed, `rest` its arguments.
  Verdict command_step(const std::string& word, const std::string& rest, bool ended);
  Verdict command_continue(bool ended);
  Verdict command_back(const std::string& rest, Runtime* runtime);
  Verdict command_goto(const std::string& rest, Runtime* runtime);
  Verdict command_quit(Runtime* runtime);
  void command_info(const std::string& rest);
  void command_state(Runtime* runtime, const PausePoint& point);
  void command_where(Runtime* runtime, const PausePoint& point);
  void command_unknown(const std::string& word, const std::string& rest);
  // A command's optional count: 1 when none is given; false (and says why) when it is no
  // count of 1 or more.
  bool read_count(const std::string& word, const std::string& rest, std::uint64_t& n);
  Verdict travel(const TravelTarget& target, const std::string& what, Runtime* runtime);
  void command_break(const std::string& args);
  void command_numbers(const std::string& word, const std::string& args);
  void print_breaks();
  void print_state(const Runtime& runtime, const PausePoint& point);
  void print_where(const Runtime& runtime, const PausePoint& point);
  std::vector<std::string> chain(CallbackId id, const std::string& label);
  void print_help(const std::string& command);
  void refresh_watches();
  std::string position(const PausePoint& point) const;
  std::uint64_t current_index() const;

  void say(const std::string& text);
  std::string paint(const std::string& text, int style) const;
  std::string clip(const std::string& raw) const;

  LineSource& input_;
  std::FILE* out_;
  const scenario::Scenario& scenario_;
  const StepperOptions options_;

  // Carried over from run to run.
  Breakpoints breaks_;
  PauseHistory history_;
  Mode mode_ = Mode::Tick;
  std::uint64_t remaining_ = 1;  // `next 3`, `phase 2`: stops still to pass
  std::optional<std::uint64_t> forward_tick_;  // `goto tick N` ahead of here
  std::optional<Duration> forward_time_;       // `goto TIME ms` ahead of here
  std::optional<std::uint64_t> replay_to_;     // the pause index a replay stops at
  std::uint64_t runs_ = 0;
  bool input_done_ = false;
  bool quit_ = false;
  bool ended_ = false;
  bool refused_once_ = false;  // `back` on the real clock: the reason is given in full once

  // This run's.
  Runtime* runtime_ = nullptr;
  Tracer* tracer_ = nullptr;
  TimePoint start_{};
  std::uint64_t index_ = 0;  // pause points passed
  bool diverged_ = false;
  std::set<int> time_fired_;  // `break at` fires once per run: time only goes forward
  std::map<CallbackId, std::pair<Where, std::set<int>>> tracked_;  // id -> where, and by which breakpoints

  std::mutex mutex_;  // guards the three below (the observer runs on any thread)
  std::vector<Watch> watches_;
  std::vector<Hit> event_hits_;
  std::map<CallbackId, Registration> registrations_;
  std::map<CallbackId, std::set<int>> new_tracked_;  // ids the observer started tracking
  std::vector<CallbackId> unlabelled_;  // registrations seen without an origin: ask the runtime
  std::uint64_t seq_ = 0;
  std::atomic<bool> muted_{false};  // a run being stopped for a replay: ignore its last events
};

}  // namespace elt
