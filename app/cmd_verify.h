// `eventloop-trace verify SCENARIO... [--runs N] [--json] [--markdown]`: each scenario under
// the node model against its exported program under the real `node`
// (core/export/verify.h says how the verdicts are reached).
// Exit 0 when none differs and every racy declaration holds, 1 when one does not, 2 on bad
// input or when `node` cannot be run.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

#include "cmd_export.h"

namespace elt::app {

Command add_verify_command(CLI::App& app);

}  // namespace elt::app
