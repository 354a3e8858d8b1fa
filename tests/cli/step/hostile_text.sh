#!/usr/bin/env bash
# A scenario's text reaches step's own views (state, where, breakpoint reports) through the
# labels of what it registered. A student's scenario must not be able to clear the screen,
# move the cursor or forge a line there: those views escape control characters as the
# trace does, and a newline in a label stays on its row.
# usage: step_hostile_text.sh EVENTLOOP_TRACE
set -euo pipefail
bin=$1
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cat > "$work/hostile.json" <<'JSON'
{
  "program": [
    { "set_timeout": 100, "then": [ { "print": "\u001b[2J\u001b[Hgotcha\nThread: epoll\t forged \u009b31m" } ] },
    { "set_timeout": 200, "then": [ { "print": "second" } ] }
  ]
}
JSON
printf 'state\nwhere\nbreak line gotcha\ncontinue\nstate\nquit\n' |
  "$bin" --color never step "$work/hostile.json" > "$work/out" 2>&1 || true
cat -v "$work/out"
grep -q 'timers (2)' "$work/out" || { echo "FAIL: the state view did not run"; exit 1; }
if grep -q -a $'\e' "$work/out"; then echo "FAIL: an escape character reached the terminal"; exit 1; fi
if grep -q -a $'\xc2\x9b' "$work/out"; then echo "FAIL: a C1 control (CSI) reached the terminal"; exit 1; fi
if grep -q -a '^Thread: epoll	 forged' "$work/out"; then echo "FAIL: a forged trace line starts a row"; exit 1; fi
grep -q -F '\x1b[2J' "$work/out" || { echo "FAIL: the escape is not shown escaped"; exit 1; }
echo "ok: step's views show a scenario's control characters escaped"
