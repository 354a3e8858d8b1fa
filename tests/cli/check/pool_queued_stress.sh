#!/usr/bin/env bash
# The real clock's per-thread contract when tasks queue (issue 12, item 2): with more pool
# tasks than threads, `check --clock real --mode per-thread` must pass on every run, also
# when every core is busy, so that a late wake-up cannot decide which thread takes a
# queued task. Runs each SCENARIO (against the NAME.trace beside it, or in GOLDEN_DIR) RUNS
# times while a busy loop spins on every core, and fails on any failed run.
# usage: pool_queued_stress.sh EVENTLOOP_TRACE RUNS SCENARIO:GOLDEN...
set -uo pipefail
bin=$1; runs=$2; shift 2

# One busy loop per core, at the tool's own priority: the pool threads and the loop must
# compete for the CPU. Each is killed by its own pid when the script ends.
hogs=()
stop_hogs() { for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done; }
trap stop_hogs EXIT
for ((c = 0; c < $(nproc); c++)); do
  bash -c 'while :; do :; done' &
  hogs+=($!)
done

total=0; failed=0
for pair in "$@"; do
  scenario=${pair%%:*}; golden=${pair#*:}
  bad=0
  for ((i = 1; i <= runs; i++)); do
    total=$((total + 1))
    if ! out=$("$bin" check --color never --clock real --mode per-thread "$scenario" "$golden" 2>&1); then
      bad=$((bad + 1))
      [ $bad -eq 1 ] && printf 'FAIL %s, run %d:\n%s\n' "$(basename "$scenario")" "$i" "$(head -12 <<<"$out")"
    fi
  done
  failed=$((failed + bad))
  echo "$( [ $bad -eq 0 ] && echo ok || echo FAIL )   $(basename "$scenario"): $((runs - bad)) of $runs runs matched per thread (real clock, $(nproc) busy cores)"
done
echo "$((total - failed)) of $total runs matched"
[ $failed -eq 0 ]
