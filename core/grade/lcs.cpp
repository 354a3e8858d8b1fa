#include "grade/lcs.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

namespace elt {

namespace lcs_detail {

// Myers' greedy forward search for D, the fewest insertions and deletions that turn a into
// b; then LCS = (N + M - D) / 2. Gives up (nullopt) once it has done `budget` steps, so that
// a pair that differs everywhere goes to the bit-parallel count instead.
std::optional<std::size_t> myers(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b,
                                 std::size_t budget) {
  const auto n = static_cast<std::ptrdiff_t>(a.size());
  const auto m = static_cast<std::ptrdiff_t>(b.size());
  const std::ptrdiff_t max_d = n + m;
  // v[k + offset]: the furthest x reached on diagonal k = x - y. Grown as D grows.
  std::vector<std::ptrdiff_t> v(3, 0);
  std::ptrdiff_t offset = 1;
  std::size_t steps = 0;
  for (std::ptrdiff_t d = 0; d <= max_d; ++d) {
    if (offset < d + 1) {  // room for diagonals -d-1 .. d+1
      std::vector<std::ptrdiff_t> wider(static_cast<std::size_t>(4 * d + 3), 0);
      std::copy(v.begin(), v.end(), wider.begin() + (2 * d + 1 - offset));
      offset = 2 * d + 1;
      v = std::move(wider);
    }
    for (std::ptrdiff_t k = -d; k <= d; k += 2) {
      const bool down = k == -d || (k != d && v[k - 1 + offset] < v[k + 1 + offset]);
      std::ptrdiff_t x = down ? v[k + 1 + offset] : v[k - 1 + offset] + 1;
      std::ptrdiff_t y = x - k;
      const std::ptrdiff_t start = x;
      while (x < n && y < m && a[x] == b[y]) {
        ++x;
        ++y;
      }
      v[k + offset] = x;
      if (x >= n && y >= m) return static_cast<std::size_t>((n + m - d) / 2);
      steps += 1 + static_cast<std::size_t>(x - start);
    }
    steps += static_cast<std::size_t>(d);
    if (steps > budget) return std::nullopt;
  }
  return std::nullopt;  // unreachable: D <= N + M
}

using Word = std::uint64_t;
constexpr std::size_t kBits = 64;

// Where each symbol occurs in a, as bit masks over a's positions. A frequent symbol's mask is
// kept whole (a tight loop over every word); a rare one's sparse, as the words where it
// occurs, so that a trace of many distinct lines does not need a whole mask per line.
struct MatchMasks {
  std::size_t words = 0;
  std::vector<std::size_t> dense_index;  // per symbol: its mask in `dense`, or SIZE_MAX
  std::vector<Word> dense;
  std::vector<std::vector<std::pair<std::size_t, Word>>> sparse;  // (word index, bits), in order

  MatchMasks(std::span<const std::uint32_t> a, std::uint32_t symbols)
      : words((a.size() + kBits - 1) / kBits), dense_index(symbols, SIZE_MAX), sparse(symbols) {
    std::vector<std::size_t> count(symbols, 0);
    for (auto s : a) ++count[s];
    // Dense when it occurs at least a quarter as often as there are words: at most 256
    // such symbols, so the dense masks take at most 256 bits per line of a.
    for (std::uint32_t s = 0; s < symbols; ++s) {
      if (count[s] > 0 && count[s] * 4 >= words) {
        dense_index[s] = dense.size() / words;
        dense.resize(dense.size() + words, 0);
      }
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
      Word bit = Word{1} << (i % kBits);
      if (dense_index[a[i]] != SIZE_MAX) {
        dense[dense_index[a[i]] * words + i / kBits] |= bit;
        continue;
      }
      auto& list = sparse[a[i]];
      if (list.empty() || list.back().first != i / kBits) list.emplace_back(i / kBits, 0);
      list.back().second |= bit;
    }
  }
};

// The bit-parallel count. Bit i of `row` is 0 where a[i] has been matched; each symbol of
// b updates it as row' = (row + (row & match)) | (row & ~match), carrying across words; a
// word with no match and no carry is left alone.
std::size_t bit_parallel(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) {
  std::uint32_t symbols = 0;
  for (auto s : a) symbols = std::max(symbols, s + 1);
  for (auto s : b) symbols = std::max(symbols, s + 1);
  const MatchMasks masks(a, symbols);
  const std::size_t words = masks.words;
  const auto& dense_index = masks.dense_index;
  const auto& dense = masks.dense;
  const auto& sparse = masks.sparse;
  std::vector<Word> row(words, ~Word{0});
  // One word: row' = (row + (row & match) + carry) | (row & ~match); returns the carry out.
  auto step = [](Word& r, Word match, Word carry) {
    Word u = r & match;
    Word sum = r + u;
    Word out = sum < u ? 1 : 0;  // unsigned wrap-around: the carry out
    sum += carry;
    out |= sum < carry ? 1 : 0;
    r = sum | (r & ~match);
    return out;
  };
  for (auto s : b) {
    Word carry = 0;
    std::size_t w = 0;
    if (dense_index[s] != SIZE_MAX) {
      const Word* match = &dense[dense_index[s] * words];
      for (; w < words; ++w) carry = step(row[w], match[w], carry);
      continue;
    }
    for (const auto& [at, match] : sparse[s]) {
      for (; carry != 0 && w < at; ++w) carry = step(row[w], 0, carry);  // a carry left over
      w = at;
      carry = step(row[w], match, carry);
      ++w;
    }
    for (; carry != 0 && w < words; ++w) carry = step(row[w], 0, carry);
  }
  std::size_t zeros = 0;
  for (std::size_t w = 0; w < words; ++w) {
    std::size_t valid = std::min(kBits, a.size() - w * kBits);
    Word bits = valid == kBits ? ~Word{0} : (Word{1} << valid) - 1;
    zeros += static_cast<std::size_t>(__builtin_popcountll(~row[w] & bits));
  }
  return zeros;
}

}  // namespace lcs_detail

std::size_t lcs_length(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) {
  // The common head and tail are in every LCS; most pairs differ only in the middle.
  std::size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  std::size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) ++tail;
  a = a.subspan(head, a.size() - head - tail);
  b = b.subspan(head, b.size() - head - tail);
  if (a.empty() || b.empty()) return head + tail;
  // A sixteenth of the words the bit-parallel count would take: a pair Myers cannot finish
  // by then differs so much that the count is the cheaper way, and little time was lost.
  const std::size_t budget = std::max<std::size_t>(1'000'000, (a.size() / 64 + 1) * b.size() / 16);
  auto middle = lcs_detail::myers(a, b, budget);
  if (!middle) middle = lcs_detail::bit_parallel(a.size() <= b.size() ? a : b, a.size() <= b.size() ? b : a);
  return head + tail + *middle;
}

}  // namespace elt
