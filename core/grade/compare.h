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
// left out. Each comparison also gives partial credit (a score, by longest common
// subsequence: grade/lcs.h) and a hint for a student, which says where the prediction first
// goes wrong and what kind of line runs there, never that line. Pure functions; any thread.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace elt {

enum class CompareMode { Exact, PerThread };

struct CompareResult {
  bool equal = true;
  std::string summary;  // one line, no newline: "first difference at line 3 (tick 1, thread main)"
  std::string report;   // the summary, then the diff; empty when equal
  // Partial credit: the lines the two traces share in order (their longest common
  // subsequence) over the longer one's length, so that a line missing and a line too many
  // both cost. Per thread: summed over the threads. 1 when equal; a golden saved with CRLF
  // line ends is scored on its lines without the \r.
  double score = 1;
  // Where `expected` (a prediction) first parts from `actual` (the run), in words that
  // quote nothing of the run: line, tick, thread and the kind of line that runs there.
  std::string hint;
};

struct CompareOptions {
  CompareMode mode = CompareMode::Exact;
  bool color = false;
  std::string_view expected_name = "golden";  // the diff's headers: "--- golden", "+++ actual"
  std::string_view actual_name = "actual";
  // `expected` is a student's prediction: sentences say "your prediction" and "what runs"
  // instead of "the golden" and "the trace".
  bool prediction = false;
  // What kind of line each line of `actual` is ("a tick banner"), for the hint; empty, or
  // not one per line, leaves the hint saying "a line".
  std::span<const std::string> actual_kinds;
};

CompareResult compare_traces(std::string_view expected, std::string_view actual, const CompareOptions& options);
CompareResult compare_traces(std::string_view expected, std::string_view actual, CompareMode mode,
                             bool color, std::string_view expected_name = "golden",
                             std::string_view actual_name = "actual");

// The threads a text trace names, in order of first appearance.
std::vector<std::string> trace_threads(std::string_view trace);

// The lines of a text trace printed by `thread` (its content blocks included), in order.
std::string select_thread(std::string_view trace, std::string_view thread);
// The same lines' indices (0-based) in the trace: to narrow what is known about each line.
std::vector<std::size_t> thread_line_indices(std::string_view trace, std::string_view thread);

}  // namespace elt
