#!/usr/bin/env bash
# Issue 25, item 1: no scenario text can become code in `export-js`'s program, and `verify`
# runs node confined.
# - Scenarios carry, in every field that reaches the program (description, the scenario's
#   own file name, print and print_content text and label, fs_read's path, promise values,
#   URLs, names), newlines, `*/`, backticks, `${`, U+2028, U+2029, `</script>`, quotes,
#   backslashes and escape codes, each beside code that would write a file if it ran.
#   Every exported program must pass `node --check`, run without writing anything, and
#   `verify` of the issue's payload must write nothing and agree.
# - The sandbox: a stand-in for node puts a hostile program in place of the exported one
#   and runs the real node with verify's options; its attempts to write a file, start a
#   child, start a worker, read /etc/hostname and reach a server in our network namespace
#   must all fail inside node.
# usage: export_hostile.sh EVENTLOOP_TRACE
set -uo pipefail
bin=$(realpath "$1")
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL $1"; fails=$((fails + 1)); }
ok() { echo "ok   $1"; }
command -v node >/dev/null || { echo "node not found: scripts/deps.sh installs it"; exit 1; }

mkdir -p "$dir/scenarios" "$dir/run"
python3 - "$dir/scenarios" <<'PY'
import json, sys, os
out = sys.argv[1]
# Each piece would end a literal or comment if written raw; the code after it writes a file.
pieces = ["\n", "\r", "\u2028", "\u2029", "*/", "`", "${", "</script>", "'", '"', "\\", "\x1b[31m", "\u202e"]
def hostile(n, template):
    code = "require('fs').writeFileSync('pwned-%d.txt', 'x');" % n
    s = "".join(p + code for p in pieces)
    return s.replace("${", "$${") if template else s
def write(name, description, program):
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        json.dump({"description": description, "settings": {"model": "node", "http_timeout_ms": 2000},
                   "program": program}, f, ensure_ascii=False)
T = lambda n: hostile(n, True)
write("texts.json", hostile(1, False), [
    {"print": T(2)},
    {"print_content": T(3), "label": hostile(4, False)},
    {"repeat": 2, "as": "9i", "do": [{"set_timeout": "${9i}", "id": "1t", "then": [{"print": T(5) + "${9i}"}]}]},
    {"clear_timeout": "1t"},
])
write("reads.json", "fs_read", [
    {"fs_read": T(6), "as": "text", "then": [{"print": "${text}"}], "catch": [{"print": T(7) + "${error}"}]},
    {"fs_read": "x", "delay_ms": 5, "catch": [{"print": "${error.length}"}]},
])
write("promises.json", "promise", [
    {"promise": "resolve", "value": T(8), "chain": [
        {"then": [{"print": "${value}"}], "return": T(9)},
        {"then": [{"print": "${value}"}], "throw": T(10)},
        {"catch": [{"print": "${error}"}]}]},
    {"promise": "reject", "value": T(11), "chain": [{"catch": [{"print": "${error}"}]}]},
])
write("urls.json", "http", [
    {"http_get": "http://127.0.0.1:1/" + T(12), "as": "r", "then": [{"print": "${r.headers.x-y} ${r.status}"}],
     "catch": [{"print": "${error}"}]},
    {"http_get": T(13), "catch": [{"print": "${error}"}]},
    {"http_get_slow": T(14), "delay_ms": 0, "catch": [{"print": "${error}"}]},
])
# The file name reaches the program's first comment line.
write(hostile(15, False).replace("/", "|")[:200] + ".json", "a hostile file name", [{"print": "name"}])
# The issue's payload, as filed.
write("payload.json", "harmless\nrequire('fs').writeFileSync('pwned.txt', require('fs').readFileSync('/etc/hostname'))",
      [{"print": "hi"}])
# The same, short enough to stay on one line of the header comment: before the fix, node ran it.
write("payload-short.json", "harmless\nrequire('fs').writeFileSync('pwned.txt', 'x')", [{"print": "hi"}])
PY

n=0
for f in "$dir"/scenarios/*.json; do
  n=$((n + 1))
  js="$dir/run/program-$n.js"
  if ! "$bin" export-js "$f" > "$js" 2> "$dir/err"; then
    fail "export-js $(basename "$f" | head -c 40 | od -An -c | head -1): $(cat "$dir/err")"
    continue
  fi
  if ! out=$(node --check "$js" 2>&1); then fail "node --check program-$n: ${out:0:600}"; continue; fi
  # Run it plainly (no sandbox): whatever broke out would write its file here.
  (cd "$dir/run" && ELT_SCENARIO_DIR="$dir/run" timeout 20 node "$js" > /dev/null 2>&1)
  ok "program-$n (from $(basename "$f" | head -c 30 | tr -c '[:alnum:]._-' '?')...) parses and runs"
done
[ "$n" -ge 6 ] || fail "only $n scenarios were written"
written=$(find "$dir" -name 'pwned*')
if [ -n "$written" ]; then
  fail "a scenario's text ran as code: it wrote $written"
else
  ok "no string of any field ran as code"
fi

# The issue's payload under verify: it agrees, and nothing is written.
out=$(cd "$dir/scenarios" && "$bin" verify --runs 2 --color never payload.json payload-short.json 2>&1); rc=$?
if [ $rc -ne 0 ] || [ "$(grep -c '^agrees' <<<"$out")" -ne 2 ] || ls "$dir"/scenarios/pwned* >/dev/null 2>&1; then
  fail "verify of the payload: exit $rc, $(ls "$dir"/scenarios 2>&1 | tr '\n' ' '), output: ${out:0:600}"
else
  ok "verify of the issue's payload agrees and writes nothing"
fi

# A scenario that reads outside its folder: ours refuses, and so would verify's node; the
# two cannot be compared, and verify says so instead of running it.
printf '{"settings": {"model": "node"}, "program": [{"fs_read": "%s", "catch": [{"print": "${error}"}]}]}' \
  /etc/hostname > "$dir/outside-absolute.json"
printf '{"settings": {"model": "node"}, "program": [{"fs_read": "%s", "catch": [{"print": "${error}"}]}]}' \
  ../../etc/hostname > "$dir/outside-dots.json"
out=$("$bin" verify --runs 1 --color never "$dir/outside-absolute.json" "$dir/outside-dots.json" 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$(grep -c "is outside the scenario's folder" <<<"$out")" -eq 2 ]; then
  ok "a read outside the scenario's folder is not comparable"
else
  fail "read outside: exit $rc, output: ${out:0:600}"
fi

# Node 20's permission model follows links: a link in the scenario's folder that leads out
# would let node read what the link names. verify finds it and does not run node.
mkdir -p "$dir/linked/sub"
ln -s /etc/hostname "$dir/linked/sub/name"
printf '{"settings": {"model": "node"}, "program": [{"fs_read": "sub/name", "as": "t", "then": [{"print": "${t}"}], "catch": [{"print": "${error}"}]}]}' \
  > "$dir/linked/read-link.json"
out=$("$bin" verify --runs 1 --color never "$dir/linked/read-link.json" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "^not comparable" <<<"$out" && grep -qF "sub/name -> /etc/hostname" <<<"$out"; then
  ok "a link leading out of the scenario's folder keeps node from running"
else
  fail "link leading out: exit $rc, output: ${out:0:600}"
fi

# The sandbox itself, with a program no scenario can produce any more. A server in our
# network namespace that the program must not reach (verify gives a program without
# HTTP a namespace of its own, where that is possible).
cat > "$dir/hostile.js" <<'JS'
"use strict";
const tries = {
  write: () => require("fs").writeFileSync(process.env.ELT_SCENARIO_DIR + "/written.txt", "x"),
  "write /tmp": () => require("fs").writeFileSync(require("os").tmpdir() + "/eventloop-trace-sandbox-written", "x"),
  "read /etc/hostname": () => require("fs").readFileSync("/etc/hostname"),
  spawn: () => require("child_process").execFileSync("/bin/sh", ["-c", "true"]),
  worker: () => new (require("worker_threads").Worker)("0", { eval: true }),
};
for (const [what, attempt] of Object.entries(tries)) {
  try { attempt(); console.log(`${what}: allowed`); } catch (e) { console.log(`${what}: ${e.code}`); }
}
const port = Number(process.env.HOSTILE_PORT);
require("net").connect(port, "127.0.0.1")
  .on("connect", () => { console.log("network: connected"); process.exit(0); })
  .on("error", (e) => console.log(`network: ${e.code}`));
JS
cat > "$dir/node-hostile" <<'SH'
#!/bin/sh
# A stand-in for node: the same options, the hostile program in place of the exported one.
if [ "$1" = "--version" ]; then exec node --version; fi
for last in "$@"; do :; done
cp "$HOSTILE_JS" "$last"
exec node "$@"
SH
chmod +x "$dir/node-hostile"
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
print(s.getsockname()[1], flush=True); time.sleep(60)' > "$dir/port" &
server=$!
for _ in $(seq 50); do [ -s "$dir/port" ] && break; sleep 0.1; done
rm -f /tmp/eventloop-trace-sandbox-written
out=$(cd "$dir/scenarios" && HOSTILE_JS="$dir/hostile.js" HOSTILE_PORT=$(cat "$dir/port") \
      "$bin" verify --runs 1 --json --node "$dir/node-hostile" texts.json 2>&1)
kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
lines=$(python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)["scenarios"][0]["node_orders"][0]["lines"]))' \
        <<<"$out" 2>/dev/null) || lines="verify's output: ${out:0:600}"
for what in "write" "write /tmp" "read /etc/hostname" "spawn" "worker"; do
  if grep -qx "$what: ERR_ACCESS_DENIED" <<<"$lines"; then ok "sandbox: $what refused"; else fail "sandbox: $what: $lines"; fi
done
if [ -e "$dir/scenarios/written.txt" ] || [ -e /tmp/eventloop-trace-sandbox-written ]; then
  fail "sandbox: a file was written"
  rm -f /tmp/eventloop-trace-sandbox-written
fi
if grep -q "note: node keeps this machine's network" <<<"$out"; then
  echo "skip network: $(grep -o 'no namespace of its own: [^)]*' <<<"$out")"
elif grep -qx "network: ECONNREFUSED" <<<"$lines"; then
  ok "sandbox: our namespace's server unreachable"
else
  fail "sandbox: network: $lines"
fi

[ $fails -eq 0 ] && echo "all passed" || echo "$fails failed"
[ $fails -eq 0 ]
