#!/usr/bin/env bash
# --format chrome reads in Perfetto on the virtual clock (issue 23, item 11): the book's run
# and the node model's queues have no slice of zero width, and keep their exact times; the
# real clock's file is not stretched. slice_widths.py says what exactly is checked.
# usage: slice_widths.sh ELT_BIN SCENARIO_DIR
set -uo pipefail
elt=$1
dir=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
for run in "book $dir/book.json --model book" "node $dir/book.json --model node" \
           "queues $here/../../browser/node-queues.json --model node"; do
  set -- $run
  name=$1 scenario=$2
  shift 2
  "$elt" --clock virtual "$@" --format chrome "$scenario" > "$work/$name.json" || fail=1
  "$elt" --clock virtual "$@" --format jsonl "$scenario" > "$work/$name.jsonl" || fail=1
  python3 "$here/slice_widths.py" virtual "$work/$name.json" "$work/$name.jsonl" || fail=1
done
"$elt" --clock real --format chrome "$dir/book.json" > "$work/real.json" || fail=1
python3 "$here/slice_widths.py" real "$work/real.json" || fail=1
exit $fail
