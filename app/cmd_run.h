// A plain run, `eventloop-trace [--mode output] SCENARIO`: the trace, or with --mode output
// only what the program prints, as its console would show it (for a learner who wants
// just that; check --mode output compares the same lines).
#pragma once

#include <string>

#include "cli.h"

namespace elt::app {

// Refuses (UsageError) the run options that --mode output makes meaningless.
void validate_plain_run(const RunOptions& opts, const std::string& mode);

// Returns the exit code (0, or 128+signal).
int run_plain(const RunOptions& opts, const std::string& mode);

}  // namespace elt::app
