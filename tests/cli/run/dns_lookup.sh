#!/usr/bin/env bash
# Host lookups never hold up the threads that keep time, have their own deadline, and a
# name that --allow-net does not allow is never looked up at all. Run in a private user,
# mount and network namespace (unshare -rmn) whose only network is loopback and whose
# /etc/resolv.conf names a DNS server on 127.0.0.1 that logs every query and answers none:
# no packet can leave this machine. Skipped (exit 77) where namespaces are not allowed.
# usage: dns_lookup.sh EVENTLOOP_TRACE
set -uo pipefail
bin=$(realpath "$1")
if [ "${ELT_IN_NAMESPACE:-}" != 1 ]; then
  if ! unshare -rmn true 2> /dev/null; then echo "skipped: unshare -rmn is not allowed here"; exit 77; fi
  ELT_IN_NAMESPACE=1 exec unshare -rmn "$0" "$@"
fi
tmp=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
ip link set lo up
printf 'nameserver 127.0.0.1\noptions timeout:4 attempts:2\n' > "$tmp/resolv.conf"
mount --bind "$tmp/resolv.conf" /etc/resolv.conf
python3 -u - "$tmp/queries" > "$tmp/dns.ready" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
print("ready", flush=True)
log = open(sys.argv[1], "a", buffering=1)
while True:
    data, _ = s.recvfrom(4096)
    labels, i = [], 12
    while i < len(data) and data[i] != 0:
        n = data[i]; labels.append(data[i + 1:i + 1 + n].decode("ascii", "replace")); i += n + 1
    log.write(".".join(labels) + "\n")
PY
pids+=($!)
for _ in $(seq 1 50); do [ -s "$tmp/dns.ready" ] && break; sleep 0.1; done

cat > "$tmp/lookup.json" <<'JSON'
{"program": [
  {"http_get": "http://slow.test/", "catch": [{"print": "slow: ${error}"}]},
  {"repeat": 1, "as": "n", "do": [
    {"http_get": "http://not-allowed${n}.test/", "catch": [{"print": "refused: ${error}"}]}]},
  {"set_timeout": 100, "then": [{"print": "timer"}]}]}
JSON
allow=(--allow-net slow.test)
"$bin" --help | grep -q -- --allow-net || allow=()   # a build from before: show how it failed
failed=0
for clock in real virtual; do
  : > "$tmp/queries"
  start=$(date +%s%N)
  timeout -s KILL 30 "$bin" --clock "$clock" "${allow[@]}" --format jsonl "$tmp/lookup.json" > "$tmp/out" 2>&1
  code=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  # When the timer's callback ran, in real milliseconds since the start of the run.
  timer_ms=$(python3 -c '
import json, sys, time
for line in open(sys.argv[1]):
    try: e = json.loads(line)
    except ValueError: continue
    if e.get("message") == "timer": print(e["time_us"] // 1000); break' "$tmp/out")
  problems=()
  [ "$code" -eq 0 ] || problems+=("exit $code")
  if [ "$clock" = real ]; then
    [ -n "$timer_ms" ] && [ "$timer_ms" -lt 1000 ] || problems+=("the 100 ms timer ran at ${timer_ms:-never} ms")
  else
    grep -q '"message":"timer"' "$tmp/out" || problems+=("the timer never ran")
  fi
  grep -q 'slow: looking up \\"slow.test\\" took longer than 5000 ms' "$tmp/out" || problems+=("no lookup timeout for slow.test")
  grep -q 'refused: \\"http://not-allowed0.test/\\": connecting to not-allowed0.test:80 is not allowed' "$tmp/out" ||
    problems+=("not-allowed0.test was not refused")
  grep -q '^slow\.test$' "$tmp/queries" || problems+=("slow.test was never asked for (is the test's DNS server used?)")
  if grep -q 'not-allowed' "$tmp/queries"; then problems+=("a name that is not allowed was looked up"); fi
  if [ ${#problems[@]} -gt 0 ]; then
    echo "FAIL $clock: ${problems[*]}"; grep -v '"thread":"pool' "$tmp/out" | head -12; failed=1
  else
    echo "ok: $clock clock: the timer ran at ${timer_ms} ms ($clock time) during a 5 s lookup, which timed out; the refused name was never looked up (run: ${ms} ms)"
  fi
done

# A signal during a lookup that will never be answered ends the run at once, in both
# models (the node model looks names up on the pool, as libuv does).
set -m
for model in book node; do
"$bin" --model "$model" "${allow[@]}" "$tmp/lookup.json" > "$tmp/out" 2>&1 &
pid=$!
sleep 1
kill -INT "$pid"
for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$pid" 2>/dev/null; then
  echo "FAIL: still running 2 s after SIGINT during a lookup ($model model)"; kill -KILL "$pid"; failed=1
else
  wait "$pid"; code=$?
  if [ "$code" -eq 130 ] && tail -1 "$tmp/out" | grep -q FINISHED; then
    echo "ok: SIGINT during a lookup ($model model): exit 130 at once, trace flushed"
  else
    echo "FAIL: SIGINT during a lookup ($model model): exit $code"; tail -3 "$tmp/out"; failed=1
  fi
fi
done
exit $failed
