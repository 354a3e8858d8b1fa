#!/usr/bin/env bash
# Issue 12, item 1: a run option means the same before and after a command's name, or is
# refused with exit 2; it is never dropped silently.
# usage: options_anywhere.sh EVENTLOOP_TRACE SCENARIOS_DIR
set -euo pipefail
bin=$1; scenarios=$2
. "$(dirname "$0")/lib.sh"
book=$scenarios/book.json
quick=$scenarios/nothing-registered.json

# --threads: a golden made with 2 threads; 1 thread must not pass, wherever it is written.
run check --update --threads 2 "$book" "$tmp/two.trace";     expect "golden written with --threads 2" 0 "wrote"
run check --threads 1 "$book" "$tmp/two.trace";               expect "check --threads 1 (after) differs" 1 "does not match"
run --threads 1 check "$book" "$tmp/two.trace";               expect "--threads 1 check (before) differs" 1 "does not match"
run -t 1 check "$book" "$tmp/two.trace";                      expect "-t 1 check (before, short) differs" 1 "does not match"
run --threads 2 check "$book" "$tmp/two.trace";               expect "--threads 2 check agrees" 0 "ok:"
run --threads 2 check --threads 2 "$book" "$tmp/two.trace";   expect "the same value twice is fine" 0 "ok:"
run --threads 1 check --threads 2 "$book" "$tmp/two.trace";   expect "two values refused" 2 "" "--threads is given twice"

# --clock: check defaults to virtual; real before the command means real.
run check "$quick" "$tmp/q.trace" --update;                   expect "quick golden" 0
run --clock real check "$quick" "$tmp/q.trace";               expect "--clock real check says real" 0 "real clock"
run check --clock real "$quick" "$tmp/q.trace";               expect "check --clock real says real" 0 "real clock"
run check "$quick" "$tmp/q.trace";                            expect "check defaults to virtual" 0 "virtual clock"
run --clock real check --clock virtual "$quick" "$tmp/q.trace"; expect "two clocks refused" 2 "" "--clock is given twice"

# --clock and --format before step: the book's web call completes at exactly 2050 ms of
# virtual time, and only JSON lines carry the time.
for placement in before after; do
  if [ $placement = before ]; then args=(--clock virtual --format jsonl step "$book"); else args=(step --clock virtual --format jsonl "$book"); fi
  run_in $'continue\n' "${args[@]}"
  if [ "$code" -eq 0 ] && grep -q '^{"tick":5,"phase":"poll","thread":"epoll","time_us":2050000,' <<<"$out" && ! grep -q '^Thread: ' <<<"$out"; then
    pass "step: --clock virtual --format jsonl $placement the command"
  else
    fail "step: --clock virtual --format jsonl $placement the command"
  fi
  grep '^{' <<<"$out" > "$tmp/step-$placement.jsonl" || true
done
cmp -s "$tmp/step-before.jsonl" "$tmp/step-after.jsonl" && pass "step: same JSON lines either way" || fail "step: JSON lines differ before/after"
# step defaults to the virtual clock (issue 14): the same exact times without --clock.
run_in $'continue\n' --format jsonl step "$book"
grep -q '"time_us":2050000,' <<<"$out" && pass "step defaults to the virtual clock" || fail "step default clock"

# --format: jsonl goldens work on either side; none cannot be compared.
run check --update --format jsonl "$quick" "$tmp/q.jsonl";   expect "jsonl golden" 0
run --format jsonl check "$quick" "$tmp/q.jsonl";             expect "--format jsonl check agrees with a jsonl golden" 0 "ok:"
run check "$quick" "$tmp/q.jsonl";                            expect "text against a jsonl golden differs" 1
run --format none check "$quick" "$tmp/q.trace";              expect "--format none check refused" 2 "" "cannot take --format none"
run --format jsonl check --mode per-thread "$quick" "$tmp/q.jsonl"; expect "jsonl per thread refused" 2 "" "--format jsonl"

# --color: the diff is coloured when asked, on either side.
run check --update "$quick" "$tmp/changed.trace"
sed -i 's/Hello/Goodbye/' "$tmp/changed.trace"
run --color always check "$quick" "$tmp/changed.trace"
[ "$code" -eq 1 ] && grep -q $'\x1b\\[31m-' <<<"$out" && pass "--color always check colours the diff" || fail "--color before check"
run check --color always "$quick" "$tmp/changed.trace"
[ "$code" -eq 1 ] && grep -q $'\x1b\\[31m-' <<<"$out" && pass "check --color always colours the diff" || fail "--color after check"
run --color never check "$quick" "$tmp/changed.trace"
[ "$code" -eq 1 ] && ! grep -q $'\x1b' <<<"$out" && pass "--color never check: no escape" || fail "--color never before check"

# --model: accepted on either side, the same value twice, refused when the two differ.
run --model book check "$quick" "$tmp/q.trace";               expect "--model book check" 0 "ok:"
run check --model book "$quick" "$tmp/q.trace";               expect "check --model book" 0 "ok:"
run --model book check --model node "$quick" "$tmp/q.trace";  expect "two models refused" 2 "" "--model is given twice"

# Options of check before its name are refused, not dropped.
run --update check "$quick" "$tmp/q.trace";                   expect "--update before check refused" 2 "" "--update is an option of \"check\""
run --mode per-thread check "$quick" "$tmp/q.trace";          expect "--mode before check refused" 2 "" "--mode is an option of \"check\""
# A plain run takes its options before or after the scenario.
run --clock virtual --format jsonl "$quick";  a=$out
run "$quick" --format jsonl --clock virtual;  b=$out
[ -n "$a" ] && [ "$a" = "$b" ] && grep -q '^{' <<<"$a" && pass "plain run: options before or after SCENARIO" || fail "plain run placement"
finish
