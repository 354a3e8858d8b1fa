# Helpers shared by the check tests: run a command, keep its exit code, stdout and stderr,
# and count failed expectations. Source it after setting bin.
fails=0; code=0; out=; err=
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# run ARGS...: sets code, out, err
run() {
  set +e
  "$bin" "$@" >"$tmp/.out" 2>"$tmp/.err" </dev/null
  code=$?
  set -e
  out=$(cat "$tmp/.out"); err=$(cat "$tmp/.err")
}
# run_in INPUT ARGS...: as run, with INPUT on standard input
run_in() {
  local input=$1; shift
  set +e
  printf '%s' "$input" | "$bin" "$@" >"$tmp/.out" 2>"$tmp/.err"
  code=$?
  set -e
  out=$(cat "$tmp/.out"); err=$(cat "$tmp/.err")
}
# run_from FILE ARGS...: as run, with FILE on standard input
run_from() {
  local input=$1; shift
  set +e
  "$bin" "$@" <"$input" >"$tmp/.out" 2>"$tmp/.err"
  code=$?
  set -e
  out=$(cat "$tmp/.out"); err=$(cat "$tmp/.err")
}
fail() { echo "FAIL $*"; echo "  exit $code; stdout: ${out:0:400}"; echo "  stderr: ${err:0:400}"; fails=$((fails + 1)); }
pass() { echo "ok   $*"; }
# expect NAME CODE [STDOUT_TEXT [STDERR_TEXT]]: the last command's exit code and texts (fixed strings)
expect() {
  local name=$1 want=$2 o=${3:-} e=${4:-}
  if [ "$code" -ne "$want" ]; then fail "$name: expected exit $want"; return; fi
  if [ -n "$o" ] && ! grep -qF -- "$o" <<<"$out"; then fail "$name: stdout lacks \"$o\""; return; fi
  if [ -n "$e" ] && ! grep -qF -- "$e" <<<"$err"; then fail "$name: stderr lacks \"$e\""; return; fi
  if [ "$want" -eq 2 ] && { [ -z "$err" ] || grep -qv '^eventloop-trace: ' <<<"$err"; }; then
    fail "$name: every message line must start with \"eventloop-trace: \""; return
  fi
  pass "$name"
}
finish() {
  if [ "$fails" -ne 0 ]; then echo "$fails expectations failed"; exit 1; fi
  echo "all expectations met"
}
