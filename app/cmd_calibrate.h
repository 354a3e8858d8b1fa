// `eventloop-trace calibrate [--runs N] [-o FILE]`: measures what real work costs in Node
// on this machine (loop/costs.h) by running small programs under `node`, and writes a
// cost profile; and where the profile a run uses comes from (--costs).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "cmd_export.h"
#include "loop/costs.h"

namespace elt::app {

Command add_calibrate_command(CLI::App& app);

// --costs: "zero", a FILE, or (empty) the default profile: next to the installed binary
// (../share/eventloop-trace/costs/default.json), else the source tree's data/costs/.
// Bad input (a file that is no profile) is a ScenarioError (exit 2); no default profile
// to be found is a broken installation (std::runtime_error, exit 1).
elt::CostProfile load_costs_arg(const std::string& arg);

}  // namespace elt::app
