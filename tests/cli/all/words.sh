#!/usr/bin/env bash
# The command line in its own words (issue 23, items 2, 7 and 9):
#  - `help` is the main help, `help COMMAND` is `COMMAND --help`, byte for byte;
#  - a missing argument or a bad value says what is wrong in the tool's words, not CLI11's
#    ("scenario is required", "Value abc not in range 1 to 1024");
#  - `verify --help` keeps every description in its column;
#  - `html` without -o writes NAME.html beside the scenario and says where;
#  - a run option that a command does not use is refused (exit 2, with the reason) on either
#    side of the command's name, and one it uses still works;
#  - a plain run's --mode output prints only what the program prints: the lines that
#    `check --mode output` compares.
# usage: cli_words.sh EVENTLOOP_TRACE BOOK_SCENARIO
set -uo pipefail
bin=$1
book=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
fail() { echo "FAIL $1"; fails=$((fails + 1)); }
ok() { echo "ok   $1"; }
# expect NAME CODE TEXT ARGS...: exit CODE and TEXT (fixed string) in stdout+stderr
expect() {
  local name=$1 code=$2 text=$3; shift 3
  local out rc
  out=$(timeout 30 "$bin" "$@" </dev/null 2>&1); rc=$?
  if [ "$rc" -ne "$code" ] || ! grep -qF -- "$text" <<<"$out"; then
    fail "$name: exit $rc (wanted $code), output: ${out:0:400}"
  else
    ok "$name"
  fi
}

# ---- help ----
cmp -s <("$bin" help) <("$bin" --help) && ok "help is --help" || fail "help alone is not the main help"
for c in check step html export-js verify help; do
  cmp -s <("$bin" help "$c") <("$bin" "$c" --help) && ok "help $c is $c --help" || fail "help $c differs from $c --help"
done
"$bin" help verify | grep -q '^Usage: eventloop-trace verify' && ok "help names the program" || fail "help verify: no program name"

# ---- missing arguments and bad values, in the tool's words ----
for c in step html export-js; do
  expect "$c without a scenario" 2 "eventloop-trace: $c needs a scenario: eventloop-trace $c SCENARIO" "$c"
done
expect "verify without a scenario" 2 "eventloop-trace: verify needs one or more scenarios" verify
expect "--threads abc" 2 '--threads: "abc" is not a number: give a whole number from 1 to 1024' --threads abc "$book"
expect "--threads 1.5" 2 '--threads: "1.5" is not a whole number' --threads 1.5 "$book"
expect "--threads 0" 2 "--threads: 0 is out of range: give a whole number from 1 to 1024" --threads 0 "$book"
expect "--threads with no value" 2 "--threads needs a value after it" "$book" --threads
expect "check --mode bogus" 2 '--mode: "bogus" is not one of exact, per-thread, output' check --mode bogus "$book" "$book"
expect "--clock foo" 2 '--clock: "foo" is not one of real, virtual' --clock foo "$book"
expect "verify --runs abc" 2 '--runs: "abc" is not a number' verify --runs abc "$book"
expect "verify --json --markdown" 2 "--json and --markdown are two forms of the same summary" verify --json --markdown "$book"
out=$("$bin" step 2>&1; "$bin" verify 2>&1; "$bin" --threads abc "$book" 2>&1)
grep -q "is required\|not in range\|Value " <<<"$out" && fail "CLI11's words left: $out" || ok "no CLI11 wording"

# ---- verify --help: each description in its column ----
"$bin" verify --help > "$work/vhelp"
if grep -q "Excludes\|INT:INT\|SCENARIO\.\.\. \.\.\." "$work/vhelp"; then
  fail "verify --help: $(grep "Excludes\|INT:INT\|SCENARIO\.\.\." "$work/vhelp")"
else
  ok "verify --help lays out its options"
fi
# An option line is its names and type, then (column 31) its description, or the names alone.
awk '/^  -/ { rest = substr($0, 3); if (match(rest, /  +[^ ]/)) { col = 2 + RSTART + RLENGTH - 1;
       if (col != 31) { bad = 1; print "misaligned: " $0 } } } END { exit bad }' \
  "$work/vhelp" && ok "verify --help columns" || fail "verify --help columns"

# ---- html without -o ----
cp "$book" "$work/book.json"
cp "$(dirname "$book")/test.txt" "$work/" 2>/dev/null || true
out=$("$bin" html "$work/book.json" 2>&1); rc=$?
{ [ $rc -eq 0 ] && [ -s "$work/book.html" ] && grep -qF "wrote $work/book.html" <<<"$out"; } \
  && ok "html writes NAME.html beside the scenario and says so" || fail "html without -o: exit $rc: $out"
expect "html from standard input without -o" 2 "give the page's name with -o" html -

# ---- options a command does not use: refused on either side ----
expect "step --format chrome" 2 '--format chrome does nothing useful in "step"' step --format chrome "$book"
expect "--format chrome step" 2 '--format chrome does nothing useful in "step"' --format chrome step "$book"
expect "html --format chrome" 2 '--format does nothing in "html": html writes a page' html --format chrome "$book" -o "$work/x.html"
expect "html --show time" 2 '--show does nothing in "html"' html --show time "$book" -o "$work/x.html"
expect "--color never html" 2 '--color does nothing in "html"' --color never html "$book" -o "$work/x.html"
expect "--model node export-js" 2 '--model does nothing in "export-js"' --model node export-js "$book"
expect "--threads 2 export-js" 2 '--threads does nothing in "export-js"' --threads 2 export-js "$book"
expect "--clock real verify" 2 '--clock does nothing in "verify"' --clock real verify "$book"
expect "--threads 2 help" 2 '--threads does nothing in "help"' --threads 2 help
expect "--mode output before check" 2 '--mode is an option of "check"' --mode output check "$book" "$work/none.trace"
expect "--mode output before step" 2 '--mode does nothing in "step"' --mode output step "$book"
[ ! -e "$work/x.html" ] && ok "no page written for a refused option" || fail "a page was written"
# ... and those it uses still work.
expect "html --threads 2 --model node" 0 "wrote $work/y.html" html --threads 2 --model node "$book" -o "$work/y.html"
expect "export-js alone works" 0 "setTimeout" export-js "$book"
printf 'quit\n' > "$work/quit"
"$bin" step --show time "$book" < "$work/quit" | grep -q '^ *0.000 ms  Thread: main' && ok "step --show time" \
  || fail "step --show time"

# ---- a plain run's --mode output ----
"$bin" --clock virtual --mode output "$book" > "$work/out.txt"; rc=$?
{ [ $rc -eq 0 ] && [ "$(head -1 "$work/out.txt")" = "First call to read test.txt" ] && ! grep -q '^Thread:' "$work/out.txt"; } \
  && ok "--mode output prints the program's lines only" || fail "--mode output: exit $rc: $(head -3 "$work/out.txt")"
"$bin" check --mode output "$book" "$work/out.txt" > /dev/null \
  && ok "--mode output is what check --mode output compares" || fail "check --mode output disagrees with --mode output"
expect "--mode output --format jsonl" 2 "--mode output prints only the program's own lines" --mode output --format jsonl "$book"
expect "--mode output --show time" 2 "cannot take --show" --mode output --show time "$book"
expect "--mode bogus" 2 '--mode: "bogus" is not one of trace, output' --mode bogus "$book"
out=$("$bin" --clock virtual --mode output "$book" | head -1); rc=$?
[ "$out" = "First call to read test.txt" ] && ok "--mode output | head -1" || fail "--mode output | head -1: $out"
out=$("$bin" --clock virtual --mode output "$book" 2>&1 > /dev/full); rc=$?
{ [ $rc -eq 1 ] && grep -q "writing the program's output to standard output: No space left" <<<"$out"; } \
  && ok "--mode output to a full disk: exit 1" || fail "--mode output > /dev/full: exit $rc: $out"

[ $fails -eq 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
