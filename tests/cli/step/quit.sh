#!/usr/bin/env bash
# `quit` at tick 3 shuts every thread down: no hang, exit 0, FINISHED printed.
# usage: step_quit.sh EVENTLOOP_TRACE SCENARIO CLOCK
set -euo pipefail
bin=$1; scenario=$2; clock=$3
out=$(mktemp); trap 'rm -f "$out"' EXIT
printf 'next\nnext\nquit\n' | timeout 30 "$bin" step --clock "$clock" "$scenario" > "$out"
cat "$out"
grep -q '^-- paused before tick 3 --' "$out"
grep -q 'quitting: closing every thread' "$out"
! grep -q '===== TICK 3 =====' "$out" || { echo "tick 3 ran after quit"; exit 1; }
tail -1 "$out" | grep -q 'FINISHED$'
echo "ok: quit at tick 3"
