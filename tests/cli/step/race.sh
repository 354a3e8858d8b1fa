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

# The later decisions (loop/timing.h), shown before they are decided: `where` before the
# iteration that settles them says so, with what each side prints.
scenario=$2/scenarios/races/two-pbkdf2.json
model=node session virtual 'where' 'quit'
expect 'where: before tick 1' '  depends on timing: pool task 1 finishes before task 2; if instead pool task 2 finishes before task 1, the program prints "hash 2" where this run prints "hash 1"'
scenario=$2/scenarios/races/timeout-in-immediate-vs-chain.json
model=node session virtual 'where' 'next' 'where' 'next' 'where' 'quit'
expect 'where: before tick 1' "  next, in this tick's check phase (before its timers phase): immediate 1" \
       '  depends on timing: timer 2 is not due by the timers phase of iteration 1' \
       'where: before tick 2' 'where: before tick 3'
# Once the race's iteration is over, where no longer shows it.
[ "$(grep -c 'depends on timing' "$out")" = 2 ] || { echo "FAIL: the race shown past its iteration"; cat -n "$out"; exit 1; }
# A deterministic program: no decision's other side prints otherwise, so no race.
scenario=$2/scenarios/races/first-print-cost.json
model=node session virtual 'where' 'next' 'where' 'quit'
refute 'depends on timing'
echo "ok: where shows a pool-order and a timer-due race before they are decided, and none where nothing flips"
