#!/bin/sh
# Issue 19's "one place for each thing", held by grep over core/ and app/:
# - which clock a run has is asked only inside core/clock/ (ClockKind, is_virtual);
#   elsewhere code asks what the clock can do (Clock::deadlines_by_alarm and the like);
# - std::chrono's clocks are read only inside core/clock/ (real_time_now() elsewhere);
# - a model's name is compared only in the table's lookup (core/loop/model_kinds.cpp);
# - the runtime never tests which I/O backend it has (poller_/reactor_ against null).
# - a model's behaviour enums (TimerDispatch, FsTrips, PollPolicy, IoPlacement, PoolPolicy)
#   are compared, or switched on, only in the factory that turns them into strategy objects
#   (core/loop/model_parts.cpp); the loop asks the objects (loop/model_parts.h).
# Usage: one_place.sh SOURCE_DIR
set -u
cd "$1" || exit 1
fail=0
check() {  # check WHAT PATTERN [grep -v PATTERN]: no line of core/ or app/ may match
  what=$1 pattern=$2 allowed=${3:-^$}
  hits=$(grep -rnE "$pattern" core app --include='*.cpp' --include='*.h' | grep -vE "$allowed")
  if [ -n "$hits" ]; then
    echo "FAIL: $what:"; echo "$hits"; fail=1
  fi
}
check "a clock kind asked outside core/clock/" 'ClockKind|is_virtual\(\)' '^core/clock/'
check "std::chrono's clock read outside core/clock/" '(steady_clock|system_clock|high_resolution_clock)::now' '^core/clock/'
check "a model's name compared outside the model table" '[!=]= *"(book|node)"|"(book|node)" *[!=]=|(model|kind)\.name *[!=]=' '^core/loop/model_kinds\.cpp:'
check "the runtime testing which I/O backend it has" 'if \(!?(poller_|reactor_)\)|(poller_|reactor_) *(\?|&&)'
enums='(TimerDispatch|FsTrips|PollPolicy|IoPlacement|PoolPolicy)::'
check "a model's behaviour enum tested outside the factory" \
  "[!=]= *$enums|$enums[A-Za-z]+ *[!=]=|case +$enums" '^core/loop/model_parts\.cpp:'
[ "$fail" -eq 0 ] && echo "ok: one place for each thing"
exit $fail
