// Compares a trace with a golden one, for `eventloop-trace check`.
//
// Two modes. Exact: byte for byte, which is what the virtual clock promises. Per thread:
// each thread's own sequence of lines must match, which is what the real clock can promise
// (lines of different threads interleave differently from run to run). A content block
// belongs to the thread its START banner names. select_thread() narrows a trace to one
// thread first (`check --only main`: the order of callbacks and prints, without the pool's
// and epoll's lines).
//
// On a difference, the report names the first differing line's tick and thread and shows
// a unified diff (coloured when asked). Golden files are often a student's prediction, typed
// by hand, so the slips that cannot be seen are named instead of shown as two identical-
// looking lines: a space for the tab after the thread's name, CRLF line ends, trailing
// spaces ("line 3 differs only in white space: ..."). A diff cut short says how much it
// left out. Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

namespace elt {

enum class CompareMode { Exact, PerThread };

struct CompareResult {
  bool equal = true;
  std::string summary;  // one line, no newline: "first difference at line 3 (tick 1, thread main)"
  std::string report;   // the summary, then the diff; empty when equal
};

// `expected_name` and `actual_name` head the diff ("--- golden", "+++ actual").
CompareResult compare_traces(std::string_view expected, std::string_view actual, CompareMode mode,
                             bool color, std::string_view expected_name = "golden",
                             std::string_view actual_name = "actual");

// The lines of a text trace printed by `thread` (its content blocks included), in order.
std::string select_thread(std::string_view trace, std::string_view thread);

}  // namespace elt
