// compare_traces as a grader reads it: the slips a person makes typing a prediction are
// named, not shown as identical-looking lines; a diff cut short says what it left out.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "common/did_you_mean.h"
#include "grade/compare.h"
#include "grade/lcs.h"
#include "grade/line_kinds.h"
#include "trace/format.h"

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

// Issue 23: partial credit. The score is the longest common subsequence of the lines over
// the longer side's length; both of lcs_length's methods agree with the textbook table.
namespace {

std::size_t lcs_by_table(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
  std::vector<std::vector<std::size_t>> t(a.size() + 1, std::vector<std::size_t>(b.size() + 1, 0));
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
    }
  }
  return t[a.size()][b.size()];
}

}  // namespace

TEST_CASE("lcs_length: Myers and the bit-parallel count agree with the table", "[compare][score]") {
  std::mt19937 rng(23);
  for (int round = 0; round < 300; ++round) {
    std::uniform_int_distribution<std::size_t> len(0, 200);
    std::uniform_int_distribution<std::uint32_t> sym(0, 1 + static_cast<std::uint32_t>(round % 7));
    std::vector<std::uint32_t> a(len(rng)), b;
    for (auto& x : a) x = sym(rng);
    b = a;  // an edited copy: a few changes, or (odd rounds) many
    std::size_t edits = round % 2 == 0 ? 3 : 80;
    for (std::size_t e = 0; e < edits && !b.empty(); ++e) {
      std::size_t at = std::uniform_int_distribution<std::size_t>(0, b.size() - 1)(rng);
      if (e % 3 == 0) b.erase(b.begin() + static_cast<std::ptrdiff_t>(at));
      else if (e % 3 == 1) b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), sym(rng));
      else b[at] = sym(rng);
    }
    std::size_t want = lcs_by_table(a, b);
    INFO("round " << round << ": " << a.size() << " and " << b.size() << " symbols");
    CHECK(elt::lcs_length(a, b) == want);
    CHECK(elt::lcs_detail::bit_parallel(a, b) == want);
    CHECK(elt::lcs_detail::bit_parallel(b, a) == want);
    CHECK(elt::lcs_detail::myers(a, b, std::size_t(-1)) == want);
  }
}

TEST_CASE("lcs_length scores 200,000-line traces without a table", "[compare][score]") {
  // A table for 200,000 x 200,000 lines would take 40 GB. A long trace against its golden
  // with a thousand scattered edits takes Myers' path.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  const std::size_t scale = 10;  // about ten times slower under a sanitizer: the same code, smaller
#else
  const std::size_t scale = 1;
#endif
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::uint32_t> sym(0, 39);
  std::vector<std::uint32_t> a(200'000 / scale);
  for (auto& x : a) x = sym(rng);
  std::vector<std::uint32_t> c = a;
  for (std::size_t k = 0; k < 1000 / scale; ++k) c[k * 197] = 99;  // a symbol a does not have
  auto start = std::chrono::steady_clock::now();
  CHECK(elt::lcs_length(a, c) == a.size() - 1000 / scale);
  // Two traces that differ everywhere: 60,000 random lines each, the bit-parallel count.
  std::vector<std::uint32_t> x(60'000 / scale), y(60'000 / scale);
  for (auto& v : x) v = sym(rng);
  for (auto& v : y) v = sym(rng);
  std::size_t n = elt::lcs_length(x, y);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN("LCS of " << a.size() << " lines with 1000 edits, and of " << x.size() << " random lines: " << seconds << " s");
  // Two random strings over 40 symbols share about a quarter (Chvatal and Sankoff's bound).
  CHECK(n > x.size() / 5);
  CHECK(n < x.size() / 3);
}

TEST_CASE("compare_traces scores a prediction by the lines it has in order", "[compare][score]") {
  CHECK(compare_traces(kTrace, kTrace, CompareMode::Exact, false).score == 1.0);
  // One line of six changed: five in order.
  auto changed = replace_line(kTrace, "Immediate1 timed out", "Immediate1 timed out twice");
  CHECK(compare_traces(changed, kTrace, CompareMode::Exact, false).score == Approx(5.0 / 6));
  // Extra lines cost as missing ones do: six of the run's lines, and six more.
  CHECK(compare_traces(kTrace + kTrace, kTrace, CompareMode::Exact, false).score == Approx(0.5));
  CHECK(compare_traces("", kTrace, CompareMode::Exact, false).score == 0.0);
  // Per thread: main's four lines, one of them wrong; pool3's two right.
  CHECK(compare_traces(changed, kTrace, CompareMode::PerThread, false).score == Approx(5.0 / 6));
}

TEST_CASE("a hint says where and what kind of line, never the run's text", "[compare][hint]") {
  auto changed = replace_line(kTrace, "Immediate1 timed out", "Immediate2 timed out");
  std::vector<std::string> kinds = {"a print by the main program", "a pool thread receiving a task",
                                    "a tick banner", "a print by a timer callback",
                                    "a pool thread finishing a task", "the FINISHED line"};
  elt::CompareOptions options{.mode = CompareMode::Exact, .color = false, .expected_name = "your prediction",
                              .actual_name = "what runs", .prediction = true, .actual_kinds = kinds};
  auto r = compare_traces(changed, kTrace, options);
  CHECK(r.hint == "your prediction first goes wrong at line 4: what runs there is a print by a timer callback "
                  "(tick 1, thread main)");
  CHECK(r.hint.find("Immediate1") == std::string::npos);
  CHECK(r.report.find("--- your prediction\n+++ what runs\n") != std::string::npos);
  // A prediction that stops early learns what comes next, by kind.
  std::string shorter = kTrace.substr(0, kTrace.find("Thread: main\t ===== TICK"));
  CHECK(compare_traces(shorter, kTrace, options).hint ==
        "your prediction stops after line 2: what runs goes on for 4 lines more, the next a tick banner "
        "(tick 1, thread main)");
  CHECK(compare_traces(kTrace + "Thread: main\t extra\n", kTrace, options).hint ==
        "your prediction goes on after what runs has ended: 1 line too many from line 7");
  // Kinds that do not fit the trace are not guessed at.
  kinds.pop_back();
  options.actual_kinds = kinds;
  CHECK(compare_traces(changed, kTrace, options).hint.find("what runs there is a line (tick 1") != std::string::npos);
  // Per thread, the line is counted in the thread's own lines.
  options.mode = CompareMode::PerThread;
  options.actual_kinds = {};
  CHECK(compare_traces(changed, kTrace, options).hint ==
        "in thread main's lines: your prediction first goes wrong at line 3: what runs there is a line "
        "(tick 1, thread main)");
}

TEST_CASE("LineKinds names each line by its event, one entry per rendered line", "[compare][hint]") {
  using elt::EventKind;
  using elt::TraceEvent;
  std::vector<TraceEvent> events;
  events.push_back({.thread = "main", .kind = EventKind::Print, .text = "start"});
  events.push_back({.thread = "main", .kind = EventKind::TimerRegistered, .id = 1});
  events.push_back({.thread = "main", .kind = EventKind::Tick});
  events.push_back({.thread = "main", .kind = EventKind::CallbackStart, .id = 1, .what = "Timer"});
  events.push_back({.thread = "main", .kind = EventKind::Print, .text = "A"});
  events.push_back({.thread = "main", .kind = EventKind::Content, .text = "poem", .content = "one\ntwo"});
  events.push_back({.thread = "main", .kind = EventKind::CallbackEnd, .id = 1, .what = "Timer"});
  events.push_back({.thread = "main", .kind = EventKind::CallbackStart, .id = 2, .what = "nextTick"});
  events.push_back({.thread = "main", .kind = EventKind::Print, .text = "B"});
  events.push_back({.thread = "main", .kind = EventKind::CallbackEnd, .id = 2, .what = "nextTick"});
  events.push_back({.thread = "pool0", .kind = EventKind::TaskReceived, .what = "File read"});
  events.push_back({.thread = "main", .kind = EventKind::Finished});

  elt::LineKinds text(elt::LineKinds::Rendering::Text);
  std::string rendered;
  for (const auto& e : events) {
    text.see(e);
    elt::render_text(e, rendered);
  }
  // One kind per line of the text, whatever a content block's banners and blank lines add.
  REQUIRE(text.kinds().size() == static_cast<std::size_t>(std::count(rendered.begin(), rendered.end(), '\n')));
  const auto& k = text.kinds();
  CHECK(k.front() == "a print by the main program");
  CHECK(k[1] == "a timer's registration");
  CHECK(k[2] == "a tick banner");
  CHECK(k[3] == "a print by a timer callback");
  CHECK(k[4] == "a line of a content block printed by a timer callback");
  CHECK(std::count(k.begin(), k.end(), "a print by a nextTick callback") == 1);
  CHECK(k[k.size() - 2] == "a pool thread receiving a task");
  CHECK(k.back() == "the FINISHED line");

  // --mode output: the prints and the block only; jsonl: every event, markers too.
  elt::LineKinds output(elt::LineKinds::Rendering::Output);
  elt::LineKinds jsonl(elt::LineKinds::Rendering::Jsonl);
  std::string printed;
  for (const auto& e : events) {
    output.see(e);
    jsonl.see(e);
    elt::render_output(e, printed);
  }
  CHECK(output.kinds().size() == static_cast<std::size_t>(std::count(printed.begin(), printed.end(), '\n')));
  CHECK(output.kinds().front() == "a print by the main program");
  CHECK(jsonl.kinds().size() == events.size());
}
