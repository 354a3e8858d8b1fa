#include "step/stepper.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include <fmt/color.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/did_you_mean.h"
#include "trace/describe.h"
#include "trace/format.h"
#include "trace/tracer.h"

namespace elt {

namespace {

enum Style { kHeading = 0, kWarn, kDim };

std::pair<std::string, std::string> split_word(const std::string& text) {
  std::string word = text.substr(0, text.find(' '));
  std::string rest = word.size() < text.size() ? trim(text.substr(word.size())) : "";
  return {word, rest};
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// The id in one of Inspector::state()'s "completed" rows: "pool3 finished task 8",
// "epoll: request 7 complete".
CallbackId completed_id(const std::string& row) {
  for (const char* word : {"task ", "request "}) {
    auto at = row.find(word);
    if (at == std::string::npos) continue;
    CallbackId id = 0;
    for (std::size_t i = at + std::string_view(word).size(); i < row.size() && std::isdigit(static_cast<unsigned char>(row[i])); ++i) {
      id = id * 10 + static_cast<CallbackId>(row[i] - '0');
    }
    return id;
  }
  return 0;
}

// A chain deeper than this is cut: the nesting limit of scenarios is 64, a screen is less.
constexpr int kMaxFrames = 16;

bool registers_callback(const scenario::Action& a) { return a.kind != scenario::ActionKind::Repeat; }

struct HelpEntry {
  std::vector<std::string> names;
  std::string usage;
  std::string summary;
  std::string details;
};

const std::vector<HelpEntry>& help_entries() {
  static const std::vector<HelpEntry> entries = {
      {{"next", "n"}, "next [N]", "run N ticks (1): stop before the Nth tick from here",
       "Enter on an empty line runs `next`. A breakpoint on the way stops earlier."},
      {{"phase", "p"}, "phase [N]", "run to the Nth pause point from here (1): the next phase, or the next tick",
       "The loop stops before each phase after timers: pending callbacks, idle/prepare, poll, check, close "
       "callbacks. Before timers is the same moment as before the tick."},
      {{"continue", "c"}, "continue", "run to the end, stopping only at a breakpoint", ""},
      {{"back"}, "back [N] | back phase | back event",
       "go back N ticks (1), one pause point, or to the last stop before the latest trace line",
       "The run is replayed from the start on the virtual clock, without stopping, to that point: its trace is\n"
       "shown again, as if you had stepped there, and `state` shows the loop as it was. A run on the real clock\n"
       "cannot be replayed (its threads race the loop), so there `back` says why and does nothing."},
      {{"goto", "g"}, "goto tick N | goto TIME ms",
       "go to before tick N, or to the first stop at or after TIME, backwards or forwards",
       "Backwards works as `back` does (virtual clock only); forwards runs on, stopping at breakpoints."},
      {{"break", "b"}, "break tick N | at TIME ms | phase NAME | id N | line TEXT | LINE",
       "set a breakpoint; the loop stops at the first pause point at or after what it names",
       "  break tick N       before tick N (1 or more)\n"
       "  break at TIME ms   the first stop at or after TIME on the run's clock\n"
       "  break phase NAME   before that phase, every tick: timers, pending, idle, poll, check, close\n"
       "  break id N         when callback N is registered, queued, handed to a thread, finished,\n"
       "                     about to run, and after it has run\n"
       "  break line TEXT    stops when a trace line (of any thread) contains TEXT\n"
       "  break LINE         the action at that line of the scenario (also FILE:LINE, or its JSON\n"
       "                     path: /program/1/then/2): when it runs, and when a callback it\n"
       "                     registered is about to run and has run\n"
       "Setting one that exists already says so and sets nothing."},
      {{"info", "i"}, "info breaks", "list the breakpoints: number, type, enabled, hits, what", ""},
      {{"delete", "d"}, "delete [N...]", "delete breakpoints N..., or all of them", ""},
      {{"disable"}, "disable [N...]", "keep breakpoints N... (or all) but do not stop at them", ""},
      {{"enable"}, "enable [N...]", "stop at breakpoints N... (or all) again", ""},
      {{"state", "s"}, "state", "show the loop's timers, threads, sockets and queues, each with what it is",
       "Every item names the action that made it and its scenario line, and the first line its callback prints."},
      {{"where", "w", "bt"}, "where", "the callback that runs next, and the chain of registrations that led to it",
       "Frame #0 is the callback; #1 is the callback that registered it, and so on back to the program."},
      {{"help", "h", "?"}, "help [COMMAND]", "list the commands, or explain one", ""},
      {{"quit", "q"}, "quit", "stop the loop and shut every thread down", ""},
  };
  return entries;
}

// How many edits a mistyped command may be from its name: a third of the word, rounded up
// (did_you_mean rounds down), so that `brake` (a swap across three letters) finds `break`.
std::size_t command_slack(const std::string& word) { return std::clamp<std::size_t>((word.size() + 1) / 3, 1, 3); }

// Every command's full name, for "did you mean" and Tab.
std::vector<std::string> command_names() {
  std::vector<std::string> names;
  for (const auto& e : help_entries()) names.push_back(e.names[0]);
  return names;
}

// The words that may follow `before` (the words typed ahead of the one being completed).
std::vector<std::string> next_words(const std::string& before) {
  auto [command, rest] = split_word(before);
  if (command.empty()) return command_names();
  if (command == "b" || command == "break") {
    if (rest.empty()) return breakpoint_kinds();
    if (rest == "phase") return phase_names();
    return {};
  }
  if (!rest.empty()) return {};
  if (command == "back") return {"phase", "event"};
  if (command == "g" || command == "goto") return {"tick"};
  if (command == "i" || command == "info") return {"breaks"};
  if (command == "h" || command == "help" || command == "?") return command_names();
  return {};
}

// The immediate that the check phase runs first, from the node model's queue; 0 when none.
CallbackId first_immediate(const RuntimeState& s) {
  for (const auto& q : s.queues) {
    if (q.name == to_string(QueueName::Immediate) && !q.items.empty()) return completed_id("task " + q.items.front().substr(3));
  }
  return 0;
}

// The first phase of the tick about to start that has something to run, in the model's
// order: the node model runs the check phase (immediates) before its timers phase, the
// book runs its timers first.
std::optional<Phase> first_busy_phase(const RuntimeState& s) {
  for (Phase phase : s.phases) {
    const bool busy = (phase == Phase::Timers && std::any_of(s.timers.begin(), s.timers.end(),
                                                             [](const auto& t) { return t.due_in.count() <= 0; })) ||
                      (phase == Phase::Poll && !s.completed.empty()) ||
                      (phase == Phase::Check && first_immediate(s) != 0);
    if (busy) return phase;
  }
  return std::nullopt;
}

// Which of two callbacks runs first was settled by timing: both outcomes, and the cost
// that decides between them, in the trace's own words.
std::string timing_note(const TraceEvent& race) {
  std::string said = describe(race);
  if (said.starts_with("~ race: ")) said.erase(0, 8);
  return "  depends on timing: " + said;
}

}  // namespace

std::vector<std::string> step_completions(const std::string& before, const std::string& word) {
  std::vector<std::string> out;
  for (auto& candidate : next_words(trim(before))) {
    if (candidate.starts_with(word)) out.push_back(std::move(candidate));
  }
  return out;
}

Stepper::Stepper(LineSource& input, std::FILE* out, const scenario::Scenario& scenario, StepperOptions options)
    : input_(input), out_(out), scenario_(scenario), options_(options) {}

void Stepper::attach(Runtime& runtime, Tracer& tracer) {
  runtime_ = &runtime;
  tracer_ = &tracer;
  start_ = runtime.now();
  index_ = 0;
  diverged_ = false;
  ended_ = false;
  time_fired_.clear();
  tracked_.clear();
  for (const auto& bp : breaks_.all()) {
    if (bp.kind == Breakpoint::Kind::Id) tracked_[bp.id].second.insert(bp.number);
  }
  {
    std::lock_guard lock(mutex_);
    event_hits_.clear();
    registrations_.clear();
    new_tracked_.clear();
    unlabelled_.clear();
    seq_ = 0;
  }
  muted_.store(false);
  ++runs_;
  runtime.set_pause_hook([this](Runtime& rt, const PausePoint& point) { on_pause(rt, point); });
  tracer.set_observer([this](const TraceEvent& event) { on_event(event); });
  refresh_watches();
}

void Stepper::refresh_watches() {
  std::lock_guard lock(mutex_);
  watches_.clear();
  for (const auto& bp : breaks_.all()) {
    if (!bp.enabled) continue;
    if (bp.kind == Breakpoint::Kind::Line || bp.kind == Breakpoint::Kind::Id || bp.kind == Breakpoint::Kind::ScenarioLine) {
      watches_.push_back(Watch{bp.number, bp.kind, bp.text, bp.id, bp.line, bp.action});
    }
  }
}

// ---- what the trace says (any thread, under the tracer's lock) ----

void Stepper::on_event(const TraceEvent& event) {
  // Markers (callback start and end, waits) are not lines of the trace.
  if (muted_.load(std::memory_order_relaxed) || is_marker(event.kind)) return;
  // A line of another thread is about to be written, perhaps while the prompt waits.
  if (event.thread != "main") input_.other_output();
  std::lock_guard lock(mutex_);
  ++seq_;
  // The first event that names a callback id is taken as its registration: a timer's
  // carries its origin; a pool task's or a request's does not, and the runtime is asked
  // for their labels at the next pause point (learn_labels).
  const scenario::Action* action = nullptr;
  if (event.id != 0) {
    if (!event.origin.empty()) action = action_of_origin(scenario_, event.origin);
    auto it = registrations_.find(event.id);
    if (it == registrations_.end() && registrations_.size() < kMaxRegistrations) {
      registrations_[event.id] = Registration{event.origin, event.tick, event.phase, seq_, action};
      if (event.origin.empty()) unlabelled_.push_back(event.id);
    } else if (it != registrations_.end() && it->second.origin.empty() && !event.origin.empty()) {
      it->second.origin = event.origin;
      it->second.action = action;
    }
  }
  if (watches_.empty()) return;
  const std::string sentence = describe(event);
  std::string shown = fmt::format("Thread: {}\t {}", event.thread, sentence);
  for (const auto& w : watches_) {
    switch (w.kind) {
      case Breakpoint::Kind::Line:
        if (sentence.find(w.text) != std::string::npos || event.content.find(w.text) != std::string::npos) {
          event_hits_.push_back({w.number, "a trace line matched: " + shown});
        }
        break;
      case Breakpoint::Kind::Id:
        if (event.id == w.id) event_hits_.push_back({w.number, fmt::format("callback {}: {}", w.id, shown)});
        break;
      case Breakpoint::Kind::ScenarioLine: {
        bool ran = false;
        if (action != nullptr && action == w.action) {
          new_tracked_[event.id].insert(w.number);
          event_hits_.push_back({w.number, fmt::format("the action at {} ran: it registered callback {} ({})",
                                                       w.text, event.id, event.origin)});
          break;
        }
        if (w.action->kind == scenario::ActionKind::Print && event.kind == EventKind::Print) {
          ran = template_matches(w.action->text, event.text);
        } else if (w.action->kind == scenario::ActionKind::PrintContent && event.kind == EventKind::Content) {
          ran = event.text == upper(w.action->detail().label);
        }
        if (ran) event_hits_.push_back({w.number, fmt::format("the action at {} ran: {}", w.text, shown)});
        break;
      }
      default: break;
    }
  }
}

// ---- pause points ----

std::vector<Stepper::Hit> Stepper::collect_hits(Runtime& runtime, const PausePoint& point, const PauseRecord& record) {
  std::vector<Hit> hits;
  {
    std::lock_guard lock(mutex_);
    hits = std::move(event_hits_);
    event_hits_.clear();
    for (auto& [id, numbers] : new_tracked_) tracked_[id].second.insert(numbers.begin(), numbers.end());
    new_tracked_.clear();
  }
  for (const auto& bp : breaks_.all()) {
    if (!bp.enabled) continue;
    switch (bp.kind) {
      case Breakpoint::Kind::Tick:
        if (point.tick_start && point.tick == bp.tick) hits.push_back({bp.number, bp.what()});
        break;
      case Breakpoint::Kind::Phase:
        if (bp.phase == Phase::Timers ? point.tick_start : (!point.tick_start && point.phase == bp.phase)) {
          hits.push_back({bp.number, fmt::format("before the {} phase", phase_display_name(bp.phase))});
        }
        break;
      case Breakpoint::Kind::Time:
        if (record.time >= bp.time && time_fired_.insert(bp.number).second) {
          hits.push_back({bp.number, fmt::format("at {} (now {})", format_ms(bp.time), format_ms(record.time))});
        }
        break;
      default: break;
    }
  }
  update_tracked(runtime, point, hits, true);
  return hits;
}

void Stepper::learn_labels(Runtime& runtime) {
  std::vector<CallbackId> ids;
  {
    std::lock_guard lock(mutex_);
    ids.swap(unlabelled_);
  }
  std::vector<std::pair<CallbackId, std::string>> found;
  for (CallbackId id : ids) {
    std::string label = Inspector(runtime).label_of(id);
    if (!label.empty()) found.emplace_back(id, std::move(label));
  }
  std::lock_guard lock(mutex_);
  for (auto& [id, label] : found) {
    auto it = registrations_.find(id);
    if (it == registrations_.end() || !it->second.origin.empty()) continue;
    it->second.action = action_of_origin(scenario_, label);
    it->second.origin = std::move(label);
    // `break LINE` on the action that registered it: the callback is followed from here.
    for (const auto& w : watches_) {
      if (w.kind == Breakpoint::Kind::ScenarioLine && w.action == it->second.action) {
        new_tracked_[id].insert(w.number);
        event_hits_.push_back({w.number, fmt::format("the action at {} ran: it registered callback {} ({})", w.text,
                                                     id, it->second.origin)});
      }
    }
  }
}

// Follows each tracked callback through the loop's state: it waits (a timer, a pool task,
// a socket, a completion), it is about to run (chosen for this tick), or it is gone (ran).
// The callback itself never shows in the trace, so its start and end are seen here.
void Stepper::update_tracked(Runtime& runtime, const PausePoint& point, std::vector<Hit>& hits, bool report) {
  if (tracked_.empty()) return;
  RuntimeState s = Inspector(runtime).state();
  std::set<CallbackId> waiting;
  for (const auto& t : s.timers) waiting.insert(t.id);
  for (const auto& w : s.workers) {
    if (w.busy) waiting.insert(w.task);
  }
  for (const auto& [id, kind] : s.queued_tasks) waiting.insert(id);
  for (auto id : s.sockets) waiting.insert(id);
  for (const auto& row : s.completed) waiting.insert(completed_id(row));
  for (const auto& q : s.queues) {  // node: "id 8: set_immediate at ...", "id 2 due at 1 ms..."
    for (const auto& item : q.items) {
      if (item.starts_with("id ")) waiting.insert(completed_id("task " + item.substr(3)));
    }
  }
  std::set<CallbackId> about(s.callbacks_to_run.begin(), s.callbacks_to_run.end());
  std::set<CallbackId> known;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, reg] : registrations_) known.insert(id);
  }
  for (auto& [id, entry] : tracked_) {
    auto& [where, numbers] = entry;
    Where now = about.count(id) ? Where::AboutToRun
                : waiting.count(id) ? Where::Waiting
                : (where != Where::Unknown || known.count(id)) ? Where::Gone
                                                              : Where::Unknown;
    if (now == where) continue;
    std::string message;
    if (now == Where::AboutToRun) {
      message = fmt::format("callback {} is about to run (in the {} phase)", id, phase_display_name(point.phase));
    } else if (now == Where::Gone) {
      message = fmt::format("callback {} has run", id);
    }
    where = now;
    if (!report || message.empty()) continue;
    for (int number : numbers) {
      const Breakpoint* bp = breaks_.find(number);
      if (bp != nullptr && bp->enabled) hits.push_back({number, message});
    }
  }
}

bool Stepper::mode_stops(const PausePoint& point) {
  switch (mode_) {
    case Mode::Tick:
      if (!point.tick_start) return false;
      return remaining_ <= 1 || --remaining_ == 0;
    case Mode::Phase: return remaining_ <= 1 || --remaining_ == 0;
    case Mode::Continue: return false;
  }
  return false;
}

std::string Stepper::position(const PausePoint& point) const {
  return point.tick_start ? fmt::format("before tick {}", point.tick)
                          : fmt::format("in tick {}, before the {} phase", point.tick, phase_display_name(point.phase));
}

std::uint64_t Stepper::current_index() const { return ended_ ? history_.all().size() : index_ - 1; }

void Stepper::on_pause(Runtime& runtime, const PausePoint& point) {
  if (quit_ || muted_.load()) return;
  PauseRecord record{index_++, point.tick, point.phase, point.tick_start, tracer_->event_count(),
                     runtime.now() - start_};
  if (!history_.record(record)) diverged_ = true;
  learn_labels(runtime);

  std::vector<Hit> hits;
  if (replay_to_) {
    // On the way, and at the target itself, breakpoints are not reported (the target was
    // chosen), but what they follow is kept up to date, so that from here on they report
    // as if the run had never been replayed.
    collect_hits(runtime, point, record);
    if (record.index < *replay_to_) return;
    replay_to_.reset();
    mode_ = Mode::Tick;
    remaining_ = 1;
    say(paint("-- replayed from the start to here: the trace above is the new run's --", kDim) + "\n");
    if (diverged_) {
      say(paint("warning: this replay did not pass the same points as the first run (a real server, or a "
                "file that changed?): what you see may differ from what you saw",
                kWarn) +
          "\n");
    }
  } else {
    hits = collect_hits(runtime, point, record);
    bool forward_done = (forward_tick_ && point.tick_start && point.tick >= *forward_tick_) ||
                        (forward_time_ && record.time >= *forward_time_);
    bool stop = !hits.empty() || forward_done || (!forward_tick_ && !forward_time_ && mode_stops(point));
    if (!stop) return;
    forward_tick_.reset();
    forward_time_.reset();
    mode_ = Mode::Tick;
    remaining_ = 1;
  }
  tracer_->flush();
  say(paint(fmt::format("-- paused {} --", position(point)), kHeading) + "\n");
  for (const auto& hit : hits) {
    if (Breakpoint* bp = breaks_.find(hit.number)) ++bp->hits;
    say(paint(fmt::format("breakpoint {}: {}", hit.number, shown_on_one_line(hit.message)), kWarn) + "\n");
  }
  if (input_done_) {  // end of input: keep going, stopping only to report breaks
    mode_ = Mode::Continue;
    return;
  }
  prompt(&runtime, point);
}

void Stepper::prompt(Runtime* runtime, const PausePoint& point) {
  for (;;) {
    // The prompt stays plain: a line editor counts escape codes as printed characters.
    std::string text = runtime != nullptr ? fmt::format("(tick {}) step> ", point.tick) : "(ended) step> ";
    auto line = input_.read_line(text);
    if (!line) {
      input_done_ = true;
      mode_ = Mode::Continue;
      if (!input_.interactive()) say(runtime != nullptr ? "(end of input: continue)\n" : "(end of input)\n");
      return;
    }
    std::string cmd = trim(*line);
    if (!input_.interactive()) say(cmd + "\n");
    if (run_command(cmd, runtime, point) != Verdict::Stay) return;
  }
}

void Stepper::at_end() {
  ended_ = true;
  runtime_ = nullptr;
  if (quit_ || input_done_ || replay_to_ || !options_.replayable) return;
  if (forward_tick_) say(fmt::format("the run ended before tick {}\n", *forward_tick_));
  if (forward_time_) say(fmt::format("the run ended before {}\n", format_ms(*forward_time_)));
  forward_tick_.reset();
  forward_time_.reset();
  say(paint("-- the run has ended: `back` or `goto` to look at an earlier point, `quit` to leave --", kHeading) +
      "\n");
  PausePoint none;
  prompt(nullptr, none);
}

// ---- commands ----

Stepper::Verdict Stepper::run_command(const std::string& line, Runtime* runtime, const PausePoint& point) {
  std::string cmd = line.empty() ? std::string("next") : line;  // Enter: the most common step
  auto [word, rest] = split_word(cmd);
  const bool ended = runtime == nullptr;
  if (word == "n" || word == "next" || word == "p" || word == "phase") return command_step(word, rest, ended);
  if (word == "c" || word == "continue") return command_continue(ended);
  if (word == "back") return command_back(rest, runtime);
  if (word == "g" || word == "goto") return command_goto(rest, runtime);
  if (word == "q" || word == "quit") return command_quit(runtime);
  if (word == "b" || word == "break") {
    command_break(rest);
  } else if (word == "i" || word == "info") {
    command_info(rest);
  } else if (word == "d" || word == "delete" || word == "disable" || word == "enable") {
    command_numbers(word == "d" ? "delete" : word, rest);
  } else if (word == "s" || word == "state") {
    command_state(runtime, point);
  } else if (word == "w" || word == "where" || word == "bt") {
    command_where(runtime, point);
  } else if (word == "h" || word == "help" || word == "?") {
    print_help(rest);
  } else {
    command_unknown(word, rest);
  }
  return Verdict::Stay;
}

bool Stepper::read_count(const std::string& word, const std::string& rest, std::uint64_t& n) {
  if (rest.empty()) return n = 1, true;
  auto parsed = parse_count(rest);
  if (!parsed || *parsed == 0) {
    say(fmt::format("{} takes a count of 1 or more, e.g. `{} 3`\n", word, word));
    return false;
  }
  n = *parsed;
  return true;
}

Stepper::Verdict Stepper::command_step(const std::string& word, const std::string& rest, bool ended) {
  std::uint64_t n = 1;
  if (!read_count(word, rest, n)) return Verdict::Stay;
  if (ended) {
    say("the run has ended; `back` or `goto` goes to an earlier point\n");
    return Verdict::Stay;
  }
  mode_ = (word == "n" || word == "next") ? Mode::Tick : Mode::Phase;
  remaining_ = n;
  return Verdict::Resume;
}

Stepper::Verdict Stepper::command_continue(bool ended) {
  if (ended) {
    say("the run has ended; `back` or `goto` goes to an earlier point\n");
    return Verdict::Stay;
  }
  mode_ = Mode::Continue;
  return Verdict::Resume;
}

Stepper::Verdict Stepper::command_back(const std::string& rest, Runtime* runtime) {
  const bool ended = runtime == nullptr;
  std::uint64_t current = current_index();
  if (rest == "phase") return travel(history_.back_phase(current), "back phase", runtime);
  if (rest == "event") {
    std::uint64_t events = ended ? tracer_->event_count() : history_.all().at(current).events;
    return travel(history_.back_event(current, events), "back event", runtime);
  }
  std::uint64_t n = 1;
  if (!rest.empty() && !parse_count(rest)) {
    say("usage: back [N] | back phase | back event\n");
    return Verdict::Stay;
  }
  if (!read_count("back", rest, n)) return Verdict::Stay;
  return travel(history_.back_ticks(current, n), "back", runtime);
}

Stepper::Verdict Stepper::command_goto(const std::string& rest, Runtime* runtime) {
  auto [kind, arg] = split_word(rest);
  if (kind == "tick") {
    auto n = parse_count(arg);
    if (!n) {
      say("goto tick needs a tick number, e.g. `goto tick 3`\n");
      return Verdict::Stay;
    }
    return travel(history_.goto_tick(current_index(), *n), "goto", runtime);
  }
  if (auto t = parse_time(rest); t && !rest.empty()) return travel(history_.goto_time(current_index(), *t), "goto", runtime);
  say("usage: goto tick N | goto TIME ms\n");
  return Verdict::Stay;
}

Stepper::Verdict Stepper::command_quit(Runtime* runtime) {
  quit_ = true;
  if (runtime != nullptr) {
    runtime->request_stop();
    say("quitting: closing every thread\n");
  }
  return Verdict::Resume;
}

void Stepper::command_info(const std::string& rest) {
  if (rest == "breaks" || rest == "break" || rest == "b" || rest == "breakpoints") {
    print_breaks();
  } else {
    say("usage: info breaks\n");
  }
}

void Stepper::command_state(Runtime* runtime, const PausePoint& point) {
  if (runtime == nullptr) {
    say("the run has ended: every thread is closed; `back` goes to an earlier point\n");
  } else {
    print_state(*runtime, point);
  }
}

void Stepper::command_where(Runtime* runtime, const PausePoint& point) {
  if (runtime == nullptr) {
    say("the run has ended: nothing runs any more\n");
  } else {
    print_where(*runtime, point);
  }
}

// `nxt` -> next, `brake tick 3` -> break tick 3: the whole line as it was meant.
void Stepper::command_unknown(const std::string& word, const std::string& rest) {
  std::string hint = did_you_mean(word, command_names(), command_slack(word));
  if (!hint.empty()) {
    say(fmt::format("unknown command \"{}\"; did you mean \"{}\"?\n", word, rest.empty() ? hint : hint + " " + rest));
  } else {
    say(fmt::format("unknown command \"{}\"; type help\n", word));
  }
}

Stepper::Verdict Stepper::travel(const TravelTarget& target, const std::string& what, Runtime* runtime) {
  switch (target.kind) {
    case TravelTarget::Kind::None:
      say(fmt::format("{}: {}\n", what, target.reason));
      return Verdict::Stay;
    case TravelTarget::Kind::Here:
      say(fmt::format("{}: already there\n", what));
      return Verdict::Stay;
    case TravelTarget::Kind::Forward:
      if (runtime == nullptr) {
        say(fmt::format("{}: the run ended before that\n", what));
        return Verdict::Stay;
      }
      forward_tick_ = target.tick;
      forward_time_ = target.time;
      return Verdict::Resume;
    case TravelTarget::Kind::Back: break;
  }
  if (!options_.replayable && refused_once_) {
    say(fmt::format("{}: not available on the real clock (see above)\n", what));
    return Verdict::Stay;
  }
  if (!options_.replayable) {
    refused_once_ = true;
    say(fmt::format(
        "{}: not available on the real clock. Going back replays the run from the start, and only the virtual\n"
        "clock makes a replay pass the same points: on the real clock the pool threads and the network race\n"
        "the loop, and time went on while you read. Step on the virtual clock (the default) to go back.\n",
        what));
    return Verdict::Stay;
  }
  const PauseRecord& to = history_.all().at(target.index);
  PausePoint p{to.tick, to.phase, to.tick_start};
  std::string place = p.tick_start ? fmt::format("before tick {}", p.tick)
                                   : fmt::format("tick {}, before the {} phase", p.tick, phase_display_name(p.phase));
  say(paint(fmt::format("-- going back to {}: replaying the run from the start --", place), kDim) + "\n");
  replay_to_ = target.index;
  if (runtime != nullptr) {
    // Stop this run without a word: its shutdown lines (Close, FINISHED) would be noise.
    muted_.store(true);
    tracer_->mark_broken();
    runtime->request_stop();
  }
  return Verdict::Replay;
}

void Stepper::command_break(const std::string& args) {
  std::string error;
  auto bp = parse_breakpoint(args, scenario_, error);
  if (!bp) {
    say(error + "\n");
    return;
  }
  auto [added, is_new] = breaks_.add(std::move(*bp));
  if (!is_new) {
    say(fmt::format("note: breakpoint {} already stops {}; nothing set\n", added->number, added->what()));
    return;
  }
  say(fmt::format("breakpoint {}: stops {}\n", added->number, added->what()));
  std::vector<CallbackId> follow;
  if (added->kind == Breakpoint::Kind::Id) follow.push_back(added->id);
  if (added->kind == Breakpoint::Kind::ScenarioLine) {
    // What the action registered before the breakpoint was set is followed too.
    std::lock_guard lock(mutex_);
    for (const auto& [id, reg] : registrations_) {
      if (reg.action == added->action) follow.push_back(id);
    }
  }
  for (CallbackId id : follow) tracked_[id].second.insert(added->number);
  if (!follow.empty()) {
    // Start from where the callback is now, so that one that ran long ago is not reported
    // as "has run" at the next stop.
    if (runtime_ != nullptr && !ended_) {
      std::vector<Hit> ignored;
      PausePoint here;
      update_tracked(*runtime_, here, ignored, false);
    }
  }
  refresh_watches();
}

void Stepper::command_numbers(const std::string& word, const std::string& args) {
  std::vector<int> numbers;
  std::string rest = args;
  while (!rest.empty()) {
    auto [token, tail] = split_word(rest);
    auto n = parse_count(token);
    if (!n) {
      say(fmt::format("usage: {} [N...] (breakpoint numbers, as `info breaks` shows them)\n", word));
      return;
    }
    numbers.push_back(static_cast<int>(*n));
    rest = tail;
  }
  if (numbers.empty()) {
    if (breaks_.all().empty()) {
      say("no breakpoints\n");
      return;
    }
    for (const auto& bp : breaks_.all()) numbers.push_back(bp.number);
  }
  for (int n : numbers) {
    bool ok = word == "delete" ? breaks_.remove(n) : breaks_.set_enabled(n, word == "enable");
    if (!ok) {
      say(fmt::format("no breakpoint number {}\n", n));
      continue;
    }
    if (word == "delete") {
      for (auto& [id, entry] : tracked_) entry.second.erase(n);
    }
    say(fmt::format("{} breakpoint {}\n", word == "delete" ? "deleted" : word == "enable" ? "enabled" : "disabled", n));
  }
  refresh_watches();
}

void Stepper::print_breaks() {
  if (breaks_.all().empty()) {
    say("no breakpoints\n");
    return;
  }
  std::string out = fmt::format("{:<4} {:<9} {:<4} {:<5} {}\n", "Num", "Type", "Enb", "Hits", "What");
  for (const auto& bp : breaks_.all()) {
    out += clip(fmt::format("{:<4} {:<9} {:<4} {:<5} {}", bp.number, bp.type_name(), bp.enabled ? "y" : "n", bp.hits,
                            bp.what())) +
           "\n";
  }
  say(out);
}

void Stepper::print_help(const std::string& command) {
  const auto& entries = help_entries();
  if (!command.empty()) {
    for (const auto& e : entries) {
      if (std::find(e.names.begin(), e.names.end(), command) == e.names.end()) continue;
      std::string aliases;
      for (std::size_t i = 1; i < e.names.size(); ++i) aliases += (aliases.empty() ? "" : ", ") + e.names[i];
      std::string out = fmt::format("{}\n  {}\n", e.usage, e.summary);
      if (!aliases.empty()) out += fmt::format("  (also: {})\n", aliases);
      if (!e.details.empty()) out += e.details + "\n";
      say(out);
      return;
    }
    std::string hint = did_you_mean(command, command_names(), command_slack(command));
    say(hint.empty() ? fmt::format("no command \"{}\"; type help for the list\n", command)
                     : fmt::format("no command \"{}\"; did you mean \"help {}\"?\n", command, hint));
    return;
  }
  std::string out = "commands (short forms in brackets; `help COMMAND` explains one):\n";
  for (const auto& e : entries) {
    std::string name = e.names[0];
    std::string shown = e.names.size() > 1 && e.names[1].size() == 1 && name.starts_with(e.names[1])
                            ? fmt::format("[{}]{}", e.names[1], name.substr(1))
                            : name;
    out += fmt::format("  {:<10} {}\n", shown, e.summary);
  }
  out += "  (Enter alone runs `next`)\n";
  say(out);
}

// ---- the views ----

// Every row of a view goes through here, and rows carry scenario text (labels, origins):
// escaped first, so that no scenario can move the cursor or clear the screen of the
// person stepping through it.
std::string Stepper::clip(const std::string& raw) const {
  std::string row = shown_on_one_line(raw);
  if (options_.width == 0 || row.size() <= options_.width) return row;
  return row.substr(0, options_.width - 3) + "...";
}

namespace {

// The rows of `state`: a name column, then the value, and under it (indented) what the
// scenario says the callback is; every row clipped to the screen.
class StateRows {
 public:
  StateRows(std::function<std::string(const std::string&)> clip, std::map<CallbackId, std::string> origins)
      : clip_(std::move(clip)), origins_(std::move(origins)) {}

  void row(const std::string& name, const std::string& value) {
    out_ += clip_(fmt::format("  {:<27} {}", name, value)) + "\n";
  }
  void sub(const std::string& text) {
    if (!text.empty()) out_ += clip_(fmt::format("  {:<27}   {}", "", text)) + "\n";
  }
  // The runtime's own label first; the origin its registration event carried otherwise.
  std::string label_of(CallbackId id, const std::string& label) const {
    if (!label.empty()) return label;
    auto it = origins_.find(id);
    return it == origins_.end() ? std::string() : it->second;
  }
  std::string clip(const std::string& raw) const { return clip_(raw); }
  std::string& text() { return out_; }

 private:
  std::function<std::string(const std::string&)> clip_;
  std::map<CallbackId, std::string> origins_;
  std::string out_;
};

void timer_rows(StateRows& rows, const RuntimeState& s) {
  if (s.timers.empty()) rows.row("timers", "none");
  for (std::size_t i = 0; i < s.timers.size(); ++i) {
    if (i == 8 && s.timers.size() > 10) {
      rows.row("", fmt::format("... and {} more", s.timers.size() - 8));
      break;
    }
    const auto& t = s.timers[i];
    std::string when = t.due_in.count() <= 0 ? fmt::format("due ({} ago)", format_ms(-t.due_in))
                                             : fmt::format("due in {}", format_ms(t.due_in));
    rows.row(i == 0 ? fmt::format("timers ({})", s.timers.size()) : "", fmt::format("id {:<5} {}", t.id, when));
    rows.sub(rows.label_of(t.id, t.label));
  }
}

void worker_rows(StateRows& rows, const RuntimeState& s, bool color) {
  for (std::size_t i = 0; i < s.workers.size(); ++i) {
    const auto& w = s.workers[i];
    std::string name = color ? paint_thread(w.name) : w.name;
    std::string what = "idle";
    if (w.busy) {
      what = fmt::format("running task {} ({}) since {}", w.task, w.kind, format_ms(w.since));
    }
    // Colour codes take no room on the screen: clip the plain row, then paint the name.
    std::string plain = rows.clip(fmt::format("  {:<27} {} {}", i == 0 ? "pool threads" : "", w.name, what));
    rows.text() += plain.replace(30, w.name.size(), name) + "\n";
    if (w.busy && w.ends) {
      rows.sub(fmt::format("{} at {} (a simulated latency)", *w.ends >= s.now ? "ends" : "ended", format_ms(*w.ends)));
    }
    if (w.busy) rows.sub(rows.label_of(w.task, w.label));
  }
}

// Work the loop waits for or is about to run: queued tasks, sockets, completions, callbacks.
void waiting_rows(StateRows& rows, const RuntimeState& s) {
  if (s.queued_tasks.empty()) rows.row("waiting for a thread", "none");
  for (std::size_t i = 0; i < s.queued_tasks.size(); ++i) {
    const auto& [id, kind] = s.queued_tasks[i];
    rows.row(i == 0 ? "waiting for a thread" : "", fmt::format("task {} ({})", id, kind));
    rows.sub(rows.label_of(id, ""));
  }
  if (s.sockets.empty()) rows.row("sockets with epoll", "none");
  for (std::size_t i = 0; i < s.sockets.size(); ++i) {
    rows.row(i == 0 ? "sockets with epoll" : "", fmt::format("id {}", s.sockets[i]));
    rows.sub(rows.label_of(s.sockets[i], ""));
  }
  if (s.completed.empty()) rows.row("completed, not yet handled", "none");
  for (std::size_t i = 0; i < s.completed.size(); ++i) {
    rows.row(i == 0 ? "completed, not yet handled" : "", s.completed[i]);
    rows.sub(rows.label_of(completed_id(s.completed[i]), ""));
  }
  if (s.callbacks_to_run.empty()) rows.row("callbacks about to run", "none");
  for (std::size_t i = 0; i < s.callbacks_to_run.size(); ++i) {
    CallbackId id = s.callbacks_to_run[i];
    rows.row(i == 0 ? "callbacks about to run" : "", fmt::format("id {}", id));
    rows.sub(rows.label_of(id, ""));
  }
}

}  // namespace

void Stepper::print_state(const Runtime& runtime, const PausePoint& point) {
  RuntimeState s = Inspector(runtime).state();
  std::map<CallbackId, std::string> origins;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, reg] : registrations_) origins[id] = reg.origin;
  }
  StateRows rows([this](const std::string& raw) { return clip(raw); }, std::move(origins));
  rows.text() +=
      paint(fmt::format("state {}; now {} after the start", position(point), format_ms(s.now)), kHeading) + "\n";
  timer_rows(rows, s);
  worker_rows(rows, s, options_.color);
  waiting_rows(rows, s);
  for (const auto& q : s.queues) {
    if (q.items.empty()) rows.row(q.name, "empty");
    for (std::size_t i = 0; i < q.items.size(); ++i) rows.row(i == 0 ? q.name : "", q.items[i]);
  }
  rows.row("pending events", fmt::format("{} (the loop runs while this is above 0)", s.pending));
  say(rows.text());
}

namespace {

// What the callback about to run will do: the actions of its `then`, "" when none.
std::string then_summary(const scenario::Action* action) {
  if (action == nullptr || action->kind == scenario::ActionKind::Promise || action->then.empty()) return {};
  std::string body;
  for (const auto& a : action->then) {
    body += fmt::format("{}{} ({})", body.empty() ? "" : ", ", action_kind_name(a.kind), action_place(a));
  }
  return body;
}

// The innermost action enclosing the last one of `path` whose callback registers what is
// inside it (a `repeat` registers nothing of its own); nullptr: the program itself.
const scenario::Action* registering_parent(const std::vector<const scenario::Action*>& path) {
  for (std::size_t i = path.size() >= 1 ? path.size() - 1 : 0; i-- > 0;) {
    if (registers_callback(*path[i])) return path[i];
  }
  return nullptr;
}

// The parent action's callback that registered the one at `seq`: the latest of that
// action's registrations before it. A template so that the stepper's registrations stay
// its own type.
template <typename Registrations>
auto latest_registration_by(const Registrations& regs, const scenario::Action* parent, std::uint64_t seq)
    -> const typename Registrations::value_type* {
  const typename Registrations::value_type* by = nullptr;
  for (const auto& entry : regs) {
    if (entry.second.action == parent && entry.second.seq < seq &&
        (by == nullptr || entry.second.seq > by->second.seq)) {
      by = &entry;
    }
  }
  return by;
}

}  // namespace

// The chain of registrations that led to callback `id`, as frames: #0 the callback, #1
// the callback that registered it, ... up to the program. The scenario's tree says which
// action encloses which; the trace's registrations say which callback of that action
// (the latest registered before) and in which tick.
std::vector<std::string> Stepper::chain(CallbackId id, const std::string& label) {
  std::map<CallbackId, Registration> regs;
  {
    std::lock_guard lock(mutex_);
    regs = registrations_;
  }
  std::vector<std::string> lines;
  CallbackId cur = id;
  std::string cur_label = label;
  for (int frame = 0; frame < kMaxFrames; ++frame) {
    auto it = regs.find(cur);
    std::string origin = !cur_label.empty() ? cur_label : it != regs.end() ? it->second.origin : std::string();
    lines.push_back(fmt::format("#{}  callback {}: {}", frame, cur,
                                origin.empty() ? "(the runtime gave it no label)" : origin));
    if (it == regs.end()) break;
    const Registration& reg = it->second;
    if (std::string body = then_summary(reg.action); frame == 0 && !body.empty()) {
      lines.push_back(fmt::format("      its callback runs: {}", body));
    }
    std::string when = reg.tick == 0 ? "registered in tick 0 (the program's first run)"
                                     : fmt::format("registered in tick {}, in the {} phase", reg.tick,
                                                   phase_display_name(reg.phase));
    auto path = action_path(scenario_, reg.action);
    const scenario::Action* parent = registering_parent(path);
    if (path.empty()) {
      lines.push_back(fmt::format("      {}", when));
      break;
    }
    if (parent == nullptr) {
      lines.push_back(fmt::format("      {}, by the program", when));
      break;
    }
    const auto* by = latest_registration_by(regs, parent, reg.seq);
    if (by == nullptr) {
      lines.push_back(fmt::format("      {}, by a callback of the {} at {} (not seen in this run)", when,
                                  action_kind_name(parent->kind), action_place(*parent)));
      break;
    }
    lines.push_back(fmt::format("      {}, by the callback in #{}", when, frame + 1));
    cur = by->first;
    cur_label.clear();
  }
  return lines;
}

namespace {

// Nothing is due: the poll phase will wait for the first of these. Known times first
// (timers, simulated latencies), earliest first; then work of unknown length.
struct Expected {
  std::optional<Duration> at;
  CallbackId id;
  std::string why;
  std::string label;
};

std::vector<Expected> expected_next(const RuntimeState& s) {
  std::vector<Expected> candidates;
  if (!s.timers.empty()) {
    const auto& t = s.timers.front();
    candidates.push_back({s.now + t.due_in, t.id, fmt::format("timer {}, due in {}", t.id, format_ms(t.due_in)), t.label});
  }
  for (const auto& w : s.workers) {
    if (!w.busy) continue;
    candidates.push_back({w.ends, w.task,
                          w.ends ? fmt::format("task {} on {}, ends at {}", w.task, w.name, format_ms(*w.ends))
                                 : fmt::format("task {} on {}", w.task, w.name),
                          w.label});
  }
  for (auto id : s.sockets) candidates.push_back({std::nullopt, id, fmt::format("request {} with epoll", id), ""});
  std::stable_sort(candidates.begin(), candidates.end(), [](const Expected& x, const Expected& y) {
    if (x.at && y.at) return *x.at < *y.at;
    return x.at.has_value() && !y.at.has_value();
  });
  return candidates;
}

}  // namespace

void Stepper::print_where(const Runtime& runtime, const PausePoint& point) {
  RuntimeState s = Inspector(runtime).state();
  std::string out = paint(fmt::format("where: {}; now {}", position(point), format_ms(s.now)), kHeading) + "\n";
  auto add = [&](const std::string& text) { out += clip(text) + "\n"; };
  auto frames = [&](CallbackId id, const std::string& label) {
    for (const auto& line : chain(id, label)) add("  " + line);
  };
  // The loop stands between phases: nothing runs. What runs next, in the order the loop
  // will get to it.
  if (!s.callbacks_to_run.empty()) {
    add(fmt::format("  about to run in this phase: callback{} {}", s.callbacks_to_run.size() > 1 ? "s" : "",
                    fmt::join(s.callbacks_to_run, ", ")));
    frames(s.callbacks_to_run.front(), "");
  } else if (point.tick_start && first_busy_phase(s) == Phase::Check) {
    add(fmt::format("  next, in this tick's check phase (before its timers phase): immediate {}", first_immediate(s)));
    frames(first_immediate(s), "");
  } else if (point.tick_start && !s.timers.empty() && s.timers.front().due_in.count() <= 0) {
    std::vector<CallbackId> due;
    for (const auto& t : s.timers) {
      if (t.due_in.count() <= 0) due.push_back(t.id);
    }
    add(fmt::format("  due, run by this tick's timers phase: timer{} {}", due.size() > 1 ? "s" : "",
                    fmt::join(due, ", ")));
    frames(s.timers.front().id, s.timers.front().label);
  } else if (!s.completed.empty() && completed_id(s.completed.front()) != 0) {
    CallbackId id = completed_id(s.completed.front());
    add(fmt::format("  completed, its callback runs in the next poll phase: callback {} ({})", id,
                    s.completed.front()));
    frames(id, "");
  } else {
    std::vector<Expected> candidates = expected_next(s);
    if (candidates.empty()) {
      add("  nothing is waiting: the loop ends");
    } else {
      add(fmt::format("  nothing is due; the first expected: {}", candidates.front().why));
      frames(candidates.front().id, candidates.front().label);
      for (std::size_t i = 1; i < candidates.size(); ++i) add(fmt::format("  then: {}", candidates[i].why));
    }
  }
  // The node model's queues run before anything above (after the current callback):
  // nextTick, then microtasks; immediates in the check phase. Timer lists are in `state`.
  for (const auto& q : s.queues) {
    if (q.items.empty() || q.name.starts_with("timer list")) continue;
    add(fmt::format("  {} queue ({}): {}", q.name, q.items.size(), q.items.front()));
  }
  if (s.race) add(timing_note(*s.race));
  say(out);
}

// ---- output ----

std::string Stepper::paint(const std::string& text, int style) const {
  if (!options_.color) return text;
  switch (style) {
    case kHeading: return fmt::format(fmt::emphasis::bold | fmt::fg(fmt::terminal_color::yellow), "{}", text);
    case kWarn: return fmt::format(fmt::emphasis::bold | fmt::fg(fmt::terminal_color::red), "{}", text);
    case kDim: return fmt::format(fmt::fg(fmt::terminal_color::bright_black), "{}", text);
    default: return text;
  }
}

void Stepper::say(const std::string& text) {
  std::fputs(text.c_str(), out_);
  std::fflush(out_);
}

}  // namespace elt
