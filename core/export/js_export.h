// A scenario as a Node program: what `eventloop-trace export-js` prints and `verify` runs.
//
// The program is meant to be read beside the scenario, so it is the JavaScript a person
// would write: `console.log` for print, `fs.readFile` of the same files (resolved from the
// scenario's folder), setTimeout / setInterval / setImmediate / process.nextTick /
// queueMicrotask and promise chains as written, with the handles a scenario names as
// variables, `block` as a busy loop, HTTP through `http.get` to the same delay service.
// Pool work (`encrypt`) becomes crypto.pbkdf2, which Node runs on libuv's pool, sized to
// take about `cost_ms`; the Fibonacci number the scenario binds is computed cheaply.
//
// What Node cannot reproduce exactly is listed in `approximations` and in a comment at the
// top of the program; `verify` treats orderings that depend on it as not comparable. What
// has no Node equivalent at all (a fault only our delay service stages, a field a value
// does not have) is `unsupported`: the program is still written, but not compared.
//
// Pure functions of the parsed scenario; any thread.
#pragma once

#include <string>
#include <vector>

#include "scenario/scenario.h"

namespace elt::exporter {

// The environment the program reads. `verify` sets them; a person running the program by
// hand sets the ones the header comment names.
inline constexpr const char* kEnvScenarioDir = "ELT_SCENARIO_DIR";  // where fs_read paths start
inline constexpr const char* kEnvDelayPort = "ELT_DELAY_PORT";      // the delay service's port
inline constexpr const char* kEnvPbkdf2PerMs = "ELT_PBKDF2_PER_MS";  // pbkdf2 iterations per ms

struct JsProgram {
  std::string source;                       // the whole program, ready for `node`
  std::vector<std::string> approximations;  // what Node reproduces only approximately
  std::string unsupported;                  // non-empty: why the output cannot be compared
  bool uses_delay_service = false;          // needs ELT_DELAY_PORT
  bool uses_network = false;                // makes HTTP requests (to this machine)
  bool reads_files = false;                 // fs_read: reads below ELT_SCENARIO_DIR
  bool uses_pool_work = false;              // encrypt: reads ELT_PBKDF2_PER_MS
  std::int64_t threads = 4;                 // UV_THREADPOOL_SIZE the program must run with
};

JsProgram export_js(const scenario::Scenario& scenario);

// A tiny program that prints how many pbkdf2 (sha256) iterations this machine does per
// millisecond on one thread; `verify` runs it once and passes the figure on.
std::string pbkdf2_calibration_program();

}  // namespace elt::exporter
