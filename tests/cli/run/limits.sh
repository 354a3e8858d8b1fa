#!/usr/bin/env bash
# The limits of a run (core/loop/limits.h, docs/robustness.md "Limits of a run"): each
# hostile case of issue 25 scaled down by a low limit, as a plain run, under html,
# --format chrome and check; the limits set in settings and on the command line (which
# wins); and the default limits stopping 30 nested intervals within seconds.
# usage: limits.sh EVENTLOOP_TRACE
set -uo pipefail
bin=$(realpath "$1")
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
fails=0

# expect NAME CODE TEXT COMMAND...: the command exits CODE and its stderr contains TEXT.
expect() {
  local name=$1 code=$2 text=$3
  shift 3
  local start out got ms
  start=$(date +%s%N)
  out=$(cd "$dir" && timeout 60 "$@" 2>&1 >/dev/null)
  got=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  if [[ $got -ne $code ]] || ! grep -qF -- "$text" <<<"$out"; then
    echo "FAIL $name: exit $got (want $code), ${ms} ms: ${out:0:400}"
    fails=$((fails + 1))
  else
    echo "ok   $name (${ms} ms): ${out:0:200}"
  fi
}

# The hostile scenarios of issue 25, small.
nested() {  # $1 levels of set_interval 0 without times, each in the callback of the last
  python3 -c "
import json, sys
def nest(n):
    a = {'set_interval': 0}
    if n > 1: a['then'] = [nest(n - 1)]
    return a
json.dump({'description': 'hostile', 'program': [nest($1)]}, sys.stdout)"
}
nested 30 >"$dir/nested.json"
echo '{"program": [{"set_interval": 0, "then": [{"print": "again"}]}]}' >"$dir/interval.json"
echo '{"program": [{"repeat": 1000, "do": [{"set_timeout": 5}]}]}' >"$dir/timers.json"
echo '{"program": [{"repeat": 1000, "do": [{"print": "line"}]}]}' >"$dir/prints.json"
head -c 100000 /dev/zero | tr '\0' 'a' >"$dir/big.txt"
echo '{"program": [{"fs_read": "big.txt", "as": "t", "then": [{"repeat": 40, "do": [{"print": "${t}"}]}]}]}' \
  >"$dir/print40.json"
echo '{"program": [{"fs_read": "big.txt", "as": "t", "then": [{"print": "read"}], "catch": [{"print": "caught: ${error}"}]}]}' \
  >"$dir/read.json"

raise="--limit callbacks=N"

: >"$dir/none.trace"  # a golden for check: never reached, the run stops first

# Each limit, as a plain run on the virtual clock.
expect "callbacks: an interval nobody clears" 2 "its limit of 100 callbacks run (callbacks=100); raise it with $raise" \
  "$bin" --clock virtual --limit callbacks=100 interval.json
expect "pending: 1,000 timers, 50 allowed" 2 "timers.json:1:38 (at /program/0/do/0): the run stopped at tick 0 (0 ms): it reached its limit of 50 registrations pending" \
  "$bin" --clock virtual --limit pending=50 timers.json
expect "trace_events: 1,000 prints, 20 allowed" 2 "limit of 20 trace events" \
  "$bin" --clock virtual --limit trace_events=20 prints.json
expect "value_bytes: a file's text printed 40 times" 2 "print40.json:1:79 (at /program/0/then/0/do/0): the run stopped at tick 1 (0 ms): it reached its limit of 300,000 bytes of text in values" \
  "$bin" --clock virtual --limit value_bytes=300000 print40.json
expect "actions: 30 nested intervals, 1,000 actions allowed" 2 "limit of 1,000 actions run (actions=1000)" \
  "$bin" --clock virtual --limit actions=1000 nested.json

# The node model counts the same (its timer lists, its immediates).
expect "node: pending" 2 "limit of 50 registrations pending" "$bin" --model node --clock virtual --limit pending=50 timers.json
expect "node: callbacks" 2 "limit of 100 callbacks run" "$bin" --model node --clock virtual --limit callbacks=100 interval.json

# A read that would cross value_bytes is an error its callback gets; the run goes on.
out=$(cd "$dir" && "$bin" --clock virtual --limit value_bytes=50000 read.json 2>&1)
if [[ $? -eq 0 ]] && grep -qF 'caught: read "big.txt": more than the 49,993 bytes this run'"'"'s values may still take (value_bytes=50000); raise it with --limit value_bytes=N' <<<"$out"; then
  echo "ok   value_bytes: a read too large gets an error in its callback, exit 0"
else
  echo "FAIL value_bytes read: ${out:0:400}"; fails=$((fails + 1))
fi

# The same limits in the scenario's settings; the command line wins.
echo '{"settings": {"limits": {"callbacks": 10}}, "program": [{"set_interval": 0, "times": 50}]}' >"$dir/set.json"
expect "settings.limits.callbacks" 2 "limit of 10 callbacks run (callbacks=10)" "$bin" --clock virtual set.json
expect "--limit wins over settings" 0 "" "$bin" --clock virtual --limit callbacks=100 set.json

# Under each command and format that keeps or grades the trace.
for what in "html -o $dir/page.html" "--format chrome" "--format jsonl" "check"; do
  read -r -a cmd <<<"$what"
  tail=()
  [[ ${cmd[0]} == check ]] && tail=("$dir/none.trace")
  for c in "callbacks=100 interval.json callbacks" "pending=50 timers.json pending" \
           "trace_events=20 prints.json trace_events" "value_bytes=300000 print40.json value_bytes"; do
    read -r limit file name <<<"$c"
    if [[ ${cmd[0]} == html || ${cmd[0]} == check ]]; then
      expect "$what: $name" 2 "($name=${limit#*=})" "$bin" "${cmd[0]}" --limit "$limit" "$file" "${cmd[@]:1}" "${tail[@]}"
    else
      expect "$what: $name" 2 "($name=${limit#*=})" "$bin" "${cmd[@]}" --clock virtual --limit "$limit" "$file"
    fi
  done
done
[[ ! -e $dir/page.html ]] || { echo "FAIL html wrote a page for a run that crossed a limit"; fails=$((fails + 1)); }

# html and chrome keep every event in memory: their default bound is lower than text's.
echo '{"program": [{"repeat": 300000, "do": [{"set_timeout": 1}]}]}' >"$dir/many.json"
expect "html: the default trace_events (500,000)" 2 "limit of 500,000 trace events" \
  "$bin" html many.json -o "$dir/many.html"

# Bad limits on the command line and in settings.
expect "--limit with a typo" 2 'no limit is named "callback"; did you mean "callbacks"?' \
  "$bin" --clock virtual --limit callback=5 interval.json
expect "--limit 0" 2 "must be a whole number from 1 to" "$bin" --clock virtual --limit callbacks=0 interval.json
expect "--limit twice, differently" 2 "--limit callbacks is given twice" \
  "$bin" --limit callbacks=5 check --limit callbacks=6 interval.json none.trace
# settings.limits.actions is also the cap the parser checks the file's literal counts against.
echo '{"settings": {"limits": {"actions": 1000}}, "program": [{"repeat": 3000, "do": [{"print": "x"}]}]}' >"$dir/cap.json"
expect "settings.limits.actions before the run" 2 "this repeat would create 3,001 actions (3,000 times the 1 of its \"do\", and itself); a run may create at most 1,000" \
  "$bin" --clock virtual cap.json
# --limit actions wins there too: it is the only way to run a file over the default.
expect "--limit actions over settings, before the run" 0 "" "$bin" --clock virtual --format none --limit actions=5000 cap.json
echo '{"program": [{"repeat": 2100000, "do": [{"print": "x"}]}]}' >"$dir/over.json"
expect "literal counts over the default" 2 "a run may create at most 2,000,000" "$bin" --clock virtual --format none over.json
expect "--limit actions raises the cap on literal counts" 0 "" \
  "$bin" --clock virtual --format none --limit actions=2200000 over.json
echo '{"settings": {"limits": {"timers": 10}}, "program": []}' >"$dir/badset.json"
expect "settings.limits with an unknown name" 2 'badset.json:1:36 (at /settings/limits/timers): unknown limit "timers"' \
  "$bin" --clock virtual badset.json

# A scenario may only lower a limit: the defaults protect whoever runs it.
for name in callbacks pending trace_events value_bytes actions; do
  echo "{\"settings\": {\"limits\": {\"$name\": 1000000000000}}, \"program\": []}" >"$dir/raise.json"
  expect "settings.limits.$name above its default" 2 "raise.json:1:$((30 + ${#name})) (at /settings/limits/$name): a scenario may only lower a limit: 1,000,000,000,000 is above the default $name of" \
    "$bin" --clock virtual raise.json
done
expect "the message says raising needs --limit" 2 "raising it needs the command line (--limit actions=N)" \
  "$bin" --clock virtual raise.json
echo '{"settings": {"limits": {"trace_events": 10000000}}, "program": [{"repeat": 600000, "do": [{"print": "x"}]}]}' \
  >"$dir/trace10m.json"
expect "html: settings.trace_events stays under html's lower default" 2 "limit of 500,000 trace events" \
  "$bin" html trace10m.json -o "$dir/t.html"

# A print_content's label is text the run prints each time: it counts toward value_bytes.
python3 -c 'import json;json.dump({"program":[{"repeat":100000,"do":[{"print_content":"x","label":"L"*10000}]}]},open("'"$dir"'/label.json","w"))'
expect "value_bytes: a long print_content label" 2 "(value_bytes=300000)" \
  "$bin" --clock virtual --limit value_bytes=300000 label.json
expect "html: a long print_content label, default limits" 2 "(value_bytes=134217728)" \
  "$bin" html label.json -o "$dir/label.html"

# --allow-read takes an existing folder.
echo '{"program": [{"print": "x"}]}' >"$dir/one.json"
expect "--allow-read ''" 2 "--allow-read: needs the path of a folder; found an empty path" \
  "$bin" --clock virtual --allow-read '' one.json
expect "--allow-read of a missing path" 2 '--allow-read: "nope" does not exist; it must be a folder' \
  "$bin" --clock virtual --allow-read nope one.json
expect "--allow-read of a file" 2 '--allow-read: "one.json" is not a folder; it must be one' \
  "$bin" --clock virtual --allow-read one.json one.json

# The issue's case itself: 30 nested intervals, default limits, stopped within seconds.
start=$(date +%s%N)
expect "30 nested intervals, default limits" 2 "(actions=2000000)" "$bin" --clock virtual --format none nested.json
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if (( ms > 20000 )); then echo "FAIL the default limits took ${ms} ms to stop 30 nested intervals"; fails=$((fails + 1)); fi

echo "$fails failure(s)"
[[ $fails -eq 0 ]]
