// `eventloop-trace check`: run a scenario and compare its trace with a golden file.
#pragma once

#include <string>

#include "cli.h"

namespace elt::app {

struct CheckOptions {
  RunOptions run;
  std::string golden;
  std::string mode = "exact";
  std::string color = "auto";
  bool update = false;
};

int run_check(const CheckOptions& opts);

}  // namespace elt::app
