#!/usr/bin/env bash
# Issue 22: the race check a node-model run makes before its trace (explore/race_report.h)
# is bounded by the program's size in trace events, not only by its 48 flips, so a big
# program is checked for the price of a run or two. Counted, not timed: the jsonl's
# `race` event of kind `unchecked` says how many decisions the check tried (`checked`), and
# each tried decision is at least one whole run of the program.
# - 20,000 crypto tasks (80,011 events a run): no flip fits, the check tries no decision
#   (before the bound: as many as 48 runs allow, about 9 s on the real clock);
# - 40,000 (160,011 events): the check's first run is stopped at the budget, and the trace
#   says so in the "stopped at its budget" line's words.
# usage: race_budget.sh EVENTLOOP_TRACE
set -euo pipefail
bin=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

# The `checked` of the jsonl's unchecked-race event, and its message.
unchecked() {
  "$bin" --clock virtual --model node --format jsonl "$1" | { grep '"unchecked"' || true; } |
    python3 -c 'import json, sys
for line in sys.stdin:
    e = json.loads(line)
    if e.get("kind") == "race" and e.get("race") == "unchecked":
        print(e["checked"], e["message"])'
}

echo '{"program": [{"repeat": 20000, "do": [{"encrypt": 1}]}]}' > "$work/tasks20k.json"
got=$(unchecked "$work/tasks20k.json")
if [[ $got == "0 "*"stopped at its budget after 0 of the run's "* ]]; then
  echo "ok 20,000 tasks: the check tried no decision beyond its default run"
else
  echo "FAIL 20,000 tasks: expected 'checked' 0, got: ${got:-no unchecked event}"; fail=1
fi

echo '{"program": [{"repeat": 40000, "do": [{"encrypt": 1}]}]}' > "$work/tasks40k.json"
got=$(unchecked "$work/tasks40k.json")
if [[ $got == "0 "*"stopped at its budget of 120000 trace events for all its runs before the first one ended:"* ]]; then
  echo "ok 40,000 tasks: the check's own run was stopped at the budget, and the trace says so"
else
  echo "FAIL 40,000 tasks: expected the run-cut line, got: ${got:-no unchecked event}"; fail=1
fi
exit $fail
