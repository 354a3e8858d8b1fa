// What every subcommand of the command line shares: the run options, running a scenario to
// the end, colour decisions and the exit codes. Each subcommand lives in its own file
// (app/cmd_*.cpp) and main.cpp only parses and dispatches.
#pragma once

#include <atomic>
#include <csignal>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "loop/runtime.h"
#include "scenario/scenario.h"
#include "trace/tracer.h"

namespace elt::app {

inline constexpr int kExitDifferent = 1;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;

// A command line that cannot be obeyed (exit 2); the message follows "eventloop-trace: ".
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunOptions {
  std::string scenario;  // a path, or "-" for standard input
  std::int64_t threads = 0;  // 0: the scenario's setting, else 4
  std::string format = "text";
  std::string clock = "real";
  std::string color = "auto";
  std::string model;  // empty: the scenario's settings.model, else "book"
  std::vector<std::string> show;  // --show time,phase,id: text columns (off by default)
  // Widen the confinement of an untrusted scenario (docs/robustness.md): folders fs_read
  // may read besides the scenario's own, hosts http_get may reach besides loopback.
  std::vector<std::string> allow_read;
  std::vector<std::string> allow_net;  // HOST or HOST:PORT, checked by the parser
  // Warnings on stderr when a virtual-clock run depends on real time it cannot see
  // (--no-warnings turns them off). Each is printed once per process, however many times
  // check or verify runs its scenario.
  bool warnings = true;
  // --limit NAME=N, checked by the parser (loop/limits.h); each overrides the scenario's
  // settings.limits.
  std::vector<std::string> limits;
  // The command keeps the whole trace in memory until the end (html): trace_events then
  // defaults to the lower bound, as for --format chrome.
  bool keeps_trace = false;
  std::string costs;  // --costs: a profile FILE, "zero", or empty for the default profile
};

bool use_color(const std::string& mode, int fd);

// Runs a scenario to the end; the trace goes to `fd` (or stays in memory when fd < 0).
// Returns the tracer so that callers can read a captured trace. `setup` runs once the
// runtime exists, before the program starts.
std::unique_ptr<elt::Tracer> run_scenario(const RunOptions& opts, int fd,
                                          const std::function<void(elt::Runtime&, elt::Tracer&)>& setup = {});
// The same for a scenario already loaded (verify runs variants of one); opts.scenario is unused.
std::unique_ptr<elt::Tracer> run_scenario(const RunOptions& opts, const elt::scenario::Scenario& scenario, int fd,
                                          const std::function<void(elt::Runtime&, elt::Tracer&)>& setup = {});

// Reads a scenario from a path, or from standard input for "-" (named "<stdin>" in
// messages, its fs_read paths relative to the current folder).
elt::scenario::Scenario load_scenario_arg(const std::string& path,
                                          std::optional<std::uint64_t> actions = std::nullopt);

// Reads a whole file; ok is false when it cannot be opened.
std::string read_file(const std::string& path, bool& ok);

}  // namespace elt::app
