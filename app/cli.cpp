#include "cli.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>
#include <string_view>

#include <fmt/format.h>

#include "clock/clock.h"
#include "cmd_calibrate.h"
#include "process.h"
#include "clock/virtual_clock.h"
#include "explore/race_report.h"
#include "js/load_js.h"
#include "loop/model_kinds.h"
#include "scenario/interpreter.h"
#include "scenario/scenario.h"
#include "trace/format.h"

namespace elt::app {

bool use_color(const std::string& mode, int fd) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");  // https://no-color.org
  if (no_color != nullptr && *no_color != '\0') return false;
  const char* term = std::getenv("TERM");  // a terminal that says it understands no escapes
  if (term != nullptr && std::string_view(term) == "dumb") return false;
  return isatty(fd) == 1;
}

namespace {

// "eventloop-trace: warning: book.json:34:9: http_get to google.com: ...", on stderr, once
// per scenario, place and text in the process: check and verify run a scenario many times.
// Runtimes call it from their pool threads too, hence the lock. The file's name and the
// warning quote the scenario (a path, a URL), so both are shown as the trace shows its text:
// one line, no escape code reaching the terminal.
void print_unseen_time_warning(const std::string& file, elt::SourcePos at, const std::string& what) {
  static std::mutex mutex;
  static std::set<std::string> printed;
  std::string where = at.line > 0 ? fmt::format("{}:{}:{}", file, at.line, at.column) : file;
  std::string line = fmt::format("eventloop-trace: warning: {}: {}\n", elt::shown_on_one_line(where),
                                 elt::shown_on_one_line(what));
  std::lock_guard lock(mutex);
  if (!printed.insert(line).second) return;
  std::fputs(line.c_str(), stderr);
}

// The command line's --limit over the scenario's settings.limits (already in `limits`),
// and trace_events' default by format: chrome and html keep every event until the end.
void apply_limits(const RunOptions& opts, elt::TraceFormat format, elt::RunLimits& limits, elt::Tracer& tracer) {
  for (const auto& text : opts.limits) {
    std::string error;
    if (auto limit = elt::parse_limit(text, error)) limits.set(limit->first, limit->second);
  }
  const bool kept = opts.keeps_trace || format == elt::TraceFormat::Chrome;
  const std::uint64_t by_format = kept ? elt::kDefaultTraceEventsKept : elt::kDefaultTraceEventsStreamed;
  // A scenario may only lower trace_events; the parser checked it against the streamed
  // default, so under a kept format the lower default still bounds it (--limit may raise).
  bool from_command_line = false;
  for (const auto& text : opts.limits) from_command_line |= text.rfind("trace_events=", 0) == 0;
  if (!limits.trace_events) limits.trace_events = by_format;
  if (!from_command_line) limits.trace_events = std::min(*limits.trace_events, by_format);
  tracer.set_event_limit(*limits.trace_events);
}

// A run that crossed one of its limits (loop/limits.h) ended early: that is bad input,
// reported once with the limit, its value and how to raise it (exit 2). The trace
// written until then stays written.
void report_limit(const elt::scenario::Scenario& scenario, const elt::RunLimits& limits,
                  std::optional<elt::LimitCrossed> crossed, const elt::Tracer& tracer) {
  if (!crossed) {
    auto when = tracer.events_limit_crossed();
    if (!when) return;
    crossed = elt::LimitCrossed{elt::Limit::TraceEvents, *limits.trace_events, {}, *when};
  }
  throw elt::scenario::ScenarioError(scenario.file, crossed->where, elt::describe(*crossed));
}

elt::TraceFormat trace_format(const std::string& name) {
  return name == "jsonl"    ? elt::TraceFormat::Jsonl
         : name == "chrome" ? elt::TraceFormat::Chrome
         : name == "none"   ? elt::TraceFormat::None
                            : elt::TraceFormat::Text;
}

// The tracer a run writes to `fd` through: its format, colour and --show's columns.
std::unique_ptr<elt::Tracer> make_tracer(const RunOptions& opts, elt::TraceFormat format, int fd) {
  auto tracer = std::make_unique<elt::Tracer>(format, fd);
  tracer->set_color(fd >= 0 && use_color(opts.color, fd));
  elt::TextExtras extras;
  for (const auto& column : opts.show) {
    if (column == "time") extras.time = true;
    if (column == "phase") extras.phase = true;
    if (column == "id") extras.id = true;
  }
  tracer->set_extras(extras);
  return tracer;
}

}  // namespace

std::unique_ptr<elt::Tracer> run_scenario(const RunOptions& opts, int fd,
                                          const std::function<void(elt::Runtime&, elt::Tracer&)>& setup) {
  if (fd == STDOUT_FILENO && opts.format != "none" && standard_fds().stdout_closed) {
    throw std::system_error(EBADF, std::generic_category(),
                            "standard output is closed, so the trace has nowhere to go (redirect it, "
                            "or use --format none)");
  }
  // --limit actions also sets the cap the file's literal counts are checked against.
  std::optional<std::uint64_t> actions;
  for (const auto& text : opts.limits) {
    std::string error;
    if (auto limit = elt::parse_limit(text, error); limit && limit->first == "actions") actions = limit->second;
  }
  return run_scenario(opts, load_scenario_arg(opts.scenario, actions), fd, setup);
}

std::unique_ptr<elt::Tracer> run_scenario(const RunOptions& opts, const elt::scenario::Scenario& scenario, int fd,
                                          const std::function<void(elt::Runtime&, elt::Tracer&)>& setup) {
  elt::RuntimeOptions options = elt::scenario::runtime_options(scenario);
  if (opts.threads > 0) options.threads = static_cast<std::size_t>(opts.threads);
  for (const auto& folder : opts.allow_read) options.allow_read.push_back(std::filesystem::absolute(folder));
  for (const auto& host : opts.allow_net) {
    std::string error;
    if (auto rule = elt::NetPolicy::parse_rule(host, error)) options.net_policy.allow(std::move(*rule));
  }
  if (opts.warnings) {
    options.on_unseen_time = [file = scenario.file](elt::SourcePos at, const std::string& what) {
      print_unseen_time_warning(file, at, what);
    };
  }
  if (!opts.model.empty()) options.model = elt::build_model(opts.model);
  elt::scenario::check_model_support(scenario, options.model.name);
  // Only a model that charges costs needs a profile (the book's ignores them).
  if (options.model.charges_costs) options.costs = load_costs_arg(opts.costs);

  // Which timing decisions change what the program prints, so that the trace marks those
  // as races and no others (explore/race_report.h); only where someone reads the trace.
  if (options.model.reports_races && (opts.format != "none" || opts.keeps_trace)) {
    const auto resend = opts.clock == "virtual" ? elt::explore::Resend::DelayService : elt::explore::Resend::Nothing;
    if (auto found = elt::explore::find_scenario_races(scenario, options, elt::explore::kRaceCheckBudget,
                                                       [] { return received_signal() != 0; }, resend)) {
      options.races = std::make_shared<const elt::RacesFound>(std::move(*found));
    }
  }
  elt::TraceFormat format = trace_format(opts.format);
  auto tracer = make_tracer(opts, format, fd);
  apply_limits(opts, format, options.limits, *tracer);
  std::unique_ptr<elt::Clock> clock;
  if (opts.clock == "virtual") {
    clock = std::make_unique<elt::VirtualClock>();
  } else {
    clock = std::make_unique<elt::RealClock>();
  }
  std::optional<elt::LimitCrossed> crossed;
  try {
    elt::Runtime runtime(options, *clock, *tracer);
    set_running(&runtime);
    if (received_signal() != 0) runtime.request_stop();  // it came while the races were checked
    if (setup) setup(runtime, *tracer);
    elt::scenario::run_scenario(runtime, scenario);
    set_running(nullptr);
    crossed = runtime.limit_crossed();
  } catch (...) {
    set_running(nullptr);
    // A runtime that failed to start (a thread that cannot be created) left its stop
    // request in the tracer: drop it before the tracer's last flush could call it.
    tracer->set_on_broken({});
    throw;
  }
  tracer->finish();
  report_limit(scenario, options.limits, crossed, *tracer);
  // The reader leaving (EPIPE, `| head -3`) ends a run quietly; any other failed write
  // (a full disk, /dev/full, an I/O error) lost the trace, and that is a failure.
  if (int err = tracer->write_error(); err != 0 && err != EPIPE) {
    throw std::system_error(err, std::generic_category(),
                            fd == STDOUT_FILENO ? "writing the trace to standard output" : "writing the trace");
  }
  return tracer;
}

elt::scenario::Scenario load_scenario_arg(const std::string& path, std::optional<std::uint64_t> actions) {
  // A .js file is a scenario too: translated, and run under the node model (js/load_js.h).
  if (path != "-" && elt::js::is_js_path(path)) return elt::js::load_js_scenario(path, actions);
  if (path != "-") return elt::scenario::load_scenario(path, actions);
  // The same cap as a file: a pipe that never ends is not a scenario.
  constexpr std::size_t kMaxBytes = 64 * 1024 * 1024;
  std::string text;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) {
    text.append(buf, n);
    if (text.size() > kMaxBytes) throw elt::scenario::ScenarioError("<stdin>", "", "is larger than 64 MiB; that is not a scenario");
  }
  return elt::scenario::parse_scenario(text, "<stdin>", ".", actions);
}

std::string read_file(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace elt::app
