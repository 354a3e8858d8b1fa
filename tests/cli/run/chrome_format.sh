#!/usr/bin/env bash
# --format chrome against the Trace Event Format, for every scenario:
#   - the checker (check_trace_event.py) passes, and agrees with the jsonl of the same run
#     (threads, one callback slice per callback, one task slice per pool task);
#   - on the virtual clock, two runs give the same bytes;
#   - the book on the real clock passes too;
#   - the checker itself rejects broken files (an unmatched B, a flow without its end, a
#     missing ts), so that its "ok" means something.
# usage: chrome_format.sh ELT_BIN SCENARIO_DIR
set -uo pipefail
elt=$1
dir=$2
here=$(cd "$(dirname "$0")" && pwd)
checker="$here/check_trace_event.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
# Every scenario under its own model, and the book's scenarios under the node model too.
for entry in "$dir"/*.json "$dir"/node/*.json $(for f in "$dir"/*.json; do echo "node:$f"; done); do
  scenario=${entry#node:}
  [ -f "$scenario" ] || continue
  name=$(basename "$scenario" .json)
  args=(--clock virtual)
  case "$entry" in node:*) args+=(--model node); name="$name@node" ;; esac
  case "$scenario" in */node/*) name="node/$name" ;; esac
  out="$work/${name//\//-}"
  for run in "chrome $out.json" "chrome $out.again.json" "jsonl $out.jsonl"; do
    set -- $run
    if ! "$elt" "${args[@]}" --format "$1" "$scenario" > "$2" 2> "$out.err"; then
      echo "FAIL $name: --format $1 exited non-zero:"; head -20 "$out.err"; fail=1
    fi
  done
  if ! cmp -s "$out.json" "$out.again.json"; then
    echo "FAIL $name: two virtual-clock runs differ:"; diff "$out.json" "$out.again.json" | head -20; fail=1
  fi
  printf '%s\t%s\t%s\n' "$name" "$out.json" "$out.jsonl" >> "$work/to-check"
done
# One checker process for every run: a Python start per scenario was most of this test's time.
if ! python3 "$checker" --batch "$work/to-check"; then fail=1; fi

# The real clock: the same checks on a run whose times are real.
if ! "$elt" --format chrome "$dir/book.json" > "$work/real.json" 2> "$work/real.err"; then
  echo "FAIL book on the real clock exited non-zero:"; head -20 "$work/real.err"; fail=1
fi
if ! python3 "$checker" "$work/real.json"; then echo "FAIL book on the real clock"; fail=1; fi

# The checker must fail on broken traces.
book="$work/book.json"
python3 - "$book" "$work" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
ev = doc["traceEvents"]
def write(name, events):
    json.dump({"traceEvents": events}, open(f"{sys.argv[2]}/{name}", "w"))
last_e = max(i for i, e in enumerate(ev) if e["ph"] == "E")
write("broken-unmatched.json", ev[:last_e] + ev[last_e + 1:])
first_f = next(i for i, e in enumerate(ev) if e["ph"] == "f")
write("broken-flow.json", ev[:first_f] + ev[first_f + 1:])
no_ts = [dict(e) for e in ev]
i = next(i for i, e in enumerate(no_ts) if e["ph"] == "i")
del no_ts[i]["ts"]
write("broken-ts.json", no_ts)
PY
for broken in unmatched flow ts; do
  if python3 "$checker" "$work/broken-$broken.json" > "$work/out" 2>&1; then
    echo "FAIL the checker accepted a trace with a broken $broken"; fail=1
  else
    echo "ok   the checker rejects a broken $broken: $(head -1 "$work/out" | sed 's/^[^:]*: //')"
  fi
done
exit $fail
