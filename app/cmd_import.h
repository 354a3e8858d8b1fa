// `eventloop-trace import-js PROGRAM.js`: the scenario a JavaScript program becomes, as
// JSON on standard output, for a teacher to keep, edit or grade with (core/js/).
#pragma once

#include <CLI/CLI.hpp>

#include "cmd_export.h"

namespace elt::app {

Command add_import_command(CLI::App& app);

}  // namespace elt::app
