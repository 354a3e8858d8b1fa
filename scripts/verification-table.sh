#!/usr/bin/env bash
# Rewrites the table of docs/verification.md from a fresh `eventloop-trace verify --markdown`
# over scenarios/node/. The table is the tool's output: never edit it by hand.
# usage: scripts/verification-table.sh [EVENTLOOP_TRACE] [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/release/app/eventloop-trace}
runs=${2:-10}
doc=$root/docs/verification.md
table=$(mktemp); trap 'rm -f "$table" "$table.doc"' EXIT
cd "$root"
# Relative paths, so that the table does not name this machine's folders.
rc=0
"$bin" verify --runs "$runs" --markdown scenarios/node/*.json > "$table" || rc=$?
awk -v table="$table" '
  /<!-- verify-table:start -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
  /<!-- verify-table:end -->/ { skip = 0 }
  !skip { print }
' "$doc" > "$table.doc"
mv "$table.doc" "$doc"
echo "wrote the table of $doc ($runs runs per scenario); verify exited $rc"
exit $rc
