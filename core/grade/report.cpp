// Scores and their reports: the JUnit and JSON files follow the formats CI servers read; the
// lines on stdout are for a person grading by hand.
#include "grade/report.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "trace/format.h"

namespace elt::grade {

namespace {

namespace fs = std::filesystem;

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
  // push_back, not `= "."`: GCC 12 at -O3 warns (-Wrestrict, a known false positive) on
  // assigning a literal here once junit_xml inlines this function.
  if (folder.empty()) folder.push_back('.');
  return folder == p.suite ? p.suite : fmt::format("{}.{}", p.suite, folder);
}

// What a failure shows beyond its summary: the hint, the diff, or both (--hint --diffs).
std::string failure_text(const Outcome& o, const GradeOptions& options) {
  if (!options.hint) return o.report;
  std::string text = "hint: " + o.hint + "\n";
  return options.diffs ? text + o.report : text;
}

std::string junit_case(const Pair& pair, const Outcome& o, const GradeOptions& options) {
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
                       xml_escape(failure_text(o, options)));
  } else if (o.status == Status::Error) {
    out += fmt::format("      <error type=\"could not grade\" message=\"{}\">{}</error>\n", xml_escape(o.summary),
                       xml_escape(o.summary));
  } else if (o.partial) {
    // A pass on --pass-score still differs: say where, as a failure would.
    out += fmt::format("      <system-out>{}\n{}</system-out>\n", xml_escape(o.summary), xml_escape(failure_text(o, options)));
  }
  return out + "    </testcase>\n";
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

}  // namespace

std::string mode_words(const GradeOptions& options) {
  std::string words = options.mode;
  if (!options.only.empty()) words += ", thread " + options.only + " only";
  return fmt::format("{}, {} clock", words, options.clock);
}

std::string junit_xml(const std::vector<Pair>& pairs, const std::vector<Outcome>& outcomes, const GradeOptions& options) {
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
                     xml_escape(mode_words(options)), pairs.size(), count(nullptr, Status::Fail),
                     count(nullptr, Status::Error), seconds(nullptr));
  for (const auto& suite : suites) {
    std::size_t tests = 0;
    for (const auto& p : pairs) tests += p.suite == suite;
    out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n",
                       xml_escape(suite), tests, count(&suite, Status::Fail), count(&suite, Status::Error),
                       seconds(&suite));
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      if (pairs[i].suite == suite) out += junit_case(pairs[i], outcomes[i], options);
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

std::string json_summary(const std::vector<Pair>& pairs, const std::vector<Outcome>& outcomes, const GradeOptions& options) {
  nlohmann::ordered_json j;
  j["mode"] = options.mode;
  if (!options.only.empty()) j["only"] = options.only;
  j["clock"] = options.clock;
  if (options.pass_score >= 0) j["pass_score"] = options.pass_score;
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
    if (differs && options.hint) r["hint"] = o.hint;
    if (differs && (!options.hint || options.diffs)) r["report"] = o.report;
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

// One line per pair for stdout (and the diff or the hint after it when asked).
std::string outcome_text(const Pair& pair, const Outcome& o, const GradeOptions& options, bool show_diffs,
                         const std::string& display) {
  std::string out;
  switch (o.status) {
    case Status::Pass:
      if (o.partial) {
        out += fmt::format("ok: {} scores {:.2f} against {}, at least --pass-score {:.2f} ({}): {}\n",
                           elt::shown_on_one_line(pair.scenario), *o.score, elt::shown_on_one_line(pair.golden), options.pass_score, mode_words(options), o.summary);
      } else {
        out += fmt::format("ok: {} matches {} ({})\n", elt::shown_on_one_line(pair.scenario), elt::shown_on_one_line(pair.golden), mode_words(options));
      }
      break;
    case Status::Wrote: out += fmt::format("wrote {}\n", elt::shown_on_one_line(pair.golden)); break;
    case Status::Fail:
      out += fmt::format("FAIL: {} does not match {} ({}): {}; score {:.2f}\n", elt::shown_on_one_line(pair.scenario), elt::shown_on_one_line(pair.golden),
                         mode_words(options), o.summary, *o.score);
      break;
    case Status::Error:
      out += fmt::format("ERROR: {}: could not grade: {}\n", elt::shown_on_one_line(pair.scenario), o.summary);
      break;
  }
  bool differs = o.status == Status::Fail || o.partial;
  if (differs && options.hint) out += "  hint: " + o.hint + '\n';
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
                        const GradeOptions& options) {
  std::string out;
  std::size_t failed = 0, errors = 0;
  for (const auto& o : outcomes) {
    failed += o.status == Status::Fail;
    errors += o.status == Status::Error;
  }
  if (options.update) {
    out += fmt::format("wrote {} of {} goldens; {} could not be written\n", pairs.size() - errors, pairs.size(),
                       errors);
    return out;
  }
  out += fmt::format("checked {}: {} ok, {} failed, {} could not be graded ({})\n", pairs.size(),
                     pairs.size() - failed - errors, failed, errors, mode_words(options));
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

}  // namespace elt::grade
