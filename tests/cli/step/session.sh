#!/usr/bin/env bash
# A scripted `step` session through the book: `state` before each of its 8 ticks, then the
# end of input (which means continue). Must end with FINISHED and exit 0.
# usage: step_session.sh EVENTLOOP_TRACE SCENARIO CLOCK
set -euo pipefail
bin=$1; scenario=$2; clock=$3
out=$(mktemp); trap 'rm -f "$out"' EXIT
for i in $(seq 1 8); do printf 'state\nnext\n'; done | timeout 60 "$bin" step --clock "$clock" "$scenario" > "$out"
cat "$out"
states=$(grep -c '^state before tick [1-8];' "$out")
[ "$states" -eq 8 ] || { echo "expected 8 state views, got $states"; exit 1; }
for i in $(seq 1 8); do
  grep -q "^state before tick $i;" "$out" || { echo "no state before tick $i"; exit 1; }
done
# The virtual clock offers a last prompt after the end (to go back); the trace still ends with FINISHED.
grep -v -E '^(\(ended\) step> |-- the run has ended)' "$out" | tail -1 | grep -q 'FINISHED$' ||
  { echo "did not end with FINISHED"; exit 1; }
echo "ok: 8 state views, FINISHED"
