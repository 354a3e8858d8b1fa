// `eventloop-trace check`, in four steps: plan the pairs (arguments and folders to scenario/
// golden pairs), grade each pair (read the golden, run the scenario once however many goldens
// it has, compare), print one line per pair, write the JUnit and JSON summaries.
//
// Each pair ends in one of four states: pass, fail (the traces differ), error (it could not
// be graded) or wrote (--update). An error in one pair never stops the others; a signal
// stops everything, and nothing is written after it.
#include "cmd_check.h"

#include "output_file.h"
#include "process.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <new>
#include <optional>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clock/clock.h"
#include "common/did_you_mean.h"
#include "scenario/scenario.h"
#include "trace/compare.h"
#include "trace/format.h"
#include "trace/line_kinds.h"

namespace elt::app {

namespace {

namespace fs = std::filesystem;

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

// What one run of a scenario produced; a scenario graded against many goldens runs once.
struct RunResult {
  std::string trace;   // in --format (text or jsonl)
  std::string output;  // what the program printed (print, print_content): --mode output
  std::vector<std::string> kinds;  // --hint: what kind each line of trace (or output) is
  std::string error;   // non-empty: the run failed, with this message
};

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

// Reads a golden, or says why it cannot be graded.
std::optional<std::string> read_golden(const std::string& path, bool beside, std::string& error) {
  if (path == "-") {
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
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    // A student's folder without the file: a prediction not handed in, and said so.
    error = err == ENOENT && !beside
                ? fmt::format("no prediction {}: {}", path, strerror_of(err))
                : fmt::format("{}: cannot open the golden trace: {}{}", path, strerror_of(err),
                              err == ENOENT && beside ? " (write it with --update)" : "");
    return std::nullopt;
  }
  if (S_ISDIR(st.st_mode)) {
    error = fmt::format("{}: is a directory, not a golden trace", path);
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
    error = fmt::format("{}: is not a regular file (a device?), not a golden trace", path);
    return std::nullopt;
  }
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
  // The commonest slip: the two arguments swapped.
  auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{' && parses_as_json(text)) {
    error = fmt::format("{}: holds JSON (a scenario?), not a golden trace; the order is check SCENARIO GOLDEN", path);
    return std::nullopt;
  }
  return text;
}

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

// The text compared (and written by --update) for a run, and its golden's counterpart.
std::string comparable(const CheckOptions& opts, const RunResult& run) {
  if (opts.mode == "output") return run.output;
  if (!opts.only.empty()) return select_thread(run.trace, opts.only);
  return run.trace;
}

// The kinds of the lines comparable() returns, for --hint; empty when unknown.
std::vector<std::string> comparable_kinds(const CheckOptions& opts, const RunResult& run) {
  if (opts.mode == "output" || opts.only.empty()) return run.kinds;
  std::vector<std::string> out;
  for (std::size_t k : thread_line_indices(run.trace, opts.only)) {
    if (k >= run.kinds.size()) return {};
    out.push_back(run.kinds[k]);
  }
  return out;
}

// --only naming a thread the run does not have would compare nothing with nothing, and
// pass everyone (or write an empty key): refused, with the threads there are.
std::string empty_filter(const CheckOptions& opts, const RunResult& run, const std::string& scenario,
                         const std::string& actual) {
  if (opts.only.empty() || !actual.empty()) return {};
  auto threads = trace_threads(run.trace);
  std::sort(threads.begin(), threads.end());
  std::string list;
  for (const auto& t : threads) list += (list.empty() ? "" : ", ") + t;
  std::string hint = elt::did_you_mean(opts.only, threads);
  return fmt::format("--only {}: the run of {} has no line of thread {}{}; its threads are {}", opts.only, scenario,
                     opts.only, hint.empty() ? "" : fmt::format(" (did you mean {}?)", hint),
                     list.empty() ? "none" : list);
}

std::string mode_words(const CheckOptions& opts) {
  std::string words = opts.mode;
  if (!opts.only.empty()) words += ", thread " + opts.only + " only";
  return fmt::format("{}, {} clock", words, opts.run.clock);
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

// XML 1.0 text: markup characters escaped, control characters and broken UTF-8 replaced,
// so that a golden full of garbage still makes a file a CI server can read.
std::string xml_escape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool valid = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(s[i + k]) >> 6) == 0x2;
    if (!valid) {
      out += "\xef\xbf\xbd";  // U+FFFD
      ++i;
      continue;
    }
    if (len > 1) {
      out.append(s.substr(i, len));
    } else if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '"') {
      out += "&quot;";
    } else if (c == '\r') {
      out += "&#13;";
    } else if (c == '\t' || c == '\n') {
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += "\xef\xbf\xbd";
    } else {
      out += static_cast<char>(c);
    }
    i += len;
  }
  return out;
}

std::string_view status_word(Status s) {
  switch (s) {
    case Status::Pass: return "pass";
    case Status::Fail: return "fail";
    case Status::Error: return "error";
    case Status::Wrote: return "wrote";
  }
  return "?";
}

// Scores are shown to three places: enough to rank, and the same in every summary.
double rounded(double score) { return std::round(score * 1000) / 1000; }

// A JUnit class per golden folder and assignment: students/ben.assignment1. Two assignments
// with a scenario of the same name are then two cases, not one shown twice.
std::string classname(const Pair& p) {
  std::string folder = p.scenario == "-" ? "<stdin>" : fs::path(p.scenario).parent_path().string();
  if (folder.empty()) folder = ".";
  return folder == p.suite ? p.suite : fmt::format("{}.{}", p.suite, folder);
}

// What a failure shows beyond its summary: the hint, the diff, or both (--hint --diffs).
std::string failure_text(const Outcome& o, const CheckOptions& opts) {
  if (!opts.hint) return o.report;
  std::string text = "hint: " + o.hint + "\n";
  return opts.diffs ? text + o.report : text;
}

std::string junit_case(const Pair& pair, const Outcome& o, const CheckOptions& opts) {
  std::string out = fmt::format("    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" time=\"{:.3f}\"",
                                xml_escape(classname(pair)), xml_escape(pair.name), xml_escape(pair.scenario),
                                o.seconds);
  if (!o.score && o.status != Status::Fail && o.status != Status::Error) return out + "/>\n";
  out += ">\n";
  if (o.score) {
    out += fmt::format("      <properties><property name=\"score\" value=\"{}\"/></properties>\n", rounded(*o.score));
  }
  if (o.status == Status::Fail) {
    out += fmt::format("      <failure type=\"trace differs\" message=\"{}\">{}</failure>\n", xml_escape(o.summary),
                       xml_escape(failure_text(o, opts)));
  } else if (o.status == Status::Error) {
    out += fmt::format("      <error type=\"could not grade\" message=\"{}\">{}</error>\n", xml_escape(o.summary),
                       xml_escape(o.summary));
  } else if (o.partial) {
    // A pass on --pass-score still differs: say where, as a failure would.
    out += fmt::format("      <system-out>{}\n{}</system-out>\n", xml_escape(o.summary), xml_escape(failure_text(o, opts)));
  }
  return out + "    </testcase>\n";
}

std::string junit_xml(const std::vector<Pair>& pairs, const std::vector<Outcome>& outcomes, const CheckOptions& opts) {
  // One <testsuite> per golden folder, in order of first appearance: a student per suite.
  std::vector<std::string> suites;
  for (const auto& p : pairs) {
    if (std::find(suites.begin(), suites.end(), p.suite) == suites.end()) suites.push_back(p.suite);
  }
  auto count = [&](const std::string* suite, Status s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < pairs.size(); ++i) n += (suite == nullptr || pairs[i].suite == *suite) && outcomes[i].status == s;
    return n;
  };
  auto seconds = [&](const std::string* suite) {
    double t = 0;
    for (std::size_t i = 0; i < pairs.size(); ++i) t += (suite == nullptr || pairs[i].suite == *suite) ? outcomes[i].seconds : 0;
    return t;
  };
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"eventloop-trace check ({})\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n",
                     xml_escape(mode_words(opts)), pairs.size(), count(nullptr, Status::Fail),
                     count(nullptr, Status::Error), seconds(nullptr));
  for (const auto& suite : suites) {
    std::size_t tests = 0;
    for (const auto& p : pairs) tests += p.suite == suite;
    out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n",
                       xml_escape(suite), tests, count(&suite, Status::Fail), count(&suite, Status::Error),
                       seconds(&suite));
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      if (pairs[i].suite == suite) out += junit_case(pairs[i], outcomes[i], opts);
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

// The mean score of the graded pairs (of one golden folder, or of all); none when none was graded.
std::optional<double> mean_score(const std::vector<Outcome>& outcomes, const std::string* suite,
                                 const std::vector<Pair>& pairs) {
  double sum = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (!outcomes[i].score || (suite != nullptr && pairs[i].suite != *suite)) continue;
    sum += *outcomes[i].score;
    ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / static_cast<double>(n);
}

std::string json_summary(const std::vector<Pair>& pairs, const std::vector<Outcome>& outcomes, const CheckOptions& opts) {
  nlohmann::ordered_json j;
  j["mode"] = opts.mode;
  if (!opts.only.empty()) j["only"] = opts.only;
  j["clock"] = opts.run.clock;
  if (opts.pass_score >= 0) j["pass_score"] = opts.pass_score;
  std::map<std::string, std::size_t> counts{{"pass", 0}, {"fail", 0}, {"error", 0}, {"wrote", 0}};
  auto results = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const Outcome& o = outcomes[i];
    ++counts[std::string(status_word(o.status))];
    nlohmann::ordered_json r;
    r["name"] = pairs[i].name;
    r["suite"] = pairs[i].suite;
    r["scenario"] = pairs[i].scenario;
    r["golden"] = pairs[i].golden;
    r["status"] = status_word(o.status);
    r["message"] = o.summary;
    r["score"] = o.score ? nlohmann::ordered_json(rounded(*o.score)) : nlohmann::ordered_json(nullptr);
    if (o.partial) r["passed_on_score"] = true;
    bool differs = o.status == Status::Fail || o.partial;
    if (differs && opts.hint) r["hint"] = o.hint;
    if (differs && (!opts.hint || opts.diffs)) r["report"] = o.report;
    r["seconds"] = o.seconds;
    results.push_back(std::move(r));
  }
  j["passed"] = counts["pass"];
  j["failed"] = counts["fail"];
  j["errors"] = counts["error"];
  j["written"] = counts["wrote"];
  if (auto mean = mean_score(outcomes, nullptr, pairs)) j["mean_score"] = rounded(*mean);
  j["results"] = std::move(results);
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// Compares one pair that ran: pass, fail, or (--pass-score) a partial pass. `display` gets
// the report as stdout shows it (coloured on a terminal).
Outcome compare_pair(const Pair& pair, const CheckOptions& opts, const std::string& golden, const RunResult& run,
                     bool coloured, std::string& display) {
  Outcome o;
  std::string expected = opts.only.empty() ? golden : select_thread(golden, opts.only);
  std::string actual = comparable(opts, run);
  std::vector<std::string> kinds = opts.hint ? comparable_kinds(opts, run) : std::vector<std::string>{};
  // The sides named for what they are: a student's prediction (from a golden folder, or
  // whenever a hint is asked for: hints are for students), or a key the teacher wrote.
  bool prediction = !pair.beside || opts.hint;
  std::string expected_name = prediction ? fmt::format("your prediction ({})", pair.golden)
                                         : fmt::format("expected ({})", pair.golden);
  std::string actual_name = fmt::format("what runs ({})", pair.scenario);
  CompareOptions options{.mode = opts.mode == "per-thread" ? CompareMode::PerThread : CompareMode::Exact,
                         .color = false,
                         .expected_name = expected_name,
                         .actual_name = actual_name,
                         .prediction = prediction,
                         .actual_kinds = kinds};
  CompareResult result = compare_traces(expected, actual, options);
  o.score = result.score;
  if (result.equal) {
    o.status = Status::Pass;
    return o;
  }
  o.partial = opts.pass_score >= 0 && result.score >= opts.pass_score;
  o.status = o.partial ? Status::Pass : Status::Fail;
  o.summary = result.summary;
  o.hint = result.hint;
  o.report = std::move(result.report);
  if (coloured) {
    options.color = true;
    display = compare_traces(expected, actual, options).report;
  } else {
    display = o.report;
  }
  return o;
}

// One line per pair for stdout (and the diff or the hint after it when asked).
std::string outcome_text(const Pair& pair, const Outcome& o, const CheckOptions& opts, bool show_diffs,
                         const std::string& display) {
  std::string out;
  switch (o.status) {
    case Status::Pass:
      if (o.partial) {
        out += fmt::format("ok: {} scores {:.2f} against {}, at least --pass-score {:.2f} ({}): {}\n",
                           elt::shown_on_one_line(pair.scenario), *o.score, elt::shown_on_one_line(pair.golden), opts.pass_score, mode_words(opts), o.summary);
      } else {
        out += fmt::format("ok: {} matches {} ({})\n", elt::shown_on_one_line(pair.scenario), elt::shown_on_one_line(pair.golden), mode_words(opts));
      }
      break;
    case Status::Wrote: out += fmt::format("wrote {}\n", elt::shown_on_one_line(pair.golden)); break;
    case Status::Fail:
      out += fmt::format("FAIL: {} does not match {} ({}): {}; score {:.2f}\n", elt::shown_on_one_line(pair.scenario), elt::shown_on_one_line(pair.golden),
                         mode_words(opts), o.summary, *o.score);
      break;
    case Status::Error:
      out += fmt::format("ERROR: {}: could not grade: {}\n", elt::shown_on_one_line(pair.scenario), o.summary);
      std::cerr << "eventloop-trace: " << o.summary << '\n';
      break;
  }
  bool differs = o.status == Status::Fail || o.partial;
  if (differs && opts.hint) out += "  hint: " + o.hint + '\n';
  if (differs && show_diffs) {
    // The report opens with the summary just printed, unless it has one per thread.
    std::string_view report = display;
    if (report.starts_with(o.summary + "\n")) report.remove_prefix(o.summary.size() + 1);
    out += report;
  }
  return out;
}

// The last lines: how many passed, and the mean score (per golden folder when there are several).
std::string totals_text(const std::vector<Pair>& pairs, const std::vector<Outcome>& outcomes,
                        const CheckOptions& opts) {
  std::string out;
  std::size_t failed = 0, errors = 0;
  for (const auto& o : outcomes) {
    failed += o.status == Status::Fail;
    errors += o.status == Status::Error;
  }
  if (opts.update) {
    out += fmt::format("wrote {} of {} goldens; {} could not be written\n", pairs.size() - errors, pairs.size(),
                       errors);
    return out;
  }
  out += fmt::format("checked {}: {} ok, {} failed, {} could not be graded ({})\n", pairs.size(),
                     pairs.size() - failed - errors, failed, errors, mode_words(opts));
  auto mean = mean_score(outcomes, nullptr, pairs);
  if (!mean) return out;
  std::vector<std::string> suites;
  for (const auto& p : pairs) {
    if (std::find(suites.begin(), suites.end(), p.suite) == suites.end()) suites.push_back(p.suite);
  }
  std::string by;
  for (const auto& suite : suites) {
    if (auto m = mean_score(outcomes, &suite, pairs); m && suites.size() > 1) {
      by += fmt::format("{}{} {:.2f}", by.empty() ? "; by golden folder: " : ", ", suite, *m);
    }
  }
  out += fmt::format("mean score {:.2f} over {} graded{}\n", *mean, pairs.size() - errors, by);
  return out;
}

// The runs so far, by scenario path: a scenario graded against many goldens runs once.
const RunResult& run_for(std::map<std::string, RunResult>& runs, const CheckOptions& opts,
                         const std::string& scenario) {
  std::error_code ec;
  std::string key = scenario == "-" ? "-" : fs::weakly_canonical(scenario, ec).string();
  if (key.empty()) key = scenario;
  auto it = runs.find(key);
  if (it != runs.end()) return it->second;
  return runs.emplace(key, run_once(opts, scenario)).first->second;
}

// One pair, graded or written; nullopt when a signal came meanwhile (grade nothing, write nothing).
std::optional<Outcome> grade_one(const Pair& pair, const CheckOptions& opts, std::map<std::string, RunResult>& runs,
                                 bool coloured, std::string& display) {
  Outcome o;
  auto start = elt::real_time_now();  // how long the run took, in real time on either clock
  std::string error;
  std::optional<std::string> golden;
  if (opts.update) {
    error = refuse_update(pair.golden, pair.scenario, opts);
  } else {
    golden = read_golden(pair.golden, pair.beside, error);
  }
  if (error.empty()) {
    const RunResult& run = run_for(runs, opts, pair.scenario);
    if (received_signal() != 0) return std::nullopt;
    error = run.error.empty() ? empty_filter(opts, run, pair.scenario, comparable(opts, run)) : run.error;
    if (error.empty() && opts.update) {
      error = write_atomically(pair.golden, comparable(opts, run));
      if (received_signal() != 0) return std::nullopt;
      if (error.empty()) o.status = Status::Wrote;
    } else if (error.empty()) {
      o = compare_pair(pair, opts, *golden, run, coloured, display);
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

}  // namespace

int run_check(const CheckOptions& opts) {
  validate(opts);
  check_outputs(opts);
  std::vector<Pair> pairs = plan(opts.paths);
  bool color = use_color(opts.run.color, STDOUT_FILENO);
  // A student asking for a hint is not shown the answer, even for a single pair.
  bool show_diffs = opts.diffs || (pairs.size() == 1 && !opts.hint);

  std::map<std::string, RunResult> runs;
  std::vector<Outcome> outcomes;
  ResultsOut results;
  for (const Pair& pair : pairs) {
    std::string display;  // a failure's report as shown on stdout (coloured on a terminal)
    auto o = grade_one(pair, opts, runs, show_diffs && color, display);
    if (!o) return 128 + received_signal();
    results.write(outcome_text(pair, *o, opts, show_diffs, display));
    outcomes.push_back(std::move(*o));
  }
  if (pairs.size() > 1) results.write(totals_text(pairs, outcomes, opts));

  auto write_summary = [&](const std::string& path, const std::string& text, std::string_view what) {
    if (path.empty()) return true;
    WriteResult result = write_file_atomically(path, text, what);
    if (result.ok() || result.kind == WriteResult::Kind::Interrupted) return true;  // a signal: 128+n below
    std::cerr << "eventloop-trace: " << result.message << '\n';
    return false;
  };
  bool summaries_ok = write_summary(opts.junit, junit_xml(pairs, outcomes, opts), "the JUnit summary");
  summaries_ok = write_summary(opts.json, json_summary(pairs, outcomes, opts), "the JSON summary") && summaries_ok;
  if (int sig = received_signal(); sig != 0) return 128 + sig;
  if (results.error != 0 && results.error != EPIPE) {
    throw std::system_error(results.error, std::generic_category(), "writing the results to standard output");
  }
  std::size_t failed = 0, errors = 0;
  for (const auto& o : outcomes) {
    failed += o.status == Status::Fail;
    errors += o.status == Status::Error;
  }
  if (errors > 0 || !summaries_ok) return kExitBadInput;
  return failed > 0 ? kExitDifferent : 0;
}

}  // namespace elt::app
