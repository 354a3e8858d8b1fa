#!/usr/bin/env bash
# The exported programs leave standard output to their first console.log, which costs 3 ms on
# an idle machine and took up to 124 ms here with a load average of 17. The corpus scenarios
# whose order a slow first print could move must keep their order when it is slow: verify
# runs them under a stand-in node whose first console.log takes 150 ms more (issue 20).
# usage: verify_first_print.sh EVENTLOOP_TRACE SCENARIOS_NODE_DIR
set -euo pipefail
bin=$1
corpus=$2
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
cat >"$dir/node" <<'SH'
#!/usr/bin/env bash
program=${@: -1}
# verify runs one program file several times: slow its first print once, not once a run.
if [[ $program == *.js && -f $program ]] && ! grep -q 'let first = true' "$program"; then
  sed -i '0,/^"use strict";$/s//"use strict";\n{ const log = console.log; let first = true; console.log = (...a) => { if (first) { first = false; const until = performance.now() + 150; while (performance.now() < until) {} } log(...a); }; }/' "$program"
fi
exec node "$@"
SH
chmod +x "$dir/node"
# A timer set in a callback after its first print, or an interval that prints beside a timer.
scenarios=(block-in-timer-delays-next-timer nested-timers interval-three-times interval-cleared-by-timer)
files=()
for name in "${scenarios[@]}"; do files+=("$corpus/$name.json"); done
# verify exits 1 when one differs (or now prints two orders without being declared racy).
"$bin" verify --node "$dir/node" --runs 2 --jobs 1 "${files[@]}"
