#!/usr/bin/env bash
# Issue 12, item 7: check grades many pairs at once (pairs, a folder, a folder and a golden
# folder), one line per pair, a JUnit and a JSON summary, exit 0/1/2; a class of 30 students
# with 10 scenarios each grades in seconds on the virtual clock.
# usage: batch.sh EVENTLOOP_TRACE SCENARIOS_DIR
set -euo pipefail
bin=$1; scenarios=$2
. "$(dirname "$0")/lib.sh"

# The teacher's folder: ten scenarios, each NAME.json beside its golden NAME.trace.
mkdir "$tmp/class"
cp "$scenarios/test.txt" "$tmp/class/"
names=(book callback-order equal-deadlines missing-file nested-timers nothing-registered pool-of-one
       read-vs-timer-same-time repeat-timers zero-timeout-vs-read)
for n in "${names[@]}"; do cp "$scenarios/$n.json" "$tmp/class/"; done
run check --update "$tmp/class";                  expect "--update a folder" 0 "wrote 10 of 10 goldens"
[ "$(ls "$tmp/class"/*.trace | wc -l)" -eq 10 ] && pass "ten goldens beside their scenarios" || fail "goldens missing"
run check "$tmp/class";                           expect "a folder agrees" 0 "checked 10: 10 ok, 0 failed, 0 could not be graded"
# The summary is two lines: the counts, then the mean score (issue 23).
[ "$(grep -c '^ok: ' <<<"$out")" -eq 10 ] && [ "$(wc -l <<<"$out")" -eq 12 ] && pass "one line per scenario, and a summary" || fail "not one line per scenario"

# Pairs, as many as given.
run check "$tmp/class/book.json" "$tmp/class/book.trace" "$tmp/class/pool-of-one.json" "$tmp/class/pool-of-one.trace"
expect "two pairs" 0 "checked 2: 2 ok"
run check "$tmp/class/book.json" "$tmp/class/book.trace" "$tmp/class/pool-of-one.json"
expect "a scenario without its golden" 2 "" "needs its golden trace"

# Thirty students, each a golden folder: a few wrong, one with a missing prediction.
for s in $(seq -w 1 30); do
  mkdir "$tmp/student$s"
  cp "$tmp/class/"*.trace "$tmp/student$s/"
done
sed -i 's/^Thread: main\t SETTIMEOUT$/Thread: main\t SETTIMEOUT (wrong)/' "$tmp/student07/book.trace"
sed -i 's/^\(Thread: main\)\t /\1  /' "$tmp/student12/nested-timers.trace"
rm "$tmp/student20/pool-of-one.trace"
args=()
for s in $(seq -w 1 30); do args+=("$tmp/class" "$tmp/student$s"); done
start=$(date +%s%N)
run check --junit "$tmp/class.xml" --json "$tmp/class.json" "${args[@]}"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect "300 checks: a missing prediction makes it 2" 2 "checked 300: 297 ok, 2 failed, 1 could not be graded"
echo "     300 checks (30 students x 10 scenarios, each scenario run once): $ms ms"
[ "$ms" -lt 20000 ] && pass "a class grades in seconds ($ms ms)" || fail "a class took $ms ms"
[ "$(wc -l <<<"$out")" -eq 302 ] && pass "302 lines: one per check and a summary of two" || fail "$(wc -l <<<"$out") lines"
grep -q "^FAIL: $tmp/class/book.json does not match $tmp/student07/book.trace (exact, virtual clock): first difference at line" <<<"$out" \
  && pass "student07's wrong line named" || fail "student07's failure line"
grep -q "student12/nested-timers.trace .*differs only in white space" <<<"$out" && pass "student12's slip named" || fail "student12"
grep -q "^ERROR: $tmp/class/pool-of-one.json: could not grade: no prediction $tmp/student20/pool-of-one.trace" <<<"$out" \
  && pass "student20's missing prediction is an error" || fail "student20"

python3 - "$tmp/class.xml" "$tmp/class.json" "$tmp" <<'PY'
import json, sys, xml.etree.ElementTree as ET
xml_path, json_path, tmp = sys.argv[1:]
root = ET.parse(xml_path).getroot()
assert root.tag == "testsuites", root.tag
assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("300", "2", "1"), root.attrib
suites = root.findall("testsuite")
assert len(suites) == 30, len(suites)
by_name = {s.get("name"): s for s in suites}
s7 = by_name[tmp + "/student07"]
assert s7.get("failures") == "1" and s7.get("tests") == "10", s7.attrib
case = [c for c in s7.findall("testcase") if c.get("name") == "book"][0]
failure = case.find("failure")
assert failure is not None and "first difference at line" in failure.get("message"), failure
assert "-Thread: main\t SETTIMEOUT (wrong)" in failure.text, failure.text[:300]
s20 = by_name[tmp + "/student20"]
err = [c for c in s20.findall("testcase") if c.get("name") == "pool-of-one"][0].find("error")
assert err is not None and "No such file or directory" in err.get("message"), err
passed = [c for c in suites[0].findall("testcase")]
assert len(passed) == 10 and all(c.find("failure") is None and c.find("error") is None for c in passed)
j = json.load(open(json_path))
assert (j["passed"], j["failed"], j["errors"]) == (297, 2, 1), j
r = [r for r in j["results"] if r["status"] == "fail" and r["name"] == "nested-timers"][0]
assert "white space" in r["message"] and "student12" in r["golden"], r
print("ok   JUnit: 30 suites, 300 cases, 2 failures, 1 error; JSON agrees")
PY

# Without the missing prediction: exit 1 (differences only).
cp "$tmp/class/pool-of-one.trace" "$tmp/student20/"
run check "${args[@]}";                           expect "300 checks, two wrong: 1" 1 "checked 300: 298 ok, 2 failed, 0 could not be graded"

# 300 different scenario files, each run on its own (no run shared between goldens).
mkdir "$tmp/many"; cp "$scenarios/test.txt" "$tmp/many/"
for i in $(seq 1 30); do for n in "${names[@]}"; do
  cp "$tmp/class/$n.json" "$tmp/many/$n-$i.json"; cp "$tmp/class/$n.trace" "$tmp/many/$n-$i.trace"
done; done
start=$(date +%s%N)
run check "$tmp/many"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect "300 separate scenario runs agree" 0 "checked 300: 300 ok"
echo "     300 checks, each its own run: $ms ms"
finish
