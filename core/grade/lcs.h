// The length of the longest common subsequence of two sequences: how many lines of a
// prediction appear in the trace in the same order, for `check`'s partial credit.
//
// A grader meets two kinds of pairs. Most predictions are close to the trace (a few lines
// moved or missing): Myers' O(ND) greedy search finds those in time proportional to the
// length times the few differences. A prediction that differs everywhere makes D large;
// then a bit-parallel LCS (Allison and Dix; Hyyrö) takes over, 64 cells per machine word,
// in O(N + M) memory: 200,000 lines against 200,000 completely different ones cost about
// 10^9 word operations at worst, never a 200,000 x 200,000 table. Pure functions; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace elt {

// Symbols are small integers (a line's index in a table of distinct lines).
std::size_t lcs_length(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b);

// Its two methods alone, for tests: Myers' search (nullopt past `budget` steps) and the
// bit-parallel count.
namespace lcs_detail {
std::optional<std::size_t> myers(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b,
                                 std::size_t budget);
std::size_t bit_parallel(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b);
}  // namespace lcs_detail

}  // namespace elt
