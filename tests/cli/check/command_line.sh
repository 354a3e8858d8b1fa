#!/usr/bin/env bash
# Issue 12, item 9: "did you mean" for a mistyped command, option or action; help [COMMAND];
# - reads a scenario or a golden from standard input; messages start with "eventloop-trace:".
# usage: command_line.sh EVENTLOOP_TRACE SCENARIOS_DIR
set -euo pipefail
bin=$1; scenarios=$2
. "$(dirname "$0")/lib.sh"
quick=$scenarios/nothing-registered.json
book=$scenarios/book.json
run check --update "$quick" "$tmp/q.trace"

run chek "$quick" "$tmp/q.trace";         expect "chek" 2 "" 'did you mean "check"?'
run stpe "$quick";                        expect "stpe" 2 "" 'did you mean "step"?'
run --colour always "$quick";             expect "--colour" 2 "" "did you mean --color?"
run check --colour never "$quick" "$tmp/q.trace"; expect "check --colour" 2 "" "did you mean --color?"
run check --updaet "$quick" "$tmp/q.trace"; expect "check --updaet" 2 "" "did you mean --update?"
run --thread 2 "$quick";                  expect "--thread" 2 "" "did you mean --threads?"
run --frobnicate "$quick";                expect "an option like no other" 2 "" "unknown option --frobnicate; see --help"
printf '{"program": [{"set_timout": 10, "then": []}]}' > "$tmp/typo.json"
run --clock virtual "$tmp/typo.json";     expect "set_timout" 2 "" 'did you mean "set_timeout"?'
printf '{"program": [{"fs_raed": "test.txt"}]}' > "$tmp/typo2.json"
run --clock virtual "$tmp/typo2.json";    expect "fs_raed" 2 "" 'did you mean "fs_read"?'
printf '{"program": [{"sleep": 10}]}' > "$tmp/other.json"
run --clock virtual "$tmp/other.json"
[ "$code" -eq 2 ] && ! grep -q "did you mean" <<<"$err" && pass "no suggestion for a word like no action" || fail "sleep got a suggestion"
run "$tmp/nothing-like-a-command.json";   expect "a missing file is still a missing file" 2 "" "cannot open the scenario"

run help;                                 expect "help" 0 "Usage:"
grep -q "check" <<<"$out" && grep -q "step" <<<"$out" && pass "help lists the commands" || fail "help lacks commands"
run help check;                           expect "help check" 0 "--junit"
grep -q -- "--only" <<<"$out" && grep -q -- "--threads" <<<"$out" && pass "help check shows its and the run options" || fail "help check"
run help step;                            expect "help step" 0 "next, phase, continue"
run help chek;                            expect "help chek" 2 "" 'did you mean "check"?'
run check --help;                         expect "check --help" 0 "--update"

# - is standard input: a scenario for a plain run and for check, or a golden.
a=$("$bin" --clock virtual "$quick")
run_from "$quick" --clock virtual -
[ "$code" -eq 0 ] && [ "$out" = "$a" ] && pass "plain run reads - " || fail "plain run from stdin"
run_from "$quick" check - "$tmp/q.trace";  expect "check - GOLDEN" 0 "ok: - matches"
run_from "$tmp/q.trace" check "$quick" -;  expect "check SCENARIO -" 0 "matches -"
sed s/Hello/Bye/ "$tmp/q.trace" > "$tmp/bye.trace"
run_from "$tmp/bye.trace" check "$quick" -; expect "check SCENARIO - differs" 1 "does not match -"
run_in "" check - -;                              expect "- twice refused" 2 "" "not more"
run_in "" check --update "$quick" -;              expect "--update to - refused" 2 "" "cannot write to standard input"
run_in '{"program": [{"print": 1}]}' --clock virtual -; expect "stdin errors say <stdin>" 2 "" "<stdin>:1:"
run_in "" step -;                                 expect "step - refused" 2 "" "reads its commands from standard input"
finish
