// The cost profile's file (data/costs/default.json, what `calibrate` writes): read,
// checked and written. It sits beside the scenario parser, not in loop/, because a profile
// is input a person writes or edits, and a bad one is bad input named as a bad scenario
// is (ScenarioError: the file, the JSON path, what was expected; exit 2); the loop only
// charges what loop/costs.h holds.
//
// Thread-safety: functions of their arguments.
#pragma once

#include <string>

#include "loop/costs.h"

namespace elt {

// Reads a profile; throws scenario::ScenarioError (bad input, exit 2) naming the file,
// the JSON path and what was expected when it is not one.
CostProfile load_cost_profile(const std::string& path);
CostProfile parse_cost_profile(const std::string& text, const std::string& path);

// The profile as the file format writes it (calibrate): `median_us` per cost with the
// spread measured, the machine and the date.
struct MeasuredCost {
  double median_us = 0;
  double min_us = 0;
  double max_us = 0;
};
std::string write_cost_profile(const MeasuredCost (&costs)[kCostKinds], const std::string& machine,
                               const std::string& measured, int runs);

}  // namespace elt
