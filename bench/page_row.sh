# The html page's rows of bench/run.sh (issue 22), sourced by it: its helpers (m, add, med,
# row, fmt_*, ratio, verdict, calc, progress) and settings (ELT, SC, work, runs, root,
# PAGE_SMALL, PAGE_LARGE, PAGE_LINES) are run.sh's. No libuv or Node column: they have no
# page. What the page is measured against is the same run in another output:
#   - `html` of PAGE_LARGE timers against `html` of PAGE_SMALL (the page grows with the run)
#     and against `--format chrome` of the same run (the page costs a small multiple of the
#     other output that keeps every event); the page's bytes against the jsonl's;
#   - a page of PAGE_LINES timers (ten trace lines each: 200,000 lines) in headless
#     Chromium (tests/browser/page_time.js): opening it, then End. Needs Debian's chromium
#     and tests/browser's puppeteer-core (scripts/deps.sh); without them the row says n/a.

page_html() {  # SCENARIO PAGE: `html` under bench-measure
  m -- "$ELT" html --model node --clock virtual "$1" -o "$2"
}

page_measure() {
  local r o
  "$root/bench/scenarios/page-timers.sh" "$PAGE_SMALL" >"$SC/page-small.json"
  "$root/bench/scenarios/page-timers.sh" "$PAGE_LARGE" >"$SC/page-large.json"
  for ((r = 1; r <= runs; r++)); do
    progress page "$r" "$runs"
    o=$(page_html "$SC/page-small.json" "$work/page-small.html"); add page.s.wall "$(kv proc_wall_s "$o")"; add page.s.cpu "$(kv cpu_s "$o")"
    o=$(page_html "$SC/page-large.json" "$work/page-large.html"); add page.l.wall "$(kv proc_wall_s "$o")"
    add page.l.cpu "$(kv cpu_s "$o")"; add page.l.rss "$(kv maxrss_kb "$o")"
    o=$(m --stdout /dev/null -- "$ELT" --format chrome --model node --clock virtual "$SC/page-large.json")
    add page.c.wall "$(kv proc_wall_s "$o")"; add page.c.cpu "$(kv cpu_s "$o")"
  done
  PAGE_BYTES=$(stat -c %s "$work/page-large.html")
  PAGE_JSONL=$("$ELT" --format jsonl --model node --clock virtual "$SC/page-large.json" | wc -c)

  # The 200,000-line page in Chromium: once (it takes a minute on a loaded machine).
  PAGE_BROWSER=""
  local chromium=${CHROMIUM:-/usr/bin/chromium}
  if [[ -z $NODE || ! -x $chromium || ! -f $root/tests/browser/node_modules/puppeteer-core/package.json ]]; then
    return 0
  fi
  progress page-browser 1 1
  "$root/bench/scenarios/page-timers.sh" "$PAGE_LINES" >"$SC/page-lines.json"
  o=$(page_html "$SC/page-lines.json" "$work/page-lines.html"); add page.b.wall "$(kv proc_wall_s "$o")"; add page.b.rss "$(kv maxrss_kb "$o")"
  "$ELT" --model node --clock virtual --color never "$SC/page-lines.json" >"$work/page-lines.txt"
  if ! PAGE_BROWSER=$(cd "$root/tests/browser" && "$NODE" page_time.js "$work/page-lines.html" "$work/page-lines.txt"); then
    echo "run.sh: the page in Chromium failed (tests/browser/page_time.js)" >&2
    exit 1
  fi
  add page.b.lines "$(kv lines "$PAGE_BROWSER")"; add page.b.load_ms "$(kv load_ms "$PAGE_BROWSER")"
  add page.b.end_ms "$(kv end_ms "$PAGE_BROWSER")"
}

page_rows() {
  local sw lw cw lr
  sw=$(med page.s.wall) lw=$(med page.l.wall) cw=$(med page.c.wall) lr=$(med page.l.rss)
  local times=$(calc "$lw / $sw") vs_chrome=$(calc "$lw / $cw") bytes=$(calc "$PAGE_BYTES / $PAGE_JSONL")
  row "html page: $PAGE_LARGE timers that each queue an immediate (node model, virtual clock) against $PAGE_SMALL, and against \`--format chrome\` of the same run" \
    "$na" "$na" \
    "html $(fmt_s "$lw"), $(fmt_mb "$lr"); $PAGE_SMALL timers $(fmt_s "$sw"); page $(calc "sprintf(\"%.1f MB\", $PAGE_BYTES / 1e6)") ($(calc "sprintf(\"%.2fx\", $bytes)") the jsonl)" \
    "chrome $(fmt_s "$cw")" \
    "html ÷ chrome $(calc "sprintf(\"%.1fx\", $vs_chrome)") ($(ratio "$(med page.l.cpu)" "$(med page.c.cpu)") CPU); $PAGE_LARGE ÷ $PAGE_SMALL $(calc "sprintf(\"%.1fx\", $times)") ($(ratio "$(med page.l.cpu)" "$(med page.s.cpu)") CPU)" \
    "≤ 10x chrome, ≤ 5x the $PAGE_SMALL-timer page's time, page ≤ 2x the jsonl" \
    "$(verdict "$vs_chrome <= 10 && $times <= 5 && $bytes <= 2" "$sw" "$lw" "$cw")"
  local lines=$(med page.b.lines) load=$(med page.b.load_ms) end=$(med page.b.end_ms)
  if [[ -z $PAGE_BROWSER ]]; then
    row "html page of $PAGE_LINES timers in headless Chromium: open, then End" "$na" "$na" "$na (no Chromium or puppeteer-core)" \
      "$na" "$na" "open and End < 1 s" "n/a"
    return 0
  fi
  row "html page of $PAGE_LINES timers ($lines trace lines) in headless Chromium: open, then End (one run)" "$na" "$na" \
    "html $(fmt_s "$(med page.b.wall)"), $(fmt_mb "$(med page.b.rss)")" \
    "open $load ms, End $end ms" "$na" "open and End < 1 s" "$(verdict "$load < 1000 && $end < 1000" "$load" "$end")"
}
