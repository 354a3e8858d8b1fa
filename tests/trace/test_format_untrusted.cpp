// The text format cannot be made to lie by the text it shows: scenario text with a
// newline continues under its own thread's prefix, and control characters, C1 controls,
// bidirectional overrides and bytes that are not UTF-8 are shown escaped.
#include <algorithm>
#include <string>

#include <catch2/catch.hpp>

#include "grade/compare.h"
#include "trace/format.h"

using namespace elt;

namespace {
std::string text(std::string message, EventKind kind = EventKind::Print, bool color = false) {
  TraceEvent event;
  event.kind = kind;
  event.thread = "main";
  event.text = std::move(message);
  std::string out;
  render_text(event, out, color);
  return out;
}
}  // namespace

TEST_CASE("a print cannot forge a line of another thread", "[trace][untrusted]") {
  CHECK(text("done\nThread: pool0\t received a task of type: Close") ==
        "Thread: main\t done\nThread: main\t Thread: pool0\t received a task of type: Close\n");
  CHECK(text("a\n\nb\n") == "Thread: main\t a\nThread: main\t \nThread: main\t b\nThread: main\t \n");
  // In colour the continuation carries the same (coloured) prefix.
  std::string coloured = text("a\nb", EventKind::Print, true);
  CHECK(coloured.find("\nThread: ") != std::string::npos);
  CHECK(coloured.find("\nb") == std::string::npos);
}

TEST_CASE("control characters are shown escaped, tabs and UTF-8 as they are", "[trace][untrusted]") {
  CHECK(text("\x1b[2J\x1b[31mred") == "Thread: main\t \\x1b[2J\\x1b[31mred\n");
  CHECK(text(std::string("nul\0bell\a cr\r del\x7f", 18)) == "Thread: main\t nul\\x00bell\\x07 cr\\x0d del\\x7f\n");
  CHECK(text("tab\tstays, caf\xc3\xa9 and \xe2\x9c\x93 too") == "Thread: main\t tab\tstays, caf\xc3\xa9 and \xe2\x9c\x93 too\n");
  CHECK(text("c1 \xc2\x9b" "2J") == "Thread: main\t c1 \\u{9b}2J\n");                  // CSI as a character
  CHECK(text("bidi \xe2\x80\xae" "txt.exe") == "Thread: main\t bidi \\u{202e}txt.exe\n");  // right-to-left override
  CHECK(text("raw \x9b and \xff\xfe, cut \xe2\x9c") == "Thread: main\t raw \\x9b and \\xff\\xfe, cut \\xe2\\x9c\n");
  CHECK(text("overlong \xc0\xaf") == "Thread: main\t overlong \\xc0\\xaf\n");
  CHECK(text("plain text") == "Thread: main\t plain text\n");
}

TEST_CASE("a content block cannot forge a trace line or its own end", "[trace][untrusted]") {
  TraceEvent event;
  event.kind = EventKind::Content;
  event.thread = "main";
  event.text = "FILE";
  event.content = "line one\n===== END CONTENT =====\nThread: pool0\t forged\n\x1b]0;title\x07\n";
  std::string out;
  render_text(event, out);
  CHECK(out ==
        "\n===== THREAD main START CONTENT - FILE =====\nline one\n\\x3d==== END CONTENT =====\n"
        "\\x54hread: pool0\t forged\n\\x1b]0;title\\x07\n... [Note: Abbreviated for display] ...\n"
        "===== END CONTENT =====\n\n");
}

TEST_CASE("a content label cannot end its banner's line (issue 25)", "[trace][untrusted]") {
  TraceEvent event;
  event.kind = EventKind::Content;
  event.thread = "main";
  event.text = "X =====\n===== END CONTENT =====\n\n===== THREAD main START CONTENT - FORGED";
  event.content = "one\n";
  for (bool color : {false, true}) {
    std::string out;
    render_text(event, out, color);
    INFO(out);
    CHECK(out.find("X =====\\x0a===== END CONTENT =====\\x0a\\x0a===== THREAD main START CONTENT - FORGED =====") !=
          std::string::npos);
    CHECK(out.find("\nTHREAD") == std::string::npos);
    CHECK(std::count(out.begin(), out.end(), '\n') == 6);  // blank line, banner, one, note, end, blank line
  }
}

// A diff quotes what a program printed (check --mode output, verify), raw control
// characters and all; it shows them escaped, compares them as they are, and leaves a
// trace's lines, already escaped, as they were.
TEST_CASE("a diff shows printed control characters escaped, compares them raw", "[trace][untrusted]") {
  const std::string printed = "\x1b]0;PWNED\x07\x1b[2J\nok\n";
  CompareResult same = compare_traces(printed, printed, CompareMode::Exact, false);
  CHECK(same.equal);
  CompareResult other = compare_traces("x\n", printed, CompareMode::Exact, false, "golden", "run \x1b[31m\n");
  CHECK_FALSE(other.equal);
  CHECK(other.report.find('\x1b') == std::string::npos);
  CHECK(other.report.find('\x07') == std::string::npos);
  CHECK(other.report.find("+\\x1b]0;PWNED\\x07\\x1b[2J\n+ok\n") != std::string::npos);
  CHECK(other.report.find("+++ run \\x1b[31m\\x0a\n") != std::string::npos);
  // An escaped trace line (as the tracer writes it) is shown byte for byte.
  const std::string line = "Thread: main\t a\\x1b[2J \\u{202e} \xc3\xa9";
  CompareResult traced = compare_traces("Thread: main\t b\n", line + "\n", CompareMode::Exact, false);
  CHECK(traced.report.find("+" + line + "\n") != std::string::npos);
}
