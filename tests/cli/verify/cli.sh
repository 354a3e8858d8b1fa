#!/usr/bin/env bash
# `export-js` and `verify` as a person uses them, with a stand-in for node that prints what
# each case needs (so that every verdict and exit code is exercised, whatever the machine),
# and the real node for the exported programs' syntax.
# usage: verify_cli.sh EVENTLOOP_TRACE SCENARIOS_NODE_DIR
set -uo pipefail
bin=$1
corpus=$2
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL $1"; fails=$((fails + 1)); }
ok() { echo "ok   $1"; }

# The stand-in: `--version`, the pbkdf2 calibration, and otherwise out0 and out1 in turn, or
# as $FAKE_DIR/pattern says (one digit per run, repeated: 0000000001 is out0 nine runs in ten).
cat > "$dir/fake-node" <<'SH'
#!/bin/sh
if [ "$1" = "--version" ]; then echo v0-fake; exit 0; fi
while [ "${1#--}" != "$1" ]; do shift; done  # verify's sandbox options (--experimental-permission ...)
case "$(basename "$1")" in calibrate.js) echo 100; exit 0;; esac
n=$(cat "$FAKE_DIR/count" 2>/dev/null || echo 0)
echo $((n + 1)) > "$FAKE_DIR/count"
if [ -s "$FAKE_DIR/pattern" ]; then
  p=$(cat "$FAKE_DIR/pattern")
  i=$(printf %s "$p" | cut -c$((n % ${#p} + 1)))
else
  i=$((n % 2))
fi
cat "$FAKE_DIR/out$i"
SH
chmod +x "$dir/fake-node"
export FAKE_DIR=$dir
outputs() { rm -f "$dir/count" "$dir/pattern"; printf "$1" > "$dir/out0"; printf "$2" > "$dir/out1"; }
# name | expected exit | text the output must contain | verify arguments...
case_() {
  local name=$1 code=$2 expect=$3; shift 3
  local out rc
  out=$(timeout 120 "$bin" verify --node "$dir/fake-node" --color never "$@" 2>&1); rc=$?
  if [ $rc -ne "$code" ] || ! grep -qF -- "$expect" <<<"$out"; then
    fail "$name: exit $rc (wanted $code), output: ${out:0:600}"
  else
    ok "$name"
  fi
}
equal=$corpus/equal-duration-timers.json
race=$corpus/timeout-vs-immediate-main.json

outputs 'first\nsecond\nthird\n' 'first\nsecond\nthird\n'
case_ "agrees" 0 "$equal (4 runs, one order, ours)" --runs 4 "$equal"
outputs 'second\nfirst\nthird\n' 'second\nfirst\nthird\n'
case_ "differs: exit 1" 1 "$equal (2 runs, one order, not ours)" --runs 2 "$equal"
case_ "differs: a diff as check shows it" 1 "--- ours (--model node)
+++ node v0-fake" --runs 2 "$equal"
case_ "differs: the first differing line" 1 "first difference at printed line 1" --runs 2 "$equal"
# Sets (issue 20): Node's orders with their counts against every order explore lists.
# equal-duration-timers is deterministic (explore lists one order); the race scenario's
# explore lists both, "immediate" first by default.
outputs 'first\nsecond\nthird\n' 'third\nsecond\nfirst\n'
case_ "an order Node printed that explore lacks: differs" 1 "node printed an order explore does not list, in 2 of 4 runs:" --runs 4 "$equal"
case_ "an order explore lacks: counts" 1 "$equal (2 orders in 4 runs: 2, 2)" --runs 4 "$equal"
case_ "an order explore lacks: the table" 1 "2/4      not listed  third | second | first" --runs 4 "$equal"
case_ "an order explore lacks: --markdown" 1 "| differs | Node printed 1 order explore does not list (2 of 4 runs; \`verify\` shows it)" --runs 4 --markdown "$equal"
outputs 'timeout\nimmediate\n' 'immediate\ntimeout\n'
case_ "racy: both orders listed" 0 "$race (2 orders in 2 runs: 1, 1; ours is one of them)" --runs 2 "$race"
case_ "racy: the table" 0 "1/2      listed      timeout | immediate" --runs 2 "$race"
outputs 'immediate\ntimeout\n' 'immediate\ntimeout\n'
case_ "listed, never printed: not seen" 0 "0/20     listed      timeout | immediate (not seen in 20 runs)" --runs 2 "$race"
case_ "listed, never printed: agrees" 0 "agrees          $race (20 runs, one order, ours)" --runs 2 "$race"
# The 90% rule: Node's order in 9 runs of 10 must be our default run's, even though we list
# both; in 8 of 10 it is one side of a race.
outputs 'timeout\nimmediate\n' 'immediate\ntimeout\n'; echo 0000000001 > "$dir/pattern"
case_ "90%: Node's usual order is not our default" 1 "node printed one order in 9 of 10 runs (90% or more), and our default run prints another" --runs 10 "$race"
echo 0000000011 > "$dir/pattern"
case_ "90%: under it, racy" 0 "$race (2 orders in 10 runs: 8, 2; ours is one of them)" --runs 10 "$race"
outputs 'immediate\ntimeout\n' 'timeout\nimmediate\n'; echo 0000000001 > "$dir/pattern"
case_ "90%: Node's usual order is our default" 0 "$race (2 orders in 10 runs: 9, 1; ours is one of them)" --runs 10 "$race"
# "racy" is checked against explore's set, both ways: Node's runs only sample it.
outputs 'first\nsecond\nthird\n' 'first\nsecond\nthird\n'
sed 's/"program"/"verify": {"racy": true, "why": "x"}, "program"/' "$equal" > "$dir/declared-racy.json"
case_ "declared racy, explore lists one order" 1 "wrong declaration: declared racy in Node, but explore lists one order" --runs 2 "$dir/declared-racy.json"
outputs 'immediate\ntimeout\n' 'immediate\ntimeout\n'
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["verify"]; json.dump(d, open(sys.argv[2], "w"))' "$race" "$dir/undeclared.json"
case_ "undeclared race" 1 "wrong declaration: not declared racy, but explore lists 2 orders" --runs 2 "$dir/undeclared.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["verify"]={"racy": False}; json.dump(d, open(sys.argv[2], "w"))' "$race" "$dir/declared.json"
case_ "declared deterministic" 1 "wrong declaration: declared deterministic (\"racy\": false), but explore lists 2 orders" --runs 2 "$dir/declared.json"
outputs 'read done\n50 ms timer\n' 'read done\n50 ms timer\n'
case_ "not comparable: a simulated delay decides" 0 "fs_read's delay_ms set to 0" --runs 2 "$corpus/read-delay-not-comparable.json"
case_ "summary line" 0 "1 scenarios against node v0-fake: 0 agree, 0 differ, 0 racy in Node, 1 not comparable" \
  --runs 2 "$corpus/read-delay-not-comparable.json"
outputs 'first\nsecond\nthird\n' 'first\nsecond\nthird\n'
case_ "--markdown" 0 "| [equal-duration-timers.json](../scenarios/node/equal-duration-timers.json) |" --runs 2 --markdown "$equal"
# A hostile file name and description cannot break the table or inject a link or HTML: the
# link text backslash-escaped, the target percent-encoded, the description's < > as entities.
# Before, `|` and `)` in the name split the row and made a javascript: link.
hostile="$dir/a)[x](javascript:alert(1)<b>|.json"
sed 's/"description": *"[^"]*"/"description": "<img src=x onerror=alert(1)> | q"/' "$equal" > "$hostile"
out=$("$bin" verify --node "$dir/fake-node" --runs 2 --markdown "$hostile" 2>&1)
row=$(grep '^| \[' <<<"$out")
want_link='[a\)\[x\]\(javascript:alert\(1\)\<b\>\|.json]('
want_target='a%29[x]%28javascript:alert%281%29%3Cb%3E%7C.json)'
if grep -qF -- "$want_link" <<<"$row" && grep -qF -- "$want_target" <<<"$row" &&
   grep -qF -- '&lt;img src=x onerror=alert(1)&gt; \| q' <<<"$row" && ! grep -qE '(^|[^\\])<' <<<"$row" &&
   [ "$(sed 's/\\|//g' <<<"$row" | tr -cd '|' | wc -c)" -eq 5 ]; then
  ok "--markdown: a hostile name and description stay text"
else
  fail "--markdown, hostile name: $row"
fi
out=$("$bin" verify --node "$dir/fake-node" --runs 2 --json "$equal" | python3 -c '
import json, sys
d = json.load(sys.stdin)
s = d["scenarios"][0]
print(d["node"], s["verdict"], s["runs"], s["node_orders"][0]["count"], d["failed"])')
[ "$out" = "v0-fake agrees 2 2 False" ] && ok "--json" || fail "--json: $out"
outputs 'immediate\ntimeout\n' 'immediate\ntimeout\n'
out=$("$bin" verify --node "$dir/fake-node" --runs 2 --json "$race" | python3 -c '
import json, sys
s = json.load(sys.stdin)["scenarios"][0]
print(s["verdict"], s["listed_complete"], [(" | ".join(o["lines"]), o["node_count"], o["ours"]) for o in s["orders"]])')
[ "$out" = "agrees True [('immediate | timeout', 20, 'default'), ('timeout | immediate', 0, 'listed')]" ] &&
  ok "--json: the orders" || fail "--json, the orders: $out"
out=$("$bin" verify --node "$dir/fake-node" --runs 2 --markdown "$race")
grep -qF "explore lists 2 orders, 1 not seen in 20 runs" <<<"$out" && ok "--markdown: not seen" || fail "--markdown, not seen: $out"

# A learner's own program.js: explore runs its translation, node the file as it is.
printf 'setTimeout(() => console.log("timeout"), 0);\nsetImmediate(() => console.log("immediate"));\n' > "$dir/race.js"
outputs 'timeout\nimmediate\n' 'immediate\ntimeout\n'
case_ "program.js: both orders listed" 0 "$dir/race.js (2 orders in 2 runs: 1, 1; ours is one of them)" --runs 2 "$dir/race.js"

# Where the verdicts go: closed at start or a full disk is one message naming standard
# output and exit 1 (both once exited 0, silent); a reader gone before the end (EPIPE,
# here `true`) stays a quiet exit 0.
outputs 'first\nsecond\nthird\n' 'first\nsecond\nthird\n'
for redirect in closed full; do
  if [ $redirect = closed ]; then
    "$bin" verify --node "$dir/fake-node" --runs 1 "$equal" >&- 2> "$dir/err"; rc=$?
  else
    "$bin" verify --node "$dir/fake-node" --runs 1 "$equal" > /dev/full 2> "$dir/err"; rc=$?
  fi
  { [ $rc -eq 1 ] && [ "$(wc -l < "$dir/err")" -eq 1 ] && grep -q "standard output" "$dir/err"; } &&
    ok "stdout $redirect: exit 1, one message" || fail "stdout $redirect: exit $rc: $(cat "$dir/err")"
done
"$bin" verify --node "$dir/fake-node" --runs 1 "$equal" 2> "$dir/err" | true; rc=${PIPESTATUS[0]}
{ [ $rc -eq 0 ] && [ ! -s "$dir/err" ]; } && ok "reader gone: quiet exit 0" || fail "reader gone: exit $rc: $(cat "$dir/err")"

# Bad input and no node: exit 2, one message.
out=$("$bin" verify --node /nonexistent/node "$equal" 2>&1); rc=$?
{ [ $rc -eq 2 ] && grep -q "^eventloop-trace: cannot run node" <<<"$out"; } && ok "no node: exit 2" || fail "no node: exit $rc: $out"
printf '{"program": [{"print": 3}]}' > "$dir/bad.json"
out=$("$bin" verify --node "$dir/fake-node" "$dir/bad.json" 2>&1); rc=$?
{ [ $rc -eq 2 ] && grep -q "bad.json" <<<"$out"; } && ok "bad scenario: exit 2" || fail "bad scenario: exit $rc: $out"
out=$("$bin" export-js "$dir/bad.json" 2>&1); rc=$?
[ $rc -eq 2 ] && ok "export-js, bad scenario: exit 2" || fail "export-js, bad scenario: exit $rc: $out"

# Every exported program of the corpus is valid JavaScript for the real node.
if command -v node >/dev/null; then
  bad=0
  for s in "$corpus"/*.json; do
    "$bin" export-js "$s" > "$dir/p.js" && node --check "$dir/p.js" 2>"$dir/err" || { bad=1; fail "export-js $s: $(head -5 "$dir/err")"; }
  done
  [ $bad -eq 0 ] && ok "export-js: every program of the corpus passes node --check"
else
  fail "node is not installed (scripts/deps.sh installs it)"
fi
[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
