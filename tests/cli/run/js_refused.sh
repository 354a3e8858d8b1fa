#!/usr/bin/env bash
# Issue 21, item 2: what the JavaScript front end cannot translate is refused before
# anything runs, with exit 2 and one line: PROGRAM.js:LINE:COLUMN, the construct as a
# learner names it, and (for an unsupported construct) what is supported. Each
# tests/js/refused/NAME.js has its expected line in NAME.expected, without the supported
# list, which every "is not supported yet" line must carry.
# usage: js_refused.sh EVENTLOOP_TRACE REFUSED_FOLDER
set -uo pipefail
bin=$(realpath "$1")
cd "$2" || exit 1
fails=0
for program in *.js; do
  expected=$(cat "${program%.js}.expected")
  out=$("$bin" --clock virtual "$program" 2>&1 >/dev/null)
  code=$?
  first=${out%%$'\n'*}
  problem=""
  [ "$code" -eq 2 ] || problem="exit $code, not 2"
  [ "$out" == "$first" ] || problem="$problem; more than one line on stderr"
  case "$first" in
    "$expected; supported: "*) ;;
    "$expected") [[ "$expected" == *"is not supported yet" ]] && problem="$problem; no supported list" ;;
    *) problem="$problem; wrong message" ;;
  esac
  if [ -z "$problem" ]; then
    echo "ok   $program"
  else
    echo "FAIL $program:$problem"
    echo "  expected: $expected"
    echo "  got:      $first"
    fails=$((fails + 1))
  fi
done
echo "$fails failed"
[ "$fails" -eq 0 ]
