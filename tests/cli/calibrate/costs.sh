#!/usr/bin/env bash
# --costs and calibrate on the command line: zero gives the order of a run without costs,
# the default profile Node's; the book's model ignores any profile; a file that is no
# profile is refused (exit 2) with its JSON path; calibrate writes a profile that loads.
# usage: costs_cli.sh EVENTLOOP_TRACE REPO_ROOT
set -euo pipefail
bin=$1
root=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
quiz=$root/scenarios/races/quiz.json
last_two() { "$bin" --clock virtual "$@" "$quiz" | sed -n 's/^Thread: main\t //p' | grep -xE 'timeout|immediate' | paste -sd' '; }
[[ $(last_two) == "timeout immediate" ]] || fail "default profile: $(last_two)"
[[ $(last_two --costs zero) == "immediate timeout" ]] || fail "--costs zero: $(last_two --costs zero)"
[[ $(last_two --costs "$root/data/costs/default.json") == "timeout immediate" ]] || fail "--costs FILE"
echo "ok: --costs zero and the default profile"

"$bin" check --costs "$root/data/costs/default.json" "$root/scenarios/book.json" "$root/tests/golden/book.trace" >/dev/null ||
  fail "the book's golden changed under a cost profile"
echo "ok: the book's model ignores costs"

echo '{"format": "eventloop-trace cost profile 1", "clock_phase_us": 500, "costs": {"main_program": {"median_us": -3}}}' >"$tmp/bad.json"
set +e
err=$("$bin" --clock virtual --costs "$tmp/bad.json" "$quiz" 2>&1 >/dev/null); rc=$?
set -e
[[ $rc -eq 2 && $err == *"bad.json:/costs/main_program/median_us: expected 0 to 60000000 microseconds"* ]] ||
  fail "a bad profile: exit $rc, $err"
set +e
err=$("$bin" --clock virtual --costs "$tmp/none.json" "$quiz" 2>&1 >/dev/null); rc=$?
set -e
[[ $rc -eq 2 && $err == *"none.json: cannot open the cost profile"* ]] || fail "a missing profile: exit $rc, $err"
echo "ok: bad profiles are refused"

if command -v node >/dev/null; then
  "$bin" calibrate --runs 3 -o "$tmp/here.json" 2>/dev/null || fail "calibrate"
  grep -q '"first_print"' "$tmp/here.json" || fail "calibrate wrote no first_print"
  "$bin" --clock virtual --costs "$tmp/here.json" "$quiz" >/dev/null || fail "the calibrated profile does not load"
  echo "ok: calibrate writes a profile that loads"
fi
