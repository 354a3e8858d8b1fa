#!/usr/bin/env bash
# Sets everything up, installs the tool under /usr/local (cmake/install.cmake: the binary, its
# data folder, the man page, bash and zsh completions) and runs the book's main example on the
# real clock with the installed command.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
if ! cmake --install build/release > build/release/install.log 2>&1; then
  echo "book.sh: could not install under /usr/local (run as root; see build/release/install.log)" >&2
  exit 1
fi
echo "installed: /usr/local/bin/eventloop-trace (man eventloop-trace; Tab completion in a new shell)" >&2
exec /usr/local/bin/eventloop-trace scenarios/book.json
