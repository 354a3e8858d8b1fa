#include "grade/compare.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "grade/lcs.h"
#include "trace/format.h"

namespace elt {

namespace {

struct Line {
  std::string text;
  std::string thread;      // who printed it ("" for blank lines outside blocks)
  std::uint64_t tick = 0;  // the tick it was printed in
  std::size_t number = 0;  // 1-based, in the file (or the thread's own lines) it came from
  std::string_view kind;   // the run's lines only: what kind of line it is, for hints
};

constexpr std::string_view kThreadPrefix = "Thread: ";
constexpr std::string_view kStartPrefix = "===== THREAD ";
constexpr std::string_view kEnd = "===== END CONTENT =====";
constexpr std::string_view kSeparator = "\t ";  // between the thread's name and the text

// Splits a trace into lines, each with its thread and tick. A line's own '\r' is kept:
// it is one of the differences the report must be able to name.
std::vector<Line> annotate(std::string_view text) {
  std::vector<Line> out;
  std::uint64_t tick = 0;
  std::string block;  // the thread whose content block we are in
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    Line line{std::string(raw), {}, tick, out.size() + 1, {}};
    if (raw.ends_with('\r')) raw.remove_suffix(1);  // a CRLF golden still has threads and ticks
    if (!block.empty()) {
      line.thread = block;
      if (raw == kEnd) block.clear();
    } else if (raw.starts_with(kStartPrefix)) {
      auto rest = raw.substr(kStartPrefix.size());
      block = std::string(rest.substr(0, rest.find(' ')));
      line.thread = block;
    } else if (raw.starts_with(kThreadPrefix)) {
      auto rest = raw.substr(kThreadPrefix.size());
      line.thread = std::string(rest.substr(0, rest.find_first_of("\t ")));
      constexpr std::string_view kTick = "===== TICK ";
      auto pos = raw.find(kTick);
      if (pos != std::string_view::npos) {
        tick = std::strtoull(std::string(raw.substr(pos + kTick.size())).c_str(), nullptr, 10);
        line.tick = tick;
      }
    }
    out.push_back(std::move(line));
  }
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// A line with its white space normalised: runs collapsed to one space, none at the ends.
std::string squeeze(std::string_view s) {
  std::string out;
  bool pending = false;
  for (char c : s) {
    if (is_space(c)) {
      pending = !out.empty();
      continue;
    }
    if (pending) out += ' ';
    pending = false;
    out += c;
  }
  return out;
}

bool differs_only_in_space(std::string_view a, std::string_view b) { return a != b && squeeze(a) == squeeze(b); }

// "\t " -> "a tab, then a space"; "   " -> "3 spaces".
std::string describe_space(std::string_view s) {
  if (s.empty()) return "nothing";
  std::vector<std::string> runs;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t j = i;
    while (j < s.size() && s[j] == s[i]) ++j;
    std::string_view what = s[i] == '\t' ? "tab" : s[i] == '\r' ? "carriage return" : "space";
    runs.push_back(j - i == 1 ? fmt::format("a {}", what) : fmt::format("{} {}s", j - i, what));
    i = j;
  }
  std::string out = runs[0];
  for (std::size_t k = 1; k < runs.size(); ++k) out += ", then " + runs[k];
  return out;
}

std::string_view trailing_space(std::string_view s) {
  std::size_t end = s.size();
  while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t')) --end;
  return s.substr(end);
}

// What the two sides are called in a sentence: a report names a golden and a trace; a hint
// speaks to the student who wrote the prediction.
struct Nouns {
  std::string_view golden = "the golden", golden_line = "the golden line", golden_own = "the golden's";
  std::string_view trace = "the trace", trace_line = "the trace's line", trace_own = "the trace's";
  std::string_view note = "golden line";  // in a diff's note: "(golden line 5 differs only in white space: ...)"
};
constexpr Nouns kReportNouns{};
constexpr Nouns kHintNouns{"your prediction", "your line", "yours", "what runs", "the line that runs", "the run's",
                           "your line"};

// What tells two lines apart that differ only in white space, in the words of a reader.
std::string space_difference(std::string_view golden, std::string_view actual, const Nouns& w = kReportNouns) {
  std::vector<std::string> parts;
  bool g_cr = golden.ends_with('\r');
  bool a_cr = actual.ends_with('\r');
  if (g_cr != a_cr) {
    parts.push_back(g_cr ? fmt::format("{} ends in \\r (a CRLF line end, as Windows editors save)", w.golden_line)
                         : fmt::format("{} ends in \\r where {} does not", w.trace_line, w.golden_own));
  }
  if (g_cr) golden.remove_suffix(1);
  if (a_cr) actual.remove_suffix(1);
  auto g_tail = trailing_space(golden);
  auto a_tail = trailing_space(actual);
  if (g_tail != a_tail) {
    parts.push_back(fmt::format("{} ends in {} where {} ends in {}", w.golden_line, describe_space(g_tail), w.trace_own,
                                describe_space(a_tail)));
  }
  golden.remove_suffix(g_tail.size());
  actual.remove_suffix(a_tail.size());
  if (golden.starts_with(kThreadPrefix) && actual.starts_with(kThreadPrefix)) {
    auto separator = [](std::string_view s) {
      std::size_t name_end = s.find_first_of("\t ", kThreadPrefix.size());
      if (name_end == std::string_view::npos) return std::pair{s, std::string_view{}};
      std::size_t text_start = name_end;
      while (text_start < s.size() && is_space(s[text_start])) ++text_start;
      return std::pair{s.substr(0, name_end), s.substr(name_end, text_start - name_end)};
    };
    auto [g_name, g_sep] = separator(golden);
    auto [a_name, a_sep] = separator(actual);
    if (g_sep != a_sep) {
      parts.push_back(fmt::format("after \"{}\" {} has {} where {} has {}{}", g_name, w.golden,
                                  describe_space(g_sep), w.trace, describe_space(a_sep),
                                  a_sep == kSeparator ? " (the book's separator)" : ""));
      golden.remove_prefix(g_name.size() + g_sep.size());
      actual.remove_prefix(a_name.size() + a_sep.size());
    }
  }
  if (golden != actual) parts.push_back("the spaces inside the text differ");
  std::string out = parts.empty() ? std::string("the white space differs") : parts[0];
  for (std::size_t k = 1; k < parts.size(); ++k) out += "; " + parts[k];
  return out;
}

// A line with its white space made visible: a tab as \t, a carriage return as \r, a space as ·.
std::string visible(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == ' ') {
      out += "\u00b7";
    } else {
      out += c;
    }
  }
  return out;
}

struct Colors {
  std::string_view del, add, hunk, note, reset;
};

// " (tick 2, thread main)", or nothing for a line of no thread (a program's output, --mode output).
std::string where(const Line& line) {
  if (line.thread.empty()) return {};
  return fmt::format(" (tick {}, thread {})", line.tick, shown_on_one_line(line.thread));
}

// The diff, once the lines to show have been decided.
class DiffWriter {
 public:
  explicit DiffWriter(const Colors& c) : c_(c) {}

  // Lines past the limit are counted, not shown, so that the reader learns what is missing.
  void line(char op, const Line& l, bool show_space = false) {
    if (++lines_ > kMaxLines) {
      ++left_out_;
      return;
    }
    // A line may quote the program's own output (--mode output, verify), raw control
    // characters and all: shown as the trace shows scenario text, so that it cannot drive
    // the terminal. A trace's lines are escaped already and come out the same.
    std::string text = shown_on_one_line(show_space ? visible(l.text) : l.text);
    if (op == ' ') out_ += fmt::format(" {}\n", text);
    if (op == '-') out_ += fmt::format("{}-{}{}\n", c_.del, text, c_.reset);
    if (op == '+') out_ += fmt::format("{}+{}{}\n", c_.add, text, c_.reset);
  }
  void note(const std::string& text) {
    if (lines_ >= kMaxLines) return;  // notes explain shown lines only
    out_ += fmt::format("{}{}{}\n", c_.note, text, c_.reset);
  }
  void raw(const std::string& text) { out_ += text; }
  std::string finish() {
    if (left_out_ > 0) {
      out_ += fmt::format("... diff cut at {} lines: {} more line{} not shown\n", kMaxLines, left_out_,
                          left_out_ == 1 ? "" : "s");
    }
    return std::move(out_);
  }

 private:
  static constexpr std::size_t kMaxLines = 200;
  const Colors& c_;
  std::string out_;
  std::size_t lines_ = 0;
  std::size_t left_out_ = 0;
};

// A diff's middle as operations: ' ' keep, '-' from a, '+' from b.
using DiffOps = std::vector<std::pair<char, const Line*>>;

// The middle a[head, head+n) against b[head, head+m), aligned by longest common
// subsequence (a table of (n+1)(m+1) cells: the caller keeps it small).
DiffOps aligned_middle(const std::vector<Line>& a, const std::vector<Line>& b, std::size_t head, std::size_t n,
                       std::size_t m) {
  DiffOps ops;
  std::vector<std::vector<std::uint32_t>> lcs(n + 1, std::vector<std::uint32_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      lcs[i][j] = a[head + i].text == b[head + j].text ? lcs[i + 1][j + 1] + 1
                                                       : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[head + i].text == b[head + j].text) {
      ops.emplace_back(' ', &a[head + i]);
      ++i;
      ++j;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      ops.emplace_back('-', &a[head + i++]);  // removals first, as diff and git show them
    } else {
      ops.emplace_back('+', &b[head + j++]);
    }
  }
  return ops;
}

// A block of removals, then additions, from ops[k]: paired up, so that a pair that differs
// only in white space can be shown with its white space visible, and named. Returns the
// index after the block.
std::size_t write_change_block(DiffWriter& out, const DiffOps& ops, std::size_t k, const Nouns& w) {
  std::size_t minus_start = k;
  while (k < ops.size() && ops[k].first == '-') ++k;
  std::size_t plus_start = k;
  while (k < ops.size() && ops[k].first == '+') ++k;
  std::size_t minus = plus_start - minus_start, plus = k - plus_start;
  std::vector<bool> spaced(std::max(minus, plus), false);
  for (std::size_t p = 0; p < std::min(minus, plus); ++p) {
    spaced[p] = differs_only_in_space(ops[minus_start + p].second->text, ops[plus_start + p].second->text);
  }
  for (std::size_t p = 0; p < minus; ++p) out.line('-', *ops[minus_start + p].second, spaced[p]);
  for (std::size_t p = 0; p < plus; ++p) out.line('+', *ops[plus_start + p].second, spaced[p]);
  for (std::size_t p = 0; p < std::min(minus, plus); ++p) {
    if (!spaced[p]) continue;
    const Line& g = *ops[minus_start + p].second;
    out.note(fmt::format("  ({} {} differs only in white space: {})", w.note, g.number,
                         space_difference(g.text, ops[plus_start + p].second->text, w)));
  }
  return k;
}

// A unified diff of two line lists, after trimming the common head and tail. The middle
// is diffed by longest common subsequence when it is small; a trace that differs in a huge
// middle gets both sides of the first screenful instead, which is what a reader can use.
std::string unified_diff(const std::vector<Line>& a, const std::vector<Line>& b, const Colors& c,
                         std::string_view a_name, std::string_view b_name, const Nouns& w) {
  std::size_t head = 0;
  while (head < a.size() && head < b.size() && a[head].text == b[head].text) ++head;
  std::size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head &&
         a[a.size() - 1 - tail].text == b[b.size() - 1 - tail].text) {
    ++tail;
  }
  std::size_t n = a.size() - head - tail;
  std::size_t m = b.size() - head - tail;

  DiffOps ops;
  std::string too_large;
  constexpr std::size_t kMaxCells = 4'000'000;
  constexpr std::size_t kScreen = 40;
  if ((n + 1) * (m + 1) <= kMaxCells) {
    ops = aligned_middle(a, b, head, n, m);
  } else {
    for (std::size_t i = 0; i < std::min(n, kScreen); ++i) ops.emplace_back('-', &a[head + i]);
    for (std::size_t j = 0; j < std::min(m, kScreen); ++j) ops.emplace_back('+', &b[head + j]);
    too_large = fmt::format(
        "... the differing middle is too large to align ({} golden and {} actual lines): shown are the first {} of "
        "each; {} golden and {} actual lines left out\n",
        n, m, kScreen, n - std::min(n, kScreen), m - std::min(m, kScreen));
  }

  constexpr std::size_t kContext = 3;
  DiffWriter out(c);
  out.raw(fmt::format("--- {}\n+++ {}\n", shown_on_one_line(a_name), shown_on_one_line(b_name)));
  std::size_t ctx_start = head >= kContext ? head - kContext : 0;
  std::size_t a_count = (head - ctx_start), b_count = (head - ctx_start);
  for (const auto& [op, line] : ops) {
    if (op != '+') ++a_count;
    if (op != '-') ++b_count;
  }
  std::size_t after = std::min(kContext, tail);
  a_count += after;
  b_count += after;
  out.raw(fmt::format("{}@@ -{},{} +{},{} @@{}\n", c.hunk, ctx_start + 1, a_count, ctx_start + 1, b_count, c.reset));
  for (std::size_t i = ctx_start; i < head; ++i) out.line(' ', a[i]);
  for (std::size_t k = 0; k < ops.size();) {
    if (ops[k].first == ' ') {
      out.line(' ', *ops[k++].second);
    } else {
      k = write_change_block(out, ops, k, w);
    }
  }
  for (std::size_t k = 0; k < after; ++k) out.line(' ', a[a.size() - tail + k]);
  if (!too_large.empty()) out.raw(too_large);
  return out.finish();
}

// The first line of a report: where the two line lists part.
std::string first_difference(const std::vector<Line>& a, const std::vector<Line>& b, std::string_view prefix,
                             std::string_view unit, const Nouns& w) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i].text == b[i].text) ++i;
  const Line& at = i < a.size() ? a[i] : b[i];
  if (i < a.size() && i < b.size() && differs_only_in_space(a[i].text, b[i].text)) {
    return fmt::format("{}{} {} differs only in white space{}: {}", prefix, unit, i + 1, where(at),
                       space_difference(a[i].text, b[i].text, w));
  }
  if (i == a.size()) return fmt::format("{}{} ends at {} {}; {} goes on{}", prefix, w.golden, unit, i, w.trace, where(at));
  if (i == b.size()) return fmt::format("{}{} ends at {} {}; {} goes on{}", prefix, w.trace, unit, i, w.golden, where(at));
  return fmt::format("{}first difference at {} {}{}", prefix, unit, i + 1, where(at));
}

// A golden saved with CRLF line ends differs on every line; say that once, then compare
// what is left, so that a real difference behind the line ends is still found.
bool strip_crlf(std::vector<Line>& golden, const std::vector<Line>& actual) {
  auto cr = [](const Line& l) { return l.text.ends_with('\r'); };
  std::size_t with_cr = static_cast<std::size_t>(std::count_if(golden.begin(), golden.end(), cr));
  if (with_cr == 0 || with_cr + 1 < golden.size() || std::any_of(actual.begin(), actual.end(), cr)) return false;
  for (auto& l : golden) {
    if (cr(l)) l.text.pop_back();
  }
  return true;
}

std::string crlf_words(const Nouns& w) {
  return fmt::format("{} has CRLF line ends (\\r\\n, as Windows editors save) where {} has \\n", w.golden, w.trace);
}

// Partial credit for one pair of line lists: (lines shared in order, the longer's length).
std::pair<std::size_t, std::size_t> shared_lines(const std::vector<Line>& a, const std::vector<Line>& b) {
  std::unordered_map<std::string_view, std::uint32_t> ids;
  auto encode = [&ids](const std::vector<Line>& lines) {
    std::vector<std::uint32_t> out;
    out.reserve(lines.size());
    for (const Line& l : lines) out.push_back(ids.try_emplace(l.text, static_cast<std::uint32_t>(ids.size())).first->second);
    return out;
  };
  auto x = encode(a);
  auto y = encode(b);
  return {lcs_length(x, y), std::max(a.size(), b.size())};
}

double share_of(std::pair<std::size_t, std::size_t> shared) {
  return shared.second == 0 ? 1.0 : static_cast<double>(shared.first) / static_cast<double>(shared.second);
}

std::string lines_word(std::size_t n) { return fmt::format("{} line{}", n, n == 1 ? "" : "s"); }

// Where the prediction `a` first parts from the run `b`, naming only the kind of the run's
// line there (never its text): what a student may be told without being given the answer.
std::string hint_for(const std::vector<Line>& a, const std::vector<Line>& b, std::string_view prefix,
                     std::string_view unit) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i].text == b[i].text) ++i;
  auto kind = [&](std::size_t k) { return b[k].kind.empty() ? std::string_view("a line") : b[k].kind; };
  if (i < a.size() && i < b.size()) {
    if (differs_only_in_space(a[i].text, b[i].text)) {
      return fmt::format("{}{} {} of your prediction has the right words but not the right white space{}: {}", prefix, unit, i + 1,
                         where(b[i]), space_difference(a[i].text, b[i].text, kHintNouns));
    }
    return fmt::format("{}your prediction first goes wrong at {} {}: what runs there is {}{}", prefix, unit, i + 1,
                       kind(i), where(b[i]));
  }
  if (i == a.size()) {
    return fmt::format("{}your prediction stops after {} {}: what runs goes on for {} more, the next {}{}", prefix,
                       unit, i, lines_word(b.size() - i), kind(i), where(b[i]));
  }
  return fmt::format("{}your prediction goes on after what runs has ended: {} too many from {} {}", prefix,
                     lines_word(a.size() - i), unit, i + 1);
}

void attach_kinds(std::vector<Line>& lines, std::span<const std::string> kinds) {
  if (kinds.size() != lines.size()) return;  // not the trace they describe: say "a line"
  for (std::size_t k = 0; k < lines.size(); ++k) lines[k].kind = kinds[k];
}

CompareResult compare_exact(const std::vector<Line>& a, const std::vector<Line>& b, bool crlf, const Colors& c,
                            const CompareOptions& o) {
  const Nouns& w = o.prediction ? kHintNouns : kReportNouns;
  CompareResult result;
  result.equal = false;
  bool same_lines = a.size() == b.size() &&
                    std::equal(a.begin(), a.end(), b.begin(), [](const Line& l, const Line& r) { return l.text == r.text; });
  if (same_lines && crlf) {
    result.summary = fmt::format("the traces differ only in their line ends: {}", crlf_words(w));
  } else if (same_lines) {
    result.summary = "the traces differ only in their final newline";
  } else {
    result.summary = first_difference(a, b, crlf ? fmt::format("{}; and ", crlf_words(w)) : "", "line", w);
  }
  result.report = result.summary + "\n";
  result.hint = same_lines ? result.summary : hint_for(a, b, "", "line");
  if (!same_lines) result.report += unified_diff(a, b, c, o.expected_name, o.actual_name, w);
  result.score = share_of(shared_lines(a, b));
  return result;
}

CompareResult compare_per_thread(const std::vector<Line>& a, const std::vector<Line>& b, bool crlf, const Colors& c,
                                 const CompareOptions& o) {
  const Nouns& w = o.prediction ? kHintNouns : kReportNouns;
  CompareResult result;
  std::map<std::string, std::pair<std::vector<Line>, std::vector<Line>>> threads;
  for (auto& line : a) {
    if (!line.thread.empty()) threads[line.thread].first.push_back(line);
  }
  for (auto& line : b) {
    if (!line.thread.empty()) threads[line.thread].second.push_back(line);
  }
  std::size_t shared = 0, longer = 0;
  for (auto& [name, pair] : threads) {
    auto& [x, y] = pair;
    auto [common, length] = shared_lines(x, y);
    shared += common;
    longer += length;
    bool same = x.size() == y.size() &&
                std::equal(x.begin(), x.end(), y.begin(), [](const Line& l, const Line& r) { return l.text == r.text; });
    if (same) continue;
    // Number each thread's lines from 1, as "its line N" says.
    for (std::size_t k = 0; k < x.size(); ++k) x[k].number = k + 1;
    for (std::size_t k = 0; k < y.size(); ++k) y[k].number = k + 1;
    // A thread's name comes from the golden too, which may be typed by hand: shown escaped.
    const std::string shown = shown_on_one_line(name);
    std::string line = first_difference(x, y, fmt::format("thread {}: ", shown), "its line", w);
    if (!result.equal) {
      result.summary += "; ";
      result.hint += "; ";
    } else if (crlf) {
      result.summary = fmt::format("{}; and ", crlf_words(w));
    }
    result.equal = false;
    result.summary += line;
    result.hint += hint_for(x, y, fmt::format("in thread {}'s lines: ", shown), "line");
    result.report += line + "\n";
    result.report += unified_diff(x, y, c, fmt::format("{}, thread {}", o.expected_name, name),
                                  fmt::format("{}, thread {}", o.actual_name, name), w);
  }
  result.score = share_of({shared, longer});
  if (result.equal && crlf) {
    result.equal = false;
    result.summary = fmt::format("the traces differ only in their line ends: {}", crlf_words(w));
    result.report = result.summary + "\n";
    result.hint = result.summary;
  }
  if (result.equal) result.summary.clear();  // per thread, the interleaving may differ
  return result;
}

}  // namespace

CompareResult compare_traces(std::string_view expected, std::string_view actual, const CompareOptions& options) {
  Colors c = options.color ? Colors{"\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[33m", "\x1b[0m"}
                           : Colors{"", "", "", "", ""};
  if (expected == actual) return {};
  auto a = annotate(expected);
  auto b = annotate(actual);
  attach_kinds(b, options.actual_kinds);
  bool crlf = strip_crlf(a, b);
  if (options.mode == CompareMode::Exact) return compare_exact(a, b, crlf, c, options);
  return compare_per_thread(a, b, crlf, c, options);
}

CompareResult compare_traces(std::string_view expected, std::string_view actual, CompareMode mode, bool color,
                             std::string_view expected_name, std::string_view actual_name) {
  return compare_traces(expected, actual,
                        CompareOptions{.mode = mode, .color = color, .expected_name = expected_name,
                                       .actual_name = actual_name, .prediction = false, .actual_kinds = {}});
}

std::vector<std::string> trace_threads(std::string_view trace) {
  std::vector<std::string> out;
  for (const Line& line : annotate(trace)) {
    if (!line.thread.empty() && std::find(out.begin(), out.end(), line.thread) == out.end()) out.push_back(line.thread);
  }
  return out;
}

std::vector<std::size_t> thread_line_indices(std::string_view trace, std::string_view thread) {
  std::vector<std::size_t> out;
  auto lines = annotate(trace);
  for (std::size_t k = 0; k < lines.size(); ++k) {
    if (lines[k].thread == thread) out.push_back(k);
  }
  return out;
}

std::string select_thread(std::string_view trace, std::string_view thread) {
  std::string out;
  for (const Line& line : annotate(trace)) {
    if (line.thread == thread) {
      out += line.text;
      out += '\n';
    }
  }
  return out;
}

}  // namespace elt
