// Where `eventloop-trace step` reads its commands: libedit (line editing and history) on
// a terminal, plain lines from stdin otherwise, so that a session can be scripted.
#pragma once

#include <memory>

#include "step/stepper.h"

namespace elt::app {

std::unique_ptr<LineSource> make_line_source();

}  // namespace elt::app
