#include "cmd_calibrate.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "command_options.h"
#include "common/data_dir.h"
#include "output_file.h"
#include "process.h"
#include "export/verify.h"
#include "scenario/cost_profile.h"

namespace elt::app {

namespace {

// One run measures everything but the main program's cost, in one node process, and
// prints one JSON object of microseconds on stderr (stdout is what console.log is timed
// writing to: a pipe, as under verify). Each figure is taken where the node model
// charges it (loop/costs.h says where).
constexpr const char* kMeasure = R"JS(
const now = () => Number(process.hrtime.bigint()) / 1e3;
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const r = {};
let t = now();
console.log('calibrate');
r.first_print = now() - t;
const prints = [];
for (let i = 0; i < 20; i++) { t = now(); console.log(`calibrate ${i}`); prints.push(now() - t); }
r.print = median(prints);
function block(ms) { const until = performance.now() + ms; while (performance.now() < until) {} }
block(1);  // the first call loads performance's clock: not block's own cost
const blocks = [];
for (let i = 0; i < 9; i++) { t = now(); block(1); blocks.push(Math.max(0, now() - t - 1000)); }
r.block = median(blocks);
const chain = 50;
let left = chain;
const t0 = now();
const step = () => {
  if (--left > 0) return setImmediate(step);
  r.callback = (now() - t0) / chain;
  const tr = now();
  require('fs').readFile(__filename, () => {
    const first = now() - tr;
    const tw = now();
    require('fs').readFile(__filename, () => {
    r.pool_trip = (now() - tw) / 4;
    r.pool_start = Math.max(0, first - 4 * r.pool_trip);
    const tl = now();
    require('dns').lookup('localhost', () => {
      r.lookup = now() - tl;
      const http = require('http');
      const server = http.createServer((req, res) => res.end('ok')).listen(0, '127.0.0.1', () => {
        const tc = now();
        const req = http.get(`http://127.0.0.1:${server.address().port}/`, (res) => {
          res.resume();
          res.on('end', () => { server.close(); process.stderr.write(JSON.stringify(r) + '\n'); });
        });
        r.connect = now() - tc;
        void req;
      });
    });
    });
  });
};
setImmediate(step);
const tt = now();  // the last statement: the tick runs as soon as the program ends
process.nextTick(() => { r.first_tick = now() - tt; });
)JS";

// The main program's cost is read off the race it decides: a 0 ms timer set by the last
// statement is due at the loop's first timers pass when the program's remaining run,
// plus where in its millisecond libuv's clock stood, crosses a millisecond: in a share
// d of runs when the run takes d ms. Writing without console.log keeps stdout's set-up
// out of it.
constexpr const char* kRace = R"JS(
setTimeout(() => process.stdout.write('timeout\n'), 0);
setImmediate(() => process.stdout.write('immediate\n'));
)JS";

struct CalibrateOptions {
  int runs = 10;
  std::string node = "node";
  std::string output = "-";
};

std::string write_temp(const char* text, const char* name) {
  // A folder of our own (mkdtemp: a new name, mode 0700), not a guessable name in /tmp
  // that another user could have made a link first.
  static const std::filesystem::path dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "eventloop-trace-calibrate-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::system_error(errno, std::generic_category(), "mkdtemp");
    return std::filesystem::path(pattern);
  }();
  auto path = dir / name;
  std::ofstream(path) << text;
  return path.string();
}

MeasuredCost spread(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return {xs[xs.size() / 2], xs.front(), xs.back()};
}

std::string machine_description(const std::string& node) {
  utsname u{};
  std::string host = uname(&u) == 0 ? fmt::format("{} {} {}", u.nodename, u.sysname, u.machine) : "unknown";
  std::ifstream cpu("/proc/cpuinfo");
  std::string line, model;
  while (std::getline(cpu, line)) {
    if (line.starts_with("model name")) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  return fmt::format("{}, {}, {} CPUs, node {}", host, model.empty() ? "cpu unknown" : model,
                     std::thread::hardware_concurrency(), elt::verify::node_version(node));
}

std::string today_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

// Each run's figures, as node printed them.
std::vector<nlohmann::json> measure_runs(const CalibrateOptions& opts, const std::string& script) {
  std::vector<nlohmann::json> runs;
  for (int i = 0; i < opts.runs; ++i) {
    auto result = elt::verify::run_process({opts.node, script}, {}, std::chrono::seconds(30));
    auto doc = nlohmann::json::parse(result.err, nullptr, false);
    if (result.exit_code != 0 || doc.is_discarded() || !doc.is_object()) {
      throw std::runtime_error(fmt::format("calibrate: {} {} failed (exit {}): {}", opts.node, script,
                                           result.exit_code, result.err.substr(0, 400)));
    }
    runs.push_back(std::move(doc));
  }
  return runs;
}

int run_calibrate(const CalibrateOptions& opts) {
  // A place the profile cannot go is said now, not after seconds of measuring.
  if (opts.output != "-") {
    if (std::string refusal = refuse_output_path(opts.output, "the cost profile"); !refusal.empty()) {
      std::cerr << "eventloop-trace: " << refusal << '\n';
      return 2;
    }
  }
  const std::string machine = machine_description(opts.node);  // NodeMissing when there is no node
  const std::string measure = write_temp(kMeasure, "measure.js");
  const std::string race = write_temp(kRace, "race.js");
  auto runs = measure_runs(opts, measure);
  int timeout_first = 0;
  for (int i = 0; i < opts.runs; ++i) {
    auto result = elt::verify::run_process({opts.node, race}, {}, std::chrono::seconds(30));
    if (result.out.starts_with("timeout")) ++timeout_first;
  }
  std::filesystem::remove_all(std::filesystem::path(measure).parent_path());
  MeasuredCost costs[kCostKinds];
  for (int i = 0; i < kCostKinds; ++i) {
    const std::string key(cost_name(static_cast<Cost>(i)));
    if (static_cast<Cost>(i) == Cost::MainProgram) continue;
    std::vector<double> xs;
    for (const auto& run : runs) xs.push_back(run.value(key, 0.0));
    costs[i] = spread(std::move(xs));
  }
  // A cost of a millisecond or more spreads over milliseconds from run to run (the first
  // print: 3 to 30 ms), so its fraction of a millisecond is noise; kept, it would move
  // where in libuv's millisecond every later timer starts, which clock_phase fixes at the
  // middle. Rounded to whole milliseconds, it leaves the phase where it was.
  for (auto& c : costs) {
    if (c.median_us >= 1000.0) c.median_us = std::round(c.median_us / 1000.0) * 1000.0;
  }
  // d ms of run make the timer due in a share d of runs (the clock's phase is uniform).
  double share = static_cast<double>(timeout_first) / opts.runs;
  costs[static_cast<int>(Cost::MainProgram)] = {share * 1000.0, 0.0, 1000.0};
  std::string text = write_cost_profile(costs, machine, today_utc(), opts.runs);
  if (opts.output == "-") {
    std::cout << text;
  } else {
    // As every file the tool writes (output_file.h): atomically, to a regular file only.
    WriteResult written = write_file_atomically(opts.output, text, "the cost profile");
    if (written.kind == WriteResult::Kind::Interrupted) return 128 + received_signal();
    if (!written.ok()) {
      std::cerr << "eventloop-trace: " << written.message << '\n';
      return written.kind == WriteResult::Kind::Refused ? 2 : 1;
    }
    std::cerr << fmt::format("eventloop-trace: wrote {} ({} runs; the top-level timer ran first in {} of them)\n",
                             opts.output, opts.runs, timeout_first);
  }
  return 0;
}

}  // namespace

elt::CostProfile load_costs_arg(const std::string& arg) {
  if (arg == "zero") return elt::zero_costs();
  if (!arg.empty()) return elt::load_cost_profile(arg);
  // Shipped beside the binary (common/data_dir.h): the build stages it, and an install too.
  if (auto found = elt::find_data_file("costs/default.json")) return elt::load_cost_profile(found->string());
  throw std::runtime_error(fmt::format("no default cost profile: looked for {}; give --costs FILE or --costs zero",
                                       (elt::data_dir() / "costs/default.json").string()));
}

Command add_calibrate_command(CLI::App& app) {
  auto opts = std::make_shared<CalibrateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate", "Measure what real work costs in node on this machine (the first console.log, later ones, "
                   "entering a callback, readFile's pool trips, a lookup, a loopback request, the main program's "
                   "own run) and write a cost profile for --costs: medians and spread of N runs");
  cmd->add_option("--runs", opts->runs, "Runs of each measuring program under node")
      ->check(whole_number(3, 1000))
      ->capture_default_str();
  cmd->add_option("--node", opts->node, "The node executable")->capture_default_str();
  cmd->add_option("-o,--output", opts->output, "The profile to write (- for standard output)")
      ->type_name("FILE")
      ->capture_default_str();
  return {cmd, [opts]() { return run_calibrate(*opts); }};
}

}  // namespace elt::app
