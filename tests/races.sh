#!/usr/bin/env bash
# The classic races (scenarios/races/NAME.json) against the orders node printed for the
# same programs (tests/races/NAME.js, recorded in NAME.orders by tests/races/record.sh).
# Our default run (the node model, the default cost profile) must print one of Node's
# orders, and Node's own when Node prints one order in at least 90% of its runs.
# usage: races.sh EVENTLOOP_TRACE REPO_ROOT
set -euo pipefail
bin=$1
root=$2
fail=0
printed() {
  "$bin" --clock virtual --format jsonl "$@" | python3 -c '
import json, sys
print("|".join(e["text"] for e in map(json.loads, sys.stdin) if e.get("kind") == "print"))'
}
for orders in "$root"/tests/races/*.orders; do
  name=$(basename "$orders" .orders)
  ours=$(printed "$root/scenarios/races/$name.json")
  total=$(grep -v '^#' "$orders" | awk -F'\t' '{ n += $1 } END { print n }')
  read -r top_count top_order < <(grep -v '^#' "$orders" | head -1 | tr '\t' ' ')
  if ! grep -v '^#' "$orders" | cut -f2 | grep -qxF -- "$ours"; then
    echo "FAIL $name: we print $ours, which node never printed in $total runs:"; cat "$orders"; fail=1
  elif (( top_count * 10 >= total * 9 )) && [[ "$ours" != "$top_order" ]]; then
    echo "FAIL $name: node printed $top_order in $top_count of $total runs; we print $ours"; fail=1
  else
    echo "ok $name: $ours (node: $(grep -v '^#' "$orders" | grep -F -- "$ours" | cut -f1) of $total runs)"
  fi
done
exit $fail
