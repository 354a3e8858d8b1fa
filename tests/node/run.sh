#!/usr/bin/env bash
# Runs every program here under node, five times each, and compares what it prints with
# its `// expect:` line. Usage: run.sh [RUNS]
set -uo pipefail
cd "$(dirname "$0")"
runs=${1:-5}
command -v node >/dev/null || { echo "node is not installed"; exit 1; }
fail=0
for js in *.js; do
  expect=$(sed -n '1s|^// expect: ||p' "$js")
  # "// env: NAME=VALUE" lines: variables node must have before it starts (the pool's size).
  env=()
  while read -r setting; do env+=("$setting"); done < <(sed -n 's|^// env: ||p' "$js")
  ok=1
  for ((i = 0; i < runs; i++)); do
    got=$(env "${env[@]}" node "$js" 2>/dev/null | paste -sd'|' | sed 's/|/ | /g')
    if [[ $got != "$expect" ]]; then
      echo "FAIL $js (run $((i + 1))): expected [$expect], node printed [$got]"
      ok=0
      fail=1
      break
    fi
  done
  ((ok)) && echo "ok   $js"
done
exit $fail
