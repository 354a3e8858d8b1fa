// Where `eventloop-trace step` reads its commands: libedit (line editing and history) on
// a terminal, plain lines from stdin otherwise, so that a session can be scripted.
//
// On a terminal under the real clock, pool and epoll threads print while the prompt waits.
// The editor then clears its prompt line just before such a line is written and draws the
// prompt again, with what was typed so far, below it (LineSource::other_output).
#pragma once

#include <memory>

#include "step/stepper.h"

namespace elt {
class Tracer;
}

namespace elt::app {

class CommandSource : public LineSource {
 public:
  // The run whose trace lines may interrupt the prompt: the editor waits for a line being
  // written to finish (the tracer's lock) before it draws the prompt again.
  virtual void attach(Tracer& tracer) = 0;
};

std::unique_ptr<CommandSource> make_line_source();

}  // namespace elt::app
