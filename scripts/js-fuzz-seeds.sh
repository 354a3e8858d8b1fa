#!/usr/bin/env bash
# Writes fuzz/corpus/js_front/: acorn's ESTree (as data/js/parse.js gives it to the
# translator) of every program in tests/js/ and tests/js/refused/, the seeds of
# fuzz/fuzz_js_front.cpp. A program with a syntax error has no tree and is left out.
# usage: scripts/js-fuzz-seeds.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
acorn=/usr/share/nodejs/acorn
out="$root/fuzz/corpus/js_front"
mkdir -p "$out"
for program in "$root"/tests/js/*.js "$root"/tests/js/refused/*.js; do
  name=$(basename "$program" .js)
  [[ $program == */refused/* ]] && name="refused-$name"
  if ! node --experimental-permission --no-warnings --allow-fs-read="$root/data/js/parse.js" \
       --allow-fs-read="$acorn" "$root/data/js/parse.js" "$acorn" < "$program" > "$out/$name.json"; then
    rm -f "$out/$name.json"
  fi
done
echo "$(ls "$out" | wc -l) seeds in $out"
