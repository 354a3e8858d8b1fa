#!/usr/bin/env bash
# `where` under the node model before the first tick of a top-level setTimeout 0 against
# setImmediate (issue 20): it names the immediate, which the check phase runs before the
# tick's timers phase, not the timer; and it says the order depends on timing, naming both
# outcomes and what flips them. The book's `where` names the due timer (its timers come
# first) and no race.
# usage: step_race.sh EVENTLOOP_TRACE SOURCE_DIR
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
scenario=$2/scenarios/races/timeout-vs-immediate.json
source "$here/lib.sh"
out=$(mktemp); trap 'rm -f "$out"' EXIT

model=node session virtual 'where' 'quit'
expect 'where: before tick 1' "  next, in this tick's check phase (before its timers phase): immediate 2" \
       '  depends on timing: timer 1 is not due before the first iteration, so immediate 2 runs first:'
expect 'where: before tick 1' 'the main program took 0.35 ms of the 0.50 ms it needs; if it takes 0.50 ms or more, timer 1 runs before immediate 2'
refute 'due, run by this tick'

model=book session virtual 'next' 'where' 'quit'
refute 'depends on timing'
refute "check phase (before its timers phase)"
echo "ok: where names the immediate and the race under the node model, no race under the book's"
