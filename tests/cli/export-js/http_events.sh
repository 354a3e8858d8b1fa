#!/usr/bin/env bash
# Issue 21, HTTP as learners write it: each tests/js/http-*.js program, as import-js reads it
# and export-js writes it back, prints under the real node the order node printed for the
# original (its .out); and the book's loop refuses the program with exit 2 naming
# --model node. The programs talk to their own server on a free port, so this runs offline.
# usage: http_events.sh EVENTLOOP_TRACE JS_FOLDER
set -uo pipefail
bin=$(realpath "$1")
cd "$2" || exit 1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
count=0
for program in http-*.js; do
  count=$((count + 1))
  name=${program%.js}
  if ! "$bin" export-js "$program" > "$tmp/$name.js" 2> "$tmp/$name.err"; then
    echo "FAIL $program: export-js: $(cat "$tmp/$name.err")"; fails=$((fails + 1)); continue
  fi
  if node "$tmp/$name.js" > "$tmp/$name.out" 2>&1 && cmp -s "$tmp/$name.out" "$name.out"; then
    echo "ok   $program: export-js runs under node in node's order"
  else
    echo "FAIL $program: the exported program under node"; diff "$tmp/$name.out" "$name.out" | head -10
    fails=$((fails + 1))
  fi
  err=$("$bin" --model book --clock virtual "$program" 2>&1 >/dev/null); code=$?
  if [ "$code" -eq 2 ] && [[ "$err" == *"$program:"*"--model node"* ]]; then
    echo "ok   $program: the book's loop refuses it (exit 2, located, naming --model node)"
  else
    echo "FAIL $program: under --model book: exit $code: $err"; fails=$((fails + 1))
  fi
done
[ "$count" -ge 4 ] || { echo "FAIL only $count http programs"; fails=$((fails + 1)); }
echo "$count programs, $fails failed"
[ "$fails" -eq 0 ]
