#!/usr/bin/env bash
# SIGINT, SIGTERM and SIGHUP in the middle of a run stop the loop, close every thread, flush
# the trace and exit 130 / 143 / 129; a closed stdout (`| head -3`) ends the run quietly and at once.
# usage: signals.sh EVENTLOOP_TRACE SCENARIO
set -uo pipefail
bin=$1; scenario=$2
out=$(mktemp); trap 'rm -f "$out"' EXIT
for sig in INT TERM HUP; do
  "$bin" "$scenario" > "$out" 2>&1 &
  pid=$!
  sleep 1.5   # the book is in its second tick, pool threads busy, timers pending
  kill -"$sig" "$pid"
  start=$(date +%s%N)
  wait "$pid"; code=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  case $sig in INT) want=130 ;; TERM) want=143 ;; HUP) want=129 ;; esac
  [ "$code" -eq "$want" ] || { echo "SIG$sig: exit $code, expected $want"; cat "$out"; exit 1; }
  grep -q 'Thread: epoll	 received event of type: Close' "$out" || { echo "SIG$sig: epoll not closed"; exit 1; }
  tail -1 "$out" | grep -q 'FINISHED$' || { echo "SIG$sig: trace not flushed to FINISHED"; exit 1; }
  echo "ok: SIG$sig -> exit $code after ${ms} ms, every thread closed"
done
start=$(date +%s%N)
"$bin" "$scenario" | head -3 > "$out"
code=${PIPESTATUS[0]}
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$code" -eq 0 ] || { echo "| head -3: exit $code"; exit 1; }
[ "$(wc -l < "$out")" -eq 3 ] || { echo "| head -3: wrong output"; exit 1; }
[ "$ms" -lt 2500 ] || { echo "| head -3 took ${ms} ms: the run went on after the reader left"; exit 1; }
echo "ok: | head -3 ended quietly after ${ms} ms"
