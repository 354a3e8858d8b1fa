#!/usr/bin/env bash
# Issue 14's "done when", as one scripted session through the book on the virtual clock:
# forward to tick 7, back to tick 3; `state` and `where` name the action and the scenario
# line of every item; breakpoints by tick, time, phase, id and scenario line are set, listed,
# hit in order and deleted.
# usage: step_done_when.sh EVENTLOOP_TRACE SCENARIO   (SCENARIO: the book's)
set -euo pipefail
bin=$1; scenario=$2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
out=$(mktemp); trap 'rm -f "$out"' EXIT

# Everything below rests on the runtime's labels naming scenario lines.
if ! "$bin" --clock virtual --format jsonl "$scenario" | grep -q '"origin":"set_timeout at book.json:15'; then
  echo "FAIL: the runtime's labels carry no scenario lines (is Action::line filled?)"; exit 1
fi

session virtual 'next 6' 'back 4' 'state' 'where' \
  'break tick 5' 'break at 2050 ms' 'break phase check' 'break id 10' 'break 29' 'break book.json:11' 'break 29' \
  'info breaks' 'delete 3' 'continue' 'continue' 'continue' 'continue' 'continue' 'continue' \
  'delete' 'info breaks' 'quit'

expect '(tick 1) step> next 6' '===== TICK 6 =====' '-- paused before tick 7 --' \
       '(tick 7) step> back 4' '-- going back to before tick 3' '-- paused before tick 3 --'

# state before tick 3: every timer, task and socket, each with its action and line.
state=$(sed -n '/^state before tick 3;/,/^  pending events/p' "$out")
echo "$state"
for item in 'id 5     due in 2000.000 ms' 'pool2 running task 9 (File read) since 1000.000 ms' \
            'pool3 running task 8 (Encrypt) since 1000.000 ms' 'sockets with epoll          id 7'; do
  next_line=$(echo "$state" | grep -F -A3 -- "$item" | tail -n +2)
  echo "$next_line" | grep -q -E 'at book\.json:[0-9]+' || { echo "FAIL: no action and line under: $item"; exit 1; }
done
expect 'set_timeout at book.json:27: prints "3000ms timer timed out"' \
       'ends at 2000.000 ms (a simulated latency)' 'fs_read at book.json:22' \
       'ends at 1400.000 ms (a simulated latency)' 'encrypt at book.json:10: prints' \
       'http_get_slow at book.json:34'
# where: the next callback (the encrypt's), and the fs_read that registered it, from the program.
expect 'where: before tick 3' 'the first expected: task 8 on pool3, ends at 1400.000 ms' \
       '#0  callback 8: encrypt at book.json:10' 'registered in tick 1, in the poll phase, by the callback in #1' \
       '#1  callback 1: fs_read at book.json:7' 'registered in tick 0 (the program'"'"'s first run), by the program'

# Breakpoints: set (a duplicate refused), listed, one deleted, hit in the run's order.
expect 'breakpoint 1: stops before tick 5' 'breakpoint 2: stops at 2050.000 ms' \
       'breakpoint 3: stops before the check phase' 'breakpoint 4: stops callback 10' \
       'breakpoint 5: stops the action at book.json:29' 'breakpoint 6: stops the action at book.json:11' \
       'note: breakpoint 5 already stops the action at book.json:29' \
       '5    scenario  y    0     the action at book.json:29' 'deleted breakpoint 3' \
       '"Encrypted" number is: 63245986' '-- paused in tick 3, before the check phase --' \
       'breakpoint 6: the action at book.json:11 ran: Thread: main	 "Encrypted" number is: 63245986' \
       '-- paused before tick 5 --' 'breakpoint 1: before tick 5' \
       'epoll event 7 is ready' 'breakpoint 2: at 2050.000 ms' \
       'Registered timer event id: 10' '-- paused in tick 7, before the idle/prepare phase --' \
       'breakpoint 4: callback 10: Thread: main	 Registered timer event id: 10' \
       'breakpoint 5: the action at book.json:29 ran: it registered callback 10 (set_timeout at book.json:29' \
       '-- paused in tick 8, before the pending callbacks phase --' \
       'breakpoint 4: callback 10 is about to run' 'breakpoint 5: callback 10 is about to run' \
       '500ms timer(nested) timed out' 'breakpoint 4: callback 10 has run' 'breakpoint 5: callback 10 has run' \
       'deleted breakpoint 1' 'deleted breakpoint 6' 'no breakpoints' 'quitting: closing every thread' 'FINISHED'
refute 'breakpoint 3: before the check phase'
echo "ok: forward to tick 7, back to tick 3, state and where name every item, breakpoints of every kind"
