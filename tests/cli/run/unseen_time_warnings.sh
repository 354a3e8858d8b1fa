#!/usr/bin/env bash
# Issue 12, item 5: warnings on stderr when a virtual-clock run depends on real time it
# cannot see, as a person sees them: one per action, naming file:line:column, never on
# stdout, never on the real clock, once per process under check, off with --no-warnings;
# the book's own run prints nothing on stderr.
# usage: unseen_time_warnings.sh EVENTLOOP_TRACE SCENARIO_DIR GOLDEN_DIR
set -uo pipefail
bin=$1; dir=$2; golden=$3
tmp=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }

python3 -u "$(dirname "$0")/../../common/static_server.py" "$tmp" > "$tmp/port" 2>/dev/null &
server=$!
for _ in $(seq 1 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(head -1 "$tmp/port")
echo hello > "$tmp/hello.txt"
head -c 2000000 /dev/zero | tr '\0' x > "$tmp/big.txt"
cat > "$tmp/s.json" <<JSON
{"program": [
  {"repeat": 3, "do": [{"http_get": "http://127.0.0.1:$port/hello.txt", "as": "r", "then": [{"print": "got \${r.body}"}]}]},
  {"fs_read": "big.txt", "then": [{"print": "big read"}]},
  {"http_get": "http://127.0.0.1:1/", "catch": [{"print": "refused"}]}
]}
JSON
cd "$tmp"
"$bin" --clock virtual s.json > out 2> err
want_http="eventloop-trace: warning: s.json:2:24: http_get to 127.0.0.1: the virtual clock stands still while a real server answers"
want_read="eventloop-trace: warning: s.json:3:3: fs_read of \"big.txt\" (1.9 MiB) without delay_ms"
grep -qF "$want_http" err && ok "http_get to a real server: warned with file:line:column" || fail "no http warning: $(cat err)"
grep -qF "$want_read" err && ok "large read without delay_ms: warned" || fail "no read warning: $(cat err)"
[ "$(grep -c 'warning' err)" -eq 2 ] && ok "one warning per action (repeat 3 -> 1), none for a refused port" || fail "expected 2 warnings: $(cat err)"
grep -q 'warning' out && fail "a warning on stdout" || ok "nothing on stdout"
grep -q 'got hello' out && grep -q 'FINISHED' out || fail "the run did not finish: $(tail -3 out)"
"$bin" --clock real s.json > /dev/null 2> err.real
[ ! -s err.real ] && ok "real clock: no warning" || fail "real clock warned: $(cat err.real)"
"$bin" --clock virtual --no-warnings s.json > /dev/null 2> err.quiet
[ ! -s err.quiet ] && ok "--no-warnings: none" || fail "--no-warnings warned: $(cat err.quiet)"
"$bin" check --update s.json s.trace > /dev/null 2> err.check
[ "$(grep -c 'warning' err.check)" -eq 2 ] && ok "check: the same two warnings" || fail "check: $(cat err.check)"
cd - > /dev/null
# The book's scenario calls the delay service (http_get_slow): nothing on stderr, and the
# trace is the golden's, byte for byte.
"$bin" --clock virtual "$dir/book.json" > "$tmp/book.out" 2> "$tmp/book.err"
[ ! -s "$tmp/book.err" ] && ok "book: nothing on stderr" || fail "book warned: $(cat "$tmp/book.err")"
cmp -s "$tmp/book.out" "$golden/book.trace" && ok "book: stdout byte-identical to its golden" || fail "book's trace changed"
[ $fails -eq 0 ]
