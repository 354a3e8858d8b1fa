// `eventloop-trace check`: run scenarios and compare their traces with golden files, one
// pair, many pairs or whole folders at once, for a teacher grading predictions or for CI.
//
// Exit codes: 0 every pair agrees (or --update wrote every golden); 1 at least one differs
// and every other agrees; 2 at least one pair could not be graded: a bad scenario, a golden
// that is missing, a directory, unreadable or unwritable, a broken environment, bad options.
// "Differs" is reserved for 1 so that a CI job can tell a wrong prediction from a broken set-up.
// With --pass-score, a pair that differs but scores at least S passes (docs/grading.md).
#pragma once

#include <string>
#include <vector>

#include "cli.h"

namespace elt::app {

struct CheckOptions {
  RunOptions run;                  // paths[] replace run.scenario
  std::vector<std::string> paths;  // SCENARIO GOLDEN ..., FOLDER, FOLDER GOLDEN_FOLDER
  std::string mode = "exact";      // exact, per-thread, output
  std::string only;                // a thread's name, or "" for all
  bool update = false;
  bool diffs = false;              // show every failing diff, not only a single pair's
  bool hint = false;               // say where a prediction goes wrong, never what runs there
  double pass_score = -1;          // a pair that scores at least this passes; < 0: only equal passes
  std::string junit;               // summary files, "" for none
  std::string json;
};

int run_check(const CheckOptions& opts);

}  // namespace elt::app
