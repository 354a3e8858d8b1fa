#!/usr/bin/env bash
# A broken environment is one message on stderr and exit 1, never a lost trace reported as
# success, an abort or a hang: stdout on /dev/full, stdout closed, `step` with stdin
# closed, a process limit too low for --threads 64, a memory limit too low for
# --threads 1024. The limits are set with `ulimit` in a subshell; each case runs on both
# clocks, with 10 s to finish.
# usage: broken_env.sh EVENTLOOP_TRACE SCENARIO [SANITIZER]  (ASan and TSan reserve terabytes of
# address space, so the ulimit -v case is skipped under them)
set -uo pipefail
bin=$1; scenario=$2; sanitizer=${3:-}
err=$(mktemp); trap 'rm -f "$err"' EXIT
failed=0

# expect NAME COMMAND...: the command must exit 1 with one line on stderr, from us.
expect() {
  local name=$1; shift
  local start code ms lines
  start=$(date +%s%N)
  ( "$@" ) 2> "$err"; code=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  lines=$(wc -l < "$err")
  if [ "$code" -ne 1 ] || [ "$lines" -ne 1 ] || ! grep -q '^eventloop-trace: ' "$err"; then
    echo "FAIL $name: exit $code (want 1), $lines lines on stderr:"; head -5 "$err"; failed=1
  else
    echo "ok: $name -> exit 1 after ${ms} ms: $(cat "$err")"
  fi
}

for clock in real virtual; do
  expect "stdout on /dev/full ($clock)" bash -c 'exec timeout 10 "$0" --clock "$1" "$2" > /dev/full' "$bin" "$clock" "$scenario"
  expect "stdout closed ($clock)" bash -c 'exec timeout 10 "$0" --clock "$1" "$2" >&-' "$bin" "$clock" "$scenario"
  expect "step with stdin closed ($clock)" bash -c 'exec timeout 10 "$0" step --clock "$1" "$2" <&- > /dev/null' "$bin" "$clock" "$scenario"
  # 1 GB of address space: a thread's stack alone reserves 8 MiB, so 1024 do not fit.
  if [ -n "$sanitizer" ]; then
    echo "skipped: --threads 1024 under ulimit -v (built with $sanitizer)"
  else
    expect "--threads 1024 under ulimit -v ($clock)" bash -c 'ulimit -v 1000000; exec timeout 10 "$0" --clock "$1" --threads 1024 "$2" > /dev/null' "$bin" "$clock" "$scenario"
  fi
  # Root is exempt from RLIMIT_NPROC, so the process limit is tried as user nobody.
  if [ "$(id -u)" -eq 0 ] && command -v setpriv > /dev/null &&
     setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" --version > /dev/null 2>&1; then
    expect "--threads 64 under ulimit -u 30 ($clock)" bash -c 'ulimit -u 30; exec timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups "$0" --clock "$1" --threads 64 "$2" > /dev/null' "$bin" "$clock" "$scenario"
  else
    echo "skipped: --threads 64 under ulimit -u (needs root, setpriv, and a binary that user nobody may run)"
  fi
done
exit $failed
