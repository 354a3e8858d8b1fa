// `eventloop-trace step`: run a scenario under the stepper (core/step), which stops
// between ticks and phases, keeps breakpoints and goes back in time by replaying the run.
#pragma once

#include "cli.h"

namespace elt::app {

// Runs the scenario as often as the stepper asks (each `back` is a replay) and returns the
// exit code: 0, or 128 + the signal that stopped it.
int run_step(const RunOptions& opts);

}  // namespace elt::app
