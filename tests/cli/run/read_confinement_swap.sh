#!/usr/bin/env bash
# Read confinement holds when the scenario's folder is swapped mid-run (issue 25, item 3).
# A scenario's fs_read waits 800 ms (delay_ms) before it opens "etc/passwd"; after 300 ms
# the test moves the folder away and puts a symbolic link to / in its place. Before, the
# read followed the new name and printed /etc/passwd. Now the folder is held open from the
# start: the read looks in the folder it was given, finds no etc/passwd there, and its
# callback gets the error, shown in the trace; a file that was in the folder is still read.
# Real clock, both models (the book reads in one trip, node in open/fstat/read/close).
# usage: read_confinement_swap.sh EVENTLOOP_TRACE
set -uo pipefail
bin=$1
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
failed=0
for model in book node; do
  rm -rf "$dir/scenario" "$dir/moved"
  mkdir "$dir/scenario"
  echo inside > "$dir/scenario/a.txt"
  cat > "$dir/scenario/swap.json" <<'JSON'
{
  "description": "Two delayed reads; the folder is replaced by a link to / while they wait.",
  "program": [
    { "fs_read": "etc/passwd", "delay_ms": 800, "as": "text",
      "then": [ { "print": "read outside: ${text}" } ], "catch": [ { "print": "caught: ${error}" } ] },
    { "fs_read": "a.txt", "delay_ms": 800, "as": "text",
      "then": [ { "print": "read inside: ${text}" } ], "catch": [ { "print": "caught: ${error}" } ] }
  ]
}
JSON
  timeout 20 "$bin" --model "$model" "$dir/scenario/swap.json" > "$dir/out" 2> "$dir/err" &
  pid=$!
  sleep 0.3
  mv "$dir/scenario" "$dir/moved" && ln -s / "$dir/scenario"
  wait "$pid"; code=$?
  if [ "$code" -ne 0 ]; then
    echo "FAIL $model: exit $code"; cat "$dir/err"; failed=1
  elif grep -q 'read outside\|root:' "$dir/out"; then
    echo "FAIL $model: the read left the folder:"; grep 'read outside' "$dir/out" | cut -c1-100; failed=1
  elif ! grep -q 'caught: open "etc/passwd": No such file or directory' "$dir/out" ||
       ! grep -q 'read inside: inside' "$dir/out"; then
    echo "FAIL $model: unexpected trace:"; cat "$dir/out"; failed=1
  else
    echo "ok: $model: $(grep -o 'caught: .*' "$dir/out"); $(grep -o 'read inside: .*' "$dir/out")"
  fi
  rm -f "$dir/scenario"
done
exit $failed
