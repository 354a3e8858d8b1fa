#!/usr/bin/env bash
# Sets everything up and runs every test: the optimised build, then the same tests under
# AddressSanitizer+UBSan and under ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)
for preset in release asan tsan; do
  echo "=== ${preset}: build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "=== ${preset}: test"
  ctest --preset "$preset" -j "$jobs"
done
echo "=== all tests passed (release, asan, tsan)"
