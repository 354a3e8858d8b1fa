#!/usr/bin/env bash
# A hostile HTTP server on loopback cannot make the tool abort or eat memory without
# bound: endless 1-byte chunks with 4000-byte extensions stop at the extension limit
# (16 KiB, as in Node) at once, under a 3 GB address-space limit that the flood used to
# exhaust in seconds (std::bad_alloc on the epoll thread, std::terminate, exit 134); and a
# 60 MB body under a 160 MB limit fails that request with "out of memory", exit 0.
# usage: hostile_server.sh EVENTLOOP_TRACE [SANITIZER]  (ulimit -v cannot be used under ASan
# or TSan, which reserve terabytes of address space; the flood case then runs unlimited)
set -uo pipefail
bin=$1; sanitizer=${2:-}
tmp=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
failed=0

cat > "$tmp/server.py" <<'PY'
import socket, sys, threading
mode = sys.argv[1]
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
def serve(c):
    try:
        c.recv(65536)
        if mode == "chunks":
            c.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            block = (b"1;" + b"e" * 4000 + b"\r\nX\r\n") * 256
            while True: c.sendall(block)
        else:
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 60000000\r\n\r\n")
            for _ in range(60): c.sendall(b"b" * 1_000_000)
    except OSError:
        pass
    finally:
        c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
for mode in chunks big; do
  python3 -u "$tmp/server.py" "$mode" > "$tmp/$mode.port" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 1 100); do [ -s "$tmp/$mode.port" ] && break; sleep 0.1; done
done

cat > "$tmp/chunks.json" <<JSON
{"program": [{"http_get": "http://127.0.0.1:$(cat "$tmp/chunks.port")/", "then": [{"print": "complete?"}],
              "catch": [{"print": "chunks: \${error}"}]}]}
JSON
cat > "$tmp/big.json" <<JSON
{"program": [{"http_get": "http://127.0.0.1:$(cat "$tmp/big.port")/", "as": "r", "then": [{"print": "big: \${r.body.length}"}],
              "catch": [{"print": "big: \${error}"}]}]}
JSON

# check NAME WANT_TEXT COMMAND...: exit 0 within the limit, and the trace says WANT_TEXT.
check() {
  local name=$1 want=$2; shift 2
  local start code ms
  start=$(date +%s%N)
  ( "$@" ) > "$tmp/out" 2>&1; code=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  if [ "$code" -ne 0 ] || ! grep -qF "$want" "$tmp/out"; then
    echo "FAIL $name: exit $code after ${ms} ms"; grep -v 'Thread: pool' "$tmp/out" | head -8; failed=1
  else
    echo "ok: $name -> exit 0 after ${ms} ms: $(grep -F "$want" "$tmp/out" | head -1)"
  fi
}

limit=""; [ -z "$sanitizer" ] && limit="ulimit -v 3000000;"
for clock in real virtual; do
  check "endless chunks with 4000-byte extensions ($clock)" "chunk extension data exceeds the limit of 16384 bytes" \
    bash -c "$limit"' exec timeout 20 "$0" --clock "$1" "$2"' "$bin" "$clock" "$tmp/chunks.json"
  if [ -z "$sanitizer" ]; then
    # One malloc arena, so that how much address space the threads' arenas take does not
    # depend on which thread allocated first.
    check "60 MB body under ulimit -v 160000 ($clock)" "out of memory while receiving it" \
      bash -c 'ulimit -v 160000; MALLOC_ARENA_MAX=1 exec timeout 20 "$0" --clock "$1" --threads 1 "$2"' "$bin" "$clock" "$tmp/big.json"
  fi
done
[ -n "$sanitizer" ] && echo "skipped: the memory-limit case (built with $sanitizer)"
exit $failed
