#!/usr/bin/env bash
# The classic races (scenarios/races/NAME.json) against the orders node printed for the
# same programs (tests/races/NAME.js, recorded in NAME.orders by tests/races/record.sh; node
# does not run here). Where Node printed one order in at least 90% of its runs, the default
# run (the node model, the virtual clock, the default cost profile) must print it; elsewhere
# it must print one of the orders Node printed. Every scenario must have its program and its
# recorded orders, and every recorded program its scenario.
# usage: races.sh EVENTLOOP_TRACE REPO_ROOT
set -euo pipefail
bin=$1
root=$2
fail=0
for scenario in "$root"/scenarios/races/*.json; do
  name=$(basename "$scenario" .json)
  [[ -f $root/tests/races/$name.js && -f $root/tests/races/$name.orders ]] ||
    { echo "FAIL $name: no tests/races/$name.js and .orders beside the scenario"; fail=1; }
done
for orders in "$root"/tests/races/*.orders; do
  name=$(basename "$orders" .orders)
  scenario=$root/scenarios/races/$name.json
  [[ -f $scenario ]] || { echo "FAIL $name: no scenarios/races/$name.json"; fail=1; continue; }
  ours=$("$bin" --model node --clock virtual --mode output "$scenario" | paste -sd'|')
  recorded=$(grep -v '^#' "$orders")
  total=$(awk -F'\t' '{ n += $1 } END { print n }' <<<"$recorded")
  read -r top_count top_order < <(head -1 <<<"$recorded" | tr '\t' ' ')
  if ((top_count * 10 >= total * 9)); then
    if [[ "$ours" != "$top_order" ]]; then
      echo "FAIL $name: node printed $top_order in $top_count of $total runs; we print $ours"; fail=1
      continue
    fi
  elif ! cut -f2 <<<"$recorded" | grep -qxF -- "$ours"; then
    echo "FAIL $name: we print $ours, which node never printed in $total runs:"; cat "$orders"; fail=1
    continue
  fi
  echo "ok $name: $ours (node: $(awk -F'\t' -v o="$ours" '$2 == o { print $1 }' <<<"$recorded") of $total runs)"
done
exit $fail
