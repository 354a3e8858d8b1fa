#include "cmd_verify.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "cli.h"
#include "clock/virtual_clock.h"
#include "cmd_calibrate.h"
#include "explore/explore.h"
#include "loop/model_kinds.h"
#include "scenario/interpreter.h"
#include "sandbox/sandbox.h"
#include "command_options.h"
#include "output_file.h"
#include "process.h"
#include "export/verify.h"
#include "scenario/scenario.h"
#include "trace/event.h"
#include "trace/tracer.h"

namespace elt::app {

namespace {

struct VerifyOptions {
  std::vector<std::string> scenarios;
  elt::verify::Options run;
  bool json = false;
  bool markdown = false;
  std::string color = "auto";
  bool no_warnings = false;
};

// The printed lines of one run, as the trace's text shows them without the
// "Thread: main\t " in front: print's text, and print_content's whole block.
void observe_printed_lines(elt::Tracer& tracer, elt::verify::Lines& lines) {
  auto add = [&lines](std::string_view text) {
    for (;;) {
      auto nl = text.find('\n');
      lines.emplace_back(text.substr(0, nl));
      if (nl == std::string_view::npos) break;
      text.remove_prefix(nl + 1);
    }
  };
  tracer.set_observer([&lines, add](const elt::TraceEvent& e) {
    if (e.thread != "main") return;
    if (e.kind == elt::EventKind::Print) add(e.text);
    if (e.kind == elt::EventKind::Content) {
      lines.emplace_back();
      add("===== THREAD main START CONTENT - " + e.text + " =====");  // a label's newlines end lines in Node too
      std::string_view content = e.content;
      if (!content.empty() && content.back() == '\n') content.remove_suffix(1);
      if (!content.empty()) add(content);
      lines.emplace_back("... [Note: Abbreviated for display] ...");
      lines.emplace_back("===== END CONTENT =====");
      lines.emplace_back();
    }
  });
}

elt::verify::Lines printed_lines(const elt::scenario::Scenario& scenario, bool warnings) {
  RunOptions opts;
  opts.warnings = warnings;
  opts.scenario = scenario.file;
  opts.clock = "virtual";
  opts.model = "node";
  opts.format = "none";
  elt::verify::Lines lines;
  run_scenario(opts, scenario, -1, [&](elt::Runtime&, elt::Tracer& tracer) { observe_printed_lines(tracer, lines); });
  return lines;
}

// explore's budget, as its command's default: the classic races take a few hundred.
constexpr std::size_t kVerifyExploreSchedules = 2000;

// Every order explore lists, in printed_lines's form (explore's own renders a content
// block without its blank lines, and pool threads' prints, which Node's stdout lacks).
elt::verify::Listed listed_orders(const elt::scenario::Scenario& scenario) {
  elt::RuntimeOptions options = elt::scenario::runtime_options(scenario);
  options.model = elt::build_model("node");
  options.costs = load_costs_arg("");
  auto result = elt::explore::explore(
      [&](std::shared_ptr<elt::ReplayChooser> chooser) {
        elt::verify::Lines lines;
        elt::Tracer tracer(elt::TraceFormat::None, -1);
        observe_printed_lines(tracer, lines);
        elt::VirtualClock clock;
        elt::RuntimeOptions run_options = options;
        run_options.timing = std::move(chooser);
        {
          elt::Runtime runtime(run_options, clock, tracer);
          elt::scenario::run_scenario(runtime, scenario);
        }
        return lines;
      },
      kVerifyExploreSchedules);
  elt::verify::Listed listed;
  listed.complete = result.complete;
  for (auto& order : result.orders) listed.orders.push_back(std::move(order.output));
  return listed;
}

// --color and --no-warnings may also come before "verify" (main.cpp's run options, which
// the table in command_options.cpp lets verify take): merged here, once parsed.
void merge_top_level(const CLI::App& cmd, VerifyOptions& opts) {
  const CLI::App* top = cmd.get_parent();
  const CLI::Option* top_color = top->get_option_no_throw("--color");
  const CLI::Option* own_color = cmd.get_option_no_throw("--color");
  if (top_color != nullptr && top_color->count() > 0) {
    std::string before = top_color->as<std::string>();
    if (own_color->count() > 0 && before != opts.color) {
      throw UsageError(fmt::format("--color is given twice, as {} before \"verify\" and as {} after it; give it once",
                                   before, opts.color));
    }
    opts.color = before;
  }
  const CLI::Option* top_quiet = top->get_option_no_throw("--no-warnings");
  if (top_quiet != nullptr && top_quiet->count() > 0) opts.no_warnings = true;
}

int run_verify(const VerifyOptions& opts) {
  if (opts.json && opts.markdown) {
    throw UsageError("--json and --markdown are two forms of the same summary: give one of them");
  }
  // Before the node runs, which may take minutes: the verdicts would have nowhere to go.
  if (standard_fds().stdout_closed) {
    throw std::system_error(EBADF, std::generic_category(),
                            "standard output is closed, so the verdicts have nowhere to go (redirect it)");
  }
  std::vector<elt::scenario::Scenario> scenarios;
  for (const auto& file : opts.scenarios) {
    scenarios.push_back(load_scenario_arg(file));
    elt::scenario::check_model_support(scenarios.back(), "node");
  }
  std::string version;
  try {
    version = elt::verify::node_version(opts.run.node);
  } catch (const elt::verify::NodeMissing& e) {
    std::cerr << "eventloop-trace: cannot run node (" << e.what()
              << "): verify runs each scenario's program under Node 20; scripts/deps.sh installs it\n";
    return kExitBadInput;
  }
  if (const auto& net = elt::sandbox::network_isolation(); !net.available) {
    std::cerr << "eventloop-trace: note: node keeps this machine's network (no namespace of its own: " << net.why_not
              << "); its file reads, writes, child processes and workers are confined all the same\n";
  }
  // A stop signal kills the node run in progress and ends verify_all (Cancelled); our own
  // runs stop as a plain run does (process.h).
  elt::verify::Options run = opts.run;
  run.cancel_fd = signal_notify_fd();
  std::vector<elt::verify::Report> reports;
  try {
    reports = elt::verify::verify_all(scenarios, run, [&opts](const elt::scenario::Scenario& s) {
      return printed_lines(s, !opts.no_warnings);
    }, listed_orders);
  } catch (const elt::verify::Cancelled&) {
  }
  if (int sig = received_signal(); sig != 0) return 128 + sig;
  std::string text = opts.json       ? elt::verify::render_json(reports, version)
                     : opts.markdown ? elt::verify::render_markdown(reports, version)
                                     : elt::verify::render_text(reports, version, use_color(opts.color, STDOUT_FILENO));
  // The reader leaving (EPIPE, `| head -1`) is quiet; any other failed write lost the verdicts.
  if (int err = write_stdout(text); err != 0 && err != EPIPE) {
    throw std::system_error(err, std::generic_category(), "writing the verdicts to standard output");
  }
  bool failed = std::any_of(reports.begin(), reports.end(), [](const auto& r) { return r.failed(); });
  return failed ? kExitDifferent : 0;
}

}  // namespace

Command add_verify_command(CLI::App& app) {
  auto opts = std::make_shared<VerifyOptions>();
  opts->run.jobs = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
  CLI::App* cmd = app.add_subcommand(
      "verify", "Run each scenario's exported program under node N times and compare the orders it printed with "
                "every order explore lists (--model node, virtual clock): agrees, differs, racy in Node, or not "
                "comparable. Exit 0 when none differs, 1 when one does or a racy declaration is wrong, 2 for bad "
                "input or no node");
  // Each option's type and default in its own words: CLI11's "INT:INT in [1 - 1000]=10"
  // and "Excludes: --markdown" pushed the descriptions off their column.
  cmd->add_option("scenarios", opts->scenarios, "Scenario files (JSON), one or more")->required()->type_name("SCENARIO");
  cmd->add_option("--runs", opts->run.runs,
                  fmt::format("Runs of each program under node, 1 to 1000 (default {}); a scenario declared racy: up "
                              "to max(4N, 20), until a second order shows", opts->run.runs))
      ->check(whole_number(1, 1000, ""))
      ->type_name("N");
  cmd->add_option("-j,--jobs", opts->run.jobs,
                  fmt::format("Scenarios run under node at the same time, 1 to 64 (default here: {})", opts->run.jobs))
      ->check(whole_number(1, 64, ""))
      ->type_name("N");
  cmd->add_option("--node", opts->run.node, "The node executable (default: node, found on PATH)")->type_name("PATH");
  cmd->add_option("--timeout", opts->run.timeout_s,
                  fmt::format("Seconds one run of a program may take, 1 to 3600 (default {})", opts->run.timeout_s))
      ->check(whole_number(1, 3600, ""))
      ->type_name("SECONDS");
  cmd->add_flag("--json", opts->json, "A machine-readable summary instead of the text");
  cmd->add_flag("--markdown", opts->markdown, "A Markdown table of the verdicts (docs/verification.md)");
  cmd->add_option("--color", opts->color,
                  "Colour: auto (default: on a terminal, unless NO_COLOR is set), always, never")
      ->check(one_of({"auto", "always", "never"}))
      ->type_name("WHEN");
  cmd->add_flag("--no-warnings", opts->no_warnings,
                "Do not warn on stderr when our side of a run depends on real time the virtual clock cannot see");
  return {cmd, [opts, cmd]() {
    merge_top_level(*cmd, *opts);
    return run_verify(*opts);
  }};
}

}  // namespace elt::app
