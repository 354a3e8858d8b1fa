// Compares a trace with a golden one, for `eventloop-trace check`.
//
// Two modes. Exact: byte for byte, which is what the virtual clock promises. Per thread:
// each thread's own sequence of lines must match, which is what the real clock can promise
// (lines of different threads interleave differently from run to run). A content block
// belongs to the thread its START banner names.
//
// On a difference, the report names the first differing line's tick and thread and shows
// a unified diff (coloured when asked). Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

namespace elt {

enum class CompareMode { Exact, PerThread };

struct CompareResult {
  bool equal = true;
  std::string report;  // empty when equal
};

// `expected_name` and `actual_name` head the diff ("--- golden", "+++ actual").
CompareResult compare_traces(std::string_view expected, std::string_view actual, CompareMode mode,
                             bool color, std::string_view expected_name = "golden",
                             std::string_view actual_name = "actual");

}  // namespace elt
