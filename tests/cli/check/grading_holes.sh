#!/usr/bin/env bash
# Issue 23, items 1 to 6, on the sample grading folder as a teacher and a student meet it:
# a thread filter that selects nothing, option pairs that compare nothing, diff sides named
# for what they are, JUnit cases that do not collide, partial credit, hints without the answer.
# usage: grading_holes.sh EVENTLOOP_TRACE SOURCE_DIR
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); src=$(cd "$2" && pwd)
. "$(dirname "$0")/lib.sh"
cp -r "$src/docs/grading-example" "$tmp/ex"
cd "$tmp/ex"

# 1. A thread nobody has passes nobody, and --update writes no empty key.
run check --only mian assignment1 students/ben
expect "--only mian: could not grade" 2 "its threads are epoll, main, pool0, pool1, pool2, pool3" \
  "the run of assignment1/timers.json has no line of thread mian (did you mean main?)"
run check --update --only mian assignment1
expect "--update --only mian: refused" 2 "wrote 0 of 3 goldens" "has no line of thread mian"
cmp -s assignment1/timers.trace "$src/docs/grading-example/assignment1/timers.trace" \
  && pass "--update --only mian left the keys as they were" || fail "a key was overwritten"
run check --only pool3 assignment1/read-or-timer.json students/ben/read-or-timer.trace
expect "--only a thread the run has still grades" 1 "(exact, thread pool3 only, virtual clock): the golden ends at line 0"
# A program that prints nothing has an empty --mode output key, and that is its right answer.
printf '{"program": [{"set_timeout": 5, "then": []}]}\n' > silent.json
run check --update --mode output silent.json silent.trace
expect "an empty key for a run that printed nothing" 0 "wrote silent.trace"
[ -f silent.trace ] && [ ! -s silent.trace ] && pass "silent.trace is empty" || fail "silent.trace"

# 2. Every option either works in every mode or the pair is refused, with the reason.
refused() {  # refused NAME STDERR_TEXT ARGS...
  local name=$1 why=$2; shift 2
  run check "$@"
  expect "refused: $name" 2 "" "$why"
}
refused "--format chrome" "--format chrome is one JSON document" --format chrome assignment1
refused "--show time --only main" "--show puts columns before" --show time --only main assignment1
refused "--show id --mode per-thread" "--show puts columns before" --show id --mode per-thread assignment1
refused "--show phase --mode output" "--mode output compares only what the program prints" --show phase --mode output assignment2
refused "--show time --format jsonl" "--show adds columns to the text format only" --show time --format jsonl assignment1
refused "--update --hint" "cannot take --hint, --diffs or --pass-score" --update --hint assignment1
refused "--update --diffs" "cannot take --hint, --diffs or --pass-score" --update --diffs assignment1
refused "--update --pass-score" "cannot take --hint, --diffs or --pass-score" --update --pass-score 0.5 assignment1
refused "--pass-score 1.5" "1.5" --pass-score 1.5 assignment1
# ... and what is accepted works: --show in exact mode, --hint with jsonl and output, --pass-score per thread.
run check --update --show time,phase assignment1/timers.json shown.trace
run check --show time,phase assignment1/timers.json shown.trace
expect "--show with --mode exact grades its columns" 0 "matches shown.trace"
run check --update --format jsonl assignment1/timers.json key.jsonl
sed -i '3d' key.jsonl
run check --format jsonl --hint assignment1/timers.json key.jsonl
expect "--hint with jsonl" 1 "hint: your prediction first goes wrong at line 3: what runs there is a timer's registration"
run check --mode output --hint assignment2 students/ben
expect "--hint with --mode output" 1 "what runs there is a print by a nextTick callback"
run check --mode per-thread --only main --pass-score 0.9 assignment1/nested.json students/ben/nested.trace
expect "--pass-score per thread" 1 "score 0.78"

# 3. The sides are named: a student's prediction against what runs; a key is "expected".
run check --only main --diffs assignment1 students/ben
expect "a student's diff" 1 "--- your prediction (students/ben/nested.trace)"
grep -qxF "+++ what runs (assignment1/nested.json)" <<<"$out" && pass "+++ what runs" || fail "+++ what runs"
cp assignment1/timers.trace key.trace
echo "Thread: main	 one more" >> key.trace
run check --only main assignment1/timers.json key.trace
expect "a key's diff" 1 "--- expected (key.trace)"
run check --mode output assignment2 students/cy
expect "a prediction not handed in" 2 "no prediction students/cy/microtasks.trace: No such file or directory" \
  "eventloop-trace: no prediction students/cy/microtasks.trace"

# 4. Two assignments with a scenario of the same name are two JUnit classes.
mkdir a1 a2 s
cp assignment1/timers.json a1/x.json; cp assignment1/nested.json a2/x.json
run check --update --only main a1
run check --update --only main a2
cp a1/x.trace s/x.trace
run check --only main --junit classes.xml a1 s a2 s
expect "a1 agrees, a2 does not" 1 "checked 2: 1 ok, 1 failed"
python3 - classes.xml <<'PY' && pass "JUnit classnames s.a1 and s.a2" || fail "JUnit classnames"
import sys, xml.etree.ElementTree as ET
cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
names = sorted((c.get("classname"), c.get("name")) for c in cases)
assert names == [("s.a1", "x"), ("s.a2", "x")], names
PY

# 5. Partial credit: a score per pair in the text, the JSON and the JUnit; --pass-score.
run check --only main --json ben.json --junit ben.xml assignment1 students/ben
expect "scores in the text" 1 "first difference at line 6 (tick 1, thread main); score 0.78"
grep -qx "mean score 0.84 over 3 graded" <<<"$out" && pass "the mean score" || fail "the mean score"
python3 - ben.json ben.xml <<'PY' && pass "scores in JSON and JUnit" || fail "scores in JSON and JUnit"
import json, sys, xml.etree.ElementTree as ET
j = json.load(open(sys.argv[1]))
scores = {r["name"]: r["score"] for r in j["results"]}
assert scores == {"nested": 0.778, "read-or-timer": 0.909, "timers": 0.818}, scores
assert j["mean_score"] == 0.835, j["mean_score"]
props = {c.get("name"): c.find("properties/property").get("value") for c in ET.parse(sys.argv[2]).getroot().iter("testcase")}
assert props == {"nested": "0.778", "read-or-timer": "0.909", "timers": "0.818"}, props
PY
run check --only main --pass-score 0.8 assignment1 students/ben
expect "--pass-score 0.8: nested (0.78) still fails" 1 "ok: assignment1/timers.json scores 0.82 against students/ben/timers.trace, at least --pass-score 0.80"
run check --only main --pass-score 0.75 --hint --junit partial.xml assignment1 students/ben
expect "--pass-score 0.75: all three pass" 0 "checked 3: 3 ok, 0 failed"
python3 - partial.xml <<'PY' && pass "JUnit: a pass on score says where it differs" || fail "JUnit partial pass"
import sys, xml.etree.ElementTree as ET
cases = {c.get("name"): c for c in ET.parse(sys.argv[1]).getroot().iter("testcase")}
out = cases["timers"].find("system-out").text
assert out.startswith("first difference at line 7 (tick 1, thread main)\nhint: your prediction first goes wrong at line 7"), out
assert cases["timers"].find("failure") is None
PY

# 6. A hint says where and what kind of line, never the run's text; --diffs still shows all.
run check --only main --hint assignment1/nested.json students/ben/nested.trace
expect "a hint" 1 "hint: your prediction first goes wrong at line 6: what runs there is a print by a timer callback (tick 1, thread main)"
# Line 6 of what runs is "second"; Ben wrote "inner" there. Nothing of the run's is shown.
! grep -qE '^[-+@]|TICK 2|second' <<<"$out" && pass "no diff, no expected text" || fail "the hint showed the answer"
run check --only main --hint --junit hint.xml assignment1 students/ben
python3 - hint.xml <<'PY' && pass "JUnit: the hint, not the diff" || fail "JUnit with --hint"
import sys, xml.etree.ElementTree as ET
for case in ET.parse(sys.argv[1]).getroot().iter("testcase"):
    f = case.find("failure")
    assert f.text.startswith("hint: "), f.text
    assert "+Thread" not in f.text and "---" not in f.text, f.text
PY
run check --only main --hint --diffs assignment1/nested.json students/ben/nested.trace
expect "--hint --diffs: the teacher sees both" 1 "+Thread: main	 ===== TICK 2 ====="
grep -qF "hint: your prediction first goes wrong at line 6" <<<"$out" && pass "... and the hint" || fail "no hint with --diffs"
finish
