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
# A "differs" is a failure unless the scenario is a known gap of explore's (verify compares
# Node's orders with explore's set); a wrong declaration always is.
gaps=$(dirname "$0")/corpus_gaps.txt
known() { grep -v '^#' "$gaps" | cut -f1 | grep -qxF -- "$1"; }
bad=0
while IFS= read -r row; do
  name=$(sed -E 's/^\| \[([^]]*)\].*/\1/' <<<"$row")
  verdict=$(awk -F' \\| ' '{ print $3 }' <<<"$row")
  if grep -qF '**wrong declaration**' <<<"$row"; then
    echo "FAIL: $name: a wrong racy declaration"; bad=1
  elif [ "$verdict" = differs ] && ! known "$name"; then
    echo "FAIL: $name differs"; bad=1
  elif [ "$verdict" = differs ]; then
    echo "known gap: $name differs (tests/cli/verify/corpus_gaps.txt)"
  elif known "$name"; then
    # Node's runs are a sample: one run without an unlisted order proves no fix.
    echo "note: $name did not differ in this run ($verdict): if explore now lists Node's orders, remove it from $gaps"
  fi
done < <(grep -E '^\| \[' "$table")
{ [ $rc -le 1 ] && [ $bad -eq 0 ]; } || { echo "FAIL: verify found a difference or a wrong racy declaration (exit $rc)"; exit 1; }
# Scenario and verdict of each row, in both tables. A known gap's verdict is a sample's:
# "differs" in the runs where Node printed an order explore lacks, "racy in Node" in the others.
rows() {
  grep -E '^\| \[' "$1" | awk -F' \\| ' '{ sub(/^\| /, "", $1); print $1 " -> " $3 }' | while IFS= read -r row; do
    # The row starts with the scenario's link, [NAME.json](...): the gaps list names NAME.json.
    name=${row%%]*}; name=${name#[}
    if known "$name"; then echo "${row%% -> *} -> racy in Node or differs (a known gap)"; else echo "$row"; fi
  done | sort
}
if ! diff <(rows "$doc") <(rows "$table"); then
  echo "FAIL: $doc is not current (< in the docs, > this run): run scripts/verification-table.sh"
  exit 1
fi
echo "ok: $(rows "$table" | wc -l) scenarios, docs/verification.md current"
