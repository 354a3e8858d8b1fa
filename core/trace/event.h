// One thing that happened, as the trace records it.
//
// Every output format (the book's text, JSON lines) is a rendering of these events, so
// the formats can never disagree. Built by whichever thread did the thing; see tracer.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/time.h"

namespace elt {

// Where the loop was. `Script` is the program's first run, before the first tick;
// `Shutdown` is after the last one.
enum class Phase { Script, Timers, Pending, IdlePrepare, Poll, Check, Closing, Shutdown };

enum class EventKind {
  Print,            // the scenario printed a line
  Content,          // the scenario printed a content block (print_content)
  Tick,             // ===== TICK n =====
  TimerRegistered,  // Registered timer event id: n
  EventRegistered,  // Event with id: n registered.   (an epoll registration)
  TaskQueued,       // no free pool thread: the task waits in the queue
  TaskReceived,     // a pool thread received a task
  TaskFinished,     // a pool thread finished a task
  EpollReady,       // the epoll thread saw a registered socket's event complete
  EpollTimeout,     // the epoll thread's wait reached the next timer's deadline
  CloseReceived,    // the epoll thread received Close
  CallbackError,    // an operation failed, or a callback hit an error
  Finished,         // FINISHED
  // The node model's own (issue 9).
  PhaseRun,         // a phase that runs something: "-- timers phase: 2 timers --"
  PollWait,         // how long the poll phase may block, and why
  QueueRun,         // a nextTick / microtask / immediate queue starts draining
  Queued,           // a callback went into a queue (immediate, nextTick, microtask)
  TaskSubmitted,    // an operation went to the pool (node: each trip of fs.readFile)
  Blocked,          // the main thread was kept busy (block)
  // Markers: never printed in the book's text; they delimit what the text only implies,
  // for the timeline formats (chrome, html), jsonl and `--show id`. See is_marker().
  CallbackStart,    // the loop thread starts running callback `id` (message: what it is for)
  CallbackEnd,      // ... and has returned from it
  TaskWork,         // a pool thread's simulated latency is over; the task's real work starts
  WaitStart,        // the loop thread blocks in the poll phase, waiting for an event
  WaitEnd,          // ... and is awake again
};

// True for the marker kinds above: a rendering of the book's text skips them.
constexpr bool is_marker(EventKind kind) {
  return kind == EventKind::CallbackStart || kind == EventKind::CallbackEnd || kind == EventKind::TaskWork ||
         kind == EventKind::WaitStart || kind == EventKind::WaitEnd;
}

std::string_view to_string(Phase phase);
std::string_view to_string(EventKind kind);

struct TraceEvent {
  std::uint64_t tick = 0;
  Phase phase = Phase::Script;
  std::string thread;
  Duration time{};         // since the start of the run, on the run's clock
  EventKind kind = EventKind::Print;
  CallbackId id = 0;       // the callback id involved; 0 when none
  std::string message;     // the text after "Thread: <name>\t "; a Content block's label
  std::string content;     // Content only: the lines the block shows, '\n'-separated
  std::string origin;      // registrations: the action and its place ("set_timeout at book.json:14")
  std::string queue;       // Queued/QueueRun: "nextTick", "microtask", "immediate"; timers: "timer list 1 ms"
};

}  // namespace elt
