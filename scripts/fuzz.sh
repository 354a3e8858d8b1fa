#!/usr/bin/env bash
# Builds the libFuzzer targets with clang + ASan + UBSan and fuzzes each for a while.
#
#   scripts/fuzz.sh            # 10 minutes per target
#   scripts/fuzz.sh 60         # 60 seconds per target
#   scripts/fuzz.sh 60 fuzz_http_response     # only that target
#
# Needs clang >= 16 with its runtime libraries (Debian 12: clang-16 libclang-rt-16-dev).
# Environment: ELT_FUZZ_CC / ELT_FUZZ_CXX (default: the newest clang-N >= 16),
# ELT_FUZZ_BUILD_DIR (default build/fuzz), ELT_FUZZ_WORK_DIR (default build/fuzz-work),
# ELT_FUZZ_KEEP_GOING=1 to go on after a crash (libFuzzer fork mode on all cores; one input
# is kept per distinct symptom), ELT_FUZZ_ARGS for extra libFuzzer flags.
#
# New corpus entries go to <work>/<target>/corpus (the seeds in fuzz/corpus/ are only
# read); crash inputs are copied to fuzz/regressions/<target>/, where they become CTest
# regression tests (see fuzz/regressions/README.md). Exits 1 if any target failed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-600}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then targets=(fuzz_scenario_parser fuzz_http_response fuzz_js_export fuzz_js_front); fi
if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds == 0)); then
  echo "usage: scripts/fuzz.sh [seconds per target, default 600] [target...]" >&2
  exit 2
fi

build=${ELT_FUZZ_BUILD_DIR:-build/fuzz}
work=${ELT_FUZZ_WORK_DIR:-build/fuzz-work}
for tool in cmake ninja; do
  command -v "$tool" >/dev/null || { echo "scripts/fuzz.sh: $tool not found (scripts/deps.sh installs it)" >&2; exit 2; }
done
# The core needs clang >= 16 (see fuzz/CMakeLists.txt); take the newest versioned clang.
cc=${ELT_FUZZ_CC:-}
cxx=${ELT_FUZZ_CXX:-}
if [[ -z $cxx ]]; then
  for v in 20 19 18 17 16; do
    if command -v "clang++-$v" >/dev/null && command -v "clang-$v" >/dev/null; then
      cc=clang-$v cxx=clang++-$v
      break
    fi
  done
fi
cc=${cc:-clang}
cxx=${cxx:-clang++}
command -v "$cxx" >/dev/null || { echo "scripts/fuzz.sh: $cxx not found" >&2; exit 2; }
major=$("$cxx" -dumpversion | cut -d. -f1)
if ((major < 16)); then
  echo "scripts/fuzz.sh: $cxx is clang $major; the core needs clang >= 16 (Debian 12:" \
       "apt-get install clang-16 libclang-rt-16-dev, or set ELT_FUZZ_CC/ELT_FUZZ_CXX)" >&2
  exit 2
fi

echo "=== configure + build (${build}, ${cxx})"
CC=$cc CXX=$cxx cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DELT_BUILD_FUZZ=ON -DELT_BUILD_BENCH=OFF -DBUILD_TESTING=OFF \
  -DELT_SANITIZE=address,undefined >/dev/null
cmake --build "$build" --target "${targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Stack traces need a symbolizer; the unversioned one is fine for newer clang output.
if [[ -z ${ASAN_SYMBOLIZER_PATH:-} ]]; then
  for s in "llvm-symbolizer-$major" llvm-symbolizer; do
    if command -v "$s" >/dev/null; then export ASAN_SYMBOLIZER_PATH; ASAN_SYMBOLIZER_PATH=$(command -v "$s"); break; fi
  done
fi

corpus_name() {
  case "$1" in
    fuzz_scenario_parser) echo scenario ;;
    fuzz_http_response) echo http ;;
    fuzz_js_export) echo js_export ;;
    fuzz_js_front) echo js_front ;;
    *) echo "scripts/fuzz.sh: unknown target $1" >&2; exit 2 ;;
  esac
}

failed=()
for target in "${targets[@]}"; do
  name=$(corpus_name "$target")
  dict=fuzz/${name}.dict
  corpus=$work/$target/corpus
  artifacts=$work/$target/artifacts
  mkdir -p "$corpus" "$artifacts" "fuzz/regressions/$target"
  jobs_args=()
  if [[ ${ELT_FUZZ_KEEP_GOING:-0} == 1 ]]; then
    jobs_args=(-fork="$(nproc)" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  fi
  marker=$(mktemp)
  echo "=== ${target}: fuzzing for ${seconds} s (corpus ${corpus}, log ${work}/${target}/fuzz.log)"
  set +e
  # shellcheck disable=SC2086  # ELT_FUZZ_ARGS is a list of flags
  "$build/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 -dict="$dict" -artifact_prefix="$artifacts/" "${jobs_args[@]}" \
    ${ELT_FUZZ_ARGS:-} "$corpus" "fuzz/corpus/$name" 2>&1 | tee "$work/$target/fuzz.log" | \
    grep -v -E --line-buffered '^#[0-9]+ +(NEW|REDUCE|RELOAD) |^ +NEW_FUNC'
  status=${PIPESTATUS[0]}
  set -e
  new=()
  while IFS= read -r -d '' file; do new+=("$file"); done < <(
    find "$artifacts" -maxdepth 1 -type f -newer "$marker" \
      \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) -print0)
  rm -f "$marker"
  # Replay each input once for a symbolized report (saved next to it as <input>.log), and
  # keep one input per distinct symptom: fork mode can write the same bug many times.
  declare -A seen=() dups=()
  for file in "${new[@]}"; do
    "$build/fuzz/$target" -timeout=10 -rss_limit_mb=2048 "$file" >"$file.log" 2>&1 || true
    symptom=$(grep -m1 -E "terminate called after throwing|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|^fuzz_[a-z_]+: " "$file.log" |
      sed -E 's/==[0-9]+==//; s/0x[0-9a-f]+//g; s/[0-9]+//g' || true)
    what=$(grep -m1 'what():' "$file.log" | sed -E 's/^ *what\(\): *//' || true)
    frame=$(grep -m1 -oE '(core|fuzz)/[A-Za-z0-9_/]+\.(cpp|h):[0-9]+' "$file.log" || true)
    key="$symptom @ $frame"
    if [[ -n ${seen[$key]:-} ]]; then
      dups[$key]=$((${dups[$key]:-0} + 1))
      continue
    fi
    seen[$key]=$file
    cp "$file" "fuzz/regressions/$target/"
    kept=fuzz/regressions/$target/$(basename "$file")
    echo "!!! ${target}: new failing input saved as ${kept}"
    echo "    symptom:   ${symptom:-see log}${what:+ ($what)}${frame:+ at $frame}"
    echo "    report:    $file.log"
    echo "    reproduce: $build/fuzz/$target $kept"
    echo "    minimise:  $build/fuzz/$target -minimize_crash=1 -runs=100000 -exact_artifact_path=min.bin $kept"
  done
  for key in "${!dups[@]}"; do
    echo "    ${dups[$key]} more input(s) with the same symptom as $(basename "${seen[$key]}") (not kept; in ${artifacts})"
  done
  unset seen dups
  if ((status != 0 || ${#new[@]} > 0)); then
    failed+=("$target")
    echo "=== ${target}: FAILED (exit ${status}); full log: ${work}/${target}/fuzz.log"
  else
    echo "=== ${target}: no findings"
  fi
done

if ((${#failed[@]})); then
  echo "=== findings in: ${failed[*]}; rebuild and run 'ctest --test-dir ${build}/fuzz -L fuzz-regression' after fixing"
  exit 1
fi
echo "=== all targets ran ${seconds} s without findings (corpus in ${work})"
