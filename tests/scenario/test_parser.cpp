#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <functional>

#include <fmt/format.h>

#include "scenario/scenario.h"

using namespace elt::scenario;

namespace {

Scenario parse(const std::string& text) { return parse_scenario(text, "s.json", "."); }

// The message of the ScenarioError that parsing `text` throws.
std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  FAIL("expected a ScenarioError for: " << text);
  return {};
}

}  // namespace

TEST_CASE("the book scenario parses", "[scenario]") {
  Scenario s = load_scenario(ELT_SOURCE_DIR "/scenarios/book.json");
  CHECK(s.settings.threads == 4);
  REQUIRE(s.program.size() == 14);
  CHECK(s.program[0].kind == ActionKind::Print);
  CHECK(s.program[1].kind == ActionKind::FsRead);
  CHECK(s.program[1].detail().delay.literal == 1000);
  CHECK(s.program[1].detail().as == "text");
  REQUIRE(s.program[1].then.size() == 3);
  CHECK(s.program[1].then[2].kind == ActionKind::Encrypt);
  CHECK(s.program[13].kind == ActionKind::HttpGetSlow);
  CHECK(!s.description.empty());
}

TEST_CASE("actions and their options", "[scenario]") {
  Scenario s = parse(R"({"program": [
    {"repeat": 3, "as": "k", "do": [{"set_timeout": "${k}", "then": [{"print": "t${k}"}]}]},
    {"http_get": "http://127.0.0.1:1/", "as": "r", "then": [{"print": "${r.status}"}], "catch": [{"print": "${error}"}]},
    {"print": "a literal $${not a reference}"}
  ]})");
  REQUIRE(s.program.size() == 3);
  CHECK(s.program[0].kind == ActionKind::Repeat);
  CHECK(s.program[0].then[0].detail().number.expr.segments.size() == 1);
  CHECK(s.program[1].detail().on_error.size() == 1);
  CHECK(s.program[2].text.segments[0].literal == "a literal ${not a reference}");
}

TEST_CASE("bad JSON names the line and column", "[scenario][errors]") {
  CHECK_THAT(error_of("{\n  \"program\": [\n    {\"print\": \"x\"},,\n  ]\n}"),
             Catch::StartsWith("s.json:3:") && Catch::Contains("invalid JSON"));
  CHECK_THAT(error_of("{\"program\": ["), Catch::Contains("ends too early"));
  CHECK_THAT(error_of(""), Catch::Contains("the file is empty"));
  CHECK_THAT(error_of("   \n"), Catch::Contains("the file is empty"));
  CHECK_THAT(error_of("\xEF\xBB\xBF{\"program\": []}"), Catch::Contains("byte-order mark"));
  CHECK_THAT(error_of("\x01\x02\xff garbage"), Catch::Contains("invalid JSON"));
}

TEST_CASE("a wrong shape names the JSON path and its line", "[scenario][errors]") {
  CHECK_THAT(error_of("[1, 2]"), Catch::Contains("a scenario is a JSON object"));
  CHECK_THAT(error_of("{\"description\": \"no program\"}"), Catch::Contains("missing \"program\""));
  CHECK_THAT(error_of("{\"program\": {}}"), Catch::Contains("(at /program)") && Catch::Contains("array of actions"));
  std::string unknown = error_of("{\"program\": [\n  {\"print\": \"a\"},\n  {\"snooze\": 5}\n]}");
  CHECK_THAT(unknown, Catch::Contains("s.json:3:3 (at /program/1)") && Catch::Contains("unknown action") &&
                          Catch::Contains("\"snooze\""));
  CHECK_THAT(error_of(R"({"program": [{"set_timeout": "soon"}]})"),
             Catch::Contains("/program/0/set_timeout") && Catch::Contains("a delay in ms"));
  CHECK_THAT(error_of(R"({"program": [{"set_timeout": -5}]})"), Catch::Contains("out of range"));
  CHECK_THAT(error_of(R"({"program": [{"set_timeout": 99999999999}]})"), Catch::Contains("out of range"));
  CHECK_THAT(error_of(R"({"program": [{"set_timeout": 1.5}]})"), Catch::Contains("whole number"));
  CHECK_THAT(error_of(R"({"program": [{"http_get_slow": "x"}]})"), Catch::Contains("needs \"delay_ms\""));
  CHECK_THAT(error_of(R"({"program": [{"print": "a", "then": []}]})"),
             Catch::Contains("/program/0/then") && Catch::Contains("does not take"));
  CHECK_THAT(error_of(R"({"program": [{"print": "a", "set_timeout": 1}]})"), Catch::Contains("one action per object"));
  CHECK_THAT(error_of(R"({"settings": {"threads": 0}, "program": []})"), Catch::Contains("/settings/threads"));
  CHECK_THAT(error_of(R"({"settings": {"colour": 1}, "program": []})"), Catch::Contains("unknown setting"));
  CHECK_THAT(error_of(R"({"program": [], "extra": 1})"), Catch::Contains("unknown top-level key"));
}

TEST_CASE("references must name something in scope", "[scenario][errors]") {
  CHECK_THAT(error_of(R"({"program": [{"print": "${result}"}]})"), Catch::Contains("no value named \"result\""));
  CHECK_THAT(error_of(R"({"program": [{"fs_read": "f", "as": "text", "then": [{"print": "${txt.length}"}]}]})"),
             Catch::Contains("names in scope: text"));
  CHECK_THAT(error_of(R"({"program": [{"print": "${unclosed"}]})"), Catch::Contains("unclosed"));
  CHECK_THAT(error_of(R"({"program": [{"print": "${a..b}"}]})"), Catch::Contains("is not a reference"));
}

TEST_CASE("JSON that a scenario must not contain", "[scenario][errors]") {
  CHECK_THAT(error_of(R"({"program": [], "program": []})"), Catch::Contains("appears twice"));
  // The position is the repeat inside its own object, not another use of the same word.
  CHECK_THAT(error_of("{\"program\": [\n  {\"print\": \"print\"},\n  {\"print\": \"a\",\n   \"print\": \"b\"}]}"),
             Catch::StartsWith("s.json:4:4:") && Catch::Contains("\"print\" appears twice"));
  std::string deep(100000, '[');
  CHECK_THAT(error_of("{\"program\": " + deep), Catch::Contains("nested deeper"));
  std::string big_string = "{\"program\": [{\"print\": \"" + std::string(10 * 1024 * 1024, 'x') + "\"}]}";
  CHECK(parse(big_string).program[0].text.source.size() == 10 * 1024 * 1024);
}

TEST_CASE("files that are not scenarios", "[scenario][errors]") {
  auto load_error = [](const char* path) {
    try {
      load_scenario(path);
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(load_error("/nonexistent/s.json"), Catch::Contains("No such file"));
  CHECK_THAT(load_error("/tmp"), Catch::Contains("is a directory"));
  CHECK_THAT(load_error("/dev/null"), Catch::Contains("not a regular file"));
}

TEST_CASE("every action knows the line and column of its '{'", "[scenario]") {
  Scenario s = parse("{\"program\": [\n"
                     "  {\"print\": \"a\"},\n"
                     "\t{\"set_timeout\": 5, \"then\": [\n"
                     "      {\"repeat\": 2, \"do\": [{\"print\": \"${i}\"}]}]},\n"
                     "  {\"fs_read\": \"f\", \"catch\": [ {\"print\": \"${error}\"} ]}\n"
                     "]}");
  REQUIRE(s.program.size() == 3);
  CHECK(s.program[0].line == 2);
  CHECK(s.program[0].column == 3);
  CHECK(s.program[1].line == 3);
  CHECK(s.program[1].column == 2);  // a tab is one column
  REQUIRE(s.program[1].then.size() == 1);
  CHECK(s.program[1].then[0].line == 4);
  CHECK(s.program[1].then[0].column == 7);
  REQUIRE(s.program[1].then[0].then.size() == 1);
  CHECK(s.program[1].then[0].then[0].line == 4);
  CHECK(s.program[1].then[0].then[0].column == 28);
  CHECK(s.program[2].detail().on_error[0].line == 5);
  CHECK(s.program[2].detail().on_error[0].column == 31);
  // Every action of the book has a position.
  Scenario book = load_scenario(ELT_SOURCE_DIR "/scenarios/book.json");
  std::function<void(const std::vector<Action>&)> all_placed = [&](const std::vector<Action>& actions) {
    for (const Action& a : actions) {
      CHECK(a.line > 0);
      CHECK(a.column > 0);
      all_placed(a.then);
      all_placed(a.detail().on_error);
    }
  };
  all_placed(book.program);
}

TEST_CASE("escaped keys keep their line and column", "[scenario][errors]") {
  // "\u0070rint" is "print": the error is at its value, on line 2.
  CHECK_THAT(error_of("{\"program\": [\n {\"\\u0070rint\": 5}]}"),
             Catch::StartsWith("s.json:2:17 (at /program/0/print):") && Catch::Contains("found the number 5"));
  // A duplicate spelled differently is the same key, reported where the second one is.
  CHECK_THAT(error_of("{\"program\": [\n {\"\\u0070rint\": \"a\", \"print\": \"b\"}]}"),
             Catch::StartsWith("s.json:2:22:") && Catch::Contains("\"print\" appears twice"));
  CHECK_THAT(error_of("{\"program\": [\n {\"print\": \"a\",\n  \"\\u0070rint\": \"b\"}]}"),
             Catch::StartsWith("s.json:3:3:") && Catch::Contains("\"print\" appears twice"));
  // A key with '/' and '~' (escaped in the JSON pointer) is found too.
  CHECK_THAT(error_of("{\"program\": [],\n \"a/b~c\": 1}"),
             Catch::StartsWith("s.json:2:11 (at /a~1b~0c):") && Catch::Contains("unknown top-level key"));
}

TEST_CASE("whole numbers beyond 64 bits are quoted as written", "[scenario][errors]") {
  // nlohmann holds them as doubles; 2^64 must not come back as 1.8446744073709552e+19.
  CHECK_THAT(error_of(R"({"program": [{"set_timeout": 18446744073709551616}]})"),
             Catch::Contains("(at /program/0/set_timeout): 18446744073709551616 is out of range: expected a delay in "
                             "ms from 0 to 2147483647"));
  CHECK_THAT(error_of(R"({"program": [{"repeat": -99999999999999999999999, "do": []}]})"),
             Catch::Contains("-99999999999999999999999 is out of range"));
  CHECK_THAT(error_of(R"({"program": [{"print": 18446744073709551616}]})"),
             Catch::Contains("found the number 18446744073709551616"));
  // A number written as a fraction or with an exponent is not a whole number as written.
  CHECK_THAT(error_of(R"({"program": [{"set_timeout": 1e30}]})"),
             Catch::Contains("expected a delay in ms (a whole number") && Catch::Contains("found the number 1e+30"));
  CHECK_THAT(error_of(R"({"program": [{"set_timeout": 1.5}]})"), Catch::Contains("found the number 1.5"));
}

TEST_CASE("a cap on total work, computed before anything runs", "[scenario][errors]") {
  CHECK_THAT(error_of(R"({"program": [{"repeat": 3000000, "do": [{"print": "x"}]}]})"),
             Catch::StartsWith("s.json:1:14 (at /program/0): this repeat would create 3,000,001 actions (3,000,000 "
                               "times the 1 of its \"do\", and itself); a run may create at most 2,000,000"));
  // Counts multiply through nesting; the repeat named is the innermost one over the cap.
  CHECK_THAT(error_of(R"({"program": [{"repeat": 2000, "do": [{"repeat": 2000, "do": [{"print": "x"}]}]}]})"),
             Catch::Contains("(at /program/0): this repeat would create 4,002,001 actions (2,000 times the 2,001"));
  CHECK_THAT(error_of(R"({"program": [{"repeat": 10000000, "do": [{"repeat": 10000000, "do": [{"repeat": 10000000,
                           "do": [{"set_timeout": 1}]}]}]}]})"),
             Catch::Contains("(at /program/0/do/0/do/0): this repeat would create 10,000,001 actions"));
  CHECK_THAT(error_of(R"({"program": [{"repeat": 10000000, "do": [{"repeat": 10000000, "do": [{"repeat": 10000000,
                           "do": [{"repeat": 10000000, "do": [{"print": "x"}]}, {"print": "y"}]}]}]}]})"),
             Catch::Contains("(at /program/0/do/0/do/0/do/0)"));
  // Several repeats, each under the cap, that together are over it.
  CHECK_THAT(error_of(R"({"program": [{"repeat": 1000000, "do": [{"print": "x"}]},
                                      {"repeat": 1000000, "do": [{"print": "x"}]}]})"),
             Catch::StartsWith("s.json:1:13 (at /program): the program would create 2,000,002 actions"));
  // Inside a callback.
  CHECK_THAT(error_of(R"({"program": [{"set_timeout": 1, "then": [{"repeat": 1000000, "do": [{"print": "x"}]},
                                      {"repeat": 1000000, "do": [{"print": "x"}]}]}]})"),
             Catch::Contains("(at /program/0): this action and its callbacks would create 2,000,003 actions"));
  // Astronomical counts do not wrap around.
  std::string deep = R"({"print": "x"})";
  for (int i = 0; i < 8; ++i) deep = R"({"repeat": 10000000, "do": [)" + deep + "]}";
  CHECK_THAT(error_of(R"({"program": [)" + deep + "]}"), Catch::Contains("this repeat would create"));
  // The largest benchmark fits: 1,000 times 1,000 timers (bench/scenarios/timers.json).
  std::string timers = R"({"program": [{"repeat": 1000, "do": [)";
  for (int i = 1; i <= 1000; ++i) timers += fmt::format("{}{{\"set_timeout\": {}}}", i > 1 ? "," : "", i);
  timers += "]}]}";
  CHECK(parse(timers).program[0].then.size() == 1000);
  CHECK(parse(R"({"program": [{"repeat": 2000000, "do": []}, {"repeat": 1999998, "do": [{"print": "x"}]}]})")
            .program.size() == 2);
  // A count from a template is unknown here; the interpreter counts it at run time.
  CHECK(parse(R"({"program": [{"repeat": 2, "as": "k", "do": [{"repeat": "${k}000000", "do": [{"print": "x"}]}]}]})")
            .program.size() == 1);
}

TEST_CASE("parsing takes time linear in the number of actions", "[scenario][performance]") {
  // 400,000 sibling actions took 41 s with nlohmann's callback parser (it rescans the parent
  // at every object's end). Seconds depend on the machine and the sanitizers, so the test
  // compares: four times the actions must take about four times as long (quadratic: 16).
  auto file_of = [](std::size_t n) {
    std::string text = "{\"program\": [\n";
    for (std::size_t i = 0; i < n; ++i) text += i + 1 < n ? "  {\"print\": \"a\"},\n" : "  {\"print\": \"a\"}\n";
    return text + "]}";
  };
  // The thread's own CPU time, not the wall clock: other processes on a shared machine (CI
  // runs two tests at once on two CPUs) stretch wall time by any factor, CPU time far less.
  auto thread_seconds = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  };
  auto best_of_3 = [&](const std::string& text, std::size_t n) {
    double best = 1e9;
    for (int run = 0; run < 3; ++run) {
      double start = thread_seconds();
      Scenario s = parse_scenario(text, "s.json", ".");
      std::chrono::duration<double> took{thread_seconds() - start};
      REQUIRE(s.program.size() == n);
      REQUIRE(s.program.back().line == n + 1);
      best = std::min(best, took.count());
    }
    return best;
  };
  const std::size_t n = 50'000;
  std::string small = file_of(n);
  std::string large = file_of(4 * n);
  double t_small = best_of_3(small, n);
  double t_large = best_of_3(large, 4 * n);
  INFO(fmt::format("{} actions: {:.3f} s; {} actions: {:.3f} s; ratio {:.1f}", n, t_small, 4 * n, t_large,
                   t_large / t_small));
  // Linear is 4; the larger file's vectors and strings outgrow the caches, which was seen to
  // add up to 2.4 times more under load. Quadratic is 16.
  CHECK(t_large < 12 * t_small + 0.01);
}

TEST_CASE("a scenario path that cannot be read names the file and why", "[scenario][errors]") {
  auto load_error = [](const std::string& path) {
    try {
      load_scenario(path);
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // A "regular file" whose read fails (EIO); reading it as a stream gave exit 1 and
  // "basic_filebuf::underflow error reading the file" without the name.
  CHECK(load_error("/proc/self/mem") == "/proc/self/mem: cannot read the scenario: Input/output error");
  // /proc files say their size is 0 and have content: read to the end all the same.
  CHECK_THAT(load_error("/proc/self/status"), Catch::StartsWith("/proc/self/status:1:1: invalid JSON"));
  // A FIFO nobody writes to: refused at once, not waited on.
  std::string fifo = (std::filesystem::temp_directory_path() / fmt::format("elt-fifo-{}.json", ::getpid())).string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(load_error(fifo) == fifo + ": is not a regular file (a device or a pipe?)");
  std::filesystem::remove(fifo);
}

TEST_CASE("messages show a file's name and quoted keys as the trace shows text (issue 25)", "[scenario]") {
  auto message = [](const std::string& text, const std::string& file) {
    try {
      parse_scenario(text, file, ".");
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    FAIL("no ScenarioError");
    return std::string();
  };
  // ESC [2J clears a terminal; a newline would start a line that is not the message's.
  CHECK(message(R"({"program": [{"print": 1}]})", "bad\x1b[2J\nname.json")
            .starts_with("bad\\x1b[2J\\x0aname.json:1:"));
  // U+202E RIGHT-TO-LEFT OVERRIDE would show what follows it backwards.
  std::string rlo = message("{\"program\": [], \"abc\xe2\x80\xaegnp.exe\": 1}", "s.json");
  CHECK(rlo.find("unknown top-level key \"abc\\u{202e}gnp.exe\"") != std::string::npos);
  CHECK(rlo.find("\xe2\x80\xae") == std::string::npos);
}

// Issue 25, item 7: nlohmann reports a number too large for a double as an out_of_range
// error without a place; the message must still point at the number.
TEST_CASE("a number too large for a double names its line and column", "[scenario][errors]") {
  CHECK_THAT(error_of("{\"program\": [{\"set_timeout\": 1e400}]}"),
             Catch::StartsWith("s.json:1:30: ") && Catch::Contains("number overflow parsing '1e400'"));
  // The same digits earlier in the file (inside a string) must not be taken for it.
  CHECK_THAT(error_of("{\"description\": \"1e400\",\n \"program\": [\n  {\"print\": \"x\"},\n  {\"set_timeout\": -1e400}]}"),
             Catch::StartsWith("s.json:4:19: ") && Catch::Contains("overflow"));
}
