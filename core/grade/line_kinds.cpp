#include "grade/line_kinds.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include <fmt/format.h>

#include "trace/format.h"

namespace elt {

namespace {

// The runtime's own lines, in a student's words. Markers print nothing.
std::string_view kind_runtime_words(EventKind kind) {
  switch (kind) {
    case EventKind::Tick: return "a tick banner";
    case EventKind::TimerRegistered: return "a timer's registration";
    case EventKind::EventRegistered: return "an epoll registration";
    case EventKind::TaskQueued: return "a task waiting in the pool's queue";
    case EventKind::TaskReceived: return "a pool thread receiving a task";
    case EventKind::TaskFinished: return "a pool thread finishing a task";
    case EventKind::EpollReady: return "the epoll thread seeing an event complete";
    case EventKind::EpollTimeout: return "the epoll thread's wait reaching a timer's deadline";
    case EventKind::CloseReceived: return "the epoll thread receiving Close";
    case EventKind::CallbackError: return "an error report";
    case EventKind::Finished: return "the FINISHED line";
    case EventKind::PhaseRun: return "a phase's banner";
    case EventKind::PollWait: return "the poll phase's wait";
    case EventKind::QueueRun: return "a queue starting to drain";
    case EventKind::Queued: return "a callback going into a queue";
    case EventKind::TaskSubmitted: return "an operation sent to the pool";
    case EventKind::Blocked: return "the main thread kept busy";
    case EventKind::Race: return "a decision that timing settles";
    default: return "a line";
  }
}

// "Timer" -> "timer", "File read" -> "file read"; "nextTick" and "HTTP request" stay.
std::string kind_lower(std::string_view s) {
  std::string out(s);
  if (out.size() > 1 && std::islower(static_cast<unsigned char>(out[1])) != 0) {
    out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  }
  return out;
}

std::size_t kind_lines_in(const std::string& rendered) {
  return static_cast<std::size_t>(std::count(rendered.begin(), rendered.end(), '\n'));
}

}  // namespace

std::string LineKinds::words(const TraceEvent& event) const {
  // A print belongs to whoever printed it: the main program, or the callback running.
  std::string by = running_.empty() ? "the main program" : fmt::format("a {} callback", running_);
  if (event.kind == EventKind::Print) return fmt::format("a print by {}", by);
  if (event.kind == EventKind::Content) return fmt::format("a line of a content block printed by {}", by);
  return std::string(kind_runtime_words(event.kind));
}

void LineKinds::see(const TraceEvent& event) {
  if (event.kind == EventKind::CallbackStart && event.thread == "main") running_ = kind_lower(event.what);
  if (event.kind == EventKind::CallbackEnd && event.thread == "main") running_.clear();
  std::size_t lines = 0;
  std::string rendered;
  switch (rendering_) {
    case Rendering::Jsonl: lines = 1; break;  // every event, markers too, is one JSON line
    case Rendering::Text:
      render_text(event, rendered);
      lines = kind_lines_in(rendered);
      break;
    case Rendering::Output:
      render_output(event, rendered);
      lines = kind_lines_in(rendered);
      break;
  }
  if (lines == 0) return;
  kinds_.insert(kinds_.end(), lines, words(event));
}

}  // namespace elt
