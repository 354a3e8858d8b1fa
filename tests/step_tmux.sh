#!/usr/bin/env bash
# The terminal mode as a person uses it: tmux at 80x24 types commands into `step` and reads
# the screen back.
# usage: step_tmux.sh EVENTLOOP_TRACE SCENARIO
set -euo pipefail
bin=$1; scenario=$2
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 1; }
session="elt-step-$$"
done_file=$(mktemp); rm -f "$done_file"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -f "$done_file"' EXIT
tmux new-session -d -s "$session" -x 80 -y 24 \
  "NO_COLOR= TERM=xterm-256color '$bin' step --clock virtual '$scenario'; echo \"EXIT=\$?\" > '$done_file'; sleep 30"
screen() { tmux capture-pane -t "$session" -p; }
wait_for() {  # wait until the screen shows $1
  for _ in $(seq 1 100); do screen | grep -q -- "$1" && return 0; sleep 0.1; done
  echo "timed out waiting for: $1"; screen; exit 1
}
wait_for '(tick 1) step>'
tmux send-keys -t "$session" 'next' Enter
wait_for '(tick 2) step>'
tmux send-keys -t "$session" 'state' Enter
wait_for 'pending events'
snapshot=$(screen)
echo "$snapshot"
echo "$snapshot" | grep -q '^state before tick 2; now 1000.000 ms after the start'
echo "$snapshot" | grep -q 'pool3 running task 8 (Encrypt) since 1000.000 ms'
# Nothing wider than the terminal was wrapped into a mess: every state row fits 80 columns.
[ "$(echo "$snapshot" | awk '{ if (length($0) > 80) n++ } END { print n+0 }')" -eq 0 ]
# Line editing: type, erase with Backspace, retype.
tmux send-keys -t "$session" 'stat' BSpace BSpace BSpace BSpace 'help' Enter
wait_for 'stop when a trace line contains TEXT'
tmux send-keys -t "$session" 'q' Enter
for _ in $(seq 1 100); do [ -s "$done_file" ] && break; sleep 0.1; done
grep -q 'EXIT=0' "$done_file" || { echo "did not exit 0"; screen; exit 1; }
screen | grep -q 'FINISHED'
echo "ok: step works in tmux at 80x24"
