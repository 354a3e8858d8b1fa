#!/usr/bin/env bash
# Issue 12, item 4: exit 1 means "the traces differ" and nothing else; a golden that cannot
# be used (a directory, missing without --update, unreadable, unwritable) is exit 2 with the
# reason.
# usage: exit_codes.sh EVENTLOOP_TRACE SCENARIOS_DIR
set -euo pipefail
bin=$1; scenarios=$2
. "$(dirname "$0")/lib.sh"
quick=$scenarios/nothing-registered.json

run check --update "$quick" "$tmp/g.trace";      expect "golden written" 0 "wrote"
run check "$quick" "$tmp/g.trace";               expect "agrees: 0" 0 "ok:"
sed 's/Hello/Goodbye/' "$tmp/g.trace" > "$tmp/changed.trace"
run check "$quick" "$tmp/changed.trace";         expect "differs: 1" 1 "does not match"
mkdir "$tmp/dir.trace"
run check "$quick" "$tmp/dir.trace";             expect "golden is a directory: 2" 2 "" "is a directory"
run check --update "$quick" "$tmp/dir.trace";    expect "--update into a directory: 2" 2 "" "is a directory"
run check "$quick" "$tmp/missing.trace";         expect "missing golden: 2" 2 "" "No such file or directory (write it with --update)"
run check "$quick" "$tmp/g.trace/x.trace";       expect "golden under a file: 2" 2 "" "Not a directory"
run check --update "$quick" "$tmp/no/such/dir/x.trace"; expect "--update into a missing folder: 2" 2 "" "No such file or directory"
run check --update "$quick" /sys/eventloop-trace-test.trace; expect "--update where nobody may write: 2" 2 "" "cannot write the golden trace"
run check "$quick" /dev/zero;                    expect "golden is a device: 2" 2 "" "not a regular file"
if [ "$(id -u)" -ne 0 ]; then   # root reads and writes whatever the modes say
  cp "$tmp/g.trace" "$tmp/locked.trace"; chmod 000 "$tmp/locked.trace"
  run check "$quick" "$tmp/locked.trace";        expect "unreadable golden: 2" 2 "" "Permission denied"
  mkdir "$tmp/ro"; chmod 555 "$tmp/ro"
  run check --update "$quick" "$tmp/ro/g.trace"; expect "unwritable folder: 2" 2 "" "Permission denied"
else
  echo "skip unreadable/unwritable by mode (running as root; /sys covers unwritable)"
fi
printf '{"program": [{"set_timeout": -1}]}' > "$tmp/bad.json"
run check "$tmp/bad.json" "$tmp/g.trace";        expect "bad scenario: 2" 2 "" "out of range"
run check --mode nonsense "$quick" "$tmp/g.trace"; expect "bad option: 2" 2 "" "--mode"
# In a batch, one ungradable pair makes the whole run 2, even with a difference beside it.
run check "$quick" "$tmp/changed.trace" "$quick" "$tmp/missing.trace"
expect "differs + missing: 2" 2 "could not grade"
run check "$quick" "$tmp/changed.trace" "$quick" "$tmp/g.trace"
expect "differs + agrees: 1" 1 "checked 2: 1 ok, 1 failed, 0 could not be graded"
finish
