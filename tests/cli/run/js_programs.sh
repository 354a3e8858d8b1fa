#!/usr/bin/env bash
# Issue 21, item 2: learners' JavaScript programs (tests/js/*.js) print Node's order under
# `eventloop-trace --model node --clock virtual --costs zero PROGRAM.js`. Node's order is
# the .out beside each program, recorded from node by scripts/record-js-orders.sh; every
# program must have one. Run from the programs' folder, as node was (reads are relative).
# usage: js_programs.sh EVENTLOOP_TRACE JS_FOLDER
set -uo pipefail
bin=$(realpath "$1")
cd "$2" || exit 1
fails=0
count=0
for program in *.js; do
  count=$((count + 1))
  expected="${program%.js}.out"
  if [ ! -f "$expected" ]; then
    echo "FAIL $program: no $expected (scripts/record-js-orders.sh records it from node)"
    fails=$((fails + 1))
    continue
  fi
  # No --model: a .js file runs under the node model by itself.
  if ours=$("$bin" --clock virtual --costs zero --mode output "$program" 2>&1) &&
     [ "$ours" == "$(cat "$expected")" ]; then
    echo "ok   $program"
  else
    echo "FAIL $program"
    diff <(printf '%s\n' "$ours") "$expected" | head -20
    fails=$((fails + 1))
  fi
done
[ "$count" -ge 20 ] || { echo "FAIL only $count programs in $(pwd)"; fails=$((fails + 1)); }
echo "$count programs, $fails failed"
[ "$fails" -eq 0 ]
