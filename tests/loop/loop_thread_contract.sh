#!/bin/sh
# Every loop-only entry point of the Runtime aborts when called from another thread, and
# works on the loop thread (tests/loop/loop_thread_contract.cpp); request_stop(), the one
# member any thread may call, does not abort. Usage: loop_thread_contract.sh PROGRAM
set -u
prog=$1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail=0
entries=$("$prog" --list) || { echo "FAIL: --list"; exit 1; }
[ -n "$entries" ] || { echo "FAIL: no entry points listed"; exit 1; }
for entry in $entries; do
  "$prog" "$entry" loop >"$out" 2>&1
  rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "FAIL: $entry on the loop thread exited $rc"; cat "$out"; fail=1
  fi
  "$prog" "$entry" other >"$out" 2>&1
  rc=$?
  if [ "$rc" -eq 0 ] || ! grep -q "a loop-thread-only call from another thread" "$out"; then
    echo "FAIL: $entry from another thread was not refused (exit $rc)"; cat "$out"; fail=1
  fi
done
[ "$fail" -eq 0 ] && echo "ok: $(echo "$entries" | wc -l) entry points refuse other threads"
exit $fail
