// Runs a Scenario on a Runtime: the actions become calls on the runtime's API, and each
// callback's actions run when the loop calls the callback back.
//
// Names (`as`, repeat's index, `error`) live in a chain of scopes: a callback sees the
// names of every callback around it, as a JavaScript closure would. A run-time error in
// a template (a field that does not exist, a number that is not a number) stops the rest
// of that callback, like a thrown exception, and is shown in the trace; the loop goes on.
// Loop thread only.
#pragma once

#include <memory>

#include "loop/runtime.h"
#include "scenario/scenario.h"

namespace elt::scenario {

// The runtime options a scenario's settings ask for (the command line may override them).
RuntimeOptions runtime_options(const Scenario& scenario);

// Runs the scenario's program and then the loop, to the end (Runtime::run).
void run_scenario(Runtime& runtime, const Scenario& scenario);

// Runs only the program (Runtime::start), for tests that then drive the loop with
// run_once(); `keep` holds the interpreter alive as long as its callbacks may run.
void start_scenario(Runtime& runtime, const Scenario& scenario, std::shared_ptr<void>& keep);

}  // namespace elt::scenario
