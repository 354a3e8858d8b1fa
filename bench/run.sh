#!/usr/bin/env bash
# Runs every benchmark with eventloop-trace, libuv and Node on this machine, in the same
# run, several times, and prints the medians and the ratios as a table (also written to
# build/bench/results.md). docs/benchmarks.md explains the rows and has the latest figures.
#
#   bench/run.sh [--quick] [--runs N] [--only ROWS] [--no-build] [--preset NAME]
#                [--build-dir DIR] [--out FILE] [--work DIR]
#
#   --quick          tiny sizes, one run each: checks that everything works (CI smoke);
#                    its figures mean nothing
#   --runs N         runs per implementation and row (default 5; the memory row does at
#                    most 3, each takes seconds)
#   --only ROWS      comma-separated subset of: timers,virtual,pool,roundtrip,http,
#                    lateness,memory,parse,node,page (default: all). The text-trace row comes
#                    with timers; the node model's rows (--model node: timers, pool,
#                    http) come with `node` and with the book row they share a program with.
#   --no-build       use the binaries already built
#   --preset NAME    the CMake preset to build and use (default release)
#   --build-dir DIR  use binaries from DIR instead of build/<preset> (implies --no-build)
#   --out FILE       where to write the table (default WORK/results.md)
#   --work DIR       scratch folder: generated scenarios, traces (default build/bench, or
#                    build/bench/quick with --quick); one run at a time per folder
#
# Each run interleaves the implementations (libuv, Node, ours without trace, ours with
# the text trace to /dev/null), so that a slow moment of the machine hits all of them.
# Medians are over the runs. Nothing here fails on a slow figure: MISS is a finding, not
# an error; the script fails only when a program fails.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
quick=0 runs="" only="" build=1 preset=release build_dir="" out="" work=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) quick=1 ;;
    --runs) runs=$2; shift ;;
    --only) only=$2; shift ;;
    --no-build) build=0 ;;
    --preset) preset=$2; shift ;;
    --build-dir) build_dir=$2; build=0; shift ;;
    --out) out=$2; shift ;;
    --work) work=$2; shift ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ -n $build_dir ]] || build_dir="$root/build/$preset"
build_dir="$(mkdir -p "$build_dir" && cd "$build_dir" && pwd)"
if [[ -z $work ]]; then
  work="$root/build/bench"
  ((quick)) && work="$root/build/bench/quick"
fi
[[ -n $out ]] || out="$work/results.md"
mkdir -p "$work"
# Two runs at once would rewrite each other's scenarios and spoil each other's timings.
exec 9>"$work/.lock"
if ! flock -n 9; then
  echo "run.sh: another bench/run.sh is using $work; wait for it, or give --work DIR" >&2
  exit 1
fi

if ((quick)); then
  runs=${runs:-1}
  TIMERS=1000 SPAN=100 LATE=100 LATE_SPAN=100 POOL=1000 SERIAL=100 CHAIN=16
  HTTP_K=10 HTTP_DEPTH=10 HOLD=400 RSS_AT=300 SIBLINGS=4000
  PAGE_SMALL=100 PAGE_LARGE=400 PAGE_LINES=200
else
  runs=${runs:-5}
  TIMERS=1000000 SPAN=1000 LATE=1000 LATE_SPAN=1000 POOL=100000 SERIAL=10000 CHAIN=64
  HTTP_K=1000 HTTP_DEPTH=10 HOLD=3000 RSS_AT=2500 SIBLINGS=400000
  # The page row (issue 22): timers that each queue an immediate, ten trace lines each.
  PAGE_SMALL=1000 PAGE_LARGE=4000 PAGE_LINES=20000
fi
HTTP_N=$((HTTP_K * HTTP_DEPTH))
mem_runs=$((runs < 3 ? runs : 3))
chain_runs=$((runs * 5))

want() { [[ -z $only || ",$only," == *",$1,"* ]]; }
# The node model's rows (issue 9, "Fast") share the libuv and Node programs of a book row:
# wanted with that row, or with `node` (which then runs the shared programs too).
want_node() { [[ -z $only || ",$only," == *",node,"* ]] || want "$1"; }
node_only=0
[[ -n $only && ",$only," == *",node,"* ]] && node_only=1
want_row() { want "$1" || ((node_only)); }  # the programs a row needs: libuv, Node, ours

# ---------------------------------------------------------------- build
if ((build)); then
  echo "== building (preset $preset)" >&2
  if ! (cd "$root" && cmake --preset "$preset" >/dev/null && cmake --build --preset "$preset" >&2); then
    echo "run.sh: the $preset build failed; fix it, or benchmark binaries built another way with --build-dir DIR" >&2
    exit 1
  fi
fi
ELT="$build_dir/app/eventloop-trace"
BB="$build_dir/bench"
MEASURE="$BB/bench-measure"
for f in "$ELT" "$MEASURE" "$BB/bench-elt-lateness" "$BB/bench-uv-timers" "$BB/bench-uv-pool" \
         "$BB/bench-uv-http-get" "$BB/bench-uv-lateness" "$BB/bench-http-server"; do
  [[ -x $f ]] || { echo "run.sh: $f is missing (build with ELT_BUILD_BENCH=ON and libuv1-dev)" >&2; exit 1; }
done
NODE=$(command -v node || true)

# ---------------------------------------------------------------- helpers
# kv KEY LINE...: the value of KEY=... in the lines.
kv() {
  local key=$1
  shift
  printf '%s\n' "$*" | tr ' ' '\n' | sed -n "s/^$key=//p" | tail -1
}
median() {
  printf '%s\n' "$@" | grep -v '^$' | sort -g |
    awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'
}
# tmean VALUES...: the mean without the lowest and highest 10% (for bimodal samples, where a
# median picks one mode).
tmean() {
  printf '%s\n' "$@" | grep -v '^$' | sort -g |
    awk '{a[NR]=$1} END {k=int(NR/10); s=0; n=0; for (i=k+1; i<=NR-k; i++) {s+=a[i]; n++}; if (n) print s/n; else print "nan"}'
}
# iqr VALUES...: the interquartile range (the spread of the middle half).
iqr() {
  printf '%s\n' "$@" | grep -v '^$' | sort -g |
    awk '{a[NR]=$1} END {if (NR < 4) print 0; else print a[int(3*NR/4)+1] - a[int(NR/4)+1]}'
}
minimum() { printf '%s\n' "$@" | grep -v '^$' | sort -g | head -1; }
maximum() { printf '%s\n' "$@" | grep -v '^$' | sort -g | tail -1; }
calc() { awk "BEGIN {printf \"%s\", ($1)}"; }

declare -A V  # V[name] = space-separated values, one per run
add() { V[$1]="${V[$1]:-} $2"; }
med() { median ${V[$1]:-}; }

# m [MEASURE OPTIONS] -- COMMAND...: runs it under bench-measure; prints the program's
# output and measure's line. Fails the script if the program fails.
m() {
  local res
  if ! res=$("$MEASURE" "$@" 2>"$work/last.err"); then
    echo "run.sh: failed: ${*}" >&2
    cat "$work/last.err" >&2
    printf '%s\n' "$res" >&2
    exit 1
  fi
  printf '%s\n' "$res"
}
progress() { printf '  %-12s run %d/%d\r' "$1" "$2" "$3" >&2; }

# ---------------------------------------------------------------- setup
server_pid=""
cleanup() { [[ -n $server_pid ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; return 0; }
trap cleanup EXIT
if want_row http; then
  fifo="$work/server.fifo"
  rm -f "$fifo"
  mkfifo "$fifo"
  "$BB/bench-http-server" 0 >"$fifo" &
  server_pid=$!
  exec 3<"$fifo"
  rm -f "$fifo"
  read -r line <&3
  URL="http://127.0.0.1:${line#port=}/"
else
  URL=http://127.0.0.1:18080/
fi

SC="$work/scenarios"
"$root/bench/scenarios/gen.sh" "$SC" --timers "$TIMERS" --span "$SPAN" --hold "$HOLD" --late "$LATE" \
  --late-span "$LATE_SPAN" --pool "$POOL" --chain "$CHAIN" --url "$URL" \
  --http-conc "$HTTP_K" --http-depth "$HTTP_DEPTH"

# The parser's row: many sibling actions in one array (nlohmann's callback parser, used
# before, was quadratic in them: 41 s for 400,000).
if want parse; then
  {
    printf '{"description": "Benchmark: %s sibling print actions; the parser is linear in the file.",\n "program": [\n' "$SIBLINGS"
    awk -v n="$SIBLINGS" 'BEGIN { for (i = 1; i <= n; i++) printf "  {\"print\": \"a\"}%s\n", (i < n ? "," : "") }'
    printf ']}\n'
  } >"$SC/siblings.json"
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
echo "== ${runs} runs per row$( ((quick)) && echo ' (quick sizes)'), load average ${load_before}" >&2

# elt FORMAT [OPTIONS] SCENARIO: ours under bench-measure, the trace to /dev/null.
elt() {
  local format=$1
  shift
  m --stdout /dev/null -- "$ELT" --format "$format" "$@"
}

# ---------------------------------------------------------------- rows
if want_row timers || want virtual; then
  for ((r = 1; r <= runs; r++)); do
    progress timers "$r" "$runs"
    if want_row timers; then
      o=$(m -- "$BB/bench-uv-timers" "$TIMERS" "$SPAN"); add uv.t.wall "$(kv proc_wall_s "$o")"; add uv.t.rss "$(kv maxrss_kb "$o")"; add uv.t.cpu "$(kv cpu_s "$o")"
      if [[ -n $NODE ]]; then
        o=$(m -- "$NODE" "$root/bench/node/timers.js" "$TIMERS" "$SPAN"); add node.t.wall "$(kv proc_wall_s "$o")"; add node.t.rss "$(kv maxrss_kb "$o")"; add node.t.cpu "$(kv cpu_s "$o")"
      fi
    fi
    if want timers; then
      o=$(elt none --clock real "$SC/timers.json"); add elt.t.wall "$(kv proc_wall_s "$o")"; add elt.t.rss "$(kv maxrss_kb "$o")"; add elt.t.cpu "$(kv cpu_s "$o")"
      o=$(elt text --clock real "$SC/timers.json"); add eltx.t.wall "$(kv proc_wall_s "$o")"; add eltx.t.rss "$(kv maxrss_kb "$o")"; add eltx.t.cpu "$(kv cpu_s "$o")"
    fi
    if want_node timers; then
      o=$(elt none --model node --clock real "$SC/timers.json"); add eltn.t.wall "$(kv proc_wall_s "$o")"; add eltn.t.rss "$(kv maxrss_kb "$o")"; add eltn.t.cpu "$(kv cpu_s "$o")"
      o=$(elt text --model node --clock real "$SC/timers.json"); add eltnx.t.wall "$(kv proc_wall_s "$o")"; add eltnx.t.cpu "$(kv cpu_s "$o")"
    fi
    if want virtual; then
      o=$(elt none --clock virtual "$SC/timers.json"); add elt.v.wall "$(kv proc_wall_s "$o")"; add elt.v.rss "$(kv maxrss_kb "$o")"
      o=$(elt text --clock virtual "$SC/timers.json"); add eltx.v.wall "$(kv proc_wall_s "$o")"
    fi
  done
fi

if want_row pool; then
  for ((r = 1; r <= runs; r++)); do
    progress pool "$r" "$runs"
    o=$(m -- "$BB/bench-uv-pool" all "$POOL"); add uv.p.tps "$(kv tasks_per_s "$o")"
    if [[ -n $NODE ]]; then o=$(m -- "$NODE" "$root/bench/node/pool.js" all "$POOL" stat); add node.p.tps "$(kv tasks_per_s "$o")"; fi
    if want pool; then
      o=$(elt none "$SC/empty.json"); add elt.empty "$(kv proc_wall_s "$o")"
      o=$(elt none "$SC/pool-all.json"); add elt.p.wall "$(kv proc_wall_s "$o")"
      o=$(elt text "$SC/empty.json"); add eltx.empty "$(kv proc_wall_s "$o")"
      o=$(elt text "$SC/pool-all.json"); add eltx.p.wall "$(kv proc_wall_s "$o")"
    fi
    if want_node pool; then
      o=$(elt none --model node "$SC/empty.json"); add eltn.empty "$(kv proc_wall_s "$o")"
      o=$(elt none --model node "$SC/pool-all.json"); add eltn.p.wall "$(kv proc_wall_s "$o")"
      o=$(elt text --model node "$SC/empty.json"); add eltnx.empty "$(kv proc_wall_s "$o")"
      o=$(elt text --model node "$SC/pool-all.json"); add eltnx.p.wall "$(kv proc_wall_s "$o")"
    fi
  done
fi

if want roundtrip; then
  for ((r = 1; r <= runs; r++)); do
    progress roundtrip "$r" "$runs"
    o=$(m -- "$BB/bench-uv-pool" chain "$SERIAL"); add uv.c.us "$(kv us_per_task "$o")"
    if [[ -n $NODE ]]; then o=$(m -- "$NODE" "$root/bench/node/pool.js" chain "$SERIAL" stat); add node.c.us "$(kv us_per_task "$o")"; fi
  done
  # Ours: a chain of CHAIN tasks, each started by the previous one's callback. The scenario
  # language caps nesting at 64, so a chain is short against start-up: many more runs.
  for ((r = 1; r <= chain_runs; r++)); do
    progress chain "$r" "$chain_runs"
    o=$(elt none "$SC/empty.json"); add elt.empty.ch "$(kv proc_wall_s "$o")"
    o=$(elt none "$SC/pool-chain.json"); add elt.ch.wall "$(kv proc_wall_s "$o")"
    o=$(elt text "$SC/empty.json"); add eltx.empty.ch "$(kv proc_wall_s "$o")"
    o=$(elt text "$SC/pool-chain.json"); add eltx.ch.wall "$(kv proc_wall_s "$o")"
  done
fi

if want_row http; then
  for ((r = 1; r <= runs; r++)); do
    progress http "$r" "$runs"
    o=$(m -- "$BB/bench-uv-http-get" "$URL" "$HTTP_N" "$HTTP_K"); add uv.h.wall "$(kv wall_s "$o")"
    if [[ -n $NODE ]]; then o=$(m -- "$NODE" "$root/bench/node/http_get.js" "$URL" "$HTTP_N" "$HTTP_K"); add node.h.wall "$(kv wall_s "$o")"; fi
    if want http; then
      o=$(elt none "$SC/empty.json"); add elt.empty.h "$(kv proc_wall_s "$o")"
      o=$(elt none "$SC/http.json"); add elt.h.wall "$(kv proc_wall_s "$o")"
      o=$(elt text "$SC/empty.json"); add eltx.empty.h "$(kv proc_wall_s "$o")"
      o=$(elt text "$SC/http.json"); add eltx.h.wall "$(kv proc_wall_s "$o")"
    fi
    if want_node http; then
      o=$(elt none --model node "$SC/empty.json"); add eltn.empty.h "$(kv proc_wall_s "$o")"
      o=$(elt none --model node "$SC/http.json"); add eltn.h.wall "$(kv proc_wall_s "$o")"
      o=$(elt text --model node "$SC/empty.json"); add eltnx.empty.h "$(kv proc_wall_s "$o")"
      o=$(elt text --model node "$SC/http.json"); add eltnx.h.wall "$(kv proc_wall_s "$o")"
    fi
  done
fi

if want lateness; then
  for ((r = 1; r <= runs; r++)); do
    progress lateness "$r" "$runs"
    o=$(m -- "$BB/bench-uv-lateness" "$LATE" "$LATE_SPAN")
    add uv.l.p99 "$(kv p99_ms "$o")"; add uv.l.min "$(kv min_ms "$o")"; add uv.l.early "$(kv early "$o")"
    add uv.l.dp99 "$(kv deadline_p99_ms "$o")"; add uv.l.dmin "$(kv deadline_min_ms "$o")"
    if [[ -n $NODE ]]; then
      o=$(m -- "$NODE" "$root/bench/node/lateness.js" "$LATE" "$LATE_SPAN")
      add node.l.p99 "$(kv p99_ms "$o")"; add node.l.min "$(kv min_ms "$o")"; add node.l.early "$(kv early "$o")"
    fi
    m --stdout "$work/lateness.jsonl" -- "$ELT" --format jsonl "$SC/lateness.json" >/dev/null
    o=$("$BB/bench-elt-lateness" "$work/lateness.jsonl")
    add elt.l.p99 "$(kv p99_ms "$o")"; add elt.l.min "$(kv min_ms "$o")"; add elt.l.early "$(kv early "$o")"
    add elt.l.dp99 "$(kv deadline_p99_ms "$o")"; add elt.l.dmin "$(kv deadline_min_ms "$o")"
    add elt.l.dearly "$(kv deadline_early "$o")"
  done
fi

if want memory; then
  for ((r = 1; r <= mem_runs; r++)); do
    progress memory "$r" "$mem_runs"
    o=$(m --rss-at "$RSS_AT" -- "$BB/bench-uv-timers" 0 "$SPAN" "$HOLD"); add uv.m.base "$(kv rss_at_kb "$o")"
    o=$(m --rss-at "$RSS_AT" -- "$BB/bench-uv-timers" "$TIMERS" "$SPAN" "$HOLD")
    add uv.m.after "$(kv rss_at_kb "$o")"; add uv.m.peak "$(kv maxrss_kb "$o")"
    if [[ -n $NODE ]]; then
      o=$(m --rss-at "$RSS_AT" -- "$NODE" "$root/bench/node/timers.js" 0 "$SPAN" "$HOLD"); add node.m.base "$(kv rss_at_kb "$o")"
      o=$(m --rss-at "$RSS_AT" -- "$NODE" "$root/bench/node/timers.js" "$TIMERS" "$SPAN" "$HOLD")
      add node.m.after "$(kv rss_at_kb "$o")"; add node.m.peak "$(kv maxrss_kb "$o")"
    fi
    o=$(m --rss-at "$RSS_AT" --stdout /dev/null -- "$ELT" --format none "$SC/hold.json"); add elt.m.base "$(kv rss_at_kb "$o")"
    o=$(m --rss-at "$RSS_AT" --stdout /dev/null -- "$ELT" --format none "$SC/timers-hold.json")
    add elt.m.after "$(kv rss_at_kb "$o")"; add elt.m.peak "$(kv maxrss_kb "$o")"
  done
fi
if want parse; then
  for ((r = 1; r <= runs; r++)); do
    progress parse "$r" "$runs"
    o=$(elt none --clock virtual "$SC/empty.json"); add elt.empty.s "$(kv proc_wall_s "$o")"
    o=$(elt none --clock virtual "$SC/siblings.json"); add elt.s.wall "$(kv proc_wall_s "$o")"; add elt.s.rss "$(kv maxrss_kb "$o")"
  done
fi
if want page; then
  source "$root/bench/page_row.sh"
  page_measure
fi
printf '%40s\r' "" >&2
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- the table
na="—"
fmt_s() { [[ -z $1 || $1 == nan ]] && echo "$na" || calc "sprintf(\"%.3f s\", $1)"; }
fmt_mb() { [[ -z $1 || $1 == nan ]] && echo "$na" || calc "sprintf(\"%.0f MiB\", $1 / 1024)"; }
fmt_us() { [[ -z $1 || $1 == nan ]] && echo "$na" || calc "sprintf(\"%.1f us\", $1)"; }
fmt_mps() { [[ -z $1 || $1 == nan ]] && echo "$na" || calc "sprintf(\"%.3f M/s\", $1 / 1e6)"; }
fmt_ms() { [[ -z $1 || $1 == nan ]] && echo "$na" || calc "sprintf(\"%.3f ms\", $1)"; }
ratio() { [[ -z $1 || -z $2 || $1 == nan || $2 == nan ]] && echo "$na" || calc "sprintf(\"%.2fx\", $1 / $2)"; }
# verdict EXPR [VALUES...]: PASS or MISS; "n/a" when a value it needs is missing.
verdict() {
  local expr=$1 v
  shift
  for v in "$@"; do [[ -z $v || $v == nan ]] && { echo "n/a"; return; }; done
  if calc "($expr) ? 1 : 0" | grep -q 1; then echo PASS; else echo MISS; fi
}
# per A B N: (A - B) / N, or nan when A - B is not positive (start-up noise swamped it).
per() { calc "($1 - $2) > 0 ? ($1 - $2) / ($3) : \"nan\""; }

rows=()
row() { rows+=("| $1 | $2 | $3 | $4 | $5 | $6 | $7 | $8 |"); }

per_ms=$((TIMERS / SPAN))
if want timers; then
  uw=$(med uv.t.wall) ur=$(med uv.t.rss) nw=$(med node.t.wall) nr=$(med node.t.rss)
  ew=$(med elt.t.wall) er=$(med elt.t.rss) xw=$(med eltx.t.wall) xr=$(med eltx.t.rss)
  row "$TIMERS timers at 1..$SPAN ms ($per_ms per ms), real clock" \
    "$(fmt_s "$uw"), $(fmt_mb "$ur")" "$(fmt_s "$nw"), $(fmt_mb "$nr")" \
    "$(fmt_s "$ew"), $(fmt_mb "$er")" "$(fmt_s "$xw"), $(fmt_mb "$xr")" \
    "$(ratio "$ew" "$uw") time, $(ratio "$er" "$ur") RSS" "≤ 1.05x libuv's time, RSS below libuv's" \
    "$(verdict "$ew <= 1.05 * $uw && $er < $ur")"
fi
if want virtual; then
  vw=$(med elt.v.wall) vx=$(med eltx.v.wall)
  row "the same $TIMERS timers, virtual clock" "$na" "$na" "$(fmt_s "$vw"), $(fmt_mb "$(med elt.v.rss)")" \
    "$(fmt_s "$vx")" "$na" "< 0.5 s" "$(verdict "$vw < 0.5")"
fi
if want pool; then
  ut=$(med uv.p.tps) nt=$(med node.p.tps)
  et=$(per "$(med elt.p.wall)" "$(med elt.empty)" 1) xt=$(per "$(med eltx.p.wall)" "$(med eltx.empty)" 1)
  [[ $et == nan ]] || et=$(calc "$POOL / $et")
  [[ $xt == nan ]] || xt=$(calc "$POOL / $xt")
  row "$POOL trivial pool tasks queued at once" "$(fmt_mps "$ut")" "$(fmt_mps "$nt") (fs.stat)" \
    "$(fmt_mps "$et")" "$(fmt_mps "$xt")" "$(ratio "$et" "$ut")" "≥ libuv's throughput" "$(verdict "$et >= $ut" "$et" "$ut")"
fi
if want roundtrip; then
  uc=$(med uv.c.us) nc=$(med node.c.us)
  ec=$(per "$(tmean ${V[elt.ch.wall]:-})" "$(tmean ${V[elt.empty.ch]:-})" "$CHAIN / 1e6")
  xc=$(per "$(tmean ${V[eltx.ch.wall]:-})" "$(tmean ${V[eltx.empty.ch]:-})" "$CHAIN / 1e6")
  # When start-up alone spreads more than the whole chain adds, the difference is noise.
  noise_us=$(calc "$(iqr ${V[elt.empty.ch]:-}) * 1e6 / $CHAIN")
  ec_cell=$(fmt_us "$ec") rt_verdict=$(verdict "$ec <= $uc" "$ec" "$uc")
  if [[ $ec != nan ]] && calc "$noise_us > $ec ? 1 : 0" | grep -q 1; then
    ec_cell="$ec_cell (noisy: start-up spread $(fmt_us "$noise_us"))" rt_verdict="n/a"
  fi
  row "pool tasks one at a time (round trip): libuv, Node $SERIAL; ours $CHAIN" "$(fmt_us "$uc")" "$(fmt_us "$nc") (fs.stat)" \
    "$ec_cell" "$(fmt_us "$xc")" "$(ratio "$ec" "$uc")" "≤ libuv's" "$rt_verdict"
fi
if want http; then
  uh=$(med uv.h.wall) nh=$(med node.h.wall)
  eh=$(per "$(med elt.h.wall)" "$(med elt.empty.h)" 1)
  xh=$(per "$(med eltx.h.wall)" "$(med eltx.empty.h)" 1)
  row "$HTTP_N HTTP GETs to a loopback server, $HTTP_K in flight" "$(fmt_s "$uh")" "$(fmt_s "$nh") (all at once)" \
    "$(fmt_s "$eh")" "$(fmt_s "$xh")" "$(ratio "$eh" "$uh")" "≤ libuv's time, same server" "$(verdict "$eh <= $uh" "$eh" "$uh")"
fi
if want lateness; then
  ul=$(med uv.l.p99) nl=$(med node.l.p99) el=$(med elt.l.p99) edl=$(med elt.l.dp99)
  umin=$(minimum ${V[uv.l.min]:-}) nmin=$(minimum ${V[node.l.min]:-}) emin=$(minimum ${V[elt.l.min]:-}) edmin=$(minimum ${V[elt.l.dmin]:-})
  row "timer lateness, $LATE timers at 1..$LATE_SPAN ms: p99, min (vs the setTimeout call)" \
    "p99 $(fmt_ms "$ul"), min $(fmt_ms "$umin")" "p99 $(fmt_ms "$nl"), min $(fmt_ms "$nmin")" \
    "p99 $(fmt_ms "$el"), min $(fmt_ms "$emin") (jsonl trace)" "$na" "$(ratio "$el" "$ul") p99" \
    "p99 < 0.25 ms, never early" "$(verdict "$el < 0.25 && $emin >= 0")"
  udl=$(med uv.l.dp99) udmin=$(minimum ${V[uv.l.dmin]:-})
  row "the same, vs each runtime's own deadline (cached loop time at registration + delay)" \
    "p99 $(fmt_ms "$udl"), min $(fmt_ms "$udmin")" "$na" \
    "p99 $(fmt_ms "$edl"), min $(fmt_ms "$edmin")" "$na" "$(ratio "$edl" "$udl") p99" "p99 < 0.25 ms, never early" \
    "$(verdict "$edl < 0.25 && $edmin >= 0")"
fi
if want timers; then
  row "text trace to /dev/null vs no trace, $TIMERS timers" "$na" "$na" "$(fmt_s "$ew")" "$(fmt_s "$xw")" \
    "$(ratio "$xw" "$ew")" "≤ 1.3x" "$(verdict "$xw <= 1.3 * $ew")"
fi
if want memory; then
  mem_cell() {  # base after peak -> "+X MiB after (peak +Y MiB)"
    [[ -z $1 || -z $2 ]] && { echo "$na"; return; }
    calc "sprintf(\"%+.1f MiB after, peak %+.0f MiB\", ($2 - $1) / 1024, ($3 - $1) / 1024)"
  }
  eb=$(med elt.m.base) ea=$(med elt.m.after) ep=$(med elt.m.peak)
  row "RSS ${RSS_AT} ms after start, after a burst of $TIMERS timers, above an idle baseline" \
    "$(mem_cell "$(med uv.m.base)" "$(med uv.m.after)" "$(med uv.m.peak)")" \
    "$(mem_cell "$(med node.m.base)" "$(med node.m.after)" "$(med node.m.peak)")" \
    "$(mem_cell "$eb" "$ea" "$ep")" "$na" "$na" "back near baseline: ≤ 10% of the peak's growth (or ≤ 2 MiB)" \
    "$(verdict "($ea - $eb) <= 0.1 * ($ep - $eb) || ($ea - $eb) <= 2048")"
fi
if want parse; then
  sw=$(per "$(med elt.s.wall)" "$(med elt.empty.s)" 1)
  row "$SIBLINGS sibling actions: parse, then run them (virtual clock), minus an empty scenario" "$na" "$na" \
    "$(fmt_s "$sw"), $(fmt_mb "$(med elt.s.rss)")" "$na" "$na" "< 0.5 s and < 150 MB" \
    "$(verdict "$sw < 0.5 && $(med elt.s.rss) < 150 * 1024" "$sw")"
fi
if want page; then
  page_rows
fi
# The node model (--model node), against the same libuv and Node figures of this run.
if want_node timers; then
  uc=$(med uv.t.cpu) nc=$(med node.t.cpu) ec=$(med eltn.t.cpu) xc=$(med eltnx.t.cpu)
  row "node model: $TIMERS timers at 1..$SPAN ms, real clock: CPU time (user + system)" \
    "$(fmt_s "$uc") CPU, $(fmt_s "$(med uv.t.wall)") wall" "$(fmt_s "$nc") CPU, $(fmt_s "$(med node.t.wall)") wall" \
    "$(fmt_s "$ec") CPU, $(fmt_s "$(med eltn.t.wall)") wall, $(fmt_mb "$(med eltn.t.rss)")" \
    "$(fmt_s "$xc") CPU, $(fmt_s "$(med eltnx.t.wall)") wall" "$(ratio "$ec" "$uc") CPU" "< libuv's CPU time" \
    "$(verdict "$ec < $uc" "$ec" "$uc")"
fi
if want_node pool; then
  ut=$(med uv.p.tps) nt=$(med node.p.tps)
  et=$(per "$(med eltn.p.wall)" "$(med eltn.empty)" 1) xt=$(per "$(med eltnx.p.wall)" "$(med eltnx.empty)" 1)
  [[ $et == nan ]] || et=$(calc "$POOL / $et")
  [[ $xt == nan ]] || xt=$(calc "$POOL / $xt")
  row "node model: $POOL trivial pool tasks queued at once" "$(fmt_mps "$ut")" "$(fmt_mps "$nt") (fs.stat)" \
    "$(fmt_mps "$et")" "$(fmt_mps "$xt")" "$(ratio "$et" "$ut")" "≥ libuv's throughput" "$(verdict "$et >= $ut" "$et" "$ut")"
fi
if want_node http; then
  uh=$(med uv.h.wall) nh=$(med node.h.wall)
  eh=$(per "$(med eltn.h.wall)" "$(med eltn.empty.h)" 1)
  xh=$(per "$(med eltnx.h.wall)" "$(med eltnx.empty.h)" 1)
  row "node model: $HTTP_N HTTP GETs to a loopback server, $HTTP_K in flight" "$(fmt_s "$uh")" "$(fmt_s "$nh") (all at once)" \
    "$(fmt_s "$eh")" "$(fmt_s "$xh")" "$(ratio "$eh" "$uh")" "≤ libuv's time, same server" "$(verdict "$eh <= $uh" "$eh" "$uh")"
fi

{
  echo "# eventloop-trace benchmarks: results"
  echo
  echo "$started, $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), Linux $(uname -r)."
  echo "Binary: $ELT, built $(date -u -r "$ELT" '+%Y-%m-%d %H:%M UTC')."
  echo "libuv $(pkg-config --modversion libuv 2>/dev/null || echo '?'), Node ${NODE:+$("$NODE" --version)}, eventloop-trace $("$ELT" --version | awk '{print $2}') ($build_dir)."
  echo "Medians of $runs runs ($mem_runs for the memory row, $chain_runs for our round trip); load average $load_before before, $load_after after.$( ((quick)) && echo ' QUICK SIZES: these figures mean nothing.')"
  echo
  echo "| benchmark | libuv | Node | eventloop-trace, no trace | eventloop-trace, text trace to /dev/null | ours ÷ libuv | target | result |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Notes:"
  echo "- Rows marked \"node model\" run eventloop-trace with \`--model node\` (Node 20's loop: no epoll thread, every ready completion per poll phase); the others run the default book model. Both are compared with the same libuv and Node figures of this run."
  echo "- Wall times of the timer rows are whole processes (start to exit). The pool and HTTP rows are timed inside the libuv and Node programs; for eventloop-trace, which cannot time itself, they are the process's wall time minus that of an empty scenario (start-up and shutdown), medians of each."
  if want timers || want_node timers; then
    echo "- CPU time (user + system, all threads) of the $TIMERS-timer processes, medians: libuv $(med uv.t.cpu) s, Node $(med node.t.cpu) s, ours $(med elt.t.cpu) s without a trace and $(med eltx.t.cpu) s with the text trace (node model: $(med eltn.t.cpu) s and $(med eltnx.t.cpu) s). A runtime that needs about a CPU-second for this second of timers falls behind as soon as it shares the CPU or its cache."
  fi
  if want roundtrip; then
    echo "- Round trip, ours: pool-chain.json, $CHAIN tasks each started by the previous one's callback (the scenario language caps nesting at 64), (mean wall - mean wall of an empty scenario) / $CHAIN over $chain_runs runs, both means without the top and bottom 10%. Means, not medians: a whole process tends to stay in one of two modes (the loop and the worker on one CPU, or on two, where every hand-over wakes the other CPU), and libuv's and Node's $SERIAL-task chains average over both inside one process. The figure is marked noisy when the spread (interquartile range) of the empty scenario's start-up, per task, exceeds it."
  fi
  if want lateness; then
    echo "- Lateness: early firings (of $LATE timers, worst run): libuv $(maximum ${V[uv.l.early]:-}), Node $(maximum ${V[node.l.early]:-}), ours $(maximum ${V[elt.l.early]:-}) vs the call and $(maximum ${V[elt.l.dearly]:-}) vs its own deadline. Ours is measured from the jsonl trace (bench-elt-lateness), so with a trace on."
  fi
  echo
  echo "Raw values, one per run:"
  echo
  for k in $(printf '%s\n' "${!V[@]}" | sort); do echo "- \`$k\`:${V[$k]}"; done
} >"$out"

sed -n '/^| benchmark/,/^$/p' "$out"
echo "(written to $out)"
