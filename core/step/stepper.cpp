#include "step/stepper.h"

#include <charconv>

#include <fmt/color.h>
#include <fmt/format.h>

#include "trace/tracer.h"

namespace elt {

namespace {

enum Style { kHeading = 0, kThread, kWarn };

std::string ms(Duration d) {
  return fmt::format("{:.3f} ms", std::chrono::duration<double, std::milli>(d).count());
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

std::string phase_name(Phase phase) {
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

}  // namespace

Stepper::Stepper(LineSource& input, std::FILE* out, Tracer& tracer, bool color)
    : input_(input), out_(out), tracer_(tracer), color_(color) {}

void Stepper::attach(Runtime& runtime) {
  runtime.set_pause_hook([this](Runtime& rt, const PausePoint& point) { on_pause(rt, point); });
  tracer_.set_observer([this](const TraceEvent& event) {
    if (is_marker(event.kind)) return;  // not a line of the trace
    std::lock_guard lock(mutex_);
    if (line_hit_) return;
    for (const auto& text : break_lines_) {
      if (event.message.find(text) != std::string::npos || event.content.find(text) != std::string::npos) {
        line_hit_ = fmt::format("Thread: {}\t {}", event.thread, event.message);
        return;
      }
    }
  });
}

std::string Stepper::paint(const std::string& text, int style) const {
  if (!color_) return text;
  switch (style) {
    case kHeading: return fmt::format(fmt::emphasis::bold | fmt::fg(fmt::terminal_color::yellow), "{}", text);
    case kThread: return fmt::format(fmt::fg(fmt::terminal_color::cyan), "{}", text);
    case kWarn: return fmt::format(fmt::emphasis::bold | fmt::fg(fmt::terminal_color::red), "{}", text);
    default: return text;
  }
}

void Stepper::say(const std::string& text) {
  std::fputs(text.c_str(), out_);
  std::fflush(out_);
}

bool Stepper::should_stop(const PausePoint& point) {
  {
    std::lock_guard lock(mutex_);
    if (line_hit_) return true;
  }
  if (point.tick_start) {
    for (auto t : break_ticks_) {
      if (t == point.tick) return true;
    }
  }
  switch (mode_) {
    case Mode::Tick: return point.tick_start;
    case Mode::Phase: return true;
    case Mode::Continue: return false;
  }
  return false;
}

void Stepper::on_pause(Runtime& runtime, const PausePoint& point) {
  if (quit_ || !should_stop(point)) return;
  where_ = point;
  tracer_.flush();
  std::string where = point.tick_start
                          ? fmt::format("paused before tick {}", point.tick)
                          : fmt::format("paused in tick {}, before the {} phase", point.tick, phase_name(point.phase));
  say(paint(fmt::format("-- {} --", where), kHeading) + "\n");
  {
    std::lock_guard lock(mutex_);
    if (line_hit_) {
      say(paint(fmt::format("break: a line matched: {}", *line_hit_), kWarn) + "\n");
      line_hit_.reset();
    }
  }
  if (input_done_) return;  // end of input: keep going, stopping only to report breaks

  for (;;) {
    std::string prompt = fmt::format("(tick {}) step> ", point.tick);
    // The prompt stays plain: a line editor counts escape codes as printed characters.
    auto line = input_.read_line(prompt);
    if (!line) {
      input_done_ = true;
      mode_ = Mode::Continue;
      if (!input_.interactive()) say("(end of input: continue)\n");
      return;
    }
    std::string cmd = trim(*line);
    if (!input_.interactive()) say(cmd + "\n");
    if (cmd.empty()) cmd = "next";  // Enter repeats the most common step, as in gdb
    std::string word = cmd.substr(0, cmd.find(' '));
    std::string rest = word.size() < cmd.size() ? trim(cmd.substr(word.size())) : "";

    if (word == "n" || word == "next") {
      mode_ = Mode::Tick;
      return;
    }
    if (word == "p" || word == "phase") {
      mode_ = Mode::Phase;
      return;
    }
    if (word == "c" || word == "continue") {
      mode_ = Mode::Continue;
      return;
    }
    if (word == "q" || word == "quit") {
      quit_ = true;
      runtime.request_stop();
      say("quitting: closing every thread\n");
      return;
    }
    if (word == "s" || word == "state") {
      print_state(runtime);
      continue;
    }
    if (word == "h" || word == "help" || word == "?") {
      print_help();
      continue;
    }
    if (word == "b" || word == "break") {
      std::string kind = rest.substr(0, rest.find(' '));
      std::string arg = kind.size() < rest.size() ? trim(rest.substr(kind.size())) : "";
      if (kind == "tick") {
        std::uint64_t n = 0;
        auto [ptr, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), n);
        if (arg.empty() || ec != std::errc() || ptr != arg.data() + arg.size() || n == 0) {
          say("break tick needs a tick number, e.g. `break tick 3`\n");
          continue;
        }
        break_ticks_.push_back(n);
        say(fmt::format("will stop before tick {}\n", n));
        continue;
      }
      if (kind == "line" && !arg.empty()) {
        std::lock_guard lock(mutex_);
        break_lines_.push_back(arg);
        say(fmt::format("will stop when a trace line contains \"{}\"\n", arg));
        continue;
      }
      say("usage: break tick N | break line TEXT\n");
      continue;
    }
    say(fmt::format("unknown command \"{}\"; type help\n", word));
  }
}

void Stepper::print_help() {
  say("commands (one-letter aliases in brackets):\n"
      "  [n]ext            run one tick\n"
      "  [p]hase           run to the next phase\n"
      "  [c]ontinue        run to the end or the next break\n"
      "  [b]reak tick N    stop before tick N\n"
      "  [b]reak line TEXT stop when a trace line contains TEXT\n"
      "  [s]tate           show the loop's timers, threads, sockets and queues\n"
      "  [h]elp            this list\n"
      "  [q]uit            stop the loop and shut every thread down\n"
      "  (Enter alone runs `next`)\n");
}

void Stepper::print_state(const Runtime& runtime) {
  RuntimeState s = runtime.state();
  std::string out;
  auto row = [&](const std::string& label, const std::string& value) {
    out += fmt::format("  {:<27} {}\n", label, value);
  };
  std::string where = where_.tick_start ? fmt::format("before tick {}", where_.tick)
                                        : fmt::format("tick {}, before the {} phase", where_.tick, phase_name(where_.phase));
  out += paint(fmt::format("state {}; now {} after the start", where, ms(s.now)), kHeading) + "\n";

  if (s.timers.empty()) row("timers", "none");
  for (std::size_t i = 0; i < s.timers.size(); ++i) {
    if (i == 8 && s.timers.size() > 10) {
      row("", fmt::format("... and {} more", s.timers.size() - 8));
      break;
    }
    const auto& t = s.timers[i];
    std::string when = t.due_in.count() <= 0 ? fmt::format("due ({} ago)", ms(-t.due_in))
                                             : fmt::format("due in {}", ms(t.due_in));
    row(i == 0 ? fmt::format("timers ({})", s.timers.size()) : "", fmt::format("id {:<5} {}", t.id, when));
  }
  for (std::size_t i = 0; i < s.workers.size(); ++i) {
    const auto& w = s.workers[i];
    std::string what = w.busy ? fmt::format("running task {} ({}) since {}", w.task, w.kind, ms(w.since)) : "idle";
    row(i == 0 ? "pool threads" : "", fmt::format("{} {}", paint(w.name, kThread), what));
  }
  std::string queued;
  for (const auto& [id, kind] : s.queued_tasks) queued += fmt::format("{}{} ({})", queued.empty() ? "" : ", ", id, kind);
  row("waiting for a thread", queued.empty() ? "none" : queued);
  std::string sockets;
  for (auto id : s.sockets) sockets += fmt::format("{}{}", sockets.empty() ? "" : ", ", id);
  row("sockets with epoll", sockets.empty() ? "none" : "ids " + sockets);
  if (s.completed.empty()) row("completed, not yet handled", "none");
  for (std::size_t i = 0; i < s.completed.size(); ++i) {
    row(i == 0 ? "completed, not yet handled" : "", s.completed[i]);
  }
  std::string to_run;
  for (auto id : s.callbacks_to_run) to_run += fmt::format("{}{}", to_run.empty() ? "" : ", ", id);
  row("callbacks about to run", to_run.empty() ? "none" : "ids " + to_run);
  row("pending events", fmt::format("{} (the loop runs while this is above 0)", s.pending));
  say(out);
}

}  // namespace elt
