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

#include "scenario/scenario.h"
#include "trace/compare.h"
#include "trace/format.h"

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
  double seconds = 0;
};

// What one run of a scenario produced; a scenario graded against many goldens runs once.
struct RunResult {
  std::string trace;   // in --format (text or jsonl)
  std::string output;  // what the program printed (print, print_content): --mode output
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
    error = fmt::format("{}: cannot open the golden trace: {}{}", path, strerror_of(err),
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

// What the program printed, as --mode output compares it: the text of each print, each
// content block with its banners, and nothing of the runtime's own lines.
void add_output(const TraceEvent& event, std::string& out) {
  if (event.kind == EventKind::Print) {
    out += event.text;
    out += '\n';
  } else if (event.kind == EventKind::Content) {
    std::string block;
    render_text(event, block, false);
    auto first = block.find_first_not_of('\n');
    auto last = block.find_last_not_of('\n');
    if (first != std::string::npos) out += block.substr(first, last - first + 1) + "\n";
  }
}

RunResult run_once(const CheckOptions& opts, const std::string& scenario) {
  RunResult r;
  RunOptions run = opts.run;
  run.scenario = scenario;
  try {
    std::string output;
    auto tracer = run_scenario(run, -1, [&](elt::Runtime&, elt::Tracer& t) {
      if (opts.mode == "output") t.set_observer([&output](const TraceEvent& e) { add_output(e, output); });
    });
    r.trace = tracer->captured();
    r.output = std::move(output);
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

std::string mode_words(const CheckOptions& opts) {
  std::string words = opts.mode;
  if (!opts.only.empty()) words += ", thread " + opts.only + " only";
  return fmt::format("{}, {} clock", words, opts.run.clock);
}

void validate(const CheckOptions& opts) {
  if (opts.run.format == "none") {
    throw UsageError("check compares traces, so it cannot take --format none; use text (the default) or jsonl");
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
      if (pairs[i].suite != suite) continue;
      const Outcome& o = outcomes[i];
      out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" time=\"{:.3f}\"", xml_escape(suite),
                         xml_escape(pairs[i].name), xml_escape(pairs[i].scenario), o.seconds);
      if (o.status == Status::Fail) {
        out += fmt::format(">\n      <failure type=\"trace differs\" message=\"{}\">{}</failure>\n    </testcase>\n",
                           xml_escape(o.summary), xml_escape(o.report));
      } else if (o.status == Status::Error) {
        out += fmt::format(">\n      <error type=\"could not grade\" message=\"{}\">{}</error>\n    </testcase>\n",
                           xml_escape(o.summary), xml_escape(o.summary));
      } else {
        out += "/>\n";
      }
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

std::string json_summary(const std::vector<Pair>& pairs, const std::vector<Outcome>& outcomes, const CheckOptions& opts) {
  nlohmann::ordered_json j;
  j["mode"] = opts.mode;
  if (!opts.only.empty()) j["only"] = opts.only;
  j["clock"] = opts.run.clock;
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
    if (o.status == Status::Fail) r["report"] = o.report;
    r["seconds"] = o.seconds;
    results.push_back(std::move(r));
  }
  j["passed"] = counts["pass"];
  j["failed"] = counts["fail"];
  j["errors"] = counts["error"];
  j["written"] = counts["wrote"];
  j["results"] = std::move(results);
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

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
  bool show_diffs = opts.diffs || pairs.size() == 1;

  std::map<std::string, RunResult> runs;  // by scenario path: one run however many goldens
  auto run_for = [&](const std::string& scenario) -> const RunResult& {
    std::error_code ec;
    std::string key = scenario == "-" ? "-" : fs::weakly_canonical(scenario, ec).string();
    if (key.empty()) key = scenario;
    auto it = runs.find(key);
    if (it != runs.end()) return it->second;
    return runs.emplace(key, run_once(opts, scenario)).first->second;
  };

  std::vector<Outcome> outcomes;
  for (const Pair& pair : pairs) {
    Outcome o;
    std::string display;  // a failure's report as shown on stdout (coloured on a terminal)
    auto start = std::chrono::steady_clock::now();
    std::string error;
    std::optional<std::string> golden;
    if (opts.update) {
      error = refuse_update(pair.golden, pair.scenario, opts);
    } else {
      golden = read_golden(pair.golden, pair.beside, error);
    }
    if (error.empty()) {
      const RunResult& run = run_for(pair.scenario);
      if (int sig = received_signal(); sig != 0) return 128 + sig;  // interrupted: grade nothing, write nothing
      if (!run.error.empty()) {
        error = run.error;
      } else if (opts.update) {
        error = write_atomically(pair.golden, comparable(opts, run));
        if (int sig = received_signal(); sig != 0) return 128 + sig;
        if (error.empty()) o.status = Status::Wrote;
      } else {
        std::string expected = opts.only.empty() ? *golden : select_thread(*golden, opts.only);
        std::string actual = comparable(opts, run);
        CompareMode mode = opts.mode == "per-thread" ? CompareMode::PerThread : CompareMode::Exact;
        CompareResult result = compare_traces(expected, actual, mode, false);
        if (result.equal) {
          o.status = Status::Pass;
        } else {
          o.status = Status::Fail;
          o.summary = result.summary;
          o.report = std::move(result.report);
          display = show_diffs && color ? compare_traces(expected, actual, mode, true).report : o.report;
        }
      }
    }
    if (!error.empty()) {
      o.status = Status::Error;
      o.summary = error;
    }
    // A scenario graded against several goldens ran once: its cost counts at its first pair.
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    switch (o.status) {
      case Status::Pass:
        std::cout << fmt::format("ok: {} matches {} ({})\n", pair.scenario, pair.golden, mode_words(opts));
        break;
      case Status::Wrote: std::cout << fmt::format("wrote {}\n", pair.golden); break;
      case Status::Fail: {
        std::cout << fmt::format("FAIL: {} does not match {} ({}): {}\n", pair.scenario, pair.golden,
                                 mode_words(opts), o.summary);
        if (show_diffs) {
          // The report opens with the summary just printed, unless it has one per thread.
          std::string_view report = display;
          if (report.starts_with(o.summary + "\n")) report.remove_prefix(o.summary.size() + 1);
          std::cout << report;
        }
        break;
      }
      case Status::Error:
        std::cout << fmt::format("ERROR: {}: could not grade: {}\n", pair.scenario, o.summary);
        std::cerr << "eventloop-trace: " << o.summary << '\n';
        break;
    }
    std::cout.flush();
    outcomes.push_back(std::move(o));
  }

  std::size_t failed = 0, errors = 0;
  for (const auto& o : outcomes) {
    failed += o.status == Status::Fail;
    errors += o.status == Status::Error;
  }
  if (pairs.size() > 1) {
    if (opts.update) {
      std::cout << fmt::format("wrote {} of {} goldens; {} could not be written\n", pairs.size() - errors,
                               pairs.size(), errors);
    } else {
      std::cout << fmt::format("checked {}: {} ok, {} failed, {} could not be graded ({})\n", pairs.size(),
                               pairs.size() - failed - errors, failed, errors, mode_words(opts));
    }
  }

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
  if (errors > 0 || !summaries_ok) return kExitBadInput;
  return failed > 0 ? kExitDifferent : 0;
}

}  // namespace elt::app
