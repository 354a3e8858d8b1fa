#!/usr/bin/env bash
# Issue 12, item 8: compare what the student was asked to predict: --only THREAD, --mode
# per-thread, --mode output (the program's printed lines); white-space slips are named.
# usage: compare_modes.sh EVENTLOOP_TRACE SCENARIOS_DIR GOLDEN_DIR
set -euo pipefail
bin=$1; scenarios=$2; goldens=$3
. "$(dirname "$0")/lib.sh"
book=$scenarios/book.json
golden=$goldens/book.trace

# --only main: a prediction of main's lines alone, as a student writes it, passes; the pool's
# and epoll's lines neither count nor need to be there.
# main's lines: its "Thread: main" lines and its content blocks.
grep -v -e '^Thread: pool' -e '^Thread: epoll' -e '^$' "$golden" > "$tmp/main-lines.trace"
run check --only main "$book" "$tmp/main-lines.trace";   expect "--only main: main's lines alone agree" 0 "thread main only"
run check "$book" "$tmp/main-lines.trace";               expect "exact: main's lines alone differ" 1
# A full golden with the pool's lines moved about still agrees on main.
awk '/^Thread: pool/ {held = held $0 "\n"; next} {print} END {printf "%s", held}' "$golden" > "$tmp/pool-moved.trace"
run check --only main "$book" "$tmp/pool-moved.trace";   expect "--only main ignores the pool's order" 0
run check --mode per-thread "$book" "$tmp/pool-moved.trace"; expect "per-thread ignores interleaving" 0
run check "$book" "$tmp/pool-moved.trace";               expect "exact does not" 1
# But main's order counts: swap two of main's callbacks.
sed -e 's/^Thread: main\t SETTIMEOUT$/@@/' -e 's/^Thread: main\t Immediate1 timed out$/Thread: main\t SETTIMEOUT/' \
    -e 's/^@@$/Thread: main\t Immediate1 timed out/' "$tmp/main-lines.trace" > "$tmp/main-swapped.trace"
run check --only main "$book" "$tmp/main-swapped.trace"; expect "--only main catches a swapped callback" 1 "first difference at line"
run check --only pool0 "$book" "$tmp/main-lines.trace";  expect "--only pool0 against main's lines differs" 1
# --update --only writes what it compares.
run check --update --only main "$book" "$tmp/only-main.trace"; expect "--update --only main" 0 "wrote"
cmp -s "$tmp/only-main.trace" "$tmp/main-lines.trace" && pass "--update --only main wrote main's lines" || fail "--update --only main wrote other lines"
grep -q '^Thread: pool' "$tmp/only-main.trace" && fail "--update --only main wrote pool lines" || pass "no pool line in the --only main golden"

# --mode output: only what print and print_content printed, without "Thread: main".
run check --update --mode output "$book" "$tmp/output.trace"; expect "--update --mode output" 0 "wrote"
head -1 "$tmp/output.trace" | grep -qx 'First call to read test.txt' && pass "output starts with the first print" || fail "output's first line: $(head -1 "$tmp/output.trace")"
grep -q -e 'Registered timer' -e '^Thread: ' -e 'TICK' -e FINISHED "$tmp/output.trace" && fail "runtime lines in the output" || pass "no runtime line in the output"
grep -q '^===== THREAD main START CONTENT - FILE READ =====$' "$tmp/output.trace" && pass "content blocks are output" || fail "no content block in the output"
run check --mode output "$book" "$tmp/output.trace";     expect "--mode output agrees" 0 "(output, virtual clock)"
sed 's/^SETTIMEOUT$/SET TIMEOUT/' "$tmp/output.trace" > "$tmp/output-wrong.trace"
run check --mode output "$book" "$tmp/output-wrong.trace"; expect "--mode output catches a wrong print" 1 "first difference"
run check --mode output --only main "$book" "$tmp/output.trace"; expect "--mode output with --only refused" 2 "" "cannot take --only"

# White-space slips, through the command line.
sed 's/^Thread: main\t \(SETTIMEOUT\)$/Thread: main \1/' "$golden" > "$tmp/space.trace"
run check "$book" "$tmp/space.trace"
expect "a space for the tab" 1 "differs only in white space"
grep -qF 'the golden has a space where the trace has a tab, then a space' <<<"$out" && pass "it names the separator" || fail "separator not named"
sed 's/$/\r/' "$golden" > "$tmp/crlf.trace"
run check "$book" "$tmp/crlf.trace";                      expect "CRLF golden named" 1 "CRLF line ends"
[ "$(wc -l <<<"$out")" -le 2 ] && pass "CRLF: one line, not a diff of every line" || fail "CRLF report has $(wc -l <<<"$out") lines"
sed 's/^\(Thread: main\t FINISHED\)$/\1   /' "$golden" > "$tmp/trailing.trace"
run check "$book" "$tmp/trailing.trace";                  expect "trailing spaces named" 1 "ends in 3 spaces"
finish
