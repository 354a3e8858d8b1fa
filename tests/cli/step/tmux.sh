#!/usr/bin/env bash
# The terminal mode as a person uses it: tmux at 80x24 types commands into `step` and reads
# the screen back.
#  1. virtual clock (the default): forward 5 ticks (one `next`, then Enter four times), back
#     3, and the screen is what stepping to tick 3 shows; `state` fits 80 columns; line
#     editing; each thread has its own colour;
#  2. TERM=dumb: no colour at all;
#  3. real clock: pool threads print while the prompt waits with half a command typed; the
#     prompt and the typed text are drawn again below their lines, and the command still runs;
#  4. Ctrl-C at the prompt: the threads close in order, exit 130;
#  5. the pane is closed (the terminal hangs up): step ends within seconds instead of spinning.
# usage: step_tmux.sh EVENTLOOP_TRACE SCENARIO   (SCENARIO: the book's)
set -euo pipefail
bin=$1; scenario=$2
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 1; }
session="elt-step-$$"
work=$(mktemp -d)
# A server of this test's own (its own socket, no user config), kept up by an idle session for
# the whole test: killing the last session makes a tmux server exit, and a client started at
# that moment fails with "server exited unexpectedly".
tmux() { command tmux -L "elt-step-$$" -f /dev/null "$@"; }
tmux new-session -d -s keeper -x 80 -y 24 'sleep 600'
trap 'tmux kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
start() {  # start TERM ARGS...: a new tmux session running step
  local term=$1; shift
  tmux kill-session -t "$session" 2>/dev/null || true
  rm -f "$work/done"
  tmux new-session -d -s "$session" -x 80 -y 24 \
    "NO_COLOR= TERM=$term '$bin' step $* '$scenario'; echo \"EXIT=\$?\" > '$work/done'; sleep 30"
}
screen() { tmux capture-pane -t "$session" -p; }
wait_for() {  # wait until the screen shows $1
  for _ in $(seq 1 150); do screen | grep -q -F -- "$1" && return 0; sleep 0.1; done
  echo "timed out waiting for: $1"; screen; exit 1
}
finish() {
  tmux send-keys -t "$session" 'quit' Enter
  for _ in $(seq 1 100); do [ -s "$work/done" ] && break; sleep 0.1; done
  grep -q 'EXIT=0' "$work/done" || { echo "did not exit 0"; screen; exit 1; }
}

# ---- 1. forward 5, back 3 ----
start xterm-256color
wait_for '(tick 1) step>'
tmux send-keys -t "$session" 'next' Enter
wait_for '(tick 2) step>'
for t in 3 4 5 6; do tmux send-keys -t "$session" Enter; wait_for "(tick $t) step>"; done
wait_for '-- paused before tick 6 --'
tmux send-keys -t "$session" 'back 3' Enter
wait_for '-- replayed from the start to here'
sleep 0.2
screen > "$work/back"
cat "$work/back"
# The bottom of the screen: the replay's last trace lines, then the stop and the prompt.
grep -v '^$' "$work/back" | tail -3 > "$work/bottom"
sed -n 1p "$work/bottom" | grep -q -F -- '-- replayed from the start to here' || { echo "FAIL: no replay marker"; exit 1; }
sed -n 2p "$work/bottom" | grep -q -x -F -- '-- paused before tick 3 --' || { echo "FAIL: not paused before tick 3"; exit 1; }
sed -n 3p "$work/bottom" | grep -q -x -F -- '(tick 3) step>' || { echo "FAIL: no tick 3 prompt"; exit 1; }
# Above them, the trace exactly as a plain run prints it up to tick 3.
"$bin" --color never --clock virtual "$scenario" | sed '/===== TICK 3 =====/,$d' | tail -8 > "$work/expected"
grep -v '^$' "$work/back" | tail -11 | head -8 | sed 's/ *$//' > "$work/shown"
sed 's/\t/        /; s/ *$//' "$work/expected" | sed 's/^\(Thread: [a-z0-9]*\) */\1/' > "$work/expected.cmp"
sed 's/^\(Thread: [a-z0-9]*\) */\1/' "$work/shown" > "$work/shown.cmp"
diff "$work/expected.cmp" "$work/shown.cmp" || { echo "FAIL: the screen after back 3 is not tick 2's end"; exit 1; }
tmux send-keys -t "$session" 'state' Enter
wait_for 'pending events'
# The whole view, from its heading (which may have scrolled into the pane's history).
tmux capture-pane -t "$session" -p -S -200 | awk '/^state before/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' > "$work/state"
cat "$work/state"
grep -q '^state before tick 3; now 1000.000 ms after the start' "$work/state"
grep -q 'pool3 running task 8 (Encrypt) since 1000.000 ms' "$work/state"
grep -q 'ends at 1400.000 ms (a simulated latency)' "$work/state"
[ "$(awk '{ if (length($0) > 80) n++ } END { print n+0 }' "$work/state")" -eq 0 ]
# Each thread its own colour: the escape sequences before pool2's and pool3's names differ.
tmux capture-pane -t "$session" -p -e > "$work/colors"
c2=$(grep -o -a $'\e\[[0-9;]*mpool2' "$work/colors" | head -1 || true)
c3=$(grep -o -a $'\e\[[0-9;]*mpool3' "$work/colors" | head -1 || true)
[ -n "$c2" ] && [ -n "$c3" ] && [ "${c2%pool2}" != "${c3%pool3}" ] || { echo "FAIL: pool2 and pool3 share a colour"; cat -v "$work/colors"; exit 1; }
# Line editing: type, erase with Backspace, retype.
tmux send-keys -t "$session" 'stat' BSpace BSpace BSpace BSpace 'help where' Enter
wait_for 'Frame #0 is the callback'
finish
screen | grep -q 'FINISHED'

# ---- 2. TERM=dumb: no colour ----
start dumb
wait_for '(tick 1) step>'
tmux send-keys -t "$session" 'next' Enter
wait_for '(tick 2) step>'
tmux capture-pane -t "$session" -p -e > "$work/dumb"
if grep -q -a $'\e\[' "$work/dumb"; then echo "FAIL: colour under TERM=dumb"; cat -v "$work/dumb"; exit 1; fi
finish

# ---- 3. real clock: the prompt is drawn again under other threads' lines ----
start xterm-256color --clock real --color never
wait_for '(tick 1) step>'
tmux send-keys -t "$session" 'sta'
# The two first reads finish 1000 ms after the start, while the prompt waits.
for _ in $(seq 1 50); do [ "$(screen | grep -c 'finished running a task of type: File read')" -ge 2 ] && break; sleep 0.1; done
sleep 0.3
screen > "$work/real"
cat "$work/real"
[ "$(grep -c 'finished running a task of type: File read' "$work/real")" -ge 2 ] || { echo "FAIL: the reads did not finish"; exit 1; }
if grep -q 'step> .*Thread:' "$work/real"; then echo "FAIL: a trace line was written after the prompt"; exit 1; fi
grep -v '^$' "$work/real" | tail -1 | grep -q -x -F '(tick 1) step> sta' || { echo "FAIL: the prompt was not drawn again"; exit 1; }
tmux send-keys -t "$session" 'te' Enter
wait_for 'pending events'
# The heading may have scrolled off the 24 rows: look in the pane's history too.
tmux capture-pane -t "$session" -p -S -200 | grep -q '^state before tick 1' || { echo "FAIL: state did not run"; exit 1; }
finish
# ---- 4. Ctrl-C at the prompt stops the run in order: FINISHED, exit 130 ----
start xterm-256color --color never
wait_for '(tick 1) step>'
tmux send-keys -t "$session" 'nex' C-c
for _ in $(seq 1 100); do [ -s "$work/done" ] && break; sleep 0.1; done
grep -q 'EXIT=130' "$work/done" || { echo "FAIL: Ctrl-C did not exit 130"; cat "$work/done" 2>/dev/null; screen; exit 1; }
screen | grep -q 'FINISHED'
# ---- 5. the terminal goes away (the pane is closed): step ends at once, it does not spin ----
tmux kill-session -t "$session" 2>/dev/null || true
tmux new-session -d -s "$session" -x 80 -y 24 \
  "echo \$\$ > '$work/pid'; NO_COLOR= TERM=xterm-256color exec '$bin' step --color never '$scenario'"
wait_for '(tick 1) step>'
pid=$(cat "$work/pid")
tmux kill-session -t "$session"
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
  echo "FAIL: step still runs 5 s after its terminal closed"; ps -o pid,stat,time,args -p "$pid"; kill -9 "$pid"; exit 1
fi
echo "ok: step works in tmux at 80x24 (back 3, state, colours, TERM=dumb, the real clock's prompt, Ctrl-C, a closed pane)"
