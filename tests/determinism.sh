#!/usr/bin/env bash
# Runs every scenario N times under the virtual clock and fails on any byte of difference.
# usage: determinism.sh EVENTLOOP_TRACE SCENARIO_DIR [N]
set -euo pipefail
bin=$1; dir=$2; runs=${3:-5}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
status=0
for scenario in "$dir"/*.json; do
  name=$(basename "$scenario" .json)
  "$bin" --clock virtual "$scenario" > "$tmp/$name.0" || { echo "FAIL $name: exit $?"; status=1; continue; }
  for ((i = 1; i < runs; i++)); do
    "$bin" --clock virtual "$scenario" > "$tmp/$name.$i"
    if ! cmp -s "$tmp/$name.0" "$tmp/$name.$i"; then
      echo "FAIL $name: run $i differs from run 0"
      diff "$tmp/$name.0" "$tmp/$name.$i" | head -20
      status=1
      break
    fi
  done
  [ $status -eq 0 ] && echo "ok   $name: $runs identical runs"
done
exit $status
