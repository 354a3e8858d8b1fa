#!/usr/bin/env bash
# Every stepper command in a scripted session, on either clock: moving (next N, phase N,
# continue, goto ahead), breakpoints of every kind and their management, help COMMAND,
# mistakes, and `back` (a replay on the virtual clock, refused with the reason on the real).
# usage: step_commands.sh EVENTLOOP_TRACE SCENARIO CLOCK   (SCENARIO: the book's; the book's model)
set -euo pipefail
bin=$1; scenario=$2; clock=$3; model=book
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
out=$(mktemp); trap 'rm -f "$out"' EXIT

# Moving: next N runs N ticks, phase N passes N pause points, goto runs ahead.
session "$clock" 'next 3' 'phase 2' 'next' 'goto tick 6' 'phase' 'continue'
expect '-- paused before tick 1 --' '(tick 1) step> next 3' '===== TICK 3 =====' '-- paused before tick 4 --' \
       '(tick 4) step> phase 2' '-- paused in tick 4, before the idle/prepare phase --' \
       '(tick 4) step> next' '-- paused before tick 5 --' '(tick 5) step> goto tick 6' '-- paused before tick 6 --' \
       '(tick 6) step> phase' '-- paused in tick 6, before the pending callbacks phase --' '(tick 6) step> continue' \
       'FINISHED'
[ "$(grep -c '^-- paused' "$out")" -eq 6 ] || { echo "FAIL: expected 6 stops"; cat "$out"; exit 1; }

# Breakpoints: set, duplicate, list, disable, enable, delete; each kind stops.
session "$clock" 'break tick 3' 'break tick 3' 'break at 2000 ms' 'break phase check' 'break id 10' \
        'break line Encrypted' 'info breaks' 'disable 3' 'info breaks' 'continue' 'continue' 'delete 1' 'enable 3' \
        'continue' 'delete 3' 'continue' 'continue' 'delete' 'info breaks' 'continue'
expect 'breakpoint 1: stops before tick 3' \
       'note: breakpoint 1 already stops before tick 3; nothing set' \
       'breakpoint 2: stops at 2000.000 ms' 'breakpoint 3: stops before the check phase, every tick' \
       'breakpoint 4: stops callback 10:' 'breakpoint 5: stops when a trace line contains "Encrypted"' \
       'Num  Type      Enb  Hits  What' '1    tick      y    0     before tick 3' \
       '2    time      y    0     at 2000.000 ms' '3    phase     y    0     before the check phase' \
       '4    id        y    0     callback 10' '5    line      y    0     when a trace line contains "Encrypted"' \
       'disabled breakpoint 3' '3    phase     n    0'
if [ "$clock" = real ]; then
  # Real time decides which tick each thing lands in (a loaded machine reorders them): each
  # breakpoint must stop, in whatever order (and an extra stop shifts the later commands).
  for hit in 'breakpoint 1: before tick 3' 'breakpoint 5: a trace line matched' 'breakpoint 2: at 2000.000 ms (now 2' \
             'breakpoint 3: before the check phase' 'breakpoint 4: callback 10: Thread: main	 Registered timer event id: 10' \
             'FINISHED'; do
    expect "$hit"
  done
else
expect '-- paused before tick 3 --' 'breakpoint 1: before tick 3' \
       '-- paused in tick 3, before the check phase --' 'breakpoint 5: a trace line matched' \
       'deleted breakpoint 1' 'enabled breakpoint 3' \
       '-- paused in tick 4, before the check phase --' 'breakpoint 2: at 2000.000 ms (now 20' \
       'breakpoint 3: before the check phase' 'deleted breakpoint 3' \
       'Registered timer event id: 10' 'breakpoint 4: callback 10: Thread: main	 Registered timer event id: 10' \
       'breakpoint 4: callback 10 is about to run (in the pending callbacks phase)' \
       'deleted breakpoint 2' 'deleted breakpoint 4' 'deleted breakpoint 5' 'no breakpoints' 'FINISHED'
fi

# A scenario action by its JSON path (another way to name one, e.g. when several share a line):
# its callback registered before the breakpoint is followed, and a print is recognised.
session "$clock" 'break /program/11' 'break /program/11' 'break /program/1/then/2/then/0' 'break /nope' \
        'continue' 'continue' 'continue' 'info breaks' 'quit'
expect 'breakpoint 1: stops the action at book.json /program/11 and what it registers' \
       'note: breakpoint 1 already stops the action at book.json /program/11' \
       'breakpoint 2: stops the action at book.json /program/1/then/2/then/0' 'no action at /nope in book.json' \
       'SETTIMEOUT' 'breakpoint 1: callback 6 has run' \
       '"Encrypted" number is: 63245986' \
       'breakpoint 2: the action at book.json /program/1/then/2/then/0 ran: Thread: main	 "Encrypted" number is: 63245986' \
       '2    scenario  y    1     the action at book.json /program/1/then/2/then/0' 'quitting'
if [ "$clock" = virtual ]; then
  expect '-- paused in tick 2, before the pending callbacks phase --' \
         'breakpoint 1: callback 6 is about to run (in the pending callbacks phase)' \
         '-- paused in tick 2, before the idle/prepare phase --' 'breakpoint 1: callback 6 has run'
fi

# Mistakes are answered; the prompt comes back.
session "$clock" 'break tick 0' 'break tick' 'break at soon' 'break phase lunch' 'break id 0' 'break line' \
        'break 13' 'break other.json:15' 'next 0' 'back sideways' 'goto nowhere' 'delete 9' 'enable x' 'info' \
        'frobnicate' 'help break' 'help nope' 'help' 'quit'
expect 'tick 0 is the program' "break tick needs a tick number, e.g. \`break tick 3\`" \
       "break at needs a time on the run's clock" 'break phase needs a phase: timers, pending, idle, poll, check or close' \
       'break id needs a callback id' 'break line needs some text' 'no action starts at line 13 of book.json' \
       'the scenario is book.json' 'next takes a count of 1 or more' 'usage: back [N] | back phase | back event' \
       'usage: goto tick N | goto TIME ms' 'no breakpoint number 9' 'usage: enable [N...]' 'usage: info breaks' \
       'unknown command "frobnicate"; type help' \
       'break tick N | at TIME ms | phase NAME | id N | line TEXT | LINE' '  break id N ' \
       'no command "nope"' '[n]ext' '[w]here' 'quitting: closing every thread' 'FINISHED'

# Going back: a replay on the virtual clock; refused with the reason on the real one.
session "$clock" 'next 4' 'back 2' 'back phase' 'back event' 'goto tick 1' 'goto tick 3' 'goto 1000 ms' 'quit'
if [ "$clock" = virtual ]; then
  expect '-- paused before tick 5 --' '(tick 5) step> back 2' \
         '-- going back to before tick 3: replaying the run from the start --' 'First call to read test.txt' \
         '-- replayed from the start to here' '-- paused before tick 3 --' \
         '(tick 3) step> back phase' '-- going back to tick 2, before the close callbacks phase' \
         '-- paused in tick 2, before the close callbacks phase --' \
         '(tick 2) step> back event' '-- going back to tick 2, before the poll phase' \
         '-- paused in tick 2, before the poll phase --' \
         '(tick 2) step> goto tick 1' '-- paused before tick 1 --' \
         '(tick 1) step> goto tick 3' '-- paused before tick 3 --' \
         '(tick 3) step> goto 1000 ms' '-- going back to tick 1, before the check phase' \
         '-- paused in tick 1, before the check phase --' 'quitting'
  [ "$(grep -c 'First call to read test.txt' "$out")" -eq 6 ] || { echo "FAIL: expected 6 runs"; exit 1; }
else
  expect '(tick 5) step> back 2' 'back: not available on the real clock' 'Step on the virtual clock (the default)' \
         '(tick 5) step> back phase' 'back phase: not available on the real clock (see above)' \
         '(tick 5) step> goto tick 1' 'goto: not available on the real clock (see above)' \
         '(tick 5) step> goto tick 3' 'goto: not available' 'quitting'
  [ "$(grep -c 'Step on the virtual clock (the default)' "$out")" -eq 1 ] || { echo "FAIL: the reason, in full once"; exit 1; }
  refute 'going back'
  [ "$(grep -c 'First call to read test.txt' "$out")" -eq 1 ] || { echo "FAIL: the real clock replayed"; exit 1; }
fi
echo "ok: every command on the $clock clock"
