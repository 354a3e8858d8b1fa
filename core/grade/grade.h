// The grading engine behind `eventloop-trace check`: one pair (a scenario and its golden
// trace, often a student's prediction) in, one outcome out: pass, fail (the traces differ),
// error (it could not be graded) or wrote (--update). A scenario graded against many goldens
// runs once.
//
// The engine decides; the command line supplies the world. Running a scenario takes the
// command's run options, writing a golden goes through the tool's output files and a stop
// signal is the process's: all three come in as GradeIo, so that this folder needs nothing
// from app/. Reading a golden is here, as its refusals (a directory, a device, a scenario
// given in its place) are part of grading. Reports of the outcomes: grade/report.h. Comparing
// two traces: grade/compare.h. One thread: the caller's.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace elt::grade {

// What a grading compares and how; the options `check` takes that change a grade.
struct GradeOptions {
  std::string mode = "exact";     // exact, per-thread, output
  std::string only;               // a thread's name, or "" for all
  std::string clock = "virtual";  // named in the reports, for the reader's sake
  bool update = false;
  bool diffs = false;             // show every failing diff, not only a single pair's
  bool hint = false;              // say where a prediction goes wrong, never what runs there
  double pass_score = -1;         // a pair that scores at least this passes; < 0: only equal passes
};

enum class Status { Pass, Fail, Error, Wrote };

struct Pair {
  std::string scenario;
  std::string golden;
  std::string name;   // the scenario's file name without .json
  std::string suite;  // the golden's folder: in a class, one student's predictions
  bool beside = true;  // the golden is the scenario's own (not a student's, from a golden folder)
};

struct Outcome {
  Status status = Status::Error;
  std::string summary;  // one line: the first difference, or what went wrong
  std::string report;   // a failure's report (uncoloured), for the summaries
  std::string hint;     // --hint: where the prediction goes wrong, quoting nothing of the run
  std::optional<double> score;  // graded pairs only: partial credit, in [0, 1]
  bool partial = false;         // passed on --pass-score, not equal
  double seconds = 0;
};

// What one run of a scenario produced.
struct RunResult {
  std::string trace;   // in --format (text or jsonl)
  std::string output;  // what the program printed (print, print_content): --mode output
  std::vector<std::string> kinds;  // --hint: what kind each line of trace (or output) is
  std::string error;   // non-empty: the run failed, with this message
};

// What the engine asks of the command line.
struct GradeIo {
  std::function<RunResult(const std::string& scenario)> run;
  // Why --update may not write this golden over what is there, or "" when it may.
  std::function<std::string(const Pair& pair)> refuse_update;
  // Writes a golden: "" when written, "interrupted" when a stop signal cancelled it, or why not.
  std::function<std::string(const std::string& path, const std::string& text)> write_golden;
  std::function<bool()> stopped;  // a stop signal came: grade nothing more, write nothing
};

class Grader {
 public:
  Grader(GradeOptions options, GradeIo io) : options_(std::move(options)), io_(std::move(io)) {}

  // One pair, graded or written; nullopt when a signal came meanwhile. `display` gets a
  // failure's report as stdout shows it (coloured when `coloured`).
  std::optional<Outcome> grade(const Pair& pair, bool coloured, std::string& display);

 private:
  const RunResult& run_for(const std::string& scenario);
  std::string refuse_empty_filter(const RunResult& run, const std::string& scenario) const;
  Outcome compare_pair(const Pair& pair, const std::string& golden, const RunResult& run, bool coloured,
                       std::string& display) const;

  GradeOptions options_;
  GradeIo io_;
  std::map<std::string, RunResult> runs_;  // by the scenario's canonical path
};

// The text compared (and written by --update) for a run: the trace, one thread's lines of
// it (--only) or what the program printed (--mode output).
std::string comparable(const GradeOptions& options, const RunResult& run);

// Reads a golden, or says in `error` why it cannot be graded. `beside`: the golden is the
// scenario's own, so a missing one is written with --update rather than not handed in.
std::optional<std::string> read_golden(const std::string& path, bool beside, std::string& error);

}  // namespace elt::grade
