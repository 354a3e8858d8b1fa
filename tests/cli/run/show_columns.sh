#!/usr/bin/env bash
# --show time,phase,id: the columns come before each line, and with them cut off the text is
# the book's printout byte for byte; registrations and the lines of a callback carry its id.
# usage: show_columns.sh ELT_BIN BOOK_SCENARIO
set -euo pipefail
elt=$1
book=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$elt" --clock virtual "$book" > "$work/plain"
"$elt" --clock virtual --show time,phase,id "$book" > "$work/show"
# time (11 + " ms  "), phase (12 + 2), id (7 + 2): 39 columns before "Thread:" or a banner.
sed -E 's/^.{39}(Thread: |=====)/\1/' "$work/show" > "$work/cut"
diff -u "$work/plain" "$work/cut"
grep -qxF '   1000.000 ms  pending       id 6     Thread: main	 SETTIMEOUT' "$work/show"
grep -qxF '      0.000 ms  script        id 1     Thread: pool3	 received a task of type: File read' "$work/show"
grep -qxF '   1000.000 ms  poll          id 1     Thread: main	 First count: 39 characters.' "$work/show"
"$elt" --clock virtual --show phase "$book" | grep -qxF 'poll          Thread: main	 Third call to read test.txt'
# An unknown column is bad input.
if "$elt" --show colour "$book" > /dev/null 2>&1; then echo "--show colour was accepted"; exit 1; fi
echo "ok: --show columns, book text unchanged under them"
