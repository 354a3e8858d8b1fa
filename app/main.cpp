// eventloop-trace: the command line. Parses arguments, picks the output, maps outcomes to
// exit codes (0 done, 1 environment failure, 2 bad input, 128+signal when stopped by a
// signal). Everything else lives in core/.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <system_error>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "clock/clock.h"
#include "loop/runtime.h"
#include "scenario/interpreter.h"
#include "scenario/scenario.h"
#include "trace/tracer.h"

namespace {

constexpr int kExitBadInput = 2;
constexpr int kExitFailure = 1;

std::atomic<elt::Runtime*> g_runtime{nullptr};
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_signal(int sig) {
  g_signal = sig;
  if (elt::Runtime* rt = g_runtime.load()) rt->request_stop();
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

struct RunArgs {
  std::string scenario;
  std::int64_t threads = 0;  // 0: the scenario's setting, else 4
  std::string format = "text";
  std::string clock = "real";
};

int run(const RunArgs& args) {
  elt::scenario::Scenario scenario = elt::scenario::load_scenario(args.scenario);

  elt::RuntimeOptions options;
  if (args.threads > 0) {
    options.threads = static_cast<std::size_t>(args.threads);
  } else if (scenario.settings.threads) {
    options.threads = static_cast<std::size_t>(*scenario.settings.threads);
  }
  if (scenario.settings.http_latency_ms) options.http_latency = elt::Millis(*scenario.settings.http_latency_ms);
  if (scenario.settings.http_timeout_ms) options.http_timeout = elt::Millis(*scenario.settings.http_timeout_ms);

  elt::TraceFormat format = args.format == "jsonl" ? elt::TraceFormat::Jsonl
                            : args.format == "none" ? elt::TraceFormat::None
                                                    : elt::TraceFormat::Text;
  elt::Tracer tracer(format, STDOUT_FILENO);
  elt::RealClock clock;
  elt::Runtime runtime(options, clock, tracer);
  g_runtime.store(&runtime);
  elt::scenario::run_scenario(runtime, scenario);
  g_runtime.store(nullptr);
  tracer.flush();
  if (g_signal != 0) return 128 + g_signal;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"eventloop-trace: run a scenario on a Node-like event loop (real threads, epoll, timers)\n"
               "and print what happens, tick by tick and thread by thread.",
               "eventloop-trace"};
  app.set_version_flag("--version", std::string("eventloop-trace ") + ELT_VERSION);
  RunArgs args;
  app.add_option("scenario", args.scenario, "Scenario file (JSON); see docs/scenario-format.md")
      ->required()
      ->type_name("SCENARIO");
  app.add_option("-t,--threads", args.threads, "Pool threads (overrides the scenario's settings.threads; default 4)")
      ->check(CLI::Range(1, 1024));
  app.add_option("-f,--format", args.format, "Trace format")
      ->check(CLI::IsMember({"text", "jsonl", "none"}))
      ->capture_default_str();
  app.add_option("--clock", args.clock, "Clock: real time")
      ->check(CLI::IsMember({"real"}))
      ->capture_default_str();

  try {
    app.parse(argc, argv);
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
    return run(args);
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
