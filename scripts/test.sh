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
  # One job more than CPUs: many tests mostly sleep (real-clock timers, DNS timeouts, a
  # browser or tmux waiting), and their CPUs go to the others. The real-clock tests that need
  # a free CPU say so (tests/CMakeLists.txt, elt_real_clock_alone).
  ctest --preset "$preset" -j "$((jobs + 1))"
done
# The fuzz targets' seeds and saved crash inputs ran in each of the three (fuzz_replay.*,
# fuzz/replay.cmake). The fuzzing itself (libFuzzer, clang 16) is scripts/fuzz.sh: a fourth
# full build was a quarter of this script's time for 20 s of fuzzing per target.
echo "=== all tests passed (release, asan, tsan)"
