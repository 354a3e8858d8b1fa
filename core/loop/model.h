// The model of the loop: every way the book's loop and Node's loop differ, as data, in
// one place.
//
// The enums below (poll, timers, io, pool, fs) choose code: make_model_parts
// (loop/model_parts.cpp) turns each into a strategy object, and is the only code that reads
// them. The other fields are data the loop reads where they apply (docs/design.md, "Two
// models, one loop", says why). Nothing compares a model's name. Two values exist: book_model(), the loop of "The
// Node Experiment", and node_model(), Node 20's loop (libuv 1.46 `uv_run` in
// src/unix/core.c, with Node's JavaScript layer from lib/internal/timers.js and
// lib/internal/process/task_queues.js on top). docs/models.md runs the same scenarios
// under both and explains each difference.
#pragma once

#include <string_view>
#include <vector>

#include "pool/thread_pool.h"
#include "trace/event.h"

namespace elt {

enum class PollPolicy {
  OneEvent,  // the book: one event per poll phase, then the tick ends
  AllReady,  // libuv (uv__io_poll): every event ready behind one wake-up
};

// Where timers are kept and how they are run.
enum class TimerDispatch {
  Heap,       // one queue by (deadline, id): libuv's timer heap, as the book uses it
  NodeLists,  // Node's JS layer: one list per duration, lists by (expiry, list id)
};

// Where sockets are watched and read.
enum class IoPlacement {
  EpollThread,  // the book: a thread of its own waits on epoll and wakes the loop
  LoopThread,   // libuv: the loop thread blocks in epoll_wait in its poll phase
};

// How a file read goes through the pool.
enum class FsTrips {
  One,       // the book: one task reads the whole file
  ReadFile,  // Node 20's fs.readFile: open, fstat, read, close, each a trip through the pool
};

struct LoopModel {
  std::string_view name;
  // Each tick (iteration) runs these phases in order.
  std::vector<Phase> phases;
  // libuv 1.45+ (uv_run, core.c): `uv__update_time; uv__run_timers` once before the first
  // iteration, for compatibility with the older timers-first order.
  bool timers_before_first_iteration = false;
  // How long the poll phase may block is not a field: both loops follow libuv's
  // uv__backend_timeout (Runtime::poll_bound).
  PollPolicy poll = PollPolicy::OneEvent;
  TimerDispatch timers = TimerDispatch::Heap;
  IoPlacement io = IoPlacement::EpollThread;
  PoolPolicy pool = PoolPolicy::BookLifo;
  FsTrips fs = FsTrips::One;
  // Node's InternalCallbackScope (src/api/callback.cc): after the program and after every
  // callback the loop enters, drain process.nextTick's queue, then the microtasks, until
  // both are empty. The book has neither queue.
  bool ticks_and_microtasks = false;
  // uv_getaddrinfo runs on the pool (libuv's slow-I/O work): a host name costs a trip
  // through a possibly busy pool before the connection starts.
  bool lookup_on_pool = false;
  // Node updates the loop's time when a timer starts (Environment::GetNowUint64 calls
  // uv_update_time, src/env.cc); the book counts from the time cached at the tick's start.
  bool timer_start_reads_clock = false;
  // Lines that show the loop's decisions (phases that run something, the poll wait,
  // queue drains, pool trips). Off for the book, whose printout must stay exact.
  bool narrate = false;
  // Charge what real work costs in Node (loop/costs.h: prints, entering callbacks, pool
  // trips...) on the virtual clock, and start the program half-way through libuv's
  // millisecond. Off for the book, whose printout must stay exact: it ignores costs.
  bool charges_costs = false;
  // Show each decision that timing settles (a `race` event): where the outcome flips
  // inside the spread the cost profile measured. Off for the book: its printout is exact.
  bool reports_races = false;
};

// The book's loop: timers, callbacks, idle/prepare, poll, check, close; one event per poll.
inline LoopModel book_model() {
  LoopModel m;
  m.name = "book";
  m.phases = {Phase::Timers, Phase::Pending, Phase::IdlePrepare, Phase::Poll, Phase::Check, Phase::Closing};
  return m;
}

// Node 20 (libuv 1.46): uv_run's iteration since libuv 1.45 (commit 66009549, "change
// execution order of timers"): pending, idle, prepare, poll, check, closing, then the
// timers, after one timers pass before the first iteration.
inline LoopModel node_model() {
  LoopModel m;
  m.name = "node";
  m.phases = {Phase::Pending, Phase::IdlePrepare, Phase::Poll, Phase::Check, Phase::Closing, Phase::Timers};
  m.timers_before_first_iteration = true;
  m.poll = PollPolicy::AllReady;
  m.timers = TimerDispatch::NodeLists;
  m.io = IoPlacement::LoopThread;
  m.pool = PoolPolicy::LibuvFifo;
  m.fs = FsTrips::ReadFile;
  m.ticks_and_microtasks = true;
  m.lookup_on_pool = true;
  m.timer_start_reads_clock = true;
  m.narrate = true;
  m.charges_costs = true;
  m.reports_races = true;
  return m;
}

}  // namespace elt
