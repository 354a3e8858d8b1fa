#!/usr/bin/env bash
# Issue 20: under the node model a plain run shows a `race` event exactly where a timing
# decision changes what the program prints (explore/race_report.h takes each decision's
# other side once and keeps those whose run prints other lines). Over every scenario under
# scenarios/node and scenarios/races (virtual clock, the default cost profile):
# - explore lists one order: no race event (a deterministic program shows none);
# - a race corpus program (tests/races/NAME.orders) that node printed in two or more
#   orders: at least one race event, unless explore itself misses the race
#   (tests/races/explore-gaps.txt);
# - a race event shown means explore lists two orders or more (the check found a side that
#   prints otherwise), and each names the lines both sides print;
# - the book's loop never shows one.
# usage: race_events.sh EVENTLOOP_TRACE REPO_ROOT
set -euo pipefail
bin=$(realpath "$1")
root=$(realpath "$2")
fail=0
for scenario in "$root"/scenarios/node/*.json "$root"/scenarios/races/*.json; do
  name=$(basename "$scenario" .json)
  where=$(basename "$(dirname "$scenario")")/$name
  jsonl=$("$bin" --clock virtual --model node --format jsonl "$scenario") || {
    echo "FAIL $where: the run exited with $?"; fail=1; continue; }
  races=$(grep '"kind":"race"' <<<"$jsonl" | grep -vc '"race":"unchecked"' || true)
  # explore only where a race is shown: without one, one order or many, nothing can fail.
  orders=1
  if [[ $races != 0 ]]; then
    orders=$("$bin" explore --json "$scenario" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["orders"]))')
  fi
  node_orders=0
  if [[ $where == races/* && -f $root/tests/races/$name.orders ]]; then
    node_orders=$(grep -vc '^#' "$root/tests/races/$name.orders" || true)
  fi
  gap=$(awk -F'\t' -v n="$name" '$1 == n' "$root/tests/races/explore-gaps.txt")
  if [[ $orders == 1 && $races != 0 ]]; then
    echo "FAIL $where: explore lists one order, yet $races race event(s)"; fail=1
  elif [[ $races != 0 && $orders -lt 2 ]]; then
    echo "FAIL $where: $races race event(s) but explore lists $orders order(s)"; fail=1
  elif [[ $node_orders -ge 2 && $races == 0 && -z $gap ]]; then
    echo "FAIL $where: node printed $node_orders orders and explore finds them, but no race event"; fail=1
  elif [[ $races != 0 ]] && grep '"kind":"race"' <<<"$jsonl" | grep -v '"race":"timer_at_loop_start","first"' |
         grep -v '"prints":' | grep -q .; then
    echo "FAIL $where: a race event does not say what the other side prints"; fail=1
  else
    echo "ok $where: $races race event(s)${gap:+ (a known explore gap)}"
  fi
done
# The budget: a hundred reads of one file, each printing its own line, meet 101 decisions;
# the check tries 48 (kRaceCheckBudget) and the trace says where it stopped, once.
many=$(mktemp --suffix=.json); trap 'rm -f "$many"' EXIT
python3 -c 'import json, sys; print(json.dumps({"program": [{"fs_read": sys.argv[1], "then": [{"print": "read %d" % i}]}
  for i in range(100)]}))' "$root/scenarios/races/test.txt" > "$many"
start=$(date +%s%N)
text=$("$bin" --clock virtual --model node --allow-read "$root/scenarios/races" "$many" 2>&1 || true)
took=$(( ($(date +%s%N) - start) / 1000000 ))
cut=$(grep -c '~ race check: stopped at its budget after 48 of the run' <<<"$text" || true)
if [[ $cut != 1 || $took -gt 5000 ]]; then
  echo "FAIL budget: $cut note(s) of the check cut short, $took ms"; fail=1
else
  echo "ok budget: the check stopped after 48 decisions and said so, $took ms"
fi
# The book's loop makes no timing decision: its trace never shows a race.
book=$("$bin" --clock virtual --model book --format jsonl "$root/scenarios/races/three-reads.json")
if grep -q '"kind":"race"' <<<"$book"; then echo "FAIL book: a race event"; fail=1; else echo "ok book: no race"; fi
exit $fail
