#include "cmd_export.h"

#include <cerrno>
#include <iostream>
#include <system_error>
#include <memory>
#include <string>

#include "cli.h"
#include "output_file.h"
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
    int err = write_stdout(elt::exporter::export_js(scenario).source);
    if (err == 0 || err == EPIPE) return 0;  // EPIPE: the reader left (`| head`), quietly
    throw std::system_error(err, std::generic_category(), "writing the program to standard output");
  }};
}

}  // namespace elt::app
