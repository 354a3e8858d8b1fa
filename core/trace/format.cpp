#include "trace/format.h"

#include <fmt/color.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

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
  }
  return "?";
}

namespace {
fmt::text_style thread_style(const std::string& thread) {
  if (thread == "main") return fmt::emphasis::bold | fmt::fg(fmt::terminal_color::cyan);
  if (thread.starts_with("pool")) return fmt::fg(fmt::terminal_color::green);
  if (thread == "epoll") return fmt::fg(fmt::terminal_color::magenta);
  return fmt::fg(fmt::terminal_color::blue);
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

void render_text(const TraceEvent& event, std::string& out, bool color, TextExtras extras, CallbackId running) {
  if (is_marker(event.kind)) return;
  auto it = std::back_inserter(out);
  if (event.kind == EventKind::Content) {
    std::string start = fmt::format("===== THREAD {} START CONTENT - {} =====", event.thread, event.message);
    if (color) start = fmt::format(fmt::fg(fmt::terminal_color::yellow), "{}", start);
    out += '\n';
    if (extras.any()) render_extras(event, out, extras, running);
    fmt::format_to(it, "{}\n", start);
    out += event.content;
    if (!event.content.empty() && event.content.back() != '\n') out += '\n';
    out += "... [Note: Abbreviated for display] ...\n";
    out += color ? fmt::format(fmt::fg(fmt::terminal_color::yellow), "===== END CONTENT =====") : "===== END CONTENT =====";
    out += "\n\n";
    return;
  }
  if (extras.any()) render_extras(event, out, extras, running);
  if (!color) {
    fmt::format_to(it, "Thread: {}\t {}\n", event.thread, event.message);
    return;
  }
  fmt::format_to(it, "Thread: {}\t ", fmt::styled(event.thread, thread_style(event.thread)));
  if (event.kind == EventKind::Tick || event.kind == EventKind::PhaseRun) {
    fmt::format_to(it, "{}\n", fmt::styled(event.message, fmt::emphasis::bold | fmt::fg(fmt::terminal_color::yellow)));
  } else if (event.kind == EventKind::CallbackError) {
    fmt::format_to(it, "{}\n", fmt::styled(event.message, fmt::fg(fmt::terminal_color::red)));
  } else {
    fmt::format_to(it, "{}\n", event.message);
  }
}

void render_jsonl(const TraceEvent& event, std::string& out) {
  nlohmann::ordered_json j;
  j["tick"] = event.tick;
  j["phase"] = to_string(event.phase);
  j["thread"] = event.thread;
  j["time_us"] = std::chrono::duration_cast<std::chrono::microseconds>(event.time).count();
  j["kind"] = to_string(event.kind);
  if (event.id != 0) j["id"] = event.id;
  j["message"] = event.message;
  if (event.kind == EventKind::Content) j["content"] = event.content;
  if (!event.queue.empty()) j["queue"] = event.queue;
  if (!event.origin.empty()) j["origin"] = event.origin;
  out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += '\n';
}

}  // namespace elt
