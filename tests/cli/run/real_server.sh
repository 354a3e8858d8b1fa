#!/usr/bin/env bash
# The runtime's HTTP client against real servers on loopback: Python's http.server
# (Content-Length, HTTP/1.0, closes after the response) and a Node server that answers
# with chunked transfer encoding.
# usage: real_server.sh EVENTLOOP_TRACE SCENARIO_DIR
set -euo pipefail
bin=$1; dir=$2
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

wait_port() {  # wait until a server wrote its port into file $1
  for _ in $(seq 1 100); do [ -s "$1" ] && return 0; sleep 0.1; done
  echo "server did not start"; exit 1
}

# Python: serves the scenarios folder (test.txt is there).
python3 -u "$(dirname "$0")/../../common/static_server.py" "$dir" > "$tmp/py.port" 2>/dev/null &
pids+=($!)
# Node: a chunked response in three pieces.
node -e '
const http = require("http");
const s = http.createServer((req, res) => {
  res.writeHead(200, {"Content-Type": "text/plain"});
  res.write("chunk one\n"); setTimeout(() => { res.write("chunk two\n"); res.end("chunk three\n"); }, 20);
});
s.listen(0, "127.0.0.1", () => console.log(s.address().port));' > "$tmp/node.port" &
pids+=($!)
wait_port "$tmp/py.port"; wait_port "$tmp/node.port"
py=$(head -1 "$tmp/py.port"); nd=$(head -1 "$tmp/node.port")

cat > "$tmp/s.json" <<JSON
{"program": [
  {"http_get": "http://127.0.0.1:$py/test.txt", "as": "r", "then": [
    {"print": "python: status \${r.status}, \${r.body.length} bytes: \${r.body}"}]},
  {"http_get": "http://localhost:$py/nope.txt", "as": "r", "then": [
    {"print": "python missing: status \${r.status}"}]},
  {"http_get": "http://127.0.0.1:$nd/", "as": "r", "then": [
    {"print": "node: status \${r.status}, chunked \${r.headers.transfer-encoding}, \${r.body.length} bytes"}]}
]}
JSON
for clock in real virtual; do
  "$bin" --clock "$clock" "$tmp/s.json" > "$tmp/out.$clock"
  cat "$tmp/out.$clock"
  grep -q 'python: status 200, 39 bytes: Hello world! This is a text to encrypt!' "$tmp/out.$clock"
  grep -q 'python missing: status 404' "$tmp/out.$clock"
  grep -q 'node: status 200, chunked chunked, 32 bytes' "$tmp/out.$clock"
  tail -1 "$tmp/out.$clock" | grep -q 'FINISHED$'
done
echo "ok: real servers (Python http.server, Node chunked) on both clocks"
