#!/usr/bin/env bash
# Issue 21, item 1 (state): let, set, if and unref survive the trip JavaScript -> scenario ->
# JavaScript. For each program: import-js gives the JSON; verify runs that JSON's export-js
# under node and agrees with our order; the exported program, read back by the front end,
# prints Node's recorded order (NAME.out) again.
# usage: js_state.sh EVENTLOOP_TRACE JS_FOLDER
set -uo pipefail
bin=$(realpath "$1")
cd "$2" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
programs=(interval-counter closure-counter-shared if-else-state unref-timer unref-interval ref-again
          argument-at-the-call var-vs-let-loop guard-clause counter-module default-parameters)
jsons=()
for name in "${programs[@]}"; do
  "$bin" import-js "$name.js" > "$tmp/$name.json" || { echo "FAIL import-js $name.js"; fails=$((fails + 1)); continue; }
  jsons+=("$tmp/$name.json")
  "$bin" export-js "$tmp/$name.json" > "$tmp/$name.back.js"
  if out=$("$bin" --clock virtual --costs zero --mode output "$tmp/$name.back.js" 2>&1) && [ "$out" == "$(cat "$name.out")" ]; then
    echo "ok   $name: export-js of its JSON reads back and prints Node's order"
  else
    echo "FAIL $name: export-js of its JSON, read back:"
    diff <(printf '%s\n' "$out") "$name.out" | head -10
    fails=$((fails + 1))
  fi
done
if v=$("$bin" verify --runs 1 "${jsons[@]}" 2>&1) && [ "$(grep -c '^agrees' <<<"$v")" -eq "${#programs[@]}" ]; then
  echo "ok   verify: node runs each export-js with our order"
else
  echo "FAIL verify:"
  echo "$v"
  fails=$((fails + 1))
fi
echo "$fails failed"
[ "$fails" -eq 0 ]
