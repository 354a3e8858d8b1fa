#!/usr/bin/env bash
# Two SIGINTs within the first 30 ms, thirty times: while the scenario is read, while the
# runtime and its threads are built, while the first tick runs. Each run must end with
# exit 130 within 2 s, with no sanitizer report (under the tsan preset a data race in the
# signal path makes the run fail), and no crash.
# usage: signal_race.sh EVENTLOOP_TRACE SCENARIO [ROUNDS]
set -uo pipefail
# Job control: without it bash starts background commands with SIGINT ignored, and a
# SIGINT that comes before the tool installs its handler would be lost.
set -m
bin=$1; scenario=$2; rounds=${3:-30}
err=$(mktemp); trap 'rm -f "$err"' EXIT
for i in $(seq 1 "$rounds"); do
  for clock in real virtual; do
    "$bin" --clock "$clock" "$scenario" > /dev/null 2> "$err" &
    pid=$!
    sleep "0.0$(( i % 3 ))$(( i % 10 ))"   # 0 to 29 ms in
    kill -INT "$pid" 2>/dev/null; kill -INT "$pid" 2>/dev/null
    start=$(date +%s%N)
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid"; echo "round $i ($clock): still running 2 s after two SIGINTs"; exit 1
    fi
    wait "$pid"; code=$?
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    if [ "$code" -ne 130 ] || [ -s "$err" ]; then
      echo "round $i ($clock): exit $code (want 130) after ${ms} ms"; head -20 "$err"; exit 1
    fi
  done
done
echo "ok: $rounds rounds on each clock, two SIGINTs in the first 30 ms, every run exited 130"
