#!/usr/bin/env bash
# Issue 21, item 2: a .js file is a scenario for every command, and import-js keeps it.
# - traces, step's `where` and the --model book refusal cite PROGRAM.js:LINE;
# - html and --format chrome take it; a .js runs under the node model by itself;
# - import-js prints JSON that runs as the .js does, and whose export-js agrees with node
#   (verify); verify PROGRAM.js runs the learner's own file, from its folder;
# - node or acorn missing: one message, exit 1 (a broken environment).
# usage: js_cli.sh EVENTLOOP_TRACE JS_FOLDER
set -uo pipefail
bin=$(realpath "$1")
schema="$(cd "$(dirname "$0")/../../.." && pwd)/docs/scenario.schema.json"
cd "$2" || exit 1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi; }
run() { "$bin" --clock virtual --costs zero "$@"; }

out=$(run --format jsonl promise-catch.js)
check "jsonl cites the .js line of a then step" '[[ "$out" == *"promise then at promise-catch.js:2: prints"* ]]'
out=$(run quiz-every-queue.js)
check "text cites the .js line of a queueMicrotask" '[[ "$out" == *"queue_microtask at quiz-every-queue.js:8"* ]]'
check "a .js runs under the node model without --model" '[[ "$out" == *"process.nextTick queue"* ]]'
where=$(printf 'next\nwhere\nquit\n' | "$bin" step quiz-every-queue.js 2>&1)
check "step's where cites the .js line" '[[ "$where" == *"set_timeout at quiz-every-queue.js:4"* ]]'
err=$(run --model book nexttick-nested.js 2>&1 >/dev/null); code=$?
check "--model book refuses nextTick at its .js line (exit 2)" \
  '[ $code -eq 2 ] && [[ "$err" == *"nexttick-nested.js:2:1 (at /program/0)"*"--model node"* ]]'
run --format chrome timers-in-order.js > "$tmp/chrome.json"
check "--format chrome of a .js is JSON" 'python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/chrome.json"'
check "html of a .js writes its page" '"$bin" html promise-chain.js -o "$tmp/p.html" && grep -q "<html" "$tmp/p.html"'

# import-js: the JSON a teacher keeps runs as the program does, and its export agrees with node.
"$bin" import-js immediate-vs-timeout-in-io.js > "$tmp/io.json"; code=$?
check "import-js exits 0" '[ $code -eq 0 ]'
cp hello.txt "$tmp/"
check "the imported JSON prints the .js program's lines" \
  '[ "$(run --mode output "$tmp/io.json")" == "$(run --mode output immediate-vs-timeout-in-io.js)" ]'
check "the imported JSON says node" '[[ "$(cat "$tmp/io.json")" == *"\"model\": \"node\""* ]]'
"$bin" import-js nexttick-nested.js > "$tmp/ticks.json"
check "import-js's JSON is valid under docs/scenario.schema.json" \
  'python3 -c "import json,sys,jsonschema; s=json.load(open(sys.argv[1])); [jsonschema.validate(json.load(open(f)), s) for f in sys.argv[2:]]" "$schema" "$tmp/io.json" "$tmp/ticks.json"'
v=$("$bin" verify --runs 2 "$tmp/io.json" "$tmp/ticks.json" 2>&1); code=$?
check "verify of import-js's JSON agrees with node" '[ $code -eq 0 ] && [ "$(grep -c "^agrees" <<<"$v")" -eq 2 ]'
# The learner's file itself, from its folder: its read of hello.txt is relative to it.
v=$(cd / && "$bin" verify --runs 2 "$OLDPWD/read-then-promise.js" 2>&1); code=$?
check "verify PROGRAM.js runs the file itself and agrees" '[ $code -eq 0 ] && [[ "$v" == agrees* ]]' || echo "$v"
# A failed read runs a Node callback with err, and no callback here (docs/javascript.md):
# node printing the line proves it ran the file itself, not the export of its translation.
printf '%s\n' "const fs = require('fs');" "fs.readFile('missing.txt', 'utf8', (err, data) => console.log('callback ran'));" > "$tmp/own.js"
v=$("$bin" verify --runs 1 "$tmp/own.js" 2>&1); code=$?
check "verify PROGRAM.js: node runs the learner's file (it differs where the model does)" \
  '[ $code -eq 1 ] && [[ "$v" == differs* ]] && [[ "$v" == *"callback ran"* ]]' || echo "$v"
# http.get has no server to talk to here (node would crash on the refused connection), so
# only its translation is checked: the URL, the response's name and its statusCode (the
# response as Node's stream: http_get_stream; tests/js/http-*.js run it against a server).
printf '%s\n' "const http = require('http');" \
  "http.get('http://127.0.0.1:1/', (res) => console.log(\`status \${res.statusCode}\`));" > "$tmp/get.js"
json=$("$bin" import-js "$tmp/get.js")
check "import-js of http.get: http_get_stream, as res, statusCode" \
  '[[ "$json" == *"\"http_get_stream\": \"http://127.0.0.1:1/\""*"\"as\": \"res\""*"\"print\": \"status \${res.statusCode}\""* ]]' || echo "$json"
err=$("$bin" import-js refused/try-catch.js 2>&1 >/dev/null); code=$?
check "import-js refuses as a run does (exit 2, located)" '[ $code -eq 2 ] && [[ "$err" == *"try-catch.js:1:1: try/catch"* ]]'

# A broken environment: exit 1, one line, naming what is missing.
err=$(ELT_NODE=/nonexistent/node run promise-chain.js 2>&1 >/dev/null); code=$?
check "no node: exit 1, one line naming node" \
  '[ $code -eq 1 ] && [ "$(wc -l <<<"$err")" -eq 1 ] && [[ "$err" == *"needs node"* ]]'
err=$(ELT_ACORN_DIR=/nonexistent/acorn run promise-chain.js 2>&1 >/dev/null); code=$?
check "no acorn: exit 1, one line naming node-acorn" \
  '[ $code -eq 1 ] && [ "$(wc -l <<<"$err")" -eq 1 ] && [[ "$err" == *"node-acorn"* ]]'
echo "$fails failed"
[ "$fails" -eq 0 ]
