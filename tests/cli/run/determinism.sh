#!/usr/bin/env bash
# Runs every scenario N times under the virtual clock and fails on any byte of difference.
# usage: determinism.sh EVENTLOOP_TRACE SCENARIO_DIR [N] [EXTRA OPTION...]  (e.g. --model node)
set -uo pipefail
bin=$1; dir=$2; runs=${3:-5}; shift 3 || shift $#
extra=("$@")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
failed=0
for scenario in "$dir"/*.json; do
  name=$(basename "$scenario" .json)
  if ! "$bin" --clock virtual "${extra[@]}" "$scenario" > "$tmp/$name.0"; then
    echo "FAIL $name: run 0 exited $?"; failed=$((failed + 1)); continue
  fi
  ok=1
  for ((i = 1; i < runs; i++)); do
    if ! "$bin" --clock virtual "${extra[@]}" "$scenario" > "$tmp/$name.$i" || ! cmp -s "$tmp/$name.0" "$tmp/$name.$i"; then
      echo "FAIL $name: run $i differs from run 0 (or failed)"
      diff "$tmp/$name.0" "$tmp/$name.$i" | head -20
      ok=0; failed=$((failed + 1)); break
    fi
  done
  [ $ok -eq 1 ] && echo "ok   $name: $runs identical runs"
done
[ $failed -eq 0 ] || { echo "$failed scenarios were not deterministic"; exit 1; }
