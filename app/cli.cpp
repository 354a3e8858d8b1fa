#include "cli.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "clock/clock.h"
#include "clock/virtual_clock.h"
#include "scenario/interpreter.h"
#include "scenario/scenario.h"

namespace elt::app {

std::atomic<elt::Runtime*> g_runtime{nullptr};
volatile std::sig_atomic_t g_signal = 0;

bool use_color(const std::string& mode, int fd) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");  // https://no-color.org
  if (no_color != nullptr && *no_color != '\0') return false;
  return isatty(fd) == 1;
}

std::unique_ptr<elt::Tracer> run_scenario(const RunOptions& opts, int fd,
                                          const std::function<void(elt::Runtime&, elt::Tracer&)>& setup) {
  elt::scenario::Scenario scenario = load_scenario_arg(opts.scenario);

  elt::RuntimeOptions options = elt::scenario::runtime_options(scenario);
  if (opts.threads > 0) options.threads = static_cast<std::size_t>(opts.threads);
  if (opts.model == "node") options.model = elt::node_model();
  if (opts.model == "book") options.model = elt::book_model();
  elt::scenario::check_model_support(scenario, options.model.name);

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

elt::scenario::Scenario load_scenario_arg(const std::string& path) {
  if (path != "-") return elt::scenario::load_scenario(path);
  // The same cap as a file: a pipe that never ends is not a scenario.
  constexpr std::size_t kMaxBytes = 64 * 1024 * 1024;
  std::string text;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) {
    text.append(buf, n);
    if (text.size() > kMaxBytes) throw elt::scenario::ScenarioError("<stdin>", "", "is larger than 64 MiB; that is not a scenario");
  }
  return elt::scenario::parse_scenario(text, "<stdin>", ".");
}

std::string read_file(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace elt::app
