#!/usr/bin/env bash
# --version: "eventloop-trace VERSION" (CMake's project VERSION) first, as scripts expect, then
# the Node and libuv releases --model node follows, which must be the ones docs/models.md and
# the README state, then the data folder.
# usage: version.sh ELT_BIN SOURCE_DIR PROJECT_VERSION
set -euo pipefail
elt=$1
src=$2
project_version=$3
out=$("$elt" --version)
first=$(head -n 1 <<< "$out")
[ "$first" = "eventloop-trace $project_version" ] || { echo "first line: $first"; exit 1; }
line=$(grep -E '^--model node follows Node [0-9]+ \(libuv [0-9]+\.[0-9]+\)$' <<< "$out") ||
  { echo "no 'follows Node N (libuv X.Y)' line in:"; echo "$out"; exit 1; }
node=$(sed -E 's/.*Node ([0-9]+) .*/\1/' <<< "$line")
libuv=$(sed -E 's/.*libuv ([0-9.]+)\)/\1/' <<< "$line")
for doc in docs/models.md README.md; do
  grep -q "Node $node" "$src/$doc" || { echo "$doc does not say Node $node"; exit 1; }
  grep -q "libuv $libuv" "$src/$doc" || { echo "$doc does not say libuv $libuv"; exit 1; }
done
grep -qE '^data files: /' <<< "$out" || { echo "no data folder in:"; echo "$out"; exit 1; }
echo "ok: $first, Node $node, libuv $libuv, as docs/models.md and README.md say"
