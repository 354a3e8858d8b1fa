#include "loop/costs.h"

namespace elt {

std::string_view cost_name(Cost cost) {
  static constexpr std::string_view kNames[kCostKinds] = {"main_program", "first_print", "print", "callback",
                                                          "pool_trip",    "lookup",      "connect", "block", "first_tick", "pool_start"};
  return kNames[static_cast<int>(cost)];
}

CostProfile zero_costs() {
  CostProfile p;
  p.source = "zero";
  return p;
}

}  // namespace elt
