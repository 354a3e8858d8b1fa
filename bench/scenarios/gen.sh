#!/usr/bin/env bash
# Writes the benchmark scenarios for eventloop-trace. The scenario language has `repeat`
# and `${name}` templates but no arithmetic, so a spread of delays (1..SPAN ms) cannot be
# computed from a repeat index: nested repeats over digits give "${a}${b}${c}" = 0..999,
# never 1..1000. Instead the SPAN distinct delays are written out as literals, once, and a
# `repeat` of N/SPAN runs them: 1,000,000 timers is a 20 kB file.
#
#   bench/scenarios/gen.sh [OUTDIR] [options]      (OUTDIR defaults to this folder)
#
#   --timers N       timers in timers.json (default 1000000; a multiple of --span)
#   --span S         delays 1..S ms (default 1000)
#   --hold MS        the extra timer of timers-hold.json and hold.json (default 3000)
#   --late N         timers in lateness.json (default 1000; a multiple of --late-span)
#   --late-span S    their delays 1..S ms (default 1000)
#   --pool N         tasks in pool-all.json (default 100000)
#   --chain D        nested tasks in pool-chain.json (default 64; the parser's nesting cap)
#   --url URL        the server for http.json (default http://127.0.0.1:18080/)
#   --http-conc K    requests in flight in http.json (default 1000)
#   --http-depth D   requests each of them chains, one after the other (default 10)
set -euo pipefail

out="$(cd "$(dirname "$0")" && pwd)"
if [[ $# -gt 0 && $1 != --* ]]; then out=$1; shift; fi
timers=1000000 span=1000 hold=3000 late=1000 late_span=1000 pool=100000 chain=64
url=http://127.0.0.1:18080/ http_conc=1000 http_depth=10
while [[ $# -gt 0 ]]; do
  case $1 in
    --timers) timers=$2 ;;
    --span) span=$2 ;;
    --hold) hold=$2 ;;
    --late) late=$2 ;;
    --late-span) late_span=$2 ;;
    --pool) pool=$2 ;;
    --chain) chain=$2 ;;
    --url) url=$2 ;;
    --http-conc) http_conc=$2 ;;
    --http-depth) http_depth=$2 ;;
    *) echo "gen.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
if (( timers % span != 0 || late % late_span != 0 )); then
  echo "gen.sh: --timers must be a multiple of --span, --late of --late-span" >&2
  exit 2
fi
mkdir -p "$out"

# The SPAN timers 1..SPAN ms, as a JSON array body; $2 is the callback (may be empty).
delays() {
  local n=$1 then=$2 d sep=""
  for ((d = 1; d <= n; d++)); do
    if [[ -n $then ]]; then
      printf '%s\n      {"set_timeout": %d, "then": [%s]}' "$sep" "$d" "${then//@D@/$d}"
    else
      printf '%s\n      {"set_timeout": %d}' "$sep" "$d"
    fi
    sep=","
  done
}

timers_program() {  # the burst: TIMERS timers at 1..SPAN ms, SPAN at a time
  printf '    {"repeat": %d, "do": [%s\n    ]}' $((timers / span)) "$(delays "$span" "")"
}

{
  printf '{\n  "description": "Benchmark: %d timers at 1..%d ms (%d per ms), registered at once; no callbacks beyond the timer itself.",\n' \
    "$timers" "$span" $((timers / span))
  printf '  "program": [\n%s\n  ]\n}\n' "$(timers_program)"
} >"$out/timers.json"

{
  printf '{\n  "description": "Benchmark: the burst of timers.json, then nothing due until a last timer at %d ms, so that the process is idle after the burst and its RSS can be sampled (memory after a burst).",\n' "$hold"
  printf '  "program": [\n%s,\n    {"set_timeout": %d}\n  ]\n}\n' "$(timers_program)" "$hold"
} >"$out/timers-hold.json"

cat >"$out/hold.json" <<JSON
{
  "description": "Benchmark baseline: one timer at ${hold} ms and nothing else; the RSS of an idle runtime.",
  "program": [ {"set_timeout": ${hold}} ]
}
JSON

cat >"$out/empty.json" <<'JSON'
{
  "description": "Benchmark baseline: no work at all; the cost of starting and stopping the runtime (threads, epoll, trace), subtracted from the pool and HTTP rows.",
  "program": []
}
JSON

{
  printf '{\n  "description": "Benchmark: timer lateness. %d timers at 1..%d ms; each callback prints its delay and repeat index, and bench-elt-lateness compares the time of that print in the jsonl trace with the deadline.",\n' "$late" "$late_span"
  printf '  "program": [\n    {"repeat": %d, "do": [%s\n    ]}\n  ]\n}\n' $((late / late_span)) \
    "$(delays "$late_span" '{"print": "due @D@ rep ${i}"}')"
} >"$out/lateness.json"

cat >"$out/pool-all.json" <<JSON
{
  "description": "Benchmark: ${pool} trivial pool tasks (encrypt 1: fib(1)) queued at once.",
  "program": [ {"repeat": ${pool}, "do": [ {"encrypt": 1} ]} ]
}
JSON

nested() {  # $1 levels of $2, each in the `then` of the one before
  local n=$1 action=$2 i s=""
  for ((i = 0; i < n; i++)); do s+="${action}, \"then\": ["; done
  s+="]"
  for ((i = 1; i < n; i++)); do s+="}]"; done
  printf '%s}' "$s"
}

cat >"$out/pool-chain.json" <<JSON
{
  "description": "Benchmark: ${chain} trivial pool tasks one at a time: each one's callback starts the next (nesting is capped at 64 levels, so this is as long as a chain gets).",
  "program": [ $(nested "$chain" '{"encrypt": 1') ]
}
JSON

cat >"$out/http.json" <<JSON
{
  "description": "Benchmark: $((http_conc * http_depth)) HTTP GETs to the benchmark server (bench-http-server), ${http_conc} in flight: ${http_conc} chains of ${http_depth} requests, each request started by the callback of the one before.",
  "program": [ {"repeat": ${http_conc}, "do": [ $(nested "$http_depth" "{\"http_get\": \"${url}\"") ]} ]
}
JSON
