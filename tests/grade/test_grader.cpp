// The grading engine on its own: runs, golden writes and stop signals are the GradeIo the
// test hands it, so what the engine decides (run once per scenario, pass or fail, refuse,
// write, stop) is seen without a runtime or a command line.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "grade/grade.h"
#include "grade/report.h"

namespace {

namespace fs = std::filesystem;
using elt::grade::GradeIo;
using elt::grade::GradeOptions;
using elt::grade::Grader;
using elt::grade::Pair;
using elt::grade::RunResult;
using elt::grade::Status;

// A folder of goldens, removed at the end of the test.
struct Goldens {
  fs::path dir = fs::temp_directory_path() / fmt::format("elt-grader-{}", ::getpid());
  Goldens() { fs::create_directories(dir); }
  ~Goldens() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  }
};

// The world as the test sets it: every run prints `trace`; writes and runs are counted.
struct FakeWorld {
  std::string trace = "Thread: main\t a\nThread: main\t b\n";
  int runs = 0;
  bool stop = false;
  std::vector<std::pair<std::string, std::string>> written;
  std::string refusal;

  GradeIo io() {
    return {.run = [this](const std::string&) {
              ++runs;
              RunResult r;
              r.trace = trace;
              return r;
            },
            .refuse_update = [this](const Pair&) { return refusal; },
            .write_golden = [this](const std::string& path, const std::string& text) {
              written.emplace_back(path, text);
              return std::string();
            },
            .stopped = [this] { return stop; }};
  }
};

// GradeOptions with one field set (designated initialisers would have to name them all).
template <typename T>
GradeOptions with(T GradeOptions::*field, T value) {
  GradeOptions options;
  options.*field = std::move(value);
  return options;
}

Pair pair_of(const std::string& scenario, const std::string& golden) {
  return Pair{.scenario = scenario, .golden = golden, .name = "s", .suite = ".", .beside = true};
}

}  // namespace

TEST_CASE("a scenario graded against several goldens runs once", "[grade]") {
  Goldens g;
  FakeWorld world;
  Grader grader(GradeOptions{}, world.io());
  std::string display;
  auto same = grader.grade(pair_of("s.json", g.write("same.trace", world.trace)), false, display);
  auto other = grader.grade(pair_of("s.json", g.write("other.trace", "Thread: main\t a\nThread: main\t c\n")), false,
                            display);
  REQUIRE(same);
  REQUIRE(other);
  CHECK(world.runs == 1);
  CHECK(same->status == Status::Pass);
  CHECK(other->status == Status::Fail);
  CHECK(other->score == Approx(0.5));
  CHECK(other->summary.starts_with("first difference at line 2"));
  CHECK_FALSE(display.empty());  // the report as stdout shows it
}

TEST_CASE("a pass score passes a close prediction (check --pass-score) and says so", "[grade]") {
  Goldens g;
  FakeWorld world;
  Grader grader(with(&GradeOptions::pass_score, 0.5), world.io());
  std::string display;
  Pair pair = pair_of("s.json", g.write("close.trace", "Thread: main\t a\nThread: main\t c\n"));
  auto o = grader.grade(pair, false, display);
  REQUIRE(o);
  CHECK(o->status == Status::Pass);
  CHECK(o->partial);
  CHECK(elt::grade::outcome_text(pair, *o, with(&GradeOptions::pass_score, 0.5), false, display)
            .starts_with("ok: s.json scores 0.50 against"));
}

TEST_CASE("check --update writes what the run printed, unless the command refuses", "[grade]") {
  FakeWorld world;
  Grader grader(with(&GradeOptions::update, true), world.io());
  std::string display;
  auto wrote = grader.grade(pair_of("s.json", "new.trace"), false, display);
  REQUIRE(wrote);
  CHECK(wrote->status == Status::Wrote);
  REQUIRE(world.written.size() == 1);
  CHECK(world.written[0] == std::pair<std::string, std::string>{"new.trace", world.trace});

  world.refusal = "new.trace: refusing to overwrite";
  auto refused = grader.grade(pair_of("s.json", "new.trace"), false, display);
  REQUIRE(refused);
  CHECK(refused->status == Status::Error);
  CHECK(refused->summary == world.refusal);
  CHECK(world.written.size() == 1);
}

TEST_CASE("a stop signal during a run grades nothing and writes nothing", "[grade]") {
  FakeWorld world;
  world.stop = true;
  Grader grader(with(&GradeOptions::update, true), world.io());
  std::string display;
  CHECK_FALSE(grader.grade(pair_of("s.json", "new.trace"), false, display));
  CHECK(world.written.empty());
}

TEST_CASE("check --only naming a thread the run does not have is an error naming the threads there are", "[grade]") {
  Goldens g;
  FakeWorld world;
  Grader grader(with(&GradeOptions::only, std::string("mian")), world.io());
  std::string display;
  auto o = grader.grade(pair_of("s.json", g.write("k.trace", world.trace)), false, display);
  REQUIRE(o);
  CHECK(o->status == Status::Error);
  CHECK(o->summary == "--only mian: the run of s.json has no line of thread mian (did you mean main?); its threads "
                      "are main");
}

TEST_CASE("a golden that cannot be one is refused before any run", "[grade]") {
  Goldens g;
  FakeWorld world;
  Grader grader(GradeOptions{}, world.io());
  std::string display;
  auto dir = grader.grade(pair_of("s.json", g.dir.string()), false, display);
  auto json = grader.grade(pair_of("s.json", g.write("swapped.trace", "{\"program\": []}")), false, display);
  auto missing = grader.grade(pair_of("s.json", (g.dir / "none.trace").string()), false, display);
  REQUIRE(dir);
  REQUIRE(json);
  REQUIRE(missing);
  CHECK(dir->summary.ends_with("is a directory, not a golden trace"));
  CHECK(json->summary.ends_with("holds JSON (a scenario?), not a golden trace; the order is check SCENARIO GOLDEN"));
  CHECK(missing->summary.ends_with("No such file or directory (write it with --update)"));
  CHECK(world.runs == 0);
}
