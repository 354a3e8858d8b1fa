#!/usr/bin/env bash
# A golden with one changed line makes `check` exit 1 with a diff that names the tick and
# the thread of that line.
# usage: check_detects_change.sh EVENTLOOP_TRACE SCENARIO GOLDEN
set -euo pipefail
bin=$1; scenario=$2; golden=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# Change the "SETTIMEOUT" line, printed by main in tick 2 of the book's trace.
sed 's/^Thread: main\t SETTIMEOUT$/Thread: main\t SETTIMEOUT (changed)/' "$golden" > "$tmp/changed.trace"
cmp -s "$golden" "$tmp/changed.trace" && { echo "the edit did not change the golden"; exit 1; }
set +e
"$bin" check --color never "$scenario" "$tmp/changed.trace" > "$tmp/out" 2>&1
code=$?
set -e
cat "$tmp/out"
[ $code -eq 1 ] || { echo "expected exit 1, got $code"; exit 1; }
grep -q "first difference at line .* (tick 2, thread main)" "$tmp/out" || { echo "no tick/thread in report"; exit 1; }
grep -q "^-Thread: main	 SETTIMEOUT (changed)$" "$tmp/out" || { echo "no - line"; exit 1; }
grep -q "^+Thread: main	 SETTIMEOUT$" "$tmp/out" || { echo "no + line"; exit 1; }
echo "ok: the diff points at tick 2, thread main"
