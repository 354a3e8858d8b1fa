#!/usr/bin/env bash
# Going back in time is a replay, so stepping back and forward again must print the same
# bytes as stepping forward only. For every scenario of the corpus and several ways of going
# back (ticks, a phase, an event, goto), the trace printed from the last replay to the end
# must equal the trace of a plain run, byte for byte; so must a forward-only session's.
# usage: step_same_bytes.sh EVENTLOOP_TRACE SCENARIOS_DIR [MODEL]
set -euo pipefail
bin=$1; dir=$2; model=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
out=$work/session
checked=0
for scenario in "$dir"/*.json; do
  name=$(basename "$scenario" .json)
  "$bin" --color never --clock virtual ${model:+--model "$model"} "$scenario" > "$work/plain" 2>&1 || true
  # Forward only: a stop before every tick, then the end of input (continue).
  session virtual next next next next next
  trace_of "$out" > "$work/forward"
  cmp -s "$work/plain" "$work/forward" || { echo "FAIL $name: forward-only stepping differs from a plain run";
    diff "$work/plain" "$work/forward" | head -20; exit 1; }
  for script in "next 5|back 3|next 2|phase|phase" "next 3|phase|phase|back phase|back event|next" \
                "next 4|goto tick 2|next" "next 6|goto 1000 ms|phase|back 1"; do
    IFS='|' read -r -a cmds <<< "$script"
    session virtual "${cmds[@]}"
    # From the last replay on, the session is one run seen from its start.
    last=$(grep -n -F -- '-- going back to' "$out" | tail -1 | cut -d: -f1 || true)
    if [ -z "$last" ]; then
      # The scenario ended before the stop it went back from: nothing was replayed.
      grep -q -F 'this is the first stop' "$out" || grep -q -F 'the run has ended' "$out" ||
        grep -q -F 'already there' "$out" || { echo "FAIL $name [$script]: no replay and no reason"; cat "$out"; exit 1; }
      continue
    fi
    tail -n +$((last + 1)) "$out" > "$work/after"
    trace_of "$work/after" > "$work/replayed"
    cmp -s "$work/plain" "$work/replayed" || { echo "FAIL $name [$script]: back and forward again differs";
      diff "$work/plain" "$work/replayed" | head -20; exit 1; }
    checked=$((checked + 1))
  done
done
[ "$checked" -ge 20 ] || { echo "FAIL: only $checked replays checked"; exit 1; }
echo "ok: $checked replays print the same bytes as a plain run (model: ${model:-as each scenario says})"
