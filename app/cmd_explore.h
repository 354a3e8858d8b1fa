// `eventloop-trace explore SCENARIO [--max-schedules N] [--json]`: every order the program
// can print under Node's loop, by taking every branch of every timing decision
// (core/explore/explore.h, core/loop/timing.h).
#pragma once

#include <CLI/CLI.hpp>

#include "cmd_export.h"

namespace elt::app {

Command add_explore_command(CLI::App& app);

}  // namespace elt::app
