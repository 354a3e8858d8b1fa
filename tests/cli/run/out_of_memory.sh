#!/usr/bin/env bash
# Out of memory is one message and exit 1 in every command (issue 25, item 7): a scenario
# with a promise chain of 100,000 steps (3.4 MB of JSON, about 140 MB to parse and run) under
# `ulimit -v 100000` (100 MB), set in a subshell. Before, a plain run said "error:
# std::bad_alloc", check called it a bad scenario (exit 2), and a probe saw an abort (134).
# ASan and TSan reserve terabytes of address space: release builds only (label release-only).
# usage: out_of_memory.sh EVENTLOOP_TRACE
set -uo pipefail
bin=$1
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
awk 'BEGIN { printf "{\"settings\": {\"model\": \"node\"}, \"program\": [{\"promise\": \"resolve\", \"chain\": [";
             for (i = 0; i < 100000; i++) printf "%s{\"then\": [{\"print\": \"step %d\"}]}", (i ? "," : ""), i;
             print "]}]}" }' > "$dir/chain.json"
: > "$dir/chain.trace"
failed=0
expect() {
  local name=$1; shift
  ( ulimit -v 100000; exec timeout 20 "$@" ) > /dev/null 2> "$dir/err" < /dev/null
  local code=$? lines
  lines=$(wc -l < "$dir/err")
  if [ "$code" -ne 1 ] || [ "$lines" -ne 1 ] || ! grep -q '^eventloop-trace: out of memory' "$dir/err"; then
    echo "FAIL $name: exit $code (want 1), $lines lines on stderr:"; head -3 "$dir/err"; failed=1
  else
    echo "ok: $name -> exit 1: $(cat "$dir/err")"
  fi
}
expect "plain run" "$bin" --clock virtual "$dir/chain.json"
expect "plain run, real clock" "$bin" "$dir/chain.json"
expect "check" "$bin" check "$dir/chain.json" "$dir/chain.trace"
expect "check --update" "$bin" check --update "$dir/chain.json" "$dir/chain.trace"
expect "html" "$bin" html "$dir/chain.json" -o "$dir/chain.html"
expect "export-js" "$bin" export-js "$dir/chain.json"
expect "step" "$bin" step "$dir/chain.json"
# Without the limit the same file is a good scenario: the limit, not the file, was the problem.
timeout 20 "$bin" export-js "$dir/chain.json" > /dev/null || { echo "FAIL: the chain does not parse without a limit"; failed=1; }
exit $failed
