#!/usr/bin/env bash
# The stepper's mistakes and Tab as a person meets them (issue 23, item 8), in tmux at 100x30:
#  1. a mistyped command gets the whole line back as it was meant: `nxt` -> "next",
#     `brake tick 3` -> "break tick 3", `break phase timer` -> "break phase timers",
#     `break tik 3` -> "break tick 3", `help brak` -> "help break";
#  2. Tab completes a command (`sta` -> state), break's kinds and phases (`break ph` Tab `ch`
#     Tab -> break phase check), and Tab Tab after `help ` lists every command;
#  3. `break line X` says it "stops when a trace line contains" X, and so does `help break`.
# usage: step_suggest_tmux.sh EVENTLOOP_TRACE SCENARIO   (SCENARIO: the book's)
set -euo pipefail
bin=$1; scenario=$2
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 1; }
session="elt-suggest-$$"
work=$(mktemp -d)
# A tmux server of this test's own (its own socket, no user config).
tmux() { command tmux -L "elt-suggest-$$" -f /dev/null "$@"; }
tmux new-session -d -s keeper -x 100 -y 30 'sleep 600'
trap 'tmux kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
tmux new-session -d -s "$session" -x 100 -y 30 \
  "NO_COLOR= TERM=xterm-256color '$bin' step --color never '$scenario'; echo \"EXIT=\$?\" > '$work/done'; sleep 30"
screen() { tmux capture-pane -t "$session" -p -J -S -300; }
wait_for() {  # wait until the screen (and its history) shows $1
  for _ in $(seq 1 100); do screen | grep -q -F -- "$1" && return 0; sleep 0.1; done
  echo "FAIL: timed out waiting for: $1"; screen; exit 1
}
type_line() { tmux send-keys -t "$session" -l -- "$1"; tmux send-keys -t "$session" Enter; }

wait_for '(tick 1) step>'
# ---- 1. suggestions ----
type_line 'nxt'
wait_for 'unknown command "nxt"; did you mean "next"?'
type_line 'brake tick 3'
wait_for 'unknown command "brake"; did you mean "break tick 3"?'
type_line 'break phase timer'
wait_for 'did you mean "break phase timers"?'
type_line 'break tik 3'
wait_for 'no breakpoint kind "tik"; did you mean "break tick 3"?'
type_line 'help brak'
wait_for 'no command "brak"; did you mean "help break"?'
# Nothing was set by the mistakes.
type_line 'info breaks'
wait_for 'no breakpoints'

# ---- 2. Tab ----
tmux send-keys -t "$session" -l 'break ph'
tmux send-keys -t "$session" Tab
wait_for '(tick 1) step> break phase'
tmux send-keys -t "$session" -l 'ch'
tmux send-keys -t "$session" Tab Enter
wait_for 'breakpoint 1: stops before the check phase, every tick'
screen | sed 's/ *$//' | grep -q -x -F '(tick 1) step> break phase check' || { echo "FAIL: Tab did not complete the phase"; screen; exit 1; }
tmux send-keys -t "$session" -l 'sta'
tmux send-keys -t "$session" Tab Enter
wait_for 'pending events'
screen | sed 's/ *$//' | grep -q -x -F '(tick 1) step> state' || { echo "FAIL: Tab did not complete state"; screen; exit 1; }
# Tab Tab after `help `: every command, listed under the prompt.
tmux send-keys -t "$session" -l 'help '
tmux send-keys -t "$session" Tab Tab
wait_for 'continue'
sleep 0.2
listing=$(screen | tail -5)
for c in back break continue delete disable enable goto help info next phase quit state where; do
  grep -q -w -- "$c" <<<"$listing" || { echo "FAIL: Tab Tab did not list $c"; echo "$listing"; exit 1; }
done
tmux send-keys -t "$session" C-u

# ---- 3. break line ----
type_line 'break line Encrypted'
wait_for 'breakpoint 2: stops when a trace line contains "Encrypted"'
type_line 'help break'
wait_for 'break line TEXT    stops when a trace line (of any thread) contains TEXT'
screen > "$work/pane"
cat "$work/pane" | tail -40
type_line 'quit'
for _ in $(seq 1 100); do [ -s "$work/done" ] && break; sleep 0.1; done
grep -q 'EXIT=0' "$work/done" || { echo "FAIL: step did not exit 0"; screen; exit 1; }
echo "ok: step suggests corrections, completes with Tab, and says what break line stops at"
