# Helpers for the scripted `step` sessions (sourced by tests/step_*.sh).
#   session CLOCK CMD...   runs `step` with one command per argument; output in $out
#   expect TEXT...         each TEXT (a fixed string) on a line after the previous match
#   refute TEXT            TEXT appears nowhere in $out
#   trace_of FILE          the trace alone: the session's own lines (headings, prompts) removed
# Needs $bin and $scenario set, and $out a file; $model (book, node), if set, is passed on.

session() {
  local clock=$1; shift
  printf '%s\n' "$@" | timeout 120 "$bin" step --color never --clock "$clock" ${model:+--model "$model"} "$scenario" > "$out" 2>&1 || {
    echo "FAIL: step exited with $?"; cat "$out"; exit 1; }
}

expect() {
  local from=0 n pat
  for pat in "$@"; do
    n=$(tail -n +$((from + 1)) "$out" | grep -n -F -m1 -- "$pat" | cut -d: -f1 || true)
    if [ -z "$n" ]; then
      echo "FAIL: expected, after line $from of the session: $pat"
      echo "---- the session ----"; cat -n "$out"; exit 1
    fi
    from=$((from + n))
  done
}

refute() {
  if grep -n -F -- "$1" "$out"; then
    echo "FAIL: should not appear: $1"; echo "---- the session ----"; cat -n "$out"; exit 1
  fi
}

# The stepper's own lines start with "-- ", "(tick N) step> ", "(ended) step> ",
# "(end of input" or "breakpoint N:"; everything else is the trace.
trace_of() {
  grep -v -E '^(-- |\((tick [0-9]+|ended)\) step> |\(end of input|breakpoint [0-9]+: |the run has ended)' "$1" || true
}
