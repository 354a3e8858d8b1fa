// eventloop-trace: the command line. Parses arguments, picks the clock and the output, and
// maps outcomes to exit codes: 0 done (check: traces agree), 1 check found a difference or
// the environment failed, 2 bad input, 128+signal when stopped by SIGINT or SIGTERM.
// Everything else lives in core/.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <system_error>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli.h"
#include "cmd_check.h"
#include "cmd_step.h"
#include "loop/runtime.h"
#include "scenario/scenario.h"
#include "trace/tracer.h"

namespace {

using elt::app::g_runtime;
using elt::app::g_signal;
using elt::app::kExitBadInput;
using elt::app::kExitFailure;
using elt::app::RunOptions;
using elt::app::use_color;

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

void add_run_options(CLI::App& app, RunOptions& opts, const std::string& default_clock) {
  opts.clock = default_clock;
  app.add_option("-t,--threads", opts.threads, "Pool threads (overrides the scenario's settings.threads; default 4)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--clock", opts.clock,
                 "real: real time; virtual: time jumps to the next deadline when every thread is idle, "
                 "and the trace is the same in every run")
      ->check(CLI::IsMember({"real", "virtual"}))
      ->capture_default_str();
  app.add_option("--model", opts.model,
                 "book: the book's loop (default); node: Node 20's loop (libuv 1.46 phases, setImmediate, "
                 "nextTick and microtasks, I/O polled on the loop thread); overrides settings.model")
      ->check(CLI::IsMember({"book", "node"}));
}

void add_color_option(CLI::App& app, std::string& color) {
  app.add_option("--color", color, "Colour: auto (on a terminal, unless NO_COLOR is set), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
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

  elt::app::CheckOptions check_opts;
  CLI::App* check_cmd = app.add_subcommand(
      "check", "Run a scenario and compare its trace with a golden file: exit 0 if they agree, "
               "1 with a diff if not, 2 for bad input");
  check_cmd->add_option("scenario", check_opts.run.scenario, "Scenario file (JSON)")->required()->type_name("SCENARIO");
  check_cmd->add_option("golden", check_opts.golden, "Golden trace file")->required()->type_name("GOLDEN");
  add_run_options(*check_cmd, check_opts.run, "virtual");
  check_cmd->add_option("--mode", check_opts.mode,
                        "exact: byte for byte; per-thread: each thread's own lines (for real-clock runs)")
      ->check(CLI::IsMember({"exact", "per-thread"}))
      ->capture_default_str();
  check_cmd->add_flag("--update", check_opts.update, "Write the trace to GOLDEN instead of comparing");
  add_color_option(*check_cmd, check_opts.color);

  RunOptions step_opts;
  CLI::App* step_cmd = app.add_subcommand(
      "step", "Run a scenario one tick at a time, go back, set breakpoints, and look at the loop's state "
              "between ticks (virtual clock by default; type help at the prompt)");
  step_cmd->add_option("scenario", step_opts.scenario, "Scenario file (JSON)")->required()->type_name("SCENARIO");
  add_run_options(*step_cmd, step_opts, "virtual");
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
    if (check_cmd->parsed()) return elt::app::run_check(check_opts);
    if (step_cmd->parsed()) return elt::app::run_step(step_opts);
    elt::app::run_scenario(run_opts, STDOUT_FILENO);
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
