#!/usr/bin/env bash
# Records the orders node prints for each program here: NAME.orders, one line per order,
# "COUNT<TAB>line|line|...", most frequent first, with a header naming node, the runs and
# the date. usage: tests/races/record.sh [RUNS]   (40 by default; a few seconds a program)
set -euo pipefail
runs=${1:-40}
cd "$(dirname "$0")"
for js in *.js; do
  name=${js%.js}
  {
    echo "# node $(node --version), $runs runs, $(date -u +%Y-%m-%d), $(nproc) CPUs"
    for _ in $(seq 1 "$runs"); do node "$js" | paste -sd'|'; done | sort | uniq -c | sort -rn |
      sed -E 's/^ *([0-9]+) /\1\t/'
  } >"$name.orders"
done
