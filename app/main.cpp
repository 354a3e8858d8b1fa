// eventloop-trace: the command line. Parses arguments, picks the clock and the output, and
// maps outcomes to exit codes: 0 done (check: traces agree), 1 check found a difference or
// the environment failed, 2 bad input, 128+signal when stopped by SIGINT or SIGTERM.
// Everything else lives in core/.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <system_error>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "line_reader.h"
#include "clock/clock.h"
#include "clock/virtual_clock.h"
#include "loop/runtime.h"
#include "scenario/interpreter.h"
#include "scenario/scenario.h"
#include "step/stepper.h"
#include "trace/compare.h"
#include "trace/tracer.h"

namespace {

constexpr int kExitDifferent = 1;
constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;

std::atomic<elt::Runtime*> g_runtime{nullptr};
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_signal(int sig) {
  g_signal = sig;
  if (elt::Runtime* rt = g_runtime.load()) {
    rt->request_stop();  // the loop stops at the next phase and closes its threads
  } else {
    _exit(128 + sig);  // nothing runs yet (still reading the scenario): nothing to close
  }
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  // A reader that goes away (`| head -3`) shows up as EPIPE on write, which the tracer
  // handles by stopping the run quietly; the default SIGPIPE would kill us mid-shutdown.
  signal(SIGPIPE, SIG_IGN);
}

struct RunOptions {
  std::string scenario;
  std::int64_t threads = 0;  // 0: the scenario's setting, else 4
  std::string format = "text";
  std::string clock = "real";
  std::string color = "auto";
};

bool use_color(const std::string& mode, int fd) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");  // https://no-color.org
  if (no_color != nullptr && *no_color != '\0') return false;
  return isatty(fd) == 1;
}

// Runs a scenario to the end; the trace goes to `fd` (or stays in memory when fd < 0).
// Returns the tracer so that callers can read a captured trace.
std::unique_ptr<elt::Tracer> run_scenario(const RunOptions& opts, int fd,
                                          const std::function<void(elt::Runtime&, elt::Tracer&)>& setup = {}) {
  elt::scenario::Scenario scenario = elt::scenario::load_scenario(opts.scenario);

  elt::RuntimeOptions options = elt::scenario::runtime_options(scenario);
  if (opts.threads > 0) options.threads = static_cast<std::size_t>(opts.threads);

  elt::TraceFormat format = opts.format == "jsonl" ? elt::TraceFormat::Jsonl
                            : opts.format == "none" ? elt::TraceFormat::None
                                                    : elt::TraceFormat::Text;
  auto tracer = std::make_unique<elt::Tracer>(format, fd);
  tracer->set_color(fd >= 0 && use_color(opts.color, fd));
  std::unique_ptr<elt::Clock> clock;
  if (opts.clock == "virtual") {
    clock = std::make_unique<elt::VirtualClock>();
  } else {
    clock = std::make_unique<elt::RealClock>();
  }
  {
    elt::Runtime runtime(options, *clock, *tracer);
    g_runtime.store(&runtime);
    if (setup) setup(runtime, *tracer);
    elt::scenario::run_scenario(runtime, scenario);
    g_runtime.store(nullptr);
  }
  tracer->flush();
  return tracer;
}

void add_run_options(CLI::App& app, RunOptions& opts, const std::string& default_clock) {
  opts.clock = default_clock;
  app.add_option("-t,--threads", opts.threads, "Pool threads (overrides the scenario's settings.threads; default 4)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--clock", opts.clock,
                 "real: real time; virtual: time jumps to the next deadline when every thread is idle, "
                 "and the trace is the same in every run")
      ->check(CLI::IsMember({"real", "virtual"}))
      ->capture_default_str();
}

std::string read_file(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void add_color_option(CLI::App& app, std::string& color) {
  app.add_option("--color", color, "Colour: auto (on a terminal, unless NO_COLOR is set), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
}

int check(const RunOptions& opts, const std::string& golden, const std::string& mode, bool update,
          const std::string& color) {
  auto tracer = run_scenario(opts, -1);
  std::string actual = tracer->captured();
  if (update) {
    std::ofstream out(golden, std::ios::binary);
    out << actual;
    if (!out) {
      std::cerr << "eventloop-trace: cannot write " << golden << '\n';
      return kExitFailure;
    }
    std::cout << "wrote " << golden << '\n';
    return 0;
  }
  bool ok = false;
  std::string expected = read_file(golden, ok);
  if (!ok) {
    std::cerr << "eventloop-trace: " << golden << ": cannot open the golden trace (write it with --update)\n";
    return kExitBadInput;
  }
  auto result = elt::compare_traces(expected, actual,
                                    mode == "per-thread" ? elt::CompareMode::PerThread : elt::CompareMode::Exact,
                                    use_color(color, STDOUT_FILENO));
  if (result.equal) {
    std::cout << "ok: " << opts.scenario << " matches " << golden << " (" << mode << ", " << opts.clock
              << " clock)\n";
    return 0;
  }
  std::cout << opts.scenario << " does not match " << golden << " (" << mode << ", " << opts.clock << " clock)\n"
            << result.report;
  return kExitDifferent;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"eventloop-trace: run a scenario on a Node-like event loop (real threads, epoll, timers)\n"
               "and print what happens, tick by tick and thread by thread.",
               "eventloop-trace"};
  app.set_version_flag("--version", std::string("eventloop-trace ") + ELT_VERSION);
  app.require_subcommand(0, 1);

  RunOptions run_opts;
  app.add_option("scenario", run_opts.scenario, "Scenario file (JSON); see docs/scenario-format.md")
      ->type_name("SCENARIO");
  add_run_options(app, run_opts, "real");
  add_color_option(app, run_opts.color);
  app.add_option("-f,--format", run_opts.format, "Trace format: the book's text, JSON lines, or none")
      ->check(CLI::IsMember({"text", "jsonl", "none"}))
      ->capture_default_str();

  RunOptions check_opts;
  std::string golden;
  std::string mode = "exact";
  std::string color = "auto";
  bool update = false;
  CLI::App* check_cmd = app.add_subcommand(
      "check", "Run a scenario and compare its trace with a golden file: exit 0 if they agree, "
               "1 with a diff if not, 2 for bad input");
  check_cmd->add_option("scenario", check_opts.scenario, "Scenario file (JSON)")->required()->type_name("SCENARIO");
  check_cmd->add_option("golden", golden, "Golden trace file")->required()->type_name("GOLDEN");
  add_run_options(*check_cmd, check_opts, "virtual");
  check_cmd->add_option("--mode", mode,
                        "exact: byte for byte; per-thread: each thread's own lines (for real-clock runs)")
      ->check(CLI::IsMember({"exact", "per-thread"}))
      ->capture_default_str();
  check_cmd->add_flag("--update", update, "Write the trace to GOLDEN instead of comparing");
  add_color_option(*check_cmd, color);

  RunOptions step_opts;
  CLI::App* step_cmd = app.add_subcommand(
      "step", "Run a scenario one tick at a time, and look at the loop's state between ticks "
              "(commands: next, phase, continue, break, state, help, quit)");
  step_cmd->add_option("scenario", step_opts.scenario, "Scenario file (JSON)")->required()->type_name("SCENARIO");
  add_run_options(*step_cmd, step_opts, "real");
  add_color_option(*step_cmd, step_opts.color);

  try {
    app.parse(argc, argv);
    if (!check_cmd->parsed() && !step_cmd->parsed() && run_opts.scenario.empty()) {
      throw CLI::RequiredError("SCENARIO");
    }
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }

  install_signal_handlers();
  try {
    if (check_cmd->parsed()) return check(check_opts, golden, mode, update, color);
    if (step_cmd->parsed()) {
      auto input = elt::app::make_line_source();
      std::unique_ptr<elt::Stepper> stepper;
      run_scenario(step_opts, STDOUT_FILENO, [&](elt::Runtime& runtime, elt::Tracer& tracer) {
        stepper = std::make_unique<elt::Stepper>(*input, stdout, tracer, use_color(step_opts.color, STDOUT_FILENO));
        stepper->attach(runtime);
      });
      if (g_signal != 0) return 128 + g_signal;
      return 0;
    }
    run_scenario(run_opts, STDOUT_FILENO);
    if (g_signal != 0) return 128 + g_signal;
    return 0;
  } catch (const elt::scenario::ScenarioError& e) {
    std::cerr << "eventloop-trace: " << e.what() << '\n';
    return kExitBadInput;
  } catch (const std::system_error& e) {
    std::cerr << "eventloop-trace: " << e.what() << '\n';
    return kExitFailure;
  } catch (const std::exception& e) {
    std::cerr << "eventloop-trace: error: " << e.what() << '\n';
    return kExitFailure;
  }
}
