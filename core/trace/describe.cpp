#include "trace/describe.h"

#include <algorithm>
#include <chrono>
#include <iterator>

#include <fmt/format.h>

namespace elt {

namespace {

// Node's timer lists and its poll timeout are whole milliseconds, and so is `block`.
std::int64_t whole_ms(Duration d) { return std::chrono::duration_cast<Millis>(d).count(); }

std::string_view plural(std::uint64_t n) { return n == 1 ? "" : "s"; }

std::string_view queue_title(QueueName queue) {
  switch (queue) {
    case QueueName::NextTick: return "process.nextTick queue";
    case QueueName::Microtask: return "microtask queue";
    case QueueName::Immediate: return "immediate queue";
    case QueueName::TimerList: return "timer list";
    case QueueName::None: break;
  }
  return "queue";
}

// What one poll phase says about its wait ("poll: " and this).
void describe_poll_wait(const TraceEvent& e, std::back_insert_iterator<std::string> it) {
  switch (e.reason) {
    case PollReason::Stopping: fmt::format_to(it, "poll: not blocking (stopping)"); return;
    case PollReason::Immediates:
      fmt::format_to(it, "poll: not blocking: immediates are queued (Node's idle handle)");
      return;
    case PollReason::Polled: fmt::format_to(it, "poll: not blocking: events from the last poll are waiting"); return;
    case PollReason::NothingPending: fmt::format_to(it, "poll: not blocking: nothing is pending"); return;
    case PollReason::IoOrTimer:
      fmt::format_to(it, "poll: waiting for I/O, up to {} ms (the next timer)", whole_ms(e.delay));
      return;
    case PollReason::Timer: fmt::format_to(it, "poll: waiting up to {} ms for the next timer", whole_ms(e.delay)); return;
    case PollReason::Io: fmt::format_to(it, "poll: waiting for I/O (no timer to wake for)"); return;
    case PollReason::None: break;
  }
  fmt::format_to(it, "poll");
}

void describe_queued(const TraceEvent& e, std::back_insert_iterator<std::string> it) {
  if (e.cleared) {
    fmt::format_to(it, "cleared {} id: {}", e.queue == QueueName::Immediate ? "immediate" : "timer", e.id);
    return;
  }
  switch (e.queue) {
    case QueueName::Immediate: fmt::format_to(it, "Registered immediate id: {}", e.id); return;
    case QueueName::NextTick: fmt::format_to(it, "process.nextTick id: {} queued", e.id); return;
    case QueueName::Microtask:
      fmt::format_to(it, "microtask id: {} queued ({})", e.id, e.text.empty() ? std::string_view("job") : e.text);
      return;
    case QueueName::TimerList:
    case QueueName::None: break;
  }
  fmt::format_to(it, "callback id: {} queued", e.id);
}

// A cost as a reader compares it with a millisecond: "0.35 ms".
std::string fraction_ms(Duration d) {
  return fmt::format("{:.2f} ms", std::chrono::duration<double, std::milli>(d).count());
}

// A decision of loop/timing.h in its own words (the side this run takes; if instead, the
// other), and, where the check took the other side, what that side prints instead.
void describe_decided_race(const TraceEvent& e, std::back_insert_iterator<std::string> it) {
  fmt::format_to(it, "~ race: {}", e.text);
  if (e.prints.empty() && e.prints_instead.empty()) return;
  auto quoted = [](const std::string& line) { return line.empty() ? std::string("nothing more") : fmt::format("\"{}\"", line); };
  fmt::format_to(it, ", the program prints {} where this run prints {}", quoted(e.prints_instead), quoted(e.prints));
}

// Which side this run takes, what the deciding cost took and what would flip it.
void describe_race(const TraceEvent& e, std::back_insert_iterator<std::string> it) {
  const bool due = e.delay >= e.due;
  std::string cost(e.what);  // the profile's key, "main_program", in words
  std::replace(cost.begin(), cost.end(), '_', ' ');
  if (e.race == RaceKind::Unchecked) {
    fmt::format_to(it, "~ race check: {}", e.text);
    return;
  }
  if (e.race != RaceKind::TimerAtLoopStart || !e.text.empty()) {
    describe_decided_race(e, it);
    return;
  }
  switch (e.race) {
    case RaceKind::TimerAtLoopStart:
      if (due) {
        fmt::format_to(it,
                       "~ race: timer {0} is due before the first iteration, so it runs before immediate {1}: the {2} "
                       "took {3}, {4} or more makes it due; if it takes less, immediate {1} runs first",
                       e.id, e.rival, cost, fraction_ms(e.delay), fraction_ms(e.due));
      } else {
        fmt::format_to(it,
                       "~ race: timer {0} is not due before the first iteration, so immediate {1} runs first: the {2} "
                       "took {3} of the {4} it needs; if it takes {4} or more, timer {0} runs before immediate {1}",
                       e.id, e.rival, cost, fraction_ms(e.delay), fraction_ms(e.due));
      }
      return;
    default: break;
  }
  fmt::format_to(it, "~ race");
}

void describe_timer_registered(const TraceEvent& e, std::back_insert_iterator<std::string> it) {
  std::string_view what = e.repeat ? "Registered interval id:" : "Registered timer event id:";
  if (e.queue != QueueName::TimerList) {  // the book's heap: its sentence names only the id
    fmt::format_to(it, "{} {}", what, e.id);
  } else if (e.repeat) {
    fmt::format_to(it, "{} {} (every {} ms, first at {} ms)", what, e.id, whole_ms(e.delay), whole_ms(e.due));
  } else {
    fmt::format_to(it, "{} {} (list {} ms, due at {} ms)", what, e.id, whole_ms(e.delay), whole_ms(e.due));
  }
}

void describe_callback_error(const TraceEvent& e, std::back_insert_iterator<std::string> it) {
  if (e.unhandled) {
    fmt::format_to(it, "Unhandled promise rejection: Error: {} (Node prints it and exits with code 1)", e.text);
  } else if (!e.what.empty()) {
    fmt::format_to(it, "{} {} failed: {}", e.what, e.id, e.text);
  } else {
    fmt::format_to(it, "{}", e.text);  // a callback's own error, already a sentence
  }
}

void describe_phase_run(const TraceEvent& e, std::back_insert_iterator<std::string> it) {
  std::string_view unit = e.phase == Phase::Check ? "immediate" : e.phase == Phase::Poll ? "event" : "callback";
  if (e.count == 0) {
    fmt::format_to(it, "-- {} phase --", to_string(e.phase));
  } else {
    fmt::format_to(it, "-- {} phase: {} {}{} --", to_string(e.phase), e.count, unit, plural(e.count));
  }
}

}  // namespace

void describe_to(const TraceEvent& e, std::string& out) {
  auto it = std::back_inserter(out);
  switch (e.kind) {
    case EventKind::Print:
    case EventKind::Content: out += e.text; return;
    case EventKind::Tick: fmt::format_to(it, "===== TICK {} =====", e.tick); return;
    case EventKind::TimerRegistered: describe_timer_registered(e, it); return;
    case EventKind::EventRegistered:
      if (e.what.empty()) {  // the book's sentence
        fmt::format_to(it, "Event with id: {} registered.", e.id);
      } else {
        fmt::format_to(it, "Registered {} id: {} ({})", e.what, e.id, e.text);
      }
      return;
    case EventKind::TaskQueued:
      fmt::format_to(it, "No free pool thread: task {} ({}) waits in the queue ({} waiting)", e.id, e.what, e.count);
      return;
    case EventKind::TaskReceived: fmt::format_to(it, "received a task of type: {}", e.what); return;
    case EventKind::TaskFinished: fmt::format_to(it, "finished running a task of type: {}.", e.what); return;
    case EventKind::EpollReady: fmt::format_to(it, "epoll event {} is ready", e.id); return;
    case EventKind::EpollTimeout: out += "epoll event timeout is ready"; return;
    case EventKind::CloseReceived: out += "received event of type: Close"; return;
    case EventKind::CallbackError: describe_callback_error(e, it); return;
    case EventKind::Finished: out += "FINISHED"; return;
    case EventKind::PhaseRun: describe_phase_run(e, it); return;
    case EventKind::PollWait: describe_poll_wait(e, it); return;
    case EventKind::QueueRun:
      fmt::format_to(it, "{}: {} callback{}", queue_title(e.queue), e.count, plural(e.count));
      return;
    case EventKind::Queued: describe_queued(e, it); return;
    case EventKind::TaskSubmitted:
      if (!e.text.empty()) {  // a host-name lookup names its host
        fmt::format_to(it, "request id {}: {}(\"{}\") goes to the pool", e.id, e.what, e.text);
      } else {
        fmt::format_to(it, "fs.readFile id {}: {} goes to the pool", e.id, e.what);
      }
      return;
    case EventKind::Blocked:
      fmt::format_to(it, "main thread busy for {} ms (nothing else runs on the loop)", whole_ms(e.delay));
      return;
    case EventKind::CallbackStart:
    case EventKind::CallbackEnd:
    case EventKind::TaskWork: out += e.what; return;
    case EventKind::WaitStart:
    case EventKind::WaitEnd: out += "poll wait"; return;
    case EventKind::Race: describe_race(e, it); return;
  }
  out += e.text;  // a kind this build does not know (read from elsewhere): its text, if any
}

std::string describe(const TraceEvent& event) {
  std::string out;
  describe_to(event, out);
  return out;
}

std::string queue_label(const TraceEvent& event) {
  if (event.queue == QueueName::TimerList) return fmt::format("timer list {} ms", whole_ms(event.delay));
  return std::string(event.queue == QueueName::None ? std::string_view() : to_string(event.queue));
}

}  // namespace elt
