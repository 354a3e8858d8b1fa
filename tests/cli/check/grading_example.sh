#!/usr/bin/env bash
# The sample grading folder of docs/grading.md: its answer keys agree with the tool, and
# grade.sh grades the three students into JUnit files that say what docs/grading.md says.
# usage: grading_example.sh EVENTLOOP_TRACE SOURCE_DIR
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); src=$2
. "$(dirname "$0")/lib.sh"
example=$src/docs/grading-example

# The answer keys are the tool's own output (written by --update, never by hand).
( cd "$example" && "$bin" check --only main assignment1 >/dev/null && "$bin" check --mode output assignment2 >/dev/null ) \
  && pass "the answer keys agree with the tool" || fail "an answer key is out of date: rerun check --update (see docs/grading.md)"

cp -r "$example" "$tmp/example"   # grade.sh writes nothing into the source tree
set +e
"$tmp/example/grade.sh" "$bin" "$tmp/grades" > "$tmp/grade.out" 2> "$tmp/grade.err"
code=$?
set -e
out=$(cat "$tmp/grade.out"); err=$(cat "$tmp/grade.err")
[ $code -eq 2 ] && pass "grade.sh exits 2: cy handed nothing in for assignment 2" || fail "grade.sh exit $code"
grep -qx "checked 9: 4 ok, 5 failed, 0 could not be graded (exact, thread main only, virtual clock)" <<<"$out" \
  && pass "assignment 1: 4 ok, 5 failed" || fail "assignment 1 summary"
grep -qx "checked 3: 1 ok, 1 failed, 1 could not be graded (output, virtual clock)" <<<"$out" \
  && pass "assignment 2: 1 ok, 1 failed, 1 not graded" || fail "assignment 2 summary"

python3 - "$tmp/grades" <<'PY'
import sys, xml.etree.ElementTree as ET
grades = sys.argv[1]
def cases(path):
    root = ET.parse(path).getroot()
    out = {}
    for suite in root.findall("testsuite"):
        for case in suite.findall("testcase"):
            kids = [k for k in case if k.tag in ("failure", "error")]
            state = kids[0].tag if kids else "pass"
            message = kids[0].get("message") if kids else ""
            out[(suite.get("name"), case.get("name"))] = (state, message)
    return root, out
root, a1 = cases(f"{grades}/assignment1.xml")
assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("9", "5", "0"), root.attrib
want = {
    ("students/ada", "timers"): ("pass", ""),
    ("students/ada", "nested"): ("pass", ""),
    ("students/ada", "read-or-timer"): ("pass", ""),
    ("students/ben", "timers"): ("failure", "first difference at line 7 (tick 1, thread main)"),
    ("students/ben", "nested"): ("failure", "first difference at line 6 (tick 1, thread main)"),
    ("students/ben", "read-or-timer"): ("failure", "line 5 differs only in white space (tick 2, thread main): after \"Thread: main\" your prediction has 2 spaces where what runs has a tab, then a space (the book's separator)"),
    ("students/cy", "timers"): ("failure", "the traces differ only in their line ends: your prediction has CRLF line ends (\\r\\n, as Windows editors save) where what runs has \\n"),
    ("students/cy", "nested"): ("pass", ""),
    ("students/cy", "read-or-timer"): ("failure", "first difference at line 4 (tick 1, thread main)"),
}
assert a1 == want, "\n".join(f"{k}: {a1.get(k)} != {v}" for k, v in want.items() if a1.get(k) != v)
root, a2 = cases(f"{grades}/assignment2.xml")
assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "1"), root.attrib
assert a2[("students/ada", "microtasks")] == ("pass", ""), a2
assert a2[("students/ben", "microtasks")] == ("failure", "first difference at line 2"), a2
state, message = a2[("students/cy", "microtasks")]
assert state == "error" and "no prediction students/cy/microtasks.trace: No such file or directory" in message, a2
print("ok   both JUnit files say what docs/grading.md says, case by case")
PY

# The CI job of docs/grading.md's "Partial credit and hints": the same grading, with hints
# for the students and a pass at a score of 0.8 (issue 23).
set +e
"$tmp/example/grade.sh" "$bin" "$tmp/hinted" --hint --pass-score 0.8 > "$tmp/hinted.out" 2>/dev/null
code=$?
set -e
out=$(cat "$tmp/hinted.out")
[ $code -eq 2 ] && grep -qx "checked 9: 8 ok, 1 failed, 0 could not be graded (exact, thread main only, virtual clock)" <<<"$out" \
  && grep -qx "mean score 0.92 over 9 graded; by golden folder: students/ada 1.00, students/ben 0.84, students/cy 0.94" <<<"$out" \
  && grep -qx "  hint: your prediction first goes wrong at line 6: what runs there is a print by a timer callback (tick 1, thread main)" <<<"$out" \
  && ! grep -q '^[-+]' <<<"$out" \
  && pass "grade.sh --hint --pass-score 0.8: 8 of 9 pass, hints and no diff" || fail "grade.sh with hints"
finish
