#!/bin/sh
# The html page's size (issue 22): a run of 1000 timers that each queue an immediate (10,000
# trace lines, bench/scenarios/page-timers.sh) makes a page at most half its jsonl trace.
# As JSON arrays the page was 1.1x the jsonl, and the 200,000-line page (55 MB) took
# Chromium seconds to read and parse; the columns of trace/html_codec.h make it about a
# quarter. The page's behaviour is the browser tests'; this holds the size.
# Usage: page_size.sh ELT_BIN SOURCE_DIR
set -eu
elt=$1 src=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$src/bench/scenarios/page-timers.sh" 1000 >"$dir/timers.json"
"$elt" html --model node --clock virtual "$dir/timers.json" -o "$dir/page.html" >/dev/null
"$elt" --format jsonl --model node --clock virtual "$dir/timers.json" >"$dir/trace.jsonl"
page=$(wc -c <"$dir/page.html") jsonl=$(wc -c <"$dir/trace.jsonl")
echo "page $page bytes, jsonl $jsonl bytes"
if [ $((page * 2)) -gt "$jsonl" ]; then
  echo "FAIL: the page of 1000 timers is more than half its jsonl trace"
  exit 1
fi
grep -q '</html>' "$dir/page.html"
echo "ok: the page is at most half the jsonl"
