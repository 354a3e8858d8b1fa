#!/usr/bin/env bash
# fs_read of files that would block for ever (a FIFO nobody writes to, an idle /dev/stdin,
# /dev/kmsg) is refused before any open that could block, so a signal still ends the run
# within two seconds: SIGINT and SIGTERM, on both clocks. Before, the pool thread sat in
# open() or read(), shutdown joined it, and only SIGKILL ended the run.
# usage: blocking_reads.sh EVENTLOOP_TRACE
set -uo pipefail
set -m   # job control: background jobs get SIGINT as it is, not ignored
bin=$1
tmp=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
mkfifo "$tmp/fifo"
# encrypt 44 keeps a pool thread busy for seconds of real CPU on either clock, and the
# timer keeps the real clock's loop alive: the run is still going when the signal comes.
cat > "$tmp/reads.json" <<'JSON'
{"program": [
  {"fs_read": "fifo", "catch": [{"print": "fifo: ${error}"}]},
  {"fs_read": "/dev/stdin", "catch": [{"print": "stdin: ${error}"}]},
  {"fs_read": "/dev/kmsg", "catch": [{"print": "kmsg: ${error}"}]},
  {"encrypt": 44, "catch": [{"print": "encrypt: ${error}"}]},
  {"set_timeout": 5000, "then": [{"print": "timer"}]}]}
JSON
# /dev is outside the scenario's folder: allow it (a build from before --allow-read read
# any path, and is run without it, so that this test shows how it failed).
allow=(--allow-read /dev)
"$bin" --help | grep -q -- --allow-read || allow=()
# An idle stdin: a FIFO this script holds open for writing and never writes to.
mkfifo "$tmp/idle"
exec 7<> "$tmp/idle"
failed=0
for clock in real virtual; do
  for sig in INT TERM; do
    "$bin" --clock "$clock" "${allow[@]}" "$tmp/reads.json" < "$tmp/idle" > "$tmp/out" 2>&1 &
    pid=$!; pids+=($!)
    sleep 0.5
    kill -"$sig" "$pid"
    start=$(date +%s%N)
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    if kill -0 "$pid" 2>/dev/null; then
      echo "FAIL SIG$sig ($clock): still running 2 s after the signal"; tail -3 "$tmp/out"; failed=1
      kill -KILL "$pid"; wait "$pid" 2>/dev/null
      continue
    fi
    wait "$pid"; code=$?
    want=$([ "$sig" = INT ] && echo 130 || echo 143)
    # The three reads ended on the pool (refused, not blocked). On the real clock their
    # callbacks ran too; the virtual clock runs one thread at a time, and the encrypt still
    # holds it when the signal comes, so there the loop stops before their callbacks.
    refusals_ok=1
    if [ "$clock" = real ]; then
      grep -q 'fifo: read "fifo" refused: it is a FIFO' "$tmp/out" &&
        grep -q 'kmsg: read "/dev/kmsg" refused: it is a character device' "$tmp/out" &&
        grep -q 'stdin: read "/dev/stdin" refused' "$tmp/out" || refusals_ok=0
    fi
    if [ "$code" -ne "$want" ] || [ "$refusals_ok" -ne 1 ] ||
       [ "$(grep -c 'finished running a task of type: File read.' "$tmp/out")" -ne 3 ] ||
       ! tail -1 "$tmp/out" | grep -q 'FINISHED$'; then
      echo "FAIL SIG$sig ($clock): exit $code (want $want), or the refusals or FINISHED are missing"
      cat "$tmp/out"; failed=1
    else
      echo "ok: SIG$sig ($clock): exit $code ${ms} ms after the signal, the reads refused, trace flushed"
    fi
  done
done
exit $failed
