// compare_traces as a grader reads it: the slips a person makes typing a prediction are
// named, not shown as identical-looking lines; a diff cut short says what it left out.
#include <catch2/catch.hpp>

#include <string>

#include "common/did_you_mean.h"
#include "trace/compare.h"

using elt::CompareMode;
using elt::compare_traces;

namespace {

const std::string kTrace =
    "Thread: main\t First call to read test.txt\n"
    "Thread: pool3\t received a task of type: File read\n"
    "Thread: main\t ===== TICK 1 =====\n"
    "Thread: main\t Immediate1 timed out\n"
    "Thread: pool3\t finished running a task of type: File read.\n"
    "Thread: main\t FINISHED\n";

std::string replace_line(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  return text.replace(pos, from.size(), to);
}

}  // namespace

TEST_CASE("equal traces agree in both modes", "[compare]") {
  CHECK(compare_traces(kTrace, kTrace, CompareMode::Exact, false).equal);
  CHECK(compare_traces(kTrace, kTrace, CompareMode::PerThread, false).equal);
}

TEST_CASE("a changed line is named by line, tick and thread", "[compare]") {
  auto golden = replace_line(kTrace, "Immediate1 timed out", "Immediate1 timed out twice");
  auto r = compare_traces(golden, kTrace, CompareMode::Exact, false);
  CHECK_FALSE(r.equal);
  CHECK(r.summary == "first difference at line 4 (tick 1, thread main)");
  CHECK(r.report.find("-Thread: main\t Immediate1 timed out twice\n+Thread: main\t Immediate1 timed out\n") !=
        std::string::npos);
}

TEST_CASE("a space typed for the tab after the thread's name is named", "[compare]") {
  auto golden = replace_line(kTrace, "Thread: main\t Immediate1", "Thread: main  Immediate1");
  auto r = compare_traces(golden, kTrace, CompareMode::Exact, false);
  CHECK_FALSE(r.equal);
  CHECK(r.summary ==
        "line 4 differs only in white space (tick 1, thread main): after \"Thread: main\" the golden has 2 spaces "
        "where the trace has a tab, then a space (the book's separator)");
  // The pair is shown with its white space visible, and named under it.
  CHECK(r.report.find("-Thread:\u00b7main\u00b7\u00b7Immediate1\u00b7timed\u00b7out\n") != std::string::npos);
  CHECK(r.report.find("+Thread:\u00b7main\\t\u00b7Immediate1\u00b7timed\u00b7out\n") != std::string::npos);
  CHECK(r.report.find("(golden line 4 differs only in white space:") != std::string::npos);
}

TEST_CASE("trailing spaces are named", "[compare]") {
  auto golden = replace_line(kTrace, "FINISHED\n", "FINISHED  \n");
  auto r = compare_traces(golden, kTrace, CompareMode::Exact, false);
  CHECK(r.summary ==
        "line 6 differs only in white space (tick 1, thread main): the golden line ends in 2 spaces where the "
        "trace's ends in nothing");
}

TEST_CASE("a golden saved with CRLF line ends says so once", "[compare]") {
  std::string crlf;
  for (char c : kTrace) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  auto r = compare_traces(crlf, kTrace, CompareMode::Exact, false);
  CHECK_FALSE(r.equal);
  CHECK(r.summary.find("differ only in their line ends: the golden has CRLF line ends") != std::string::npos);
  CHECK(r.report.find("---") == std::string::npos);  // no diff of 6 identical-looking pairs

  // Behind the line ends, a real difference is still found and located.
  auto changed = replace_line(crlf, "FINISHED", "DONE");
  r = compare_traces(changed, kTrace, CompareMode::Exact, false);
  CHECK(r.summary.find("CRLF") != std::string::npos);
  CHECK(r.summary.find("first difference at line 6 (tick 1, thread main)") != std::string::npos);

  // Per thread, too.
  r = compare_traces(crlf, kTrace, CompareMode::PerThread, false);
  CHECK_FALSE(r.equal);
  CHECK(r.summary.find("CRLF") != std::string::npos);
}

TEST_CASE("one CR on one line is a white-space difference of that line", "[compare]") {
  auto golden = replace_line(kTrace, "FINISHED\n", "FINISHED\r\n");
  auto r = compare_traces(golden, kTrace, CompareMode::Exact, false);
  CHECK(r.summary.find("line 6 differs only in white space") != std::string::npos);
  CHECK(r.summary.find("ends in \\r") != std::string::npos);
}

TEST_CASE("a trace that is cut short or goes on says which", "[compare]") {
  std::string shorter = kTrace.substr(0, kTrace.rfind("Thread: main\t FINISHED"));
  CHECK(compare_traces(shorter, kTrace, CompareMode::Exact, false).summary ==
        "the golden ends at line 5; the trace goes on (tick 1, thread main)");
  CHECK(compare_traces(kTrace, shorter, CompareMode::Exact, false).summary ==
        "the trace ends at line 5; the golden goes on (tick 1, thread main)");
}

TEST_CASE("a diff cut short says how many lines it left out", "[compare]") {
  std::string golden, actual;
  for (int i = 0; i < 300; ++i) {
    golden += "Thread: main\t golden " + std::to_string(i) + "\n";
    actual += "Thread: main\t actual " + std::to_string(i) + "\n";
  }
  auto r = compare_traces(golden, actual, CompareMode::Exact, false);
  // 600 lines of diff, 200 shown.
  CHECK(r.report.find("... diff cut at 200 lines: 400 more lines not shown\n") != std::string::npos);
}

TEST_CASE("a middle too large to align says what it left out", "[compare]") {
  std::string golden, actual;
  for (int i = 0; i < 2100; ++i) {
    golden += "Thread: main\t golden " + std::to_string(i) + "\n";
    actual += "Thread: main\t actual " + std::to_string(i) + "\n";
  }
  auto r = compare_traces(golden, actual, CompareMode::Exact, false);
  CHECK(r.report.find("too large to align (2100 golden and 2100 actual lines): shown are the first 40 of each; "
                      "2060 golden and 2060 actual lines left out") != std::string::npos);
}

TEST_CASE("per thread, interleaving does not matter but each thread's order does", "[compare]") {
  auto swapped = replace_line(kTrace,
                              "Thread: main\t First call to read test.txt\nThread: pool3\t received a task of type: File read\n",
                              "Thread: pool3\t received a task of type: File read\nThread: main\t First call to read test.txt\n");
  CHECK_FALSE(compare_traces(swapped, kTrace, CompareMode::Exact, false).equal);
  CHECK(compare_traces(swapped, kTrace, CompareMode::PerThread, false).equal);
  auto reordered = replace_line(kTrace, "Immediate1 timed out\n", "@\n");
  reordered = replace_line(reordered, "Thread: main\t FINISHED\n", "Thread: main\t Immediate1 timed out\n");
  reordered = replace_line(reordered, "@\n", "FINISHED\n");
  auto r = compare_traces(reordered, kTrace, CompareMode::PerThread, false);
  CHECK_FALSE(r.equal);
  CHECK(r.summary == "thread main: first difference at its line 3 (tick 1, thread main)");
}

TEST_CASE("select_thread keeps one thread's lines and its content blocks", "[compare]") {
  std::string trace = kTrace +
                      "\n===== THREAD main START CONTENT - FILE READ =====\nHello\n... [Note: Abbreviated for display] ...\n"
                      "===== END CONTENT =====\n\nThread: epoll\t received event of type: Close\n";
  std::string main_only = elt::select_thread(trace, "main");
  CHECK(main_only.find("pool3") == std::string::npos);
  CHECK(main_only.find("epoll") == std::string::npos);
  CHECK(main_only.find("===== THREAD main START CONTENT - FILE READ =====\nHello\n") != std::string::npos);
  CHECK(elt::select_thread(trace, "pool3") ==
        "Thread: pool3\t received a task of type: File read\nThread: pool3\t finished running a task of type: File read.\n");
}

TEST_CASE("did you mean: close names only, no ties", "[compare][cli]") {
  const std::vector<std::string> actions = {"print", "print_content", "set_timeout", "fs_read", "encrypt",
                                            "http_get_slow", "http_get", "repeat"};
  CHECK(elt::did_you_mean("set_timout", actions) == "set_timeout");
  CHECK(elt::did_you_mean("fs_raed", actions) == "fs_read");  // two neighbours swapped: one edit
  CHECK(elt::did_you_mean("sleep", actions).empty());
  CHECK(elt::did_you_mean("print", actions).empty());  // not a typo
  CHECK(elt::did_you_mean("chek", {"check", "step", "help"}) == "check");
  CHECK(elt::did_you_mean("--colour", {"--color", "--clock", "--color"}) == "--color");
  CHECK(elt::edit_distance("kitten", "sitting") == 3);
}
