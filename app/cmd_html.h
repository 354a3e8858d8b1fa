// `eventloop-trace html`: run a scenario and write the run as one self-contained web page
// (trace/html.h): lanes per thread, and a stepper forwards and backwards with the loop's
// state beside it.
#pragma once

#include <string>

#include "cli.h"

namespace elt::app {

struct HtmlOptions {
  RunOptions run;
  std::string output;  // "-": standard output
  bool output_chosen = false;  // no -o: `output` is NAME.html beside the scenario, and a link there is refused
};

int run_html(const HtmlOptions& opts);

}  // namespace elt::app
