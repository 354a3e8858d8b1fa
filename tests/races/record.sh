#!/usr/bin/env bash
# Records the orders node prints for a Node program: NAME.orders beside NAME.js, one line per
# order, "COUNT<TAB>line|line|...", most frequent first, with a header naming node, the runs,
# the date and the CPUs. A line "// env: NAME=VALUE" in the program sets that variable for its
# runs (UV_THREADPOOL_SIZE is read once, when libuv's pool starts, so it cannot be set inside).
# usage: tests/races/record.sh [RUNS] [PROGRAM.js...]
#   (40 runs by default; every program in tests/races by default; a few seconds a program)
set -euo pipefail
runs=40
if [[ ${1:-} =~ ^[0-9]+$ ]]; then
  runs=$1
  shift
fi
if [[ $# -eq 0 ]]; then set -- "$(dirname "$0")"/*.js; fi
for js in "$@"; do
  env=()
  while read -r setting; do env+=("$setting"); done < <(sed -n 's|^// env: ||p' "$js")
  {
    echo "# node $(node --version), $runs runs, $(date -u +%Y-%m-%d), $(nproc) CPUs"
    # What a program prints is its order, also when it ends with an uncaught error (exit 1).
    for _ in $(seq 1 "$runs"); do { env "${env[@]}" node "$js" || true; } | paste -sd'|'; done | sort | uniq -c |
      sort -rn | sed -E 's/^ *([0-9]+) /\1\t/'
  } >"${js%.js}.orders"
done
