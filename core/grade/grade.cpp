// Grading one pair: read the golden (or ask whether --update may replace it), run the
// scenario once however many goldens it has, then compare or write.
#include "grade/grade.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clock/clock.h"
#include "common/did_you_mean.h"
#include "grade/compare.h"

namespace elt::grade {

namespace {

namespace fs = std::filesystem;

std::string strerror_of(int err) { return std::strerror(err); }

std::optional<std::string> read_golden_stdin(std::string& error) {
  std::string text;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) text.append(buf, n);
  if (std::ferror(stdin)) {
    error = "<stdin>: cannot read the golden trace";
    return std::nullopt;
  }
  return text;
}

// Why the file at `path` cannot be a golden (missing, a directory, a device), or "".
std::string refuse_golden_file(const std::string& path, bool beside) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    // A student's folder without the file: a prediction not handed in, and said so.
    return err == ENOENT && !beside
               ? fmt::format("no prediction {}: {}", path, strerror_of(err))
               : fmt::format("{}: cannot open the golden trace: {}{}", path, strerror_of(err),
                             err == ENOENT && beside ? " (write it with --update)" : "");
  }
  if (S_ISDIR(st.st_mode)) return fmt::format("{}: is a directory, not a golden trace", path);
  if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
    return fmt::format("{}: is not a regular file (a device?), not a golden trace", path);
  }
  return {};
}

std::optional<std::string> read_whole_file(const std::string& path, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = fmt::format("{}: cannot open the golden trace: {}", path, strerror_of(errno));
    return std::nullopt;
  }
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      error = fmt::format("{}: cannot read the golden trace: {}", path, strerror_of(errno));
      ::close(fd);
      return std::nullopt;
    }
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

// The kinds of the lines comparable() returns, for --hint; empty when unknown.
std::vector<std::string> comparable_kinds(const GradeOptions& options, const RunResult& run) {
  if (options.mode == "output" || options.only.empty()) return run.kinds;
  std::vector<std::string> out;
  for (std::size_t k : thread_line_indices(run.trace, options.only)) {
    if (k >= run.kinds.size()) return {};
    out.push_back(run.kinds[k]);
  }
  return out;
}

}  // namespace

std::optional<std::string> read_golden(const std::string& path, bool beside, std::string& error) {
  if (path == "-") return read_golden_stdin(error);
  error = refuse_golden_file(path, beside);
  if (!error.empty()) return std::nullopt;
  auto text = read_whole_file(path, error);
  if (!text) return std::nullopt;
  // The commonest slip: the two arguments swapped.
  auto first = text->find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (*text)[first] == '{' && nlohmann::json::accept(*text)) {
    error = fmt::format("{}: holds JSON (a scenario?), not a golden trace; the order is check SCENARIO GOLDEN", path);
    return std::nullopt;
  }
  return text;
}

std::string comparable(const GradeOptions& options, const RunResult& run) {
  if (options.mode == "output") return run.output;
  if (!options.only.empty()) return select_thread(run.trace, options.only);
  return run.trace;
}

const RunResult& Grader::run_for(const std::string& scenario) {
  std::error_code ec;
  std::string key = scenario == "-" ? "-" : fs::weakly_canonical(scenario, ec).string();
  if (key.empty()) key = scenario;
  auto it = runs_.find(key);
  if (it != runs_.end()) return it->second;
  return runs_.emplace(key, io_.run(scenario)).first->second;
}

// --only naming a thread the run does not have would compare nothing with nothing, and
// pass everyone (or write an empty key): refused, with the threads there are.
std::string Grader::refuse_empty_filter(const RunResult& run, const std::string& scenario) const {
  if (options_.only.empty() || !comparable(options_, run).empty()) return {};
  auto threads = trace_threads(run.trace);
  std::sort(threads.begin(), threads.end());
  std::string list;
  for (const auto& t : threads) list += (list.empty() ? "" : ", ") + t;
  std::string hint = elt::did_you_mean(options_.only, threads);
  return fmt::format("--only {}: the run of {} has no line of thread {}{}; its threads are {}", options_.only,
                     scenario, options_.only, hint.empty() ? "" : fmt::format(" (did you mean {}?)", hint),
                     list.empty() ? "none" : list);
}

// Compares one pair that ran: pass, fail, or (--pass-score) a partial pass.
Outcome Grader::compare_pair(const Pair& pair, const std::string& golden, const RunResult& run, bool coloured,
                             std::string& display) const {
  Outcome o;
  std::string expected = options_.only.empty() ? golden : select_thread(golden, options_.only);
  std::string actual = comparable(options_, run);
  std::vector<std::string> kinds = options_.hint ? comparable_kinds(options_, run) : std::vector<std::string>{};
  // The sides named for what they are: a student's prediction (from a golden folder, or
  // whenever a hint is asked for: hints are for students), or a key the teacher wrote.
  bool prediction = !pair.beside || options_.hint;
  std::string expected_name = prediction ? fmt::format("your prediction ({})", pair.golden)
                                         : fmt::format("expected ({})", pair.golden);
  std::string actual_name = fmt::format("what runs ({})", pair.scenario);
  CompareOptions compare{.mode = options_.mode == "per-thread" ? CompareMode::PerThread : CompareMode::Exact,
                         .color = false,
                         .expected_name = expected_name,
                         .actual_name = actual_name,
                         .prediction = prediction,
                         .actual_kinds = kinds};
  CompareResult result = compare_traces(expected, actual, compare);
  o.score = result.score;
  if (result.equal) {
    o.status = Status::Pass;
    return o;
  }
  o.partial = options_.pass_score >= 0 && result.score >= options_.pass_score;
  o.status = o.partial ? Status::Pass : Status::Fail;
  o.summary = result.summary;
  o.hint = result.hint;
  o.report = std::move(result.report);
  if (coloured) {
    compare.color = true;
    display = compare_traces(expected, actual, compare).report;
  } else {
    display = o.report;
  }
  return o;
}

std::optional<Outcome> Grader::grade(const Pair& pair, bool coloured, std::string& display) {
  Outcome o;
  auto start = elt::real_time_now();
  std::string error;
  std::optional<std::string> golden;
  if (options_.update) {
    error = io_.refuse_update(pair);
  } else {
    golden = read_golden(pair.golden, pair.beside, error);
  }
  if (error.empty()) {
    const RunResult& run = run_for(pair.scenario);
    if (io_.stopped()) return std::nullopt;
    error = run.error.empty() ? refuse_empty_filter(run, pair.scenario) : run.error;
    if (error.empty() && options_.update) {
      error = io_.write_golden(pair.golden, comparable(options_, run));
      if (io_.stopped()) return std::nullopt;
      if (error.empty()) o.status = Status::Wrote;
    } else if (error.empty()) {
      o = compare_pair(pair, *golden, run, coloured, display);
    }
  }
  if (!error.empty()) {
    o.status = Status::Error;
    o.summary = error;
  }
  // A scenario graded against several goldens ran once: its cost counts at its first pair.
  o.seconds = std::chrono::duration<double>(elt::real_time_now() - start).count();
  return o;
}

}  // namespace elt::grade
