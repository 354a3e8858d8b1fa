#!/usr/bin/env bash
# Grades every student's predictions against both assignments; what a CI job runs.
# Writes one JUnit file per assignment and exits with the worse of the two check runs:
# 0 all right, 1 a prediction is wrong, 2 one could not be graded (for example not handed in).
# usage: grade.sh [EVENTLOOP_TRACE] [OUT_DIR] [CHECK_OPTIONS...]
#   (defaults: eventloop-trace on PATH, ./out; options such as --hint --pass-score 0.8 go to both checks)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-eventloop-trace}
out=${2:-$here/out}
extra=("${@:3}")
mkdir -p "$out"
cd "$here"

# One argument pair per student: the assignment's folder (NAME.json beside the answer key
# NAME.trace), then the student's folder (their NAME.trace predictions).
book=(); node=()
for student in students/*/; do
  book+=(assignment1 "${student%/}")
  node+=(assignment2 "${student%/}")
done

# Assignment 1 asks for the main thread's lines: callbacks, prints and ticks, not the pool's.
"$bin" check --only main "${extra[@]}" --junit "$out/assignment1.xml" --json "$out/assignment1.json" "${book[@]}"; first=$?
# Assignment 2 asks only for what the program prints.
"$bin" check --mode output "${extra[@]}" --junit "$out/assignment2.xml" --json "$out/assignment2.json" "${node[@]}"; second=$?
exit $(( first > second ? first : second ))
