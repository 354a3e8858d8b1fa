// "Did you mean ...?" for a mistyped name: a subcommand (`chek`), an option (`--colour`),
// an action in a scenario (`set_timout`).
//
// The distance is optimal string alignment (Levenshtein plus the swap of two neighbours,
// the commonest typing slip). A suggestion is made only when one candidate is clearly close:
// within a third of the word's length (at least 1, at most 3 edits), so that `foo` does not
// become "did you mean fs_read?". Pure functions; any thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace elt {

inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Three rows of the dynamic-programming table: the swap looks two rows back.
  std::vector<std::size_t> before(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], before[j - 2] + 1);
      }
    }
    before.swap(prev);
    prev.swap(cur);
  }
  return prev[b.size()];
}

// The candidate closest to `word`, or "" when none is close enough (or two tie).
// `limit`, when not 0, replaces the rule above: a short list of short words (the stepper's
// commands) can afford 2 edits for a 5-letter word, and `brake` is 2 edits from `break`.
inline std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates,
                                std::size_t limit = 0) {
  // Words longer than any name here are not typos of one; also keeps the table small
  // for a 10 MB key.
  if (word.empty() || word.size() > 64) return {};
  if (limit == 0) limit = std::clamp<std::size_t>(word.size() / 3, 1, 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  bool tie = false;
  for (const auto& candidate : candidates) {
    std::size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
      tie = false;
    } else if (d == best_distance && candidate != best) {
      tie = true;
    }
  }
  if (best_distance > limit || tie || best_distance == 0) return {};
  return best;
}

}  // namespace elt
