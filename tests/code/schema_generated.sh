#!/usr/bin/env bash
# docs/scenario.schema.json is generated from the action registry (core/scenario/actions/):
# the committed file must be what eventloop-trace-schema prints now, so that a change to
# an action's keys or schema part cannot leave the schema editors and the install use
# behind. To refresh it: cmake --build --preset release --target schema
# usage: schema_generated.sh EVENTLOOP_TRACE_SCHEMA SOURCE_DIR
set -uo pipefail
bin=$1
committed=$2/docs/scenario.schema.json
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT

if ! "$bin" >"$dir/generated.json"; then
  echo "FAIL eventloop-trace-schema failed"
  exit 1
fi
# Writing to a file is what the `schema` target does: it must give the same bytes.
if ! "$bin" "$dir/written.json" || ! cmp -s "$dir/generated.json" "$dir/written.json"; then
  echo "FAIL eventloop-trace-schema FILE wrote other bytes than it prints"
  exit 1
fi
if ! diff -u "$committed" "$dir/generated.json" >"$dir/diff"; then
  head -n 40 "$dir/diff"
  echo "FAIL docs/scenario.schema.json is not the registry's schema; run: cmake --build --preset release --target schema"
  exit 1
fi
echo "ok   docs/scenario.schema.json is the registry's schema"
