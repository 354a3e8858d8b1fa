#!/usr/bin/env bash
# Writes the html page's benchmark scenario (issue 22, docs/benchmarks.md "The html page"):
# N timers at 1..N ms, each printing a line and queueing an immediate that prints another,
# so that each timer has a tick of its own (ten trace lines and twelve pause points under
# the node model).
#   bench/scenarios/page-timers.sh N > page-N.json
set -euo pipefail
n=${1:?usage: page-timers.sh N}
printf '{"description": "%s timers that each queue an immediate (the html page benchmark)",\n "program": [\n' "$n"
for ((i = 1; i <= n; i++)); do
  sep=$([ "$i" -lt "$n" ] && echo , || true)
  printf '  {"set_timeout": %d, "then": [{"print": "timer"}, {"set_immediate": [{"print": "immediate"}]}]}%s\n' "$i" "$sep"
done
printf ' ]\n}\n'
