#!/usr/bin/env bash
# CI: every scenario of scenarios/node/ under the node model against the real node.
# Fails on any "differs" or wrong racy declaration (verify's exit 1), and when
# docs/verification.md's table does not give every scenario the verdict this run gave.
# usage: verify_corpus.sh EVENTLOOP_TRACE SCENARIOS_NODE_DIR DOCS_VERIFICATION_MD
set -uo pipefail
bin=$1
corpus=$2
doc=$3
runs=${ELT_VERIFY_RUNS:-3}
table=$(mktemp); trap 'rm -f "$table"' EXIT
start=$(date +%s)
"$bin" verify --runs "$runs" --jobs 4 --markdown "$corpus"/*.json > "$table"
rc=$?
echo "verify: exit $rc after $(( $(date +%s) - start )) s ($runs runs per scenario)"
cat "$table"
[ $rc -eq 0 ] || { echo "FAIL: verify found a difference or a wrong racy declaration (exit $rc)"; exit 1; }
# Scenario and verdict of each row, in both tables.
rows() { grep -E '^\| \[' "$1" | awk -F' \\| ' '{ sub(/^\| /, "", $1); print $1 " -> " $3 }' | sort; }
if ! diff <(rows "$doc") <(rows "$table"); then
  echo "FAIL: $doc is not current (< in the docs, > this run): run scripts/verification-table.sh"
  exit 1
fi
echo "ok: $(rows "$table" | wc -l) scenarios, docs/verification.md current"
