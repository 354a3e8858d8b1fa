#!/usr/bin/env bash
# The stepper under the node model: `state` shows Node's queues (nextTick, microtask,
# immediate) and timer lists with what each item is; breakpoints by phase and id follow an
# immediate; `where` names the next callback; `back` replays (virtual clock) or is refused
# (real clock).
# usage: step_node.sh EVENTLOOP_TRACE CLOCK
set -euo pipefail
bin=$1; clock=$2; model=node
here=$(cd "$(dirname "$0")" && pwd)
scenario=$here/node-queues.json
source "$here/lib.sh"
out=$(mktemp); trap 'rm -f "$out"' EXIT

# The same script on both clocks; ticks and times are checked on the virtual clock only
# (on the real one the loop may go round more often while it waits).
session "$clock" 'state' 'break id 8' 'continue' 'break phase check' 'continue' 'state' 'where' 'delete 2' \
        'continue' 'back' 'quit'
expect '-- paused before tick 1 --' 'state before tick 1' \
       'set_timeout at node-queues.json:6: prints "timeout 200"' \
       'set_interval at node-queues.json:16: prints "interval"' \
       '  timer list 200 ms           id 1 due at ' '  timer list 400 ms           id 3 due at ' \
       '  nextTick                    empty' '  microtask                   empty' '  immediate                   empty' \
       'breakpoint 1: stops callback 8' \
       'Registered immediate id: 8' 'breakpoint 1: callback 8: Thread: main	 Registered immediate id: 8' \
       'breakpoint 2: stops before the check phase, every tick' \
       'before the check phase --' 'breakpoint 2: before the check phase' \
       '  immediate                   id 8: set_immediate at node-queues.json:10: prints "immediate from timeout"' \
       'where: in tick' 'immediate queue (1): id 8: set_immediate at node-queues.json' \
       'deleted breakpoint 2' 'immediate from timeout' 'before the close callbacks phase --' \
       'breakpoint 1: callback 8 has run'
if [ "$clock" = virtual ]; then
  expect '-- paused before tick 4 --' 'breakpoint 1: callback 8: Thread: main	 Registered immediate id: 8' \
         '-- paused in tick 4, before the check phase --' '-- paused in tick 4, before the close callbacks phase --' \
         '(tick 4) step> back' '-- going back to before tick 4' '-- paused before tick 4 --' 'quitting'
else
  expect 'breakpoint 1: callback 8 has run' 'back: not available on the real clock' 'quitting'
fi
echo "ok: the node model's queues in a $clock-clock session"
