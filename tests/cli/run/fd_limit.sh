#!/usr/bin/env bash
# Out of file descriptors, the delay service neither spins nor stops the virtual clock:
# 600 requests under `ulimit -n 1024` need 1200 descriptors, and those that cannot get one
# fail (an error delivered to their callback) while the others are answered. Before, the
# service's thread spun on accept failing with EMFILE and, under the virtual clock, time
# never moved again (100% CPU, and SIGINT ignored).
# usage: fd_limit.sh EVENTLOOP_TRACE
set -uo pipefail
bin=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/many.json" <<'JSON'
{"program": [{"repeat": 600, "do": [{"http_get_slow": "x/${i}", "delay_ms": 100,
  "then": [{"print": "answered ${i}"}], "catch": [{"print": "failed ${i}"}]}]}]}
JSON
failed=0
for clock in virtual real; do
  start=$(date +%s%N)
  ( ulimit -n 1024; exec timeout -s KILL 20 "$bin" --clock "$clock" "$tmp/many.json" ) > "$tmp/out" 2>&1; code=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  answered=$(grep -c 'Thread: main	 answered ' "$tmp/out")
  refused=$(grep -c 'Thread: main	 failed ' "$tmp/out")
  if [ "$code" -ne 0 ] || [ $((answered + refused)) -ne 600 ] || [ "$answered" -lt 100 ] || [ "$ms" -gt 10000 ]; then
    echo "FAIL $clock: exit $code after ${ms} ms, $answered answered, $refused failed (want 600 callbacks)"; failed=1
  else
    echo "ok: $clock clock, ulimit -n 1024: exit 0 after ${ms} ms, $answered answered, $refused failed"
  fi
done
exit $failed
