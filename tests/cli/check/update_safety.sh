#!/usr/bin/env bash
# Issue 12, item 3: --update writes atomically (a temporary file, then rename), never after a
# failed or interrupted run, and never over a scenario or anything that is not a trace.
# usage: update_safety.sh EVENTLOOP_TRACE SCENARIOS_DIR
set -euo pipefail
bin=$1; scenarios=$2
. "$(dirname "$0")/lib.sh"
quick=$scenarios/nothing-registered.json
unchanged() { cmp -s "$1" "$2"; }

cp "$quick" "$tmp/s.json"
run check --update "$tmp/s.json" "$tmp/s.json"
expect "check --update X.json X.json refused" 2 "" "refusing to overwrite"
unchanged "$quick" "$tmp/s.json" && pass "the scenario is intact" || fail "the scenario was overwritten"

cp "$quick" "$tmp/s.txt"   # a scenario by content, whatever its name
run check --update "$quick" "$tmp/s.txt"
expect "a file holding JSON refused" 2 "" "it holds JSON"
unchanged "$quick" "$tmp/s.txt" && pass "the JSON file is intact" || fail "the JSON file was overwritten"

run check --update "$quick" "$tmp/new.json"
expect "a new .json golden refused" 2 "" ".json"
[ ! -e "$tmp/new.json" ] && pass "no .json file created" || fail "a .json file was created"

printf 'Dear students,\nthe exam is on Monday.\n' > "$tmp/notes.trace"
cp "$tmp/notes.trace" "$tmp/notes.orig"
run check --update "$quick" "$tmp/notes.trace"
expect "a file that is not a trace refused" 2 "" "does not hold a trace"
unchanged "$tmp/notes.orig" "$tmp/notes.trace" && pass "the text file is intact" || fail "the text file was overwritten"

# A failed run writes nothing: neither a new golden nor over an old one.
printf '{"program": [{"set_timeout": "soon"}]}' > "$tmp/bad.json"
run check --update "$tmp/bad.json" "$tmp/bad.trace"
expect "a refused scenario" 2 "" "/program/0/set_timeout"
[ ! -e "$tmp/bad.trace" ] && pass "no golden after a refused scenario" || fail "a golden was written after a refused scenario"
run check --update "$quick" "$tmp/old.trace"; cp "$tmp/old.trace" "$tmp/old.orig"
run check --update "$tmp/bad.json" "$tmp/old.trace"
unchanged "$tmp/old.orig" "$tmp/old.trace" && pass "an old golden survives a refused scenario" || fail "old golden replaced after a failed run"

# Atomic: the golden is replaced by rename (a new inode), its mode kept, no temporary left.
chmod 640 "$tmp/old.trace"
inode=$(stat -c %i "$tmp/old.trace")
run check --update "$scenarios/callback-order.json" "$tmp/old.trace"
expect "an existing golden replaced" 0 "wrote"
[ "$(stat -c %i "$tmp/old.trace")" != "$inode" ] && pass "replaced by rename (new inode)" || fail "written in place"
[ "$(stat -c %a "$tmp/old.trace")" = 640 ] && pass "mode 640 kept" || fail "mode not kept: $(stat -c %a "$tmp/old.trace")"
run check "$scenarios/callback-order.json" "$tmp/old.trace"; expect "the new golden agrees" 0 "ok:"
ls -a "$tmp" | grep -q '^\.old\.trace\.' && fail "a temporary file was left" || pass "no temporary file left"

# A signal during the run: nothing is written, exit 128+SIGINT. The book takes 3.5 s on the
# real clock, so SIGINT after 1 s lands in the middle of it.
cp "$tmp/old.trace" "$tmp/old.orig"
set +e
"$bin" check --update --clock real "$scenarios/book.json" "$tmp/old.trace" >"$tmp/sig.out" 2>&1 &
pid=$!
sleep 1
kill -INT $pid
wait $pid
code=$?
set -e
out=$(cat "$tmp/sig.out"); err=
[ $code -eq 130 ] && pass "SIGINT during --update: exit 130" || fail "SIGINT during --update: exit $code"
unchanged "$tmp/old.orig" "$tmp/old.trace" && pass "the golden is untouched after SIGINT" || fail "the golden was written after SIGINT"
grep -q wrote <<<"$out" && fail "it says it wrote after SIGINT" || pass "no 'wrote' after SIGINT"
ls -a "$tmp" | grep -q '^\.old\.trace\.' && fail "a temporary file was left after SIGINT" || pass "no temporary file after SIGINT"
# SIGTERM, into a golden that does not exist yet.
set +e
"$bin" check --update --clock real "$scenarios/book.json" "$tmp/fresh.trace" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
code=$?
set -e
[ $code -eq 143 ] && [ ! -e "$tmp/fresh.trace" ] && pass "SIGTERM: exit 143, no golden" || fail "SIGTERM: exit $code, golden exists: $([ -e "$tmp/fresh.trace" ] && echo yes || echo no)"
finish
