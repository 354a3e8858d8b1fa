#!/usr/bin/env bash
# Sets everything up and runs the book's main example on the real clock.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
exec build/release/app/eventloop-trace scenarios/book.json
