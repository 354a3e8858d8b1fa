#!/usr/bin/env bash
# Every kind of broken scenario ends quickly with one clear message and exit 2.
# usage: bad_inputs.sh EVENTLOOP_TRACE
set -uo pipefail
bin=$1
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
fails=0
# name | file contents (printf format) | text the message must contain
check() {
  local name=$1 path=$2 expect=$3
  local start end out code
  start=$(date +%s%N)
  out=$(timeout 10 "$bin" --clock virtual "$path" 2>&1 >/dev/null)
  code=$?
  end=$(date +%s%N)
  local ms=$(( (end - start) / 1000000 ))
  local lines
  lines=$(printf '%s\n' "$out" | wc -l)
  if [ $code -ne 2 ] || ! grep -qF -- "$expect" <<<"$out" || [ "$lines" -ne 1 ] || ! grep -qF -- "$path" <<<"$out"; then
    echo "FAIL $name: exit $code, ${ms} ms, message: ${out:0:300}"
    fails=$((fails + 1))
  else
    echo "ok   $name (${ms} ms): ${out:0:160}"
  fi
}
w() { printf "$2" > "$dir/$1"; echo "$dir/$1"; }

check "not JSON"          "$(w notjson.json 'hello world')"                                  "invalid JSON"
check "truncated JSON"    "$(w trunc.json '{"program": [{"print": "a"}')"                     "ends too early"
check "empty file"        "$(w empty.json '')"                                               "the file is empty"
check "top-level array"   "$(w array.json '[{"print": "a"}]')"                                "a scenario is a JSON object"
head -c 4096 /dev/urandom > "$dir/garbage.json"
check "binary garbage"    "$dir/garbage.json"                                                 "invalid JSON"
check "byte-order mark"   "$(w bom.json '\xef\xbb\xbf{"program": []}')"                        "byte-order mark"
check "duplicate keys"    "$(w dup.json '{"program": [],\n "program": []}')"                  "appears twice"
check "unknown action"    "$(w unknown.json '{"program": [{"snooze": 5}]}')"                   "unknown action"
check "wrong type"        "$(w type.json '{"program": [{"set_timeout": "soon"}]}')"            "/program/0/set_timeout"
check "negative delay"    "$(w neg.json '{"program": [{"set_timeout": -1}]}')"                 "out of range"
check "huge delay"        "$(w huge.json '{"program": [{"set_timeout": 9223372036854775807}]}')" "out of range"
check "delay beyond int64" "$(w huger.json '{"program": [{"set_timeout": 99999999999999999999999}]}')" "/program/0/set_timeout"
check "missing field"     "$(w missing.json '{"program": [{"http_get_slow": "x"}]}')"          "needs \"delay_ms\""
check "missing program"   "$(w noprog.json '{"description": "x"}')"                           "missing \"program\""
python_free_deep() { printf '{"program": '; head -c 100000 /dev/zero | tr '\0' '['; }
python_free_deep > "$dir/deep.json"
check "nesting 100,000 deep" "$dir/deep.json"                                                 "nested deeper"
{ printf '{"program": [{"'; head -c 10485760 /dev/zero | tr '\0' 'k'; printf '": 1}]}'; } > "$dir/bigkey.json"
check "10 MB key"         "$dir/bigkey.json"                                                  "unknown action"
{ printf '{"program": [{"set_timeout": "'; head -c 10485760 /dev/zero | tr '\0' 'x'; printf '"}]}'; } > "$dir/bigstr.json"
check "10 MB string"      "$dir/bigstr.json"                                                  "a delay in ms"
mkdir -p "$dir/a-directory.json"
check "a directory"       "$dir/a-directory.json"                                             "is a directory"
check "a device"          "/dev/zero"                                                         "not a regular file"
check "does not exist"    "$dir/nope.json"                                                    "No such file"
check "bad reference"     "$(w ref.json '{"program": [{"print": "${nothing}"}]}')"             "no value named"
check "2^64"              "$(w twoto64.json '{"program": [{"set_timeout": 18446744073709551616}]}')" "18446744073709551616 is out of range"
check "escaped duplicate" "$(w escdup.json '{"program": [\n {"\\u0070rint": "a", "print": "b"}]}')" "escdup.json:2:22: the key \"print\" appears twice"
check "escaped key"       "$(w esckey.json '{"program": [\n {"\\u0070rint": 5}]}')"              "esckey.json:2:17 (at /program/0/print)"
check "/proc/self/mem"    "/proc/self/mem"                                                    "cannot read the scenario: Input/output error"
mkfifo "$dir/fifo.json"
check "a FIFO"            "$dir/fifo.json"                                                    "not a regular file"
truncate -s 65M "$dir/big.json"
check "65 MiB file"       "$dir/big.json"                                                     "is larger than 64 MiB"
check "too much work"     "$(w work.json '{"program": [{"repeat": 2000, "do": [{"repeat": 2000, "do": [{"print": "x"}]}]}]}')" "would create 4,002,001 actions"
# State (issue 21): an expression is read when the file is, and its place named.
check "bad expression"    "$(w expr.json '{"program": [{"let": "n", "value": 0}, {"if": "n == 1"}]}')" "expr.json:1:47 (at /program/1/if): in the expression \"n == 1\", at character 3: == and != convert between types"
check "set before let"    "$(w setfirst.json '{"program": [{"set": "n", "value": 1}]}')"       "no variable named \"n\" here"
check "10 MB expression"  "$( { printf '{"program": [{"let": "n", "value": "'; head -c 10485760 /dev/zero | tr '\0' '('; printf '"}]}'; } > "$dir/bigexpr.json"; echo "$dir/bigexpr.json")" "nested deeper than 64 levels"
if [ $fails -ne 0 ]; then echo "$fails bad inputs were not handled"; exit 1; fi
echo "all bad inputs rejected with exit 2"
