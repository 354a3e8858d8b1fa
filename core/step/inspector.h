// The inspector: the loop's inside as a learner sees it between two steps (the stepper's
// `state` and `where`, the html page's state panel, tests that look inside).
//
// It reads a Runtime through Runtime::view(), one const window onto the loop's records,
// and builds a RuntimeState from it: nothing here changes the loop, and the loop knows
// nothing of how its state is shown. A debugger reads a process the same way, from
// outside. The labels themselves (what each registration is) stay in the loop, which
// drops each one as its callback runs.
//
// Owns: nothing but the reference. Thread contract: loop thread only, and only while the
// loop waits between two phases (inside the pause hook, or before or after a step).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "common/time.h"
#include "loop/runtime.h"
#include "trace/event.h"

namespace elt {

// What a learner sees with `state`: the loop's inside, between two steps.
struct RuntimeState {
  // A queue of the model's own (node: "immediate", "nextTick", "microtask", one per timer
  // list), front first; each item says what it is.
  struct NamedQueue {
    std::string name;
    std::vector<std::string> items;
    std::size_t total = 0;  // items.size(), or more when the state was capped
  };
  std::uint64_t tick = 0;
  Phase phase = Phase::Script;
  Duration now{};  // since the start of the run
  struct Timer {
    CallbackId id = 0;
    Duration due_in{};  // relative to now; negative when already due
    std::string label;  // the action and its place: "set_timeout at book.json:14: prints ..."
  };
  std::vector<Timer> timers;
  std::size_t timers_total = 0;  // timers.size(), or more when the state was capped
  struct Worker {
    std::string name;
    bool busy = false;
    CallbackId task = 0;
    std::string kind;
    Duration since{};  // since the start of the run
    std::string label;
    std::optional<Duration> ends;  // since the start: when a simulated latency ends
  };
  std::vector<Worker> workers;
  std::vector<std::pair<CallbackId, std::string>> queued_tasks;  // waiting for a thread
  std::vector<CallbackId> sockets;                               // registered with epoll
  std::vector<std::string> completed;  // waiting for the loop: in the channel, or taken and held
  std::vector<CallbackId> callbacks_to_run;
  std::size_t pending = 0;  // registrations that keep the loop alive
  // What `pending` counts, by id: a timer, a pool task or a socket's callback by what it is
  // for ("File read", "Encrypt", ...), an immediate.
  std::vector<std::pair<CallbackId, std::string>> pending_items;
  std::vector<NamedQueue> queues;
  // The model's phases in the order a tick runs them (what runs next depends on it).
  std::vector<Phase> phases;
  // A decision timing settled whose sides have not both run yet (a Race event).
  std::optional<TraceEvent> race;
};

class Inspector {
 public:
  explicit Inspector(const Runtime& loop) : loop_(loop) {}

  // The whole state; with `cap`, the first `cap` timers, timer lists, items of each model
  // queue and pending registrations, and their totals (the html page keeps 20 of each:
  // copying thousands of timers at every pause point made it quadratic).
  RuntimeState state(std::size_t cap = static_cast<std::size_t>(-1)) const;
  // The label of a registration whose callback has not run yet (empty: none); the
  // stepper asks for those its trace events did not carry (pool tasks, requests).
  std::string label_of(CallbackId id) const;

 private:
  const Runtime& loop_;
};

}  // namespace elt
