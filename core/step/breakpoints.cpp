#include "step/breakpoints.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>

#include <fmt/format.h>

#include "common/did_you_mean.h"
#include "scenario/actions/action.h"

namespace elt {

namespace {

// Walks the scenario's tree of actions: the program, then every callback's actions.
template <typename Visit>
void walk(const std::vector<scenario::Action>& actions, Visit& visit) {
  for (const auto& a : actions) {
    visit(a);
    walk(a.then, visit);
    walk(a.detail().on_error, visit);
    for (const auto& step : a.detail().chain) walk(step.body, visit);
  }
}

const char* kBreakUsage =
    "usage: break tick N | break at TIME ms | break phase NAME | break id N | break line TEXT | break LINE "
    "(a line of the scenario file, e.g. `break 14`, or an action's JSON path, e.g. `break /program/1`)";

}  // namespace

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

std::string format_ms(Duration d) {
  return fmt::format("{:.3f} ms", std::chrono::duration<double, std::milli>(d).count());
}

std::optional<std::uint64_t> parse_count(const std::string& text) {
  std::uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return n;
}

std::optional<Duration> parse_time(const std::string& raw) {
  std::string text = trim(raw);
  if (text.ends_with("ms")) text = trim(text.substr(0, text.size() - 2));
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value < 0) return std::nullopt;
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(value));
}

std::optional<Phase> parse_phase_name(const std::string& name) {
  if (name == "timers") return Phase::Timers;
  if (name == "pending" || name == "pending callbacks") return Phase::Pending;
  if (name == "idle" || name == "prepare" || name == "idle/prepare") return Phase::IdlePrepare;
  if (name == "poll") return Phase::Poll;
  if (name == "check") return Phase::Check;
  if (name == "close" || name == "closing" || name == "close callbacks") return Phase::Closing;
  return std::nullopt;
}

std::vector<std::string> phase_names() { return {"timers", "pending", "idle", "poll", "check", "close"}; }

std::vector<std::string> breakpoint_kinds() { return {"tick", "at", "phase", "id", "line"}; }

std::string phase_display_name(Phase phase) {
  switch (phase) {
    case Phase::Timers: return "timers";
    case Phase::Pending: return "pending callbacks";
    case Phase::IdlePrepare: return "idle/prepare";
    case Phase::Poll: return "poll";
    case Phase::Check: return "check";
    case Phase::Closing: return "close callbacks";
    case Phase::Script: return "the program's first run";
    case Phase::Shutdown: return "shutdown";
  }
  return "?";
}

std::string Breakpoint::type_name() const {
  switch (kind) {
    case Kind::Tick: return "tick";
    case Kind::Time: return "time";
    case Kind::Phase: return "phase";
    case Kind::Id: return "id";
    case Kind::Line: return "line";
    case Kind::ScenarioLine: return "scenario";
  }
  return "?";
}

std::string Breakpoint::what() const {
  switch (kind) {
    case Kind::Tick: return fmt::format("before tick {}", tick);
    case Kind::Time: return fmt::format("at {} on the run's clock", format_ms(time));
    case Kind::Phase:
      return phase == Phase::Timers ? std::string("before the timers phase (the start of every tick)")
                                    : fmt::format("before the {} phase, every tick", phase_display_name(phase));
    case Kind::Id: return fmt::format("callback {}: registered, queued, handed out, about to run, has run", id);
    case Kind::Line: return fmt::format("when a trace line contains \"{}\"", text);
    case Kind::ScenarioLine: return fmt::format("the action at {} and what it registers", text);
  }
  return "?";
}

bool Breakpoint::same_place(const Breakpoint& o) const {
  if (kind != o.kind) return false;
  switch (kind) {
    case Kind::Tick: return tick == o.tick;
    case Kind::Time: return time == o.time;
    case Kind::Phase: return phase == o.phase;
    case Kind::Id: return id == o.id;
    case Kind::Line: return text == o.text;
    case Kind::ScenarioLine: return action == o.action;
  }
  return false;
}

std::pair<Breakpoint*, bool> Breakpoints::add(Breakpoint bp) {
  for (auto& existing : list_) {
    if (existing.same_place(bp)) return {&existing, false};
  }
  bp.number = next_number_++;
  list_.push_back(std::move(bp));
  return {&list_.back(), true};
}

bool Breakpoints::remove(int number) {
  auto it = std::find_if(list_.begin(), list_.end(), [&](const Breakpoint& b) { return b.number == number; });
  if (it == list_.end()) return false;
  list_.erase(it);
  return true;
}

bool Breakpoints::set_enabled(int number, bool enabled) {
  Breakpoint* bp = find(number);
  if (bp == nullptr) return false;
  bp->enabled = enabled;
  return true;
}

Breakpoint* Breakpoints::find(int number) {
  for (auto& b : list_) {
    if (b.number == number) return &b;
  }
  return nullptr;
}

bool Breakpoints::any_enabled(Breakpoint::Kind kind) const {
  return std::any_of(list_.begin(), list_.end(), [&](const Breakpoint& b) { return b.enabled && b.kind == kind; });
}

const scenario::Action* action_at_line(const scenario::Scenario& scenario, std::size_t line) {
  const scenario::Action* found = nullptr;
  if (line == 0) return nullptr;
  // The walk goes outer before inner: the first match is the outermost, the action the
  // line starts with (`{ "set_timeout": 0, "then": [ { "print": ... } ] }` on one line).
  auto visit = [&](const scenario::Action& a) {
    if (found == nullptr && a.line == line) found = &a;
  };
  walk(scenario.program, visit);
  return found;
}

namespace {
bool find_path(const std::vector<scenario::Action>& actions, const scenario::Action* target,
               std::vector<const scenario::Action*>& path) {
  for (const auto& a : actions) {
    path.push_back(&a);
    if (&a == target || find_path(a.then, target, path) || find_path(a.detail().on_error, target, path)) return true;
    for (const auto& step : a.detail().chain) {
      if (find_path(step.body, target, path)) return true;
    }
    path.pop_back();
  }
  return false;
}
}  // namespace

std::vector<const scenario::Action*> action_path(const scenario::Scenario& scenario, const scenario::Action* action) {
  std::vector<const scenario::Action*> path;
  if (action == nullptr || !find_path(scenario.program, action, path)) path.clear();
  return path;
}

std::size_t origin_line(std::string_view origin) {
  // "KIND at FILE:LINE", then optionally ": what it prints" (which may hold anything).
  auto at = origin.find(" at ");
  if (at == std::string_view::npos) return 0;
  std::string_view place = origin.substr(at + 4);
  place = place.substr(0, place.find(": "));
  auto colon = place.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == place.size()) return 0;
  std::uint64_t line = 0;
  auto [ptr, ec] = std::from_chars(place.data() + colon + 1, place.data() + place.size(), line);
  if (ec != std::errc() || ptr != place.data() + place.size()) return 0;
  return line;
}

const scenario::Action* action_of_origin(const scenario::Scenario& scenario, std::string_view origin) {
  if (std::size_t line = origin_line(origin)) {
    // Several actions may start on one line: the label's first word names the kind
    // ("set_timeout at ...", "promise then at ...").
    std::string_view kind = origin.substr(0, origin.find_first_of(" "));
    const scenario::Action* found = nullptr;
    auto visit = [&](const scenario::Action& a) {
      if (found == nullptr && a.line == line && action_kind_name(a.kind) == kind) found = &a;
    };
    walk(scenario.program, visit);
    return found != nullptr ? found : action_at_line(scenario, line);
  }
  // Without a line, the runtime's label names the action's JSON path: "fs_read at book.json /program/7".
  auto at = origin.find(" at ");
  if (at == std::string_view::npos) return nullptr;
  std::string_view place = origin.substr(at + 4);
  place = place.substr(0, place.find(": "));
  auto slash = place.find(" /");
  if (slash == std::string_view::npos) return nullptr;
  std::string_view path = place.substr(slash + 1);
  const scenario::Action* found = nullptr;
  auto visit = [&](const scenario::Action& a) {
    if (found == nullptr && a.json_path == path) found = &a;
  };
  walk(scenario.program, visit);
  return found;
}

bool template_matches(const scenario::Template& t, std::string_view message) {
  // Literal pieces must appear in order; the first is anchored at the start and the last
  // at the end unless a reference comes before or after it.
  std::size_t pos = 0;
  const auto& segs = t.segments;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    if (!segs[i].path.empty()) continue;
    const std::string& lit = segs[i].literal;
    bool first = i == 0;
    bool last = i + 1 == segs.size();
    if (first) {
      if (!message.starts_with(lit)) return false;
      pos = lit.size();
    } else if (last) {
      if (message.size() < pos + lit.size() || !message.ends_with(lit)) return false;
      pos = message.size();
    } else {
      auto found = message.find(lit, pos);
      if (found == std::string_view::npos) return false;
      pos = found + lit.size();
    }
  }
  // All literal (or empty): the message must be exactly that.
  if (t.is_literal()) return message == (segs.empty() ? std::string_view() : std::string_view(segs[0].literal));
  return true;
}

std::string_view action_kind_name(scenario::ActionKind kind) {
  using K = scenario::ActionKind;
  switch (kind) {
    case K::Print: return "print";
    case K::PrintContent: return "print_content";
    case K::SetTimeout: return "set_timeout";
    case K::FsRead: return "fs_read";
    case K::Encrypt: return "encrypt";
    case K::HttpGetSlow: return "http_get_slow";
    case K::HttpGet: return "http_get";
    case K::Repeat: return "repeat";
    case K::SetInterval: return "set_interval";
    case K::SetImmediate: return "set_immediate";
    case K::NextTick: return "next_tick";
    case K::QueueMicrotask: return "queue_microtask";
    case K::Promise: return "promise";
    case K::ClearTimeout: return "clear_timeout";
    case K::ClearInterval: return "clear_interval";
    case K::ClearImmediate: return "clear_immediate";
    case K::Block: return "block";
    case K::Let: return "let";
    case K::Set: return "set";
    case K::If: return "if";
    case K::Unref: return "unref";
    case K::Ref: return "ref";
    default: break;
  }
  // The promise family (scenario/actions/async.cpp) is named by its spec.
  if (const auto& spec = scenario::action_spec(kind); spec.kind == kind) return spec.name;
  return "action";
}

std::string action_place(const scenario::Action& action) {
  return action.line > 0 ? fmt::format("line {}", action.line) : action.json_path;
}

std::vector<std::size_t> action_lines(const scenario::Scenario& scenario) {
  std::vector<std::size_t> lines;
  auto visit = [&](const scenario::Action& a) {
    if (a.line > 0) lines.push_back(a.line);
  };
  walk(scenario.program, visit);
  std::sort(lines.begin(), lines.end());
  lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
  return lines;
}

namespace {

// One function per kind of `break`: each reads its argument, or says in `error` what it
// expected.

std::optional<Breakpoint> break_at_tick(const std::string& arg, std::string& error) {
  auto n = parse_count(arg);
  if (!n || *n == 0) {
    error = n && *n == 0
                ? "break tick 0: tick 0 is the program's first run, which always runs before the first stop; "
                  "the first tick you can stop before is 1"
                : "break tick needs a tick number, e.g. `break tick 3`";
    return std::nullopt;
  }
  Breakpoint bp;
  bp.kind = Breakpoint::Kind::Tick;
  bp.tick = *n;
  return bp;
}

std::optional<Breakpoint> break_at_time(const std::string& arg, std::string& error) {
  auto t = parse_time(arg);
  if (!t) {
    error = "break at needs a time on the run's clock, e.g. `break at 2000 ms`";
    return std::nullopt;
  }
  Breakpoint bp;
  bp.kind = Breakpoint::Kind::Time;
  bp.time = *t;
  return bp;
}

std::optional<Breakpoint> break_in_phase(const std::string& arg, std::string& error) {
  auto p = parse_phase_name(arg);
  if (!p) {
    error = "break phase needs a phase: timers, pending, idle, poll, check or close";
    std::string hint = did_you_mean(arg, phase_names());
    if (!hint.empty()) error += fmt::format("; did you mean \"break phase {}\"?", hint);
    return std::nullopt;
  }
  Breakpoint bp;
  bp.kind = Breakpoint::Kind::Phase;
  bp.phase = *p;
  return bp;
}

std::optional<Breakpoint> break_on_id(const std::string& arg, std::string& error) {
  auto n = parse_count(arg);
  if (!n || *n == 0) {
    error = "break id needs a callback id (1 or more, as the trace and `state` show them), e.g. `break id 6`";
    return std::nullopt;
  }
  Breakpoint bp;
  bp.kind = Breakpoint::Kind::Id;
  bp.id = *n;
  return bp;
}

std::optional<Breakpoint> break_on_line_text(const std::string& arg, std::string& error) {
  if (arg.empty()) {
    error = "break line needs some text, e.g. `break line Encrypted`";
    return std::nullopt;
  }
  Breakpoint bp;
  bp.kind = Breakpoint::Kind::Line;
  bp.text = arg;
  return bp;
}

// `break /program/1/then/2`: an action by its JSON path (as labels show it when the
// parser has recorded no lines).
std::optional<Breakpoint> break_at_json_path(const std::string& path, const scenario::Scenario& scenario,
                                             std::string& error) {
  const scenario::Action* found = nullptr;
  auto visit = [&](const scenario::Action& a) {
    if (found == nullptr && a.json_path == path) found = &a;
  };
  walk(scenario.program, visit);
  if (found == nullptr) {
    error = fmt::format("no action at {} in {}", path, std::filesystem::path(scenario.file).filename().string());
    return std::nullopt;
  }
  Breakpoint bp;
  bp.kind = Breakpoint::Kind::ScenarioLine;
  bp.line = found->line;
  bp.action = found;
  bp.text = fmt::format("{} {}", std::filesystem::path(scenario.file).filename().string(), path);
  return bp;
}

// `14` or `book.json:14`, split into the file named (maybe none) and the line; nullopt when
// the words are no line number (then they may be a mistyped kind).
struct FileLine {
  std::string file;
  std::uint64_t line = 0;
};
std::optional<FileLine> file_line_of(const std::string& args) {
  FileLine out;
  std::string line_part = args;
  if (auto colon = args.rfind(':'); colon != std::string::npos) {
    out.file = args.substr(0, colon);
    line_part = args.substr(colon + 1);
  }
  auto n = parse_count(line_part);
  if (!n) return std::nullopt;
  out.line = *n;
  return out;
}

// `break 14` or `break book.json:14`: a line of the scenario file that an action starts at.
std::optional<Breakpoint> break_at_scenario_line(const std::string& args, const FileLine& at,
                                                 const scenario::Scenario& scenario, std::string& error) {
  std::string name = std::filesystem::path(scenario.file).filename().string();
  if (!at.file.empty() && std::filesystem::path(at.file).filename().string() != name) {
    error = fmt::format("break {}: the scenario is {}; name one of its lines, e.g. `break {}:{}`", args, name, name,
                        at.line);
    return std::nullopt;
  }
  const scenario::Action* action = action_at_line(scenario, at.line);
  if (action == nullptr) {
    auto lines = action_lines(scenario);
    std::string list;
    for (auto l : lines) list += fmt::format("{}{}", list.empty() ? "" : ", ", l);
    error = lines.empty() ? fmt::format("no action starts at line {} of {} (no action lines are known)", at.line, name)
                          : fmt::format("no action starts at line {} of {}; actions start at lines {}", at.line,
                                        name, list);
    return std::nullopt;
  }
  Breakpoint bp;
  bp.kind = Breakpoint::Kind::ScenarioLine;
  bp.line = at.line;
  bp.action = action;
  bp.text = fmt::format("{}:{}", name, at.line);
  return bp;
}

}  // namespace

std::optional<Breakpoint> parse_breakpoint(const std::string& raw, const scenario::Scenario& scenario,
                                           std::string& error) {
  std::string args = trim(raw);
  std::string kind = args.substr(0, args.find(' '));
  std::string arg = kind.size() < args.size() ? trim(args.substr(kind.size())) : "";
  if (kind == "tick") return break_at_tick(arg, error);
  if (kind == "at") return break_at_time(arg, error);
  if (kind == "phase") return break_in_phase(arg, error);
  if (kind == "id") return break_on_id(arg, error);
  if (kind == "line") return break_on_line_text(arg, error);
  if (args.starts_with("/") && arg.empty()) return break_at_json_path(args, scenario, error);
  if (!args.empty() && arg.empty()) {
    if (auto at = file_line_of(args)) return break_at_scenario_line(args, *at, scenario, error);
  }
  // `break tik 3`: a kind mistyped, not a line of the scenario.
  if (std::string hint = did_you_mean(kind, breakpoint_kinds()); !hint.empty() && !arg.empty()) {
    error = fmt::format("no breakpoint kind \"{}\"; did you mean \"break {} {}\"?", kind, hint, arg);
    return std::nullopt;
  }
  error = kBreakUsage;
  return std::nullopt;
}

}  // namespace elt
