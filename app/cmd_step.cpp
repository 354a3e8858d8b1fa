#include "cmd_step.h"

#include "process.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

#include "line_reader.h"
#include "scenario/scenario.h"
#include "step/stepper.h"

namespace elt::app {

namespace {

// The terminal's width, to clip `state` rows to; 0 (never clip) when not a terminal.
std::size_t terminal_width(int fd) {
  if (isatty(fd) != 1) return 0;
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
  return 80;
}

}  // namespace

int run_step(const RunOptions& opts) {
  // The stepper resolves `break LINE` in this copy; each run parses the file again, as a
  // plain run would (the same text, so the same actions and the same run).
  scenario::Scenario scenario = load_scenario_arg(opts.scenario);
  StepperOptions options;
  options.color = use_color(opts.color, STDOUT_FILENO);
  options.replayable = opts.clock == "virtual";
  options.width = terminal_width(STDOUT_FILENO);
  auto input = make_line_source();
  Stepper stepper(*input, stdout, scenario, options);
  for (;;) {
    // Kept until at_end(): the stepper still reads its event count there.
    auto finished = run_scenario(opts, STDOUT_FILENO, [&](Runtime& runtime, Tracer& tracer) {
      stepper.attach(runtime, tracer);
      input->attach(tracer);
    });
    if (int sig = received_signal(); sig != 0) return 128 + sig;
    if (!stepper.wants_replay()) stepper.at_end();
    if (int sig = received_signal(); sig != 0) return 128 + sig;  // Ctrl-C at the last prompt
    if (!stepper.wants_replay()) break;
  }
  return 0;
}

}  // namespace elt::app
