#include "cmd_export.h"

#include <iostream>
#include <memory>
#include <string>

#include "export/js_export.h"
#include "scenario/scenario.h"

namespace elt::app {

std::function<std::optional<int>()> add_export_command(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "export-js", "Print the scenario as a standalone Node program (what `verify` runs under node); its header "
                   "comment says how to run it and what Node cannot reproduce exactly");
  cmd->add_option("scenario", *file, "Scenario file (JSON)")->required()->type_name("SCENARIO");
  return [cmd, file]() -> std::optional<int> {
    if (!cmd->parsed()) return std::nullopt;
    auto scenario = elt::scenario::load_scenario(*file);
    std::cout << elt::exporter::export_js(scenario).source;
    std::cout.flush();
    return std::cout ? 0 : 1;
  };
}

}  // namespace elt::app
