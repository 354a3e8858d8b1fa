#!/usr/bin/env bash
# `cmake --install` into a fresh prefix, then the tool run from there as a person on PATH would:
# the book's scenario on the virtual clock gives its golden trace byte for byte; --version names
# the installed data folder (found from the binary, not from this build tree); the schema,
# example scenarios, man page and completions are where man, bash-completion and zsh look.
# usage: prefix.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" > "$prefix.log" 2>&1 || { cat "$prefix.log"; rm -f "$prefix.log"; exit 1; }
rm -f "$prefix.log"
for file in bin/eventloop-trace share/eventloop-trace/scenario.schema.json share/eventloop-trace/scenarios/book.json \
            share/man/man1/eventloop-trace.1 share/bash-completion/completions/eventloop-trace \
            share/zsh/site-functions/_eventloop-trace; do
  [ -f "$prefix/$file" ] || { echo "not installed: $file"; exit 1; }
done
cmp "$src/docs/scenario.schema.json" "$prefix/share/eventloop-trace/scenario.schema.json"

# By name, from PATH, in the source tree as the README's commands are written.
cd "$src"
PATH="$prefix/bin:$PATH" eventloop-trace --clock virtual scenarios/book.json > "$prefix/book.trace"
cmp "$src/tests/golden/book.trace" "$prefix/book.trace"
# The installed copy of the example scenarios runs too, from anywhere.
cd /
"$prefix/bin/eventloop-trace" --clock virtual "$prefix/share/eventloop-trace/scenarios/book.json" > "$prefix/book2.trace"
cmp "$src/tests/golden/book.trace" "$prefix/book2.trace"
version=$("$prefix/bin/eventloop-trace" --version)
grep -qxF "data files: $prefix/share/eventloop-trace" <<< "$version" || { echo "--version: $version"; exit 1; }

# man finds the page from the binary's folder on PATH (bin/ -> share/man/), as it does for /usr/local.
found=$(PATH="$prefix/bin:$PATH" man -w eventloop-trace 2>&1) || true
[ "$found" = "$prefix/share/man/man1/eventloop-trace.1" ] || { echo "man -w eventloop-trace: $found"; exit 1; }

# bash-completion's own loader finds the completion under the prefix (XDG_DATA_DIRS), when
# bash-completion is there (scripts/deps.sh installs it).
if [ -f /usr/share/bash-completion/bash_completion ]; then
  got=$(PATH="$prefix/bin:$PATH" XDG_DATA_DIRS="$prefix/share" bash -c '
    source /usr/share/bash-completion/bash_completion
    __load_completion eventloop-trace || exit 1
    COMP_WORDS=(eventloop-trace --model ""); COMP_CWORD=2
    _eventloop_trace; echo "${COMPREPLY[*]}"')
  [ "$got" = "book node" ] || { echo "bash-completion from the prefix: got '$got'"; exit 1; }
else
  echo "note: bash-completion is not installed; its loader was not tried"
fi
echo "ok: installed under a prefix, book trace = golden, data folder, man page and completion found"
