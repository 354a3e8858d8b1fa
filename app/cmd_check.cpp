// `eventloop-trace check`, in four steps: plan the pairs (arguments and folders to scenario/
// golden pairs), grade each pair (read the golden, run the scenario once however many goldens
// it has, compare), print one line per pair, write the JUnit and JSON summaries. Grading and
// its reports are the engine's (core/grade/); this file holds what is the command line's:
// the options and their refusals, the pairs from the arguments, running a scenario with the
// command's options, writing files and stdout, and the exit code.
//
// Each pair ends in one of four states: pass, fail (the traces differ), error (it could not
// be graded) or wrote (--update). An error in one pair never stops the others; a signal
// stops everything, and nothing is written after it.
#include "cmd_check.h"

#include "output_file.h"
#include "process.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <new>
#include <optional>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "grade/grade.h"
#include "grade/line_kinds.h"
#include "grade/report.h"
#include "scenario/scenario.h"
#include "trace/format.h"

namespace elt::app {

namespace {

namespace fs = std::filesystem;
using grade::Outcome;
using grade::Pair;
using grade::RunResult;
using grade::Status;

std::string strerror_of(int err) { return std::strerror(err); }

bool is_directory(const std::string& path) {
  std::error_code ec;
  return path != "-" && fs::is_directory(path, ec);
}

std::vector<std::string> scenarios_in(const std::string& folder) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (entry.path().extension() == ".json" && !entry.is_directory()) names.push_back(entry.path().stem().string());
  }
  if (ec) throw UsageError(fmt::format("{}: cannot list the folder: {}", folder, ec.message()));
  std::sort(names.begin(), names.end());
  if (names.empty()) throw UsageError(fmt::format("{}: the folder holds no NAME.json scenario", folder));
  return names;
}

std::string suite_of(const std::string& golden) {
  if (golden == "-") return "<stdin>";
  std::string parent = fs::path(golden).parent_path().string();
  return parent.empty() ? "." : parent;
}

// Arguments to pairs. A folder followed by a folder is scenarios then goldens; a folder
// alone holds both; anything else is a SCENARIO that needs its GOLDEN next.
std::vector<Pair> plan(const std::vector<std::string>& paths) {
  std::vector<Pair> pairs;
  for (std::size_t i = 0; i < paths.size();) {
    const std::string& arg = paths[i];
    if (is_directory(arg)) {
      bool golden_folder = i + 1 < paths.size() && is_directory(paths[i + 1]);
      std::string goldens = golden_folder ? paths[i + 1] : arg;
      for (const auto& name : scenarios_in(arg)) {
        std::string golden = (fs::path(goldens) / (name + ".trace")).string();
        pairs.push_back({(fs::path(arg) / (name + ".json")).string(), golden, name, suite_of(golden), !golden_folder});
      }
      i += golden_folder ? 2 : 1;
      continue;
    }
    if (i + 1 >= paths.size()) {
      throw UsageError(fmt::format("{} needs its golden trace: check SCENARIO GOLDEN (or a FOLDER of NAME.json "
                                   "beside NAME.trace)", arg));
    }
    std::string name = arg == "-" ? "<stdin>" : fs::path(arg).stem().string();
    pairs.push_back({arg, paths[i + 1], name, suite_of(paths[i + 1]), true});
    i += 2;
  }
  int stdin_uses = 0;
  for (const auto& p : pairs) stdin_uses += (p.scenario == "-") + (p.golden == "-");
  if (stdin_uses > 1) throw UsageError("- (standard input) can stand for one scenario or one golden, not more");
  return pairs;
}

bool parses_as_json(const std::string& text) { return nlohmann::json::accept(text); }

// Whether existing text is something --update may replace: a trace of the kind it writes.
bool looks_like_trace(const std::string& text, const CheckOptions& opts) {
  if (text.empty()) return true;
  if (text.find('\0') != std::string::npos || parses_as_json(text)) return false;
  if (opts.mode == "output") return true;  // a program's output can be any text
  std::size_t start = text.find_first_not_of("\r\n");
  if (start == std::string::npos) return true;
  std::string_view first(text.data() + start, std::min<std::size_t>(text.size() - start, 64));
  if (opts.run.format == "jsonl") return first.starts_with("{\"tick\":");
  return first.starts_with("Thread: ") || first.starts_with("===== THREAD ");
}

// Why --update may not write this golden, or "" when it may.
std::string refuse_update(const std::string& golden, const std::string& scenario, const CheckOptions& opts) {
  if (golden == "-") return "--update cannot write to standard input; name the golden file";
  if (fs::path(golden).extension() == ".json") {
    return fmt::format("{}: refusing to overwrite a .json file with a trace (a scenario?); goldens are .trace files",
                       golden);
  }
  std::error_code ec;
  if (scenario != "-" && fs::equivalent(golden, scenario, ec)) {
    return fmt::format("{}: refusing to overwrite the scenario with its own trace", golden);
  }
  struct stat st {};
  if (::stat(golden.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};  // a new golden
    return fmt::format("{}: cannot write the golden trace: {}", golden, strerror_of(errno));
  }
  if (!S_ISREG(st.st_mode)) return refuse_output_path(golden, "the golden trace");
  bool ok = false;
  std::string text = read_file(golden, ok);
  if (!ok) return fmt::format("{}: cannot read the golden trace before replacing it: {}", golden, strerror_of(errno));
  if (!looks_like_trace(text, opts)) {
    return fmt::format("{}: refusing to overwrite: it does not hold a trace{}", golden,
                       parses_as_json(text) ? " (it holds JSON: a scenario?)" : "");
  }
  return {};
}

// Writes a golden as every output file is written (output_file.h): atomically, to a
// regular file only. A stop signal meanwhile cancels it ("interrupted").
std::string write_atomically(const std::string& path, const std::string& text) {
  WriteResult result = write_file_atomically(path, text, "the golden trace");
  return result.kind == WriteResult::Kind::Interrupted ? "interrupted" : result.message;
}

RunResult run_once(const CheckOptions& opts, const std::string& scenario) {
  RunResult r;
  RunOptions run = opts.run;
  run.scenario = scenario;
  try {
    std::string output;
    std::optional<LineKinds> kinds;
    if (opts.hint) {
      kinds.emplace(opts.mode == "output"          ? LineKinds::Rendering::Output
                    : opts.run.format == "jsonl" ? LineKinds::Rendering::Jsonl
                                                 : LineKinds::Rendering::Text);
    }
    bool output_mode = opts.mode == "output";
    auto tracer = run_scenario(run, -1, [&](elt::Runtime&, elt::Tracer& t) {
      if (!output_mode && !kinds) return;
      t.set_observer([&](const TraceEvent& e) {
        if (output_mode) render_output(e, output);
        if (kinds) kinds->see(e);
      });
    });
    r.trace = tracer->captured();
    r.output = std::move(output);
    if (kinds) r.kinds = kinds->kinds();
  } catch (const elt::scenario::ScenarioError& e) {
    r.error = e.what();
  } catch (const std::system_error& e) {
    r.error = fmt::format("{}: the run failed: {}", scenario, e.what());
  } catch (const std::bad_alloc&) {
    throw;  // the machine's limit, not the scenario's fault: main reports it, exit 1
  } catch (const std::exception& e) {
    r.error = fmt::format("{}: the run failed: {}", scenario, e.what());
  }
  return r;
}

// Every option either means something in the mode asked for or is refused here, with why:
// an option that silently did nothing (or compared nothing) would grade wrongly.
void validate(const CheckOptions& opts) {
  if (opts.run.format == "none") {
    throw UsageError("check compares traces, so it cannot take --format none; use text (the default) or jsonl");
  }
  if (opts.run.format == "chrome") {
    throw UsageError("check compares traces line by line, and --format chrome is one JSON document for Perfetto, "
                     "not lines; use text (the default) or jsonl");
  }
  if (!opts.run.show.empty()) {
    if (opts.mode == "output") {
      throw UsageError("--show adds columns to the trace's lines, and --mode output compares only what the program "
                       "prints, without them: drop --show");
    }
    if (opts.run.format == "jsonl") throw UsageError("--show adds columns to the text format only; drop it with jsonl");
    if (opts.mode == "per-thread" || !opts.only.empty()) {
      throw UsageError("--show puts columns before \"Thread: NAME\", so --mode per-thread and --only could not tell "
                       "whose line is whose: use --show with --mode exact");
    }
  }
  if (opts.update && (opts.hint || opts.diffs || opts.pass_score >= 0)) {
    throw UsageError("--update writes the goldens and grades nothing, so it cannot take --hint, --diffs or "
                     "--pass-score");
  }
  if (opts.run.format == "jsonl" && (opts.mode != "exact" || !opts.only.empty())) {
    throw UsageError("--format jsonl is compared byte for byte only: it cannot take --mode per-thread, --mode output "
                     "or --only");
  }
  if (opts.mode == "output" && !opts.only.empty()) {
    throw UsageError("--mode output compares the program's printed lines, which have no thread: it cannot take --only");
  }
  if (!opts.only.empty() && opts.only.find_first_of(" \t\n") != std::string::npos) {
    throw UsageError(fmt::format("--only takes a thread's name such as main, pool0 or epoll; found \"{}\"", opts.only));
  }
}

// Stdout, written a pair at a time so a long grading shows its progress. The first failed
// write is kept and nothing more is written: the reader leaving (EPIPE, `| head -1`) is
// quiet, any other failure (a full disk, /dev/full) lost the results and ends in exit 1,
// after the summaries are still written.
struct ResultsOut {
  int error = 0;
  void write(std::string_view text) {
    if (error == 0) error = write_stdout(text);
  }
};

// Where the results go, checked before any run: a closed stdout (exit 1), or a device or a
// directory named as a summary (exit 2), is a mistake to fix now, not after minutes of
// grading.
void check_outputs(const CheckOptions& opts) {
  if (standard_fds().stdout_closed) {
    throw std::system_error(EBADF, std::generic_category(),
                            "standard output is closed, so the results have nowhere to go (redirect it)");
  }
  for (const auto& [path, what] : {std::pair{opts.junit, "the JUnit summary"}, {opts.json, "the JSON summary"}}) {
    if (path.empty()) continue;
    if (std::string refusal = refuse_output_path(path, what); !refusal.empty()) throw UsageError(refusal);
  }
}

// The options that change a grade, as the engine takes them.
grade::GradeOptions grade_options(const CheckOptions& opts) {
  return {.mode = opts.mode,
          .only = opts.only,
          .clock = opts.run.clock,
          .update = opts.update,
          .diffs = opts.diffs,
          .hint = opts.hint,
          .pass_score = opts.pass_score};
}

// What grading needs of the command line: runs with its options, goldens written as every
// output file is, and its stop signals.
grade::GradeIo grade_io(const CheckOptions& opts) {
  return {.run = [&opts](const std::string& scenario) { return run_once(opts, scenario); },
          .refuse_update = [&opts](const Pair& pair) { return refuse_update(pair.golden, pair.scenario, opts); },
          .write_golden = write_atomically,
          .stopped = [] { return received_signal() != 0; }};
}

// The JUnit and JSON files, when asked for; false when one could not be written (said on stderr).
bool write_summaries(const CheckOptions& opts, const std::vector<Pair>& pairs, const std::vector<Outcome>& outcomes) {
  auto write_summary = [&](const std::string& path, const std::string& text, std::string_view what) {
    if (path.empty()) return true;
    WriteResult result = write_file_atomically(path, text, what);
    if (result.ok() || result.kind == WriteResult::Kind::Interrupted) return true;  // a signal: 128+n in run_check
    std::cerr << "eventloop-trace: " << result.message << '\n';
    return false;
  };
  grade::GradeOptions options = grade_options(opts);
  bool ok = write_summary(opts.junit, grade::junit_xml(pairs, outcomes, options), "the JUnit summary");
  return write_summary(opts.json, grade::json_summary(pairs, outcomes, options), "the JSON summary") && ok;
}

int exit_code(const std::vector<Outcome>& outcomes, bool summaries_ok) {
  std::size_t failed = 0, errors = 0;
  for (const auto& o : outcomes) {
    failed += o.status == Status::Fail;
    errors += o.status == Status::Error;
  }
  if (errors > 0 || !summaries_ok) return kExitBadInput;
  return failed > 0 ? kExitDifferent : 0;
}

}  // namespace

int run_check(const CheckOptions& opts) {
  validate(opts);
  check_outputs(opts);
  std::vector<Pair> pairs = plan(opts.paths);
  bool color = use_color(opts.run.color, STDOUT_FILENO);
  // A student asking for a hint is not shown the answer, even for a single pair.
  bool show_diffs = opts.diffs || (pairs.size() == 1 && !opts.hint);

  grade::GradeOptions options = grade_options(opts);
  grade::Grader grader(options, grade_io(opts));
  std::vector<Outcome> outcomes;
  ResultsOut results;
  for (const Pair& pair : pairs) {
    std::string display;  // a failure's report as shown on stdout (coloured on a terminal)
    auto o = grader.grade(pair, show_diffs && color, display);
    if (!o) return 128 + received_signal();
    if (o->status == Status::Error) std::cerr << "eventloop-trace: " << o->summary << '\n';
    results.write(grade::outcome_text(pair, *o, options, show_diffs, display));
    outcomes.push_back(std::move(*o));
  }
  if (pairs.size() > 1) results.write(grade::totals_text(pairs, outcomes, options));

  bool summaries_ok = write_summaries(opts, pairs, outcomes);
  if (int sig = received_signal(); sig != 0) return 128 + sig;
  if (results.error != 0 && results.error != EPIPE) {
    throw std::system_error(results.error, std::generic_category(), "writing the results to standard output");
  }
  return exit_code(outcomes, summaries_ok);
}

}  // namespace elt::app
