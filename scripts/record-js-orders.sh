#!/usr/bin/env bash
# Records Node's order for every program in tests/js/: runs each under `node` (from its own
# folder, where its reads are relative to) RUNS times and writes NAME.out when every run
# printed the same lines. A program whose order changes from run to run is reported and
# gets no .out: its order is Node's race, not something to hold the tool to.
# tests/cli/run/js_programs.sh compares the tool's --model node output with these files in CI.
# usage: scripts/record-js-orders.sh [RUNS]   (default 10)
set -euo pipefail
runs=${1:-10}
dir="$(cd "$(dirname "$0")/../tests/js" && pwd)"
cd "$dir"
racy=0
for program in *.js; do
  first=$(node "$program" 2>&1; echo "(exit $?)")
  for ((i = 1; i < runs; i++)); do
    again=$(node "$program" 2>&1; echo "(exit $?)")
    if [ "$again" != "$first" ]; then
      echo "racy in Node: $program (run $((i + 1)) of $runs printed another order)"
      racy=1
      continue 2
    fi
  done
  if [ "${first##*$'\n'}" != "(exit 0)" ] && [ "$first" != "(exit 0)" ]; then
    echo "node exited with an error: $program"
    racy=1
    continue
  fi
  node "$program" > "${program%.js}.out"  # the order just seen $runs times, with its exact bytes
done
echo "node $(node --version): recorded $(ls *.out | wc -l) orders in $dir"
exit $racy
