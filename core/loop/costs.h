// What real work costs in Node, as the node model's virtual clock charges it: one cost
// profile, read from one small file a person can read (data/costs/default.json).
//
// The virtual clock charges nothing for work by itself: a print, entering a callback, a
// trip through the pool all take 0 ms. Node's do not, and on the questions learners ask
// most (setTimeout 0 against setImmediate, a timer set in a read's callback) the order
// Node prints depends on whether a millisecond of libuv's clock has passed. The profile
// says how long each kind of work takes on the machine it was measured on
// (`eventloop-trace calibrate` measures them against `node`); the runtime charges them
// where the work happens (Runtime::charge). The book's model charges nothing: its
// printout is the book's (LoopModel::charges_costs).
// Its file is read and written by scenario/cost_profile.h.
//
// Thread-safety: a value; read-only once loaded.
#pragma once

#include <string>
#include <string_view>

#include "common/time.h"

namespace elt {

// The kinds of work a profile prices. Each is charged where Node spends it.
enum class Cost {
  MainProgram,  // the program's own run after its last statement, until the loop starts
  FirstPrint,   // the first console.log: Node sets standard output up (3 to 30 ms)
  Print,        // every later console.log
  Callback,     // entering a callback from the loop (C++ into JavaScript)
  PoolTrip,     // one trip of fs.readFile through the pool (open, fstat, read or close), warm
  Lookup,       // a DNS lookup on the pool (uv_getaddrinfo), beyond the trip itself
  Connect,      // starting an HTTP request to a loopback server (http.get's set-up)
  Block,        // what a `block` costs beyond the time it states
  FirstTick,    // the first drain of process.nextTick and microtasks: Node sets the queue up
  PoolStart,    // the first task for the pool: the loop thread starts the pool threads (uv_once)
};
inline constexpr int kCostKinds = 10;

std::string_view cost_name(Cost cost);  // its key in the profile file: "first_print"

struct CostProfile {
  Duration costs[kCostKinds] = {};
  // The spread measured (min_us, max_us): a run of Node may take any cost in it. Where an
  // outcome flips inside a spread, timing decides it, and the trace says so (a `race`).
  Duration low[kCostKinds] = {};
  Duration high[kCostKinds] = {};
  // Where in a millisecond of libuv's clock (uv_now, whole milliseconds) the program
  // starts. Node's start falls anywhere in it, so a 0 ms timer (due 1 ms after it is set)
  // is found due after d < 1 ms of work in a fraction d of runs. 0.5 ms makes the one
  // default run take the side most runs take: due when d >= 0.5 ms.
  Duration clock_phase{};
  std::string source;    // the file it came from, or "zero"
  std::string machine;   // what it was measured on, as the file says
  std::string measured;  // when

  Duration of(Cost cost) const { return costs[static_cast<int>(cost)]; }
  Duration least(Cost cost) const { return low[static_cast<int>(cost)]; }
  Duration most(Cost cost) const { return high[static_cast<int>(cost)]; }
};

// Every cost zero and no phase: the virtual clock as it was before costs (--costs zero).
CostProfile zero_costs();

}  // namespace elt
