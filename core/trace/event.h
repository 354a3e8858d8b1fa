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
  EventRegistered,  // Event with id: n registered.   (an HTTP request; node: Registered HTTP GET id: n (url))
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
  CallbackStart,    // the loop thread starts running callback `id` (`what`: what it is for)
  CallbackEnd,      // ... and has returned from it
  TaskWork,         // a pool thread's simulated latency is over; the task's real work starts
  WaitStart,        // the loop thread blocks in the poll phase, waiting for an event
  WaitEnd,          // ... and is awake again
  // Issue 20: a decision that timing settles (the node model's LoopModel::reports_races).
  Race,             // "~ race: timer 2 ... if the main program takes 1 ms or more, ..."
};

// True for the marker kinds above: a rendering of the book's text skips them.
constexpr bool is_marker(EventKind kind) {
  return kind == EventKind::CallbackStart || kind == EventKind::CallbackEnd || kind == EventKind::TaskWork ||
         kind == EventKind::WaitStart || kind == EventKind::WaitEnd;
}

// Which queue an event is about. `TimerList` is Node's list of timers of one duration
// (lib/internal/timers.js); its duration is the event's `delay`.
enum class QueueName : std::uint8_t { None, Immediate, NextTick, Microtask, TimerList };

// Why the poll phase blocks as long as it does (uv__backend_timeout).
enum class PollReason : std::uint8_t {
  None,
  Stopping,        // the run is stopping: poll, do not wait
  Immediates,      // immediates are queued: Node's idle handle makes the timeout 0
  Polled,          // PollPolicy::OneEvent: events of the last epoll_wait wait their turn
  NothingPending,  // nothing is outstanding: nothing to wait for
  IoOrTimer,       // operations are outstanding; the next timer bounds the wait (`delay`)
  Timer,           // only timers are left: wait for the next one (`delay`)
  Io,              // operations are outstanding and no timer bounds the wait
};

// Which decision a Race event is about.
enum class RaceKind : std::uint8_t {
  None,
  // uv_run's timers pass before the first iteration: a timer whose deadline falls inside
  // the spread of the main program's cost is due or not, and an immediate queued beside
  // it runs after it or before it. `id` the timer, `rival` the immediate.
  TimerAtLoopStart,
  // The decisions of loop/timing.h after the first: the event's `text` says the side this
  // run takes and the other. PoolOrder: pool task `id` finishes before task `rival`.
  // PollGather: pool task `rival` shares the poll phase of task `id`, or waits for the
  // next. TimerDue: timer `id` is due at this timers phase, or not yet.
  PoolOrder,
  PollGather,
  TimerDue,
  // The other decisions of loop/timing.h, in the same form (`text`). TimerStart: timer `id`
  // started after timer `rival`; PoolStart: pool task `id`.
  TimerStart,
  PoolStart,
  // Not a race: the check for races stopped at its budget here (explore/race_report.h), so
  // the decisions from here on are not shown. `count`: the decisions it tried.
  Unchecked,
};

std::string_view to_string(Phase phase);
std::string_view to_string(EventKind kind);
std::string_view to_string(QueueName queue);    // "immediate", "nextTick", "microtask", "timer list"
std::string_view to_string(PollReason reason);  // "stopping", "immediates", ..., "io"
std::string_view to_string(RaceKind race);      // "timer_at_loop_start"

// An event is data: what happened and the facts the book's sentence is made of. The
// sentence itself is written in one place, describe() (trace/describe.h), and every
// rendering (text, jsonl, chrome, html) and the stepper take it from there, so an emit
// site never writes prose. Building one costs a few stores; nothing is formatted until a
// rendering asks. Emit sites fill in what their kind uses, with designated initializers:
//   tracer.emit({.kind = EventKind::TaskReceived, .id = task.id, .what = to_string(task.kind)});
// docs/virtual-clock.md ("The JSON lines format") lists which fields each kind carries.
struct TraceEvent {
  // Stamped by the tracer when the event is emitted.
  std::uint64_t tick = 0;
  Phase phase = Phase::Script;
  std::string thread{};
  Duration time{};         // since the start of the run, on the run's clock

  // Set by whoever emits it.
  EventKind kind = EventKind::Print;
  CallbackId id = 0;       // the callback id involved; 0 when none
  // A name with static storage (a literal, or to_string of an enum), never a view of a
  // temporary: events outlive their emit site (chrome keeps the whole run).
  // Pool tasks (TaskReceived, TaskFinished, TaskWork, TaskQueued, TaskSubmitted): the
  // task's kind ("File read", "fs.open"); CallbackStart/End: what the callback is for
  // ("Timer", "HTTP request"); CallbackError: the operation that failed, if any.
  std::string_view what{};
  std::uint64_t count = 0;  // TaskQueued: tasks now waiting; PhaseRun: immediates or events
                            // (0: not counted); QueueRun: callbacks in the queue
  Duration delay{};         // TimerRegistered: the timer's duration (Node: its list's);
                            // PollWait: the longest wait; Blocked: how long
  Duration due{};           // TimerRegistered: when it is due, since the start of the run
  QueueName queue = QueueName::None;    // Queued, QueueRun; TimerRegistered: Node's timer list
  PollReason reason = PollReason::None;  // PollWait
  bool repeat = false;      // TimerRegistered: an interval, not a timeout
  bool cleared = false;     // Queued: taken out (clearTimeout, clearImmediate), not put in
  bool unhandled = false;   // CallbackError: a promise rejection that nothing caught
  RaceKind race = RaceKind::None;  // Race: which decision. `delay`: what the deciding cost
                                   // took in this run; `due`: the cost from which the
                                   // other side wins (`what`: the cost's name)
  CallbackId rival = 0;     // Race: the callback on the other side of `id`
  // Race, where the check took the other side (RuntimeOptions::races): the first line the
  // program prints differently, this run's and the other side's ("": nothing more).
  std::string prints{};
  std::string prints_instead{};
  // Free text that is data, shown as it is: Print's text, Content's label, CallbackError's
  // error (the OS's words), TaskSubmitted's host name (a lookup), a microtask's label.
  std::string text{};
  std::string content{};     // Content only: the lines the block shows, '\n'-separated
  std::string origin{};      // registrations: the action and its place ("set_timeout at book.json:14")
};

}  // namespace elt
