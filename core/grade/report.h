// The grades as people and CI servers read them: a line per pair on stdout (with the diff or
// the hint when asked), the totals, a JUnit XML file and a JSON summary (docs/grading.md).
// Pure functions of the outcomes; any thread.
#pragma once

#include <string>
#include <vector>

#include "grade/grade.h"

namespace elt::grade {

// "exact, thread main only, virtual clock": how the pairs were compared.
std::string mode_words(const GradeOptions& options);

// One line per pair (and, when it differs, the hint or `display`, its report as stdout shows it).
std::string outcome_text(const Pair& pair, const Outcome& o, const GradeOptions& options, bool show_diffs,
                         const std::string& display);

// The last lines: how many passed, and the mean score (per golden folder when there are several).
std::string totals_text(const std::vector<Pair>& pairs, const std::vector<Outcome>& outcomes,
                        const GradeOptions& options);

std::string junit_xml(const std::vector<Pair>& pairs, const std::vector<Outcome>& outcomes,
                      const GradeOptions& options);
std::string json_summary(const std::vector<Pair>& pairs, const std::vector<Outcome>& outcomes,
                         const GradeOptions& options);

}  // namespace elt::grade
