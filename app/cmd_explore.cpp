#include "cmd_explore.h"

#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "cmd_calibrate.h"
#include "command_options.h"
#include "explore/explore.h"
#include "loop/model_kinds.h"
#include "output_file.h"
#include "process.h"
#include "scenario/interpreter.h"

namespace elt::app {

namespace {

// Enough for the classic races many times over (three reads of one file take a few
// hundred schedules); a bound on time for a program with many decisions.
constexpr std::int64_t kDefaultExploreSchedules = 2000;

struct ExploreCmdOptions {
  std::string scenario;
  std::int64_t max_schedules = kDefaultExploreSchedules;
  bool json = false;
  std::string model;  // empty: node
  std::string costs;  // empty: the default profile
  std::int64_t threads = 0;
  std::vector<std::string> allow_read;
};

// A run option given before "explore" (main.cpp's) counts as if given after it.
template <typename T>
void merge_explore_option(const CLI::App& cmd, const char* name, T& value) {
  const CLI::Option* own = cmd.get_option_no_throw(name);
  const CLI::Option* top = cmd.get_parent()->get_option_no_throw(name);
  if ((own == nullptr || own->count() == 0) && top != nullptr && top->count() > 0) value = top->as<T>();
}

elt::RuntimeOptions explore_runtime_options(const ExploreCmdOptions& opts, const elt::scenario::Scenario& scenario) {
  elt::RuntimeOptions options = elt::scenario::runtime_options(scenario);
  if (opts.threads > 0) options.threads = static_cast<std::size_t>(opts.threads);
  for (const auto& folder : opts.allow_read) options.allow_read.push_back(std::filesystem::absolute(folder));
  options.model = elt::build_model(opts.model.empty() ? "node" : opts.model);  // explore is about Node's timing
  elt::scenario::check_model_support(scenario, options.model.name);
  if (options.model.charges_costs) options.costs = load_costs_arg(opts.costs);
  return options;
}

std::string explore_json(const elt::explore::Result& result) {
  nlohmann::ordered_json orders = nlohmann::ordered_json::array();
  for (const auto& o : result.orders) {
    orders.push_back({{"output", o.output}, {"when", o.when}, {"schedules", o.schedules}});
  }
  nlohmann::ordered_json j{{"orders", std::move(orders)}, {"complete", result.complete}};
  return j.dump() + "\n";
}

std::string explore_text(const elt::explore::Result& result, const ExploreCmdOptions& opts, bool book) {
  std::string out = fmt::format("{}: {} order{} in {} schedule{}{}\n", opts.scenario, result.orders.size(),
                                result.orders.size() == 1 ? "" : "s", result.schedules,
                                result.schedules == 1 ? "" : "s", result.complete ? "" : " (search cut short)");
  if (book) out += "The book's loop makes no timing decision: it prints one order (explore the node model: --model node).\n";
  for (std::size_t i = 0; i < result.orders.size(); ++i) {
    const auto& o = result.orders[i];
    out += fmt::format("\norder {}{}, {} schedule{}:\n", i + 1, o.is_default ? " (the default run)" : "", o.schedules,
                       o.schedules == 1 ? "" : "s");
    for (const auto& line : o.output) out += fmt::format("  {}\n", line);
    out += fmt::format("  when: {}\n", o.when);
  }
  if (!result.complete) {
    out += fmt::format("\nexplore stopped after {} schedules (--max-schedules): more orders may exist; give a larger "
                       "--max-schedules to search on\n", result.schedules);
  }
  return out;
}

int run_explore(const ExploreCmdOptions& opts) {
  if (standard_fds().stdout_closed) {
    throw std::system_error(EBADF, std::generic_category(), "standard output is closed, so the orders have nowhere to go");
  }
  const elt::scenario::Scenario scenario = load_scenario_arg(opts.scenario);
  const elt::RuntimeOptions options = explore_runtime_options(opts, scenario);
  const auto result = elt::explore::explore_scenario(scenario, options, static_cast<std::size_t>(opts.max_schedules));
  const bool book = !options.model.charges_costs;
  if (!result.complete) {
    std::cerr << fmt::format("eventloop-trace: explore: stopped after {} schedules (--max-schedules {}); the orders "
                             "listed are those found so far\n", result.schedules, opts.max_schedules);
  }
  std::string text = opts.json ? explore_json(result) : explore_text(result, opts, book);
  if (int err = write_stdout(text); err != 0 && err != EPIPE) {
    throw std::system_error(err, std::generic_category(), "writing the orders to standard output");
  }
  return 0;
}

}  // namespace

Command add_explore_command(CLI::App& app) {
  auto opts = std::make_shared<ExploreCmdOptions>();
  CLI::App* cmd = app.add_subcommand(
      "explore", "List every order the scenario can print under Node's loop: each decision timing could settle "
                 "either way (the main program's cost, which pool task finishes first, which completions share a "
                 "poll phase, whether a timer is due) is taken both ways, depth first, on the virtual clock; "
                 "schedules that print the same lines are one order");
  cmd->add_option("scenario", opts->scenario, "Scenario file (JSON)")->required()->type_name("SCENARIO");
  cmd->add_option("--max-schedules", opts->max_schedules,
                  fmt::format("Runs at most, 1 to 1000000 (default {}); past it the list may be incomplete",
                              kDefaultExploreSchedules))
      ->check(whole_number(1, 1000000, ""))
      ->type_name("N");
  cmd->add_flag("--json", opts->json,
                "One JSON object: {\"orders\": [{\"output\": [...], \"when\": \"...\", \"schedules\": N}], "
                "\"complete\": true|false}");
  cmd->add_option("--model", opts->model,
                  "node (default): Node 20's loop; book: the book's, which makes no timing decision (one order)")
      ->check(one_of(elt::model_names()));
  cmd->add_option("--costs", opts->costs, "A cost profile FILE, or zero; default: the shipped profile")
      ->type_name("FILE|zero");
  cmd->add_option("--threads", opts->threads, "Pool threads (overrides the scenario's settings.threads)")
      ->check(whole_number(1, 1024));
  cmd->add_option("--allow-read", opts->allow_read, "A folder fs_read may read besides the scenario's own")
      ->type_name("DIR");
  return {cmd, [opts, cmd]() {
    merge_explore_option(*cmd, "--model", opts->model);
    merge_explore_option(*cmd, "--costs", opts->costs);
    merge_explore_option(*cmd, "--threads", opts->threads);
    merge_explore_option(*cmd, "--allow-read", opts->allow_read);
    return run_explore(*opts);
  }};
}

}  // namespace elt::app
