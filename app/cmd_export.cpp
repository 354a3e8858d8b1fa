#include "cmd_export.h"

#include <iostream>
#include <memory>
#include <string>

#include "cli.h"
#include "export/js_export.h"
#include "scenario/scenario.h"

namespace elt::app {

Command add_export_command(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "export-js", "Print the scenario as a standalone Node program (what `verify` runs under node); its header "
                   "comment says how to run it and what Node cannot reproduce exactly");
  cmd->add_option("scenario", *file, "Scenario file (JSON)")->required()->type_name("SCENARIO");
  return {cmd, [file]() {
    auto scenario = load_scenario_arg(*file);
    std::cout << elt::exporter::export_js(scenario).source;
    std::cout.flush();
    return std::cout ? 0 : 1;
  }};
}

}  // namespace elt::app
