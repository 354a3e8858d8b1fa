#include "trace/format.h"

#include <algorithm>
#include <cstdint>
#include <string_view>

#include <fmt/color.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "trace/describe.h"

namespace elt {

std::string_view to_string(Phase phase) {
  switch (phase) {
    case Phase::Script: return "script";
    case Phase::Timers: return "timers";
    case Phase::Pending: return "pending";
    case Phase::IdlePrepare: return "idle_prepare";
    case Phase::Poll: return "poll";
    case Phase::Check: return "check";
    case Phase::Closing: return "closing";
    case Phase::Shutdown: return "shutdown";
  }
  return "?";
}

std::string_view to_string(EventKind kind) {
  switch (kind) {
    case EventKind::Print: return "print";
    case EventKind::Content: return "content";
    case EventKind::Tick: return "tick";
    case EventKind::TimerRegistered: return "timer_registered";
    case EventKind::EventRegistered: return "event_registered";
    case EventKind::TaskQueued: return "task_queued";
    case EventKind::TaskReceived: return "task_received";
    case EventKind::TaskFinished: return "task_finished";
    case EventKind::EpollReady: return "epoll_ready";
    case EventKind::EpollTimeout: return "epoll_timeout";
    case EventKind::CloseReceived: return "close_received";
    case EventKind::CallbackError: return "error";
    case EventKind::Finished: return "finished";
    case EventKind::PhaseRun: return "phase";
    case EventKind::PollWait: return "poll_wait";
    case EventKind::QueueRun: return "queue_run";
    case EventKind::Queued: return "queued";
    case EventKind::TaskSubmitted: return "task_submitted";
    case EventKind::Blocked: return "blocked";
    case EventKind::CallbackStart: return "callback_start";
    case EventKind::CallbackEnd: return "callback_end";
    case EventKind::TaskWork: return "task_work";
    case EventKind::WaitStart: return "wait_start";
    case EventKind::WaitEnd: return "wait_end";
    case EventKind::Race: return "race";
  }
  return "?";
}

std::string_view to_string(QueueName queue) {
  switch (queue) {
    case QueueName::None: return "";
    case QueueName::Immediate: return "immediate";
    case QueueName::NextTick: return "nextTick";
    case QueueName::Microtask: return "microtask";
    case QueueName::TimerList: return "timer list";
  }
  return "?";
}

std::string_view to_string(RaceKind race) {
  switch (race) {
    case RaceKind::None: return "";
    case RaceKind::TimerAtLoopStart: return "timer_at_loop_start";
    case RaceKind::PoolOrder: return "pool_order";
    case RaceKind::PollGather: return "poll_gather";
    case RaceKind::TimerDue: return "timer_due";
    case RaceKind::TimerStart: return "timer_start";
    case RaceKind::PoolStart: return "pool_start";
    case RaceKind::Unchecked: return "unchecked";
  }
  return "?";
}

std::string_view to_string(PollReason reason) {
  switch (reason) {
    case PollReason::None: return "";
    case PollReason::Stopping: return "stopping";
    case PollReason::Immediates: return "immediates";
    case PollReason::Polled: return "polled";
    case PollReason::NothingPending: return "nothing_pending";
    case PollReason::IoOrTimer: return "io_or_timer";
    case PollReason::Timer: return "timer";
    case PollReason::Io: return "io";
  }
  return "?";
}

namespace {

// ---- Output that cannot lie ----
// Scenario text (a print, a file's content, a server's answer) reaches the trace, and the
// trace reaches a terminal and the per-thread comparison. So, in the text format:
// - a newline inside a message starts a new line with the message's own prefix
//   (`Thread: main\t `), so no text can pass for a line of another thread;
// - control characters other than tab, C1 controls, the bidirectional overrides that
//   reorder what a reader sees, and bytes that are not UTF-8 are shown escaped (\xNN for
//   a byte, \u{NNNN} for a character), so no text can clear a terminal, move its cursor
//   or recolour it. Backslashes stay as they are: the escapes are for a reader, not a
//   round trip. JSON lines need none of this: the JSON encoder escapes control characters.

// Length of the UTF-8 sequence at the start of `s`, 0 if it is not one (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t utf8_length(std::string_view s, char32_t& code) {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = b(0);
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    n = 2;
    code = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    n = 3;
    code = lead & 0x0f;
    if (lead == 0xe0) lo = 0xa0;
    if (lead == 0xed) hi = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    n = 4;
    code = lead & 0x07;
    if (lead == 0xf0) lo = 0x90;
    if (lead == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    const unsigned char c = b(i);
    if (c < (i == 1 ? lo : 0x80) || c > (i == 1 ? hi : 0xbf)) return 0;
    code = (code << 6) | (c & 0x3f);
  }
  return n;
}

bool hidden_character(char32_t c) {
  return (c >= 0x80 && c <= 0x9f) ||      // C1 controls (0x9b is CSI, like ESC [)
         (c >= 0x202a && c <= 0x202e) ||  // bidirectional embeddings and overrides
         (c >= 0x2066 && c <= 0x2069);    // bidirectional isolates
}

bool needs_care(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t') || c >= 0x7f;
  });
}

// Appends `text` with the escapes above; each newline is followed by `continuation`.
void append_shown(std::string& out, std::string_view text, std::string_view continuation) {
  if (!needs_care(text)) {
    out += text;
    return;
  }
  auto it = std::back_inserter(out);
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += '\n';
      out += continuation;
      ++i;
    } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
      fmt::format_to(it, "\\x{:02x}", c);
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else {
      char32_t code = 0;
      const std::size_t n = utf8_length(text.substr(i), code);
      if (n == 0) {
        fmt::format_to(it, "\\x{:02x}", c);
        ++i;
      } else if (hidden_character(code)) {
        fmt::format_to(it, "\\u{{{:x}}}", static_cast<std::uint32_t>(code));
        i += n;
      } else {
        out.append(text.substr(i, n));
        i += n;
      }
    }
  }
}

// A content block's line may not pass for a trace line or for the block's own end.
void append_content(std::string& out, std::string_view content) {
  while (!content.empty()) {
    const auto nl = content.find('\n');
    std::string_view line = content.substr(0, nl);
    if (line.starts_with("Thread:") || line.starts_with("=====")) {
      fmt::format_to(std::back_inserter(out), "\\x{:02x}", static_cast<unsigned char>(line.front()));
      line.remove_prefix(1);
    }
    append_shown(out, line, {});
    if (nl == std::string_view::npos) break;
    out += '\n';
    content.remove_prefix(nl + 1);
  }
}

// Each thread its own colour, so that a reader can follow one pool thread down a long
// trace. Yellow and red are left to tick banners and errors; with more pool threads than
// colours, they repeat.
fmt::text_style thread_style(std::string_view thread) {
  static constexpr fmt::terminal_color kPool[] = {
      fmt::terminal_color::green,          fmt::terminal_color::blue,
      fmt::terminal_color::bright_magenta, fmt::terminal_color::bright_green,
      fmt::terminal_color::bright_blue,    fmt::terminal_color::bright_cyan,
  };
  if (thread == "main") return fmt::emphasis::bold | fmt::fg(fmt::terminal_color::cyan);
  if (thread == "epoll") return fmt::fg(fmt::terminal_color::magenta);
  if (thread.starts_with("pool")) {
    std::size_t n = 0;
    for (char c : thread.substr(4)) n = n * 10 + static_cast<std::size_t>(c >= '0' && c <= '9' ? c - '0' : 0);
    return fmt::fg(kPool[n % std::size(kPool)]);
  }
  return fmt::fg(fmt::terminal_color::white);
}

// The --show columns, fixed width so that the book's lines stay aligned after them.
void render_extras(const TraceEvent& event, std::string& out, TextExtras extras, CallbackId running) {
  auto it = std::back_inserter(out);
  if (extras.time) {
    fmt::format_to(it, "{:>11.3f} ms  ", std::chrono::duration<double, std::milli>(event.time).count());
  }
  if (extras.phase) fmt::format_to(it, "{:<12}  ", to_string(event.phase));
  if (extras.id) {
    CallbackId id = event.id != 0 ? event.id : (event.thread == "main" ? running : 0);
    if (id != 0) {
      fmt::format_to(it, "{:<7}  ", fmt::format("id {}", id));
    } else {
      out.append(9, ' ');
    }
  }
}
}  // namespace

std::string shown_on_one_line(std::string_view text) {
  std::string out;
  for (;;) {
    const auto nl = text.find('\n');
    append_shown(out, text.substr(0, nl), {});
    if (nl == std::string_view::npos) return out;
    out += "\\x0a";
    text.remove_prefix(nl + 1);
  }
}

std::string paint_thread(std::string_view thread) {
  return fmt::format("{}", fmt::styled(thread, thread_style(thread)));
}

void render_output(const TraceEvent& event, std::string& out) {
  if (event.kind == EventKind::Print) {
    out += event.text;
    out += '\n';
  } else if (event.kind == EventKind::Content) {
    // The block without the blank lines the trace puts around it.
    std::string block;
    render_text(event, block, false);
    auto first = block.find_first_not_of('\n');
    auto last = block.find_last_not_of('\n');
    if (first != std::string::npos) out += block.substr(first, last - first + 1) + "\n";
  }
}

void render_text(const TraceEvent& event, std::string& out, bool color, TextExtras extras, CallbackId running) {
  if (is_marker(event.kind)) return;
  auto it = std::back_inserter(out);
  if (event.kind == EventKind::Content) {
    // Escaped before it is coloured, so that the colour's own escapes stay; on one line, so
    // that a label with newlines cannot end the block and start another.
    std::string start =
        shown_on_one_line(fmt::format("===== THREAD {} START CONTENT - {} =====", event.thread, event.text));
    if (color) start = fmt::format(fmt::fg(fmt::terminal_color::yellow), "{}", start);
    out += '\n';
    if (extras.any()) render_extras(event, out, extras, running);
    fmt::format_to(it, "{}\n", start);
    append_content(out, event.content);
    if (!event.content.empty() && event.content.back() != '\n') out += '\n';
    out += "... [Note: Abbreviated for display] ...\n";
    out += color ? fmt::format(fmt::fg(fmt::terminal_color::yellow), "===== END CONTENT =====") : "===== END CONTENT =====";
    out += "\n\n";
    return;
  }
  if (extras.any()) render_extras(event, out, extras, running);
  if (!color) {
    // The sentence goes straight into `out` (the hot path: no copy); only scenario text
    // inside it can need escaping, and then it is taken out and put back escaped.
    const std::size_t line = out.size();
    fmt::format_to(it, "Thread: {}\t ", event.thread);
    const std::size_t sentence = out.size();
    describe_to(event, out);
    if (needs_care(std::string_view(out).substr(sentence))) {
      const std::string raw = out.substr(sentence);
      const std::string prefix = out.substr(line, sentence - line);
      out.resize(sentence);
      append_shown(out, raw, prefix);
    }
    out += '\n';
    return;
  }
  const std::string prefix = fmt::format("Thread: {}\t ", fmt::styled(event.thread, thread_style(event.thread)));
  out += prefix;
  std::string shown;
  append_shown(shown, describe(event), prefix);
  if (event.kind == EventKind::Tick || event.kind == EventKind::PhaseRun) {
    fmt::format_to(it, "{}\n", fmt::styled(shown, fmt::emphasis::bold | fmt::fg(fmt::terminal_color::yellow)));
  } else if (event.kind == EventKind::CallbackError) {
    fmt::format_to(it, "{}\n", fmt::styled(shown, fmt::fg(fmt::terminal_color::red)));
  } else {
    fmt::format_to(it, "{}\n", shown);
  }
}

namespace {

std::int64_t micros(Duration d) { return std::chrono::duration_cast<std::chrono::microseconds>(d).count(); }

// The two sides of a race, the one this run takes first, and the cost that decides.
void add_race_fields(const TraceEvent& e, nlohmann::ordered_json& j) {
  j["race"] = to_string(e.race);
  if (e.race == RaceKind::Unchecked) {
    j["checked"] = e.count;
    return;
  }
  if (e.race != RaceKind::TimerAtLoopStart || !e.text.empty()) {  // loop/timing.h's decisions, in words
    j["alternatives"] = e.rival != 0 ? nlohmann::ordered_json::array({e.id, e.rival})
                                    : nlohmann::ordered_json::array({e.id});
    j["when"] = e.text;
    if (!e.prints.empty() || !e.prints_instead.empty()) {
      j["prints"] = e.prints;
      j["prints_instead"] = e.prints_instead;
    }
    return;
  }
  j["first"] = e.delay >= e.due ? e.id : e.rival;
  j["alternatives"] = {e.id, e.rival};
  j["decided_by"] = e.what;
  j["took_us"] = micros(e.delay);
  j["flips_at_us"] = micros(e.due);
}

// The facts of each kind, beside the sentence made of them (docs/virtual-clock.md lists
// them per kind). Durations are integer microseconds, like time_us.
void add_fields(const TraceEvent& e, nlohmann::ordered_json& j) {
  switch (e.kind) {
    case EventKind::Print: j["text"] = e.text; break;
    case EventKind::Content: j["label"] = e.text; break;
    case EventKind::TimerRegistered:
      j["delay_us"] = micros(e.delay);
      j["due_us"] = micros(e.due);
      j["repeat"] = e.repeat;
      break;
    case EventKind::TaskQueued:
      j["task"] = e.what;
      j["waiting"] = e.count;
      break;
    case EventKind::TaskReceived:
    case EventKind::TaskFinished:
    case EventKind::TaskWork: j["task"] = e.what; break;
    case EventKind::TaskSubmitted:
      j["task"] = e.what;
      if (!e.text.empty()) j["host"] = e.text;
      break;
    case EventKind::CallbackError:
      j["error"] = e.text;
      if (!e.what.empty()) j["operation"] = e.what;
      if (e.unhandled) j["unhandled_rejection"] = true;
      break;
    case EventKind::PhaseRun:
      if (e.count != 0) j["count"] = e.count;
      break;
    case EventKind::PollWait:
      j["reason"] = to_string(e.reason);
      if (e.reason == PollReason::IoOrTimer || e.reason == PollReason::Timer) j["timeout_us"] = micros(e.delay);
      break;
    case EventKind::QueueRun: j["count"] = e.count; break;
    case EventKind::Queued:
      j["cleared"] = e.cleared;
      if (!e.text.empty()) j["label"] = e.text;
      break;
    case EventKind::Blocked: j["duration_us"] = micros(e.delay); break;
    case EventKind::Race: add_race_fields(e, j); break;
    case EventKind::CallbackStart:
    case EventKind::CallbackEnd: j["callback"] = e.what; break;
    case EventKind::EventRegistered:
      if (!e.what.empty()) {  // the node model's request: what it is and asks for
        j["request"] = e.what;
        j["target"] = e.text;
      }
      break;
    case EventKind::Tick:
    case EventKind::EpollReady:
    case EventKind::EpollTimeout:
    case EventKind::CloseReceived:
    case EventKind::Finished:
    case EventKind::WaitStart:
    case EventKind::WaitEnd: break;  // the kind, the id and the tick say it all
  }
}

}  // namespace

void render_jsonl(const TraceEvent& event, std::string& out) {
  nlohmann::ordered_json j;
  j["tick"] = event.tick;
  j["phase"] = to_string(event.phase);
  j["thread"] = event.thread;
  j["time_us"] = micros(event.time);
  j["kind"] = to_string(event.kind);
  if (event.id != 0) j["id"] = event.id;
  j["message"] = describe(event);
  if (event.kind == EventKind::Content) j["content"] = event.content;
  if (event.queue != QueueName::None) j["queue"] = queue_label(event);
  if (!event.origin.empty()) j["origin"] = event.origin;
  add_fields(event, j);
  out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += '\n';
}

}  // namespace elt
