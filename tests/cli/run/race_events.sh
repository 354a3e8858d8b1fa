#!/usr/bin/env bash
# Issue 20: under the node model each decision that timing settles is shown as a `race`
# event, and a deterministic program shows none. Every scenario under scenarios/node and
# scenarios/races runs once (virtual clock, default cost profile):
# - not declared racy (`"verify": {"racy": true}`): no race event;
# - declared racy, and its race of a kind the loop detects (listed below): a race event.
# Declared racy with a race the loop does not detect yet (which pool thread finishes
# first, say) may show none: the loop reports only what it can decide exactly.
# usage: race_events.sh EVENTLOOP_TRACE REPO_ROOT
set -euo pipefail
bin=$(realpath "$1")
root=$(realpath "$2")
# A top-level setTimeout 0 beside a setImmediate: the main program's cost decides.
detected=(races/timeout-vs-immediate node/timeout-vs-immediate-main)
fail=0
for scenario in "$root"/scenarios/node/*.json "$root"/scenarios/races/*.json; do
  name=$(basename "$(dirname "$scenario")")/$(basename "$scenario" .json)
  racy=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("verify", {}).get("racy", False))' "$scenario")
  jsonl=$("$bin" --clock virtual --model node --format jsonl "$scenario") || {
    echo "FAIL $name: the run exited with $?"; fail=1; continue; }
  races=$(grep -c '"kind":"race"' <<<"$jsonl" || true)
  if [[ $racy != True && $races != 0 ]]; then
    echo "FAIL $name: not racy, yet $races race event(s)"; fail=1
  elif [[ " ${detected[*]} " == *" $name "* && $races == 0 ]]; then
    echo "FAIL $name: racy, and of a kind the loop detects, but no race event"; fail=1
  else
    echo "ok $name: racy=$racy, $races race event(s)"
  fi
done
exit $fail
