#include "cmd_verify.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli.h"
#include "process.h"
#include "export/verify.h"
#include "scenario/scenario.h"
#include "trace/event.h"

namespace elt::app {

namespace {

struct VerifyOptions {
  std::vector<std::string> scenarios;
  elt::verify::Options run;
  bool json = false;
  bool markdown = false;
  std::string color = "auto";
};

// The printed lines of one run of ours, as the trace's text shows them without the
// "Thread: main\t " in front: print's text, and print_content's whole block.
elt::verify::Lines printed_lines(const elt::scenario::Scenario& scenario) {
  RunOptions opts;
  opts.scenario = scenario.file;
  opts.clock = "virtual";
  opts.model = "node";
  opts.format = "none";
  elt::verify::Lines lines;
  auto add = [&lines](std::string_view text) {
    for (;;) {
      auto nl = text.find('\n');
      lines.emplace_back(text.substr(0, nl));
      if (nl == std::string_view::npos) break;
      text.remove_prefix(nl + 1);
    }
  };
  run_scenario(opts, scenario, -1, [&](elt::Runtime&, elt::Tracer& tracer) {
    tracer.set_observer([&](const elt::TraceEvent& e) {
      if (e.thread != "main") return;
      if (e.kind == elt::EventKind::Print) add(e.text);
      if (e.kind == elt::EventKind::Content) {
        lines.emplace_back();
        lines.push_back("===== THREAD main START CONTENT - " + e.text + " =====");
        std::string_view content = e.content;
        if (!content.empty() && content.back() == '\n') content.remove_suffix(1);
        if (!content.empty()) add(content);
        lines.emplace_back("... [Note: Abbreviated for display] ...");
        lines.emplace_back("===== END CONTENT =====");
        lines.emplace_back();
      }
    });
  });
  return lines;
}

int run_verify(const VerifyOptions& opts) {
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
  // A stop signal kills the node run in progress and ends verify_all (Cancelled); our own
  // runs stop as a plain run does (process.h).
  elt::verify::Options run = opts.run;
  run.cancel_fd = signal_notify_fd();
  std::vector<elt::verify::Report> reports;
  try {
    reports = elt::verify::verify_all(scenarios, run, printed_lines);
  } catch (const elt::verify::Cancelled&) {
  }
  if (int sig = received_signal(); sig != 0) return 128 + sig;
  if (opts.json) {
    std::cout << elt::verify::render_json(reports, version);
  } else if (opts.markdown) {
    std::cout << elt::verify::render_markdown(reports, version);
  } else {
    std::cout << elt::verify::render_text(reports, version, use_color(opts.color, STDOUT_FILENO));
  }
  std::cout.flush();
  bool failed = std::any_of(reports.begin(), reports.end(), [](const auto& r) { return r.failed(); });
  return failed ? kExitDifferent : 0;
}

}  // namespace

Command add_verify_command(CLI::App& app) {
  auto opts = std::make_shared<VerifyOptions>();
  opts->run.jobs = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
  CLI::App* cmd = app.add_subcommand(
      "verify", "Run each scenario under --model node (virtual clock) and its exported program under node, and "
                "compare the printed lines: agrees, differs, racy in Node, or not comparable. Exit 0 when none "
                "differs, 1 when one does or a racy declaration is wrong, 2 for bad input or no node");
  cmd->add_option("scenarios", opts->scenarios, "Scenario files (JSON)")->required()->type_name("SCENARIO...");
  cmd->add_option("--runs", opts->run.runs, "Runs of each program under node (a scenario declared racy: up to max(4N, 20), until a second order shows)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("-j,--jobs", opts->run.jobs, "Scenarios run under node at the same time")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--node", opts->run.node, "The node executable")->capture_default_str();
  cmd->add_option("--timeout", opts->run.timeout_s, "Seconds one run of a program may take")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  auto* json = cmd->add_flag("--json", opts->json, "A machine-readable summary instead of the text");
  cmd->add_flag("--markdown", opts->markdown, "A Markdown table of the verdicts (docs/verification.md)")->excludes(json);
  cmd->add_option("--color", opts->color, "Colour: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  return {cmd, [opts]() { return run_verify(*opts); }};
}

}  // namespace elt::app
