#!/usr/bin/env bash
# Signals and pipes in every command, not only the plain run (issue 25, item 5): a stop
# signal ends any command promptly with 128+n and the trace flushed; a closed output is
# exit 1 with one message; a reader that leaves early is a quiet exit 0 at once. Each case
# was broken before: html wrote its page after SIGTERM and exited 0; step reading a pipe
# ignored SIGINT until the pipe ended; SIGUSR1 and SIGQUIT killed a run unflushed; `html -o
# - >&-` exited 0 with the page lost and `html -o - | head -1` exited 1; `--format chrome
# | head -c 10` ran to the end (3.5 s); `export-js | head -1` exited 1; verify ignored
# SIGTERM until its node runs were done (5.5 s), then exited 0.
# usage: signals_every_command.sh EVENTLOOP_TRACE SCENARIO
set -uo pipefail
bin=$1; scenario=$2
dir=$(mktemp -d)
holder=
trap '[ -n "$holder" ] && kill "$holder" 2> /dev/null; rm -rf "$dir"' EXIT
failed=0
fail() { echo "FAIL $*"; failed=1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# A command on the book's real-clock run (3.5 s), signalled after 0.5 s: it must end with
# 128+n within 2 s. INPUT: its stdin. With THREAD set, the signal goes to that thread's id (kill(2) on a
# thread id delivers a process-wide signal to that thread when it does not block it, as
# the kernel may choose any thread for a signal from a terminal): a wait that only a
# signal on its own thread interrupts is then seen.
signal_case() {
  local name=$1 sig=$2 want=$3; shift 3
  # stdin named on the command itself: a background command's stdin is otherwise /dev/null.
  "$@" < "${INPUT:-/dev/null}" > "$dir/out" 2> "$dir/err" &
  local pid=$! start code ms target t
  sleep 0.5
  target=$pid
  if [ -n "${THREAD:-}" ]; then
    for t in /proc/"$pid"/task/*; do [ "$(cat "$t/comm" 2> /dev/null)" = "$THREAD" ] && target=${t##*/}; done
    [ "$target" != "$pid" ] || { fail "$name: no thread named $THREAD"; kill "$pid"; wait "$pid"; return 1; }
  fi
  start=$(now_ms); kill -"$sig" "$target"; wait "$pid"; code=$?; ms=$(( $(now_ms) - start ))
  if [ "$code" -ne "$want" ]; then fail "$name: SIG$sig -> exit $code, want $want"; head -3 "$dir/err"; return 1; fi
  if [ "$ms" -gt 2000 ]; then fail "$name: SIG$sig took $ms ms to end it"; return 1; fi
  echo "ok: $name: SIG$sig -> exit $code after $ms ms"
}

# html: stopped, and no page (it would show half a run as a whole one).
signal_case "html" TERM 143 "$bin" html --clock real "$scenario" -o "$dir/page.html" &&
  { [ ! -e "$dir/page.html" ] || fail "html: the page was written after SIGTERM"; }
# SIGUSR1, SIGQUIT: the same stop as SIGINT, the trace flushed to FINISHED.
for pair in USR1:138 QUIT:131; do
  signal_case "plain run" "${pair%:*}" "${pair#*:}" "$bin" "$scenario" &&
    { tail -1 "$dir/out" | grep -q 'FINISHED$' || fail "SIG${pair%:*}: trace not flushed to FINISHED"; }
done
# verify: the node run in progress is killed, and no verdict is printed.
if command -v node > /dev/null; then
  corpus=$(dirname "$scenario")/node
  signal_case "verify" TERM 143 "$bin" verify "$corpus/nested-timers.json" "$corpus/interval-three-times.json" &&
    { ! grep -q 'agrees\|differs' "$dir/out" || fail "verify printed verdicts after SIGTERM"; }
else
  echo "skipped: verify (no node)"
fi
# step reading its commands from a pipe that stays open (a FIFO held by a sleeping writer);
# before, a signal that landed on another thread than the reading one waited for the pipe
# to end.
mkfifo "$dir/commands"
sleep 10 > "$dir/commands" &
holder=$!
INPUT=$dir/commands signal_case "step reading a pipe" INT 130 "$bin" step "$scenario" &&
  { grep -q 'step> ' "$dir/out" || fail "step reading a pipe: never prompted"; }
INPUT=$dir/commands THREAD=pool0 signal_case "step reading a pipe, signal on pool0" INT 130 "$bin" step "$scenario"
kill "$holder"; holder=

# A closed output: exit 1, one line on stderr naming standard output.
closed_output() {
  local name=$1 code; shift
  timeout 20 "$@" >&- 2> "$dir/err" < /dev/null; code=$?
  if [ "$code" -eq 1 ] && [ "$(wc -l < "$dir/err")" -eq 1 ] && grep -q 'standard output' "$dir/err"; then
    echo "ok: $name >&- -> exit 1: $(cat "$dir/err")"
  else
    fail "$name >&-: exit $code:"; cat "$dir/err"
  fi
}
closed_output "html -o -" "$bin" html "$scenario" -o -
closed_output "check" "$bin" check "$scenario" "$(dirname "$scenario")/../tests/golden/book.trace"
closed_output "export-js" "$bin" export-js "$scenario"
closed_output "--format chrome" "$bin" --clock virtual --format chrome "$scenario"

# A failed write (a full disk): exit 1, one line on stderr naming standard output. check
# once exited 0 with its results lost (1, silent, when the trace differed).
full_output() {
  local name=$1 code; shift
  timeout 20 "$@" > /dev/full 2> "$dir/err" < /dev/null; code=$?
  if [ "$code" -eq 1 ] && [ "$(wc -l < "$dir/err")" -eq 1 ] && grep -q 'standard output' "$dir/err"; then
    echo "ok: $name > /dev/full -> exit 1: $(cat "$dir/err")"
  else
    fail "$name > /dev/full: exit $code:"; cat "$dir/err"
  fi
}
book_golden=$(dirname "$scenario")/../tests/golden/book.trace
full_output "check (matches)" "$bin" check "$scenario" "$book_golden"
printf 'Thread: main\t other\n' > "$dir/other.trace"
full_output "check (differs)" "$bin" check "$scenario" "$dir/other.trace"

# A reader that leaves early: exit 0 at once, nothing on stderr. The outputs are larger than
# a pipe's 64 KiB buffer, so the writer is still writing when the reader leaves.
early_reader() {
  local name=$1 limit=$2; shift 2
  local start ms codes
  start=$(now_ms)
  "$@" 2> "$dir/err" | head -c 10 > /dev/null
  codes=${PIPESTATUS[0]}; ms=$(( $(now_ms) - start ))
  if [ "$codes" -ne 0 ] || [ -s "$dir/err" ]; then fail "$name | head: exit $codes:"; head -3 "$dir/err"
  elif [ "$ms" -gt "$limit" ]; then fail "$name | head: $ms ms, the run went on after the reader left"
  else echo "ok: $name | head -c 10 -> exit 0 after $ms ms"; fi
}
# A promise chain of 2,000 steps: a page of 950 KB, a program of 110 KB.
awk 'BEGIN { printf "{\"settings\": {\"model\": \"node\"}, \"program\": [{\"promise\": \"resolve\", \"chain\": [";
             for (i = 0; i < 2000; i++) printf "%s{\"then\": [{\"print\": \"step %d\"}]}", (i ? "," : ""), i;
             print "]}]}" }' > "$dir/chain.json"
early_reader "html -o -" 10000 "$bin" html "$dir/chain.json" -o -
early_reader "export-js" 10000 "$bin" export-js "$dir/chain.json"
# The book's run takes 3.5 s on the real clock: the reader's leaving must end it well before.
for model in book node; do
  for format in chrome jsonl text; do
    early_reader "--model $model --format $format" 1500 "$bin" --model "$model" --format "$format" "$scenario"
  done
done
exit $failed
