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
# The libFuzzer targets (clang 16, ASan+UBSan): a short run of each over its corpus, and
# every saved crash input replayed. scripts/fuzz.sh runs them for longer.
echo "=== fuzz: build"
CC=clang-16 CXX=clang++-16 cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DELT_BUILD_FUZZ=ON -DELT_BUILD_BENCH=OFF -DBUILD_TESTING=OFF -DELT_SANITIZE=address,undefined \
  -DELT_WERROR=ON >/dev/null
cmake --build build/fuzz -j "$jobs"
echo "=== fuzz: test"
ctest --test-dir build/fuzz/fuzz -j "$jobs" --output-on-failure
echo "=== all tests passed (release, asan, tsan, fuzz)"
