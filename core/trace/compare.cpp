#include "trace/compare.h"

#include <algorithm>
#include <map>
#include <vector>

#include <fmt/format.h>

namespace elt {

namespace {

struct Line {
  std::string text;
  std::string thread;      // who printed it ("" for blank lines outside blocks)
  std::uint64_t tick = 0;  // the tick it was printed in
};

constexpr std::string_view kThreadPrefix = "Thread: ";
constexpr std::string_view kStartPrefix = "===== THREAD ";
constexpr std::string_view kEnd = "===== END CONTENT =====";

// Splits a trace into lines, each with its thread and tick.
std::vector<Line> annotate(std::string_view text) {
  std::vector<Line> out;
  std::uint64_t tick = 0;
  std::string block;  // the thread whose content block we are in
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    Line line{std::string(raw), {}, tick};
    if (!block.empty()) {
      line.thread = block;
      if (raw == kEnd) block.clear();
    } else if (raw.starts_with(kStartPrefix)) {
      auto rest = raw.substr(kStartPrefix.size());
      block = std::string(rest.substr(0, rest.find(' ')));
      line.thread = block;
    } else if (raw.starts_with(kThreadPrefix)) {
      auto rest = raw.substr(kThreadPrefix.size());
      line.thread = std::string(rest.substr(0, rest.find('\t')));
      constexpr std::string_view kTick = "\t ===== TICK ";
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

struct Colors {
  std::string_view del, add, hunk, reset;
};

std::string where(const Line& line) {
  return fmt::format("tick {}, thread {}", line.tick, line.thread.empty() ? "-" : line.thread);
}

// A unified diff of two line lists, after trimming the common head and tail. The middle
// is diffed by longest common subsequence when it is small; a trace that differs in a huge
// middle gets both sides of the first screenful instead, which is what a reader can use.
std::string unified_diff(const std::vector<Line>& a, const std::vector<Line>& b, const Colors& c,
                         std::string_view a_name, std::string_view b_name) {
  std::size_t head = 0;
  while (head < a.size() && head < b.size() && a[head].text == b[head].text) ++head;
  std::size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head &&
         a[a.size() - 1 - tail].text == b[b.size() - 1 - tail].text) {
    ++tail;
  }
  std::size_t n = a.size() - head - tail;
  std::size_t m = b.size() - head - tail;

  // ops: ' ' keep, '-' from a, '+' from b, over the middle
  std::vector<std::pair<char, const Line*>> ops;
  constexpr std::size_t kMaxCells = 4'000'000;
  if ((n + 1) * (m + 1) <= kMaxCells) {
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
  } else {
    for (std::size_t i = 0; i < std::min<std::size_t>(n, 40); ++i) ops.emplace_back('-', &a[head + i]);
    for (std::size_t j = 0; j < std::min<std::size_t>(m, 40); ++j) ops.emplace_back('+', &b[head + j]);
  }

  constexpr std::size_t kContext = 3;
  std::string out = fmt::format("--- {}\n+++ {}\n", a_name, b_name);
  std::size_t ctx_start = head >= kContext ? head - kContext : 0;
  std::size_t a_count = (head - ctx_start), b_count = (head - ctx_start);
  for (const auto& [op, line] : ops) {
    if (op != '+') ++a_count;
    if (op != '-') ++b_count;
  }
  std::size_t after = std::min(kContext, tail);
  a_count += after;
  b_count += after;
  out += fmt::format("{}@@ -{},{} +{},{} @@{}\n", c.hunk, ctx_start + 1, a_count, ctx_start + 1, b_count, c.reset);
  for (std::size_t i = ctx_start; i < head; ++i) out += fmt::format(" {}\n", a[i].text);
  std::size_t shown = 0;
  for (const auto& [op, line] : ops) {
    if (++shown > 200) {
      out += "... (diff cut at 200 lines)\n";
      return out;
    }
    if (op == ' ') out += fmt::format(" {}\n", line->text);
    if (op == '-') out += fmt::format("{}-{}{}\n", c.del, line->text, c.reset);
    if (op == '+') out += fmt::format("{}+{}{}\n", c.add, line->text, c.reset);
  }
  for (std::size_t k = 0; k < after; ++k) out += fmt::format(" {}\n", a[a.size() - tail + k].text);
  return out;
}

}  // namespace

CompareResult compare_traces(std::string_view expected, std::string_view actual, CompareMode mode, bool color,
                             std::string_view expected_name, std::string_view actual_name) {
  Colors c = color ? Colors{"\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[0m"} : Colors{"", "", "", ""};
  auto a = annotate(expected);
  auto b = annotate(actual);
  CompareResult result;

  if (mode == CompareMode::Exact) {
    if (expected == actual) return result;
    result.equal = false;
    std::size_t i = 0;
    while (i < a.size() && i < b.size() && a[i].text == b[i].text) ++i;
    const Line& at = i < a.size() ? a[i] : b[std::min(i, b.size() - 1)];
    result.report = fmt::format("first difference at line {} ({})\n", i + 1, where(at));
    if (a.size() == b.size() && i == a.size()) {
      result.report = "the traces differ only in their final newline\n";
      return result;
    }
    result.report += unified_diff(a, b, c, expected_name, actual_name);
    return result;
  }

  std::map<std::string, std::pair<std::vector<Line>, std::vector<Line>>> threads;
  for (auto& line : a) {
    if (!line.thread.empty()) threads[line.thread].first.push_back(line);
  }
  for (auto& line : b) {
    if (!line.thread.empty()) threads[line.thread].second.push_back(line);
  }
  for (const auto& [name, pair] : threads) {
    const auto& [x, y] = pair;
    bool same = x.size() == y.size() &&
                std::equal(x.begin(), x.end(), y.begin(), [](const Line& l, const Line& r) { return l.text == r.text; });
    if (same) continue;
    result.equal = false;
    std::size_t i = 0;
    while (i < x.size() && i < y.size() && x[i].text == y[i].text) ++i;
    const Line& at = i < x.size() ? x[i] : y[i];
    result.report += fmt::format("thread {}: first difference at its line {} ({})\n", name, i + 1, where(at));
    result.report += unified_diff(x, y, c, fmt::format("golden, thread {}", name), fmt::format("actual, thread {}", name));
  }
  return result;
}

}  // namespace elt
