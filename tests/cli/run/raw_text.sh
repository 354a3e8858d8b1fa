#!/usr/bin/env bash
# Issue 25, item 6: scenario text that would forge lines or drive the terminal is shown as
# the trace shows scenario text (trace/format.h): a print_content label with newlines
# cannot end its block and start another; a scenario file name with escape codes or a
# newline, and a right-to-left override inside a quoted key, reach stderr escaped.
# usage: raw_text.sh EVENTLOOP_TRACE
set -uo pipefail
bin=$1
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL $1"; fails=$((fails + 1)); }
ok() { echo "ok   $1"; }
esc=$(printf '\033')
rlo=$(printf '\342\200\256')  # U+202E RIGHT-TO-LEFT OVERRIDE

# A label that, printed raw, closes its block and opens a forged one.
forged='x =====\n... [Note: Abbreviated for display] ...\n===== END CONTENT =====\n\n===== THREAD main START CONTENT - forged'
printf '{"program": [{"print_content": "one\\ntwo", "label": "%s"}]}' "$forged" > "$dir/label.json"
out=$("$bin" --clock virtual --color never "$dir/label.json" 2>&1)
if [ "$(grep -c '^===== END CONTENT =====$' <<<"$out")" -eq 1 ] && [ "$(grep -c 'START CONTENT' <<<"$out")" -eq 1 ] &&
   grep -qF 'START CONTENT - X =====\x0a... [NOTE' <<<"$out"; then
  ok "a label with newlines stays on its banner's line"
else
  fail "label: $out"
fi

# A file name with an escape code and a newline, in a message on stderr.
name="$dir/$(printf 'bad\033[2J\nname').json"
echo '{"program": [{"print": 1}]}' > "$name"
err=$("$bin" --clock virtual "$name" 2>&1 >/dev/null); rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l <<<"$err")" -eq 1 ] && ! grep -qF "$esc" <<<"$err" &&
   grep -qF 'bad\x1b[2J\x0aname.json:1:' <<<"$err"; then
  ok "a file name's escape code and newline are escaped on stderr"
else
  fail "file name: exit $rc, stderr: $(od -c <<<"$err" | head -5)"
fi
touch "$dir/golden.trace"
out=$("$bin" check "$name" "$dir/golden.trace" 2>&1); rc=$?
if [ $rc -eq 2 ] && ! grep -qF "$esc" <<<"$out" && grep -qF 'ERROR: '"$dir"'/bad\x1b[2J\x0aname.json: could not' <<<"$out"; then
  ok "check names that file escaped too"
else
  fail "check: exit $rc, output: $(od -c <<<"$out" | head -8)"
fi
# check's own lines name a good scenario with such a name escaped too.
good="$dir/$(printf 'good\033[2J\nname').json"
echo '{"program": [{"print": "x"}]}' > "$good"
"$bin" check --update "$good" "$dir/good.trace" > /dev/null 2>&1
out=$("$bin" check "$good" "$dir/good.trace" 2>&1); rc=$?
if [ $rc -eq 0 ] && ! grep -qF "$esc" <<<"$out" && grep -qF 'ok: '"$dir"'/good\x1b[2J\x0aname.json matches' <<<"$out"; then
  ok "check's ok line names the scenario escaped"
else
  fail "check ok line: exit $rc, output: $(od -c <<<"$out" | head -5)"
fi
# The same name that cannot be opened.
err=$("$bin" --clock virtual "$dir/$(printf 'gone\033]0;title\007\n').json" 2>&1 >/dev/null); rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l <<<"$err")" -eq 1 ] && ! grep -qF "$esc" <<<"$err"; then
  ok "a missing file's name is escaped"
else
  fail "missing file: exit $rc, stderr: $(od -c <<<"$err" | head -5)"
fi

# A right-to-left override inside a quoted key.
printf '{"program": [{"print": "x"}], "abc%sgnp.exe": 1}' "$rlo" > "$dir/key.json"
err=$("$bin" --clock virtual "$dir/key.json" 2>&1 >/dev/null); rc=$?
if [ $rc -eq 2 ] && ! grep -qF "$rlo" <<<"$err" && grep -qF 'unknown top-level key "abc\u{202e}gnp.exe"' <<<"$err"; then
  ok "a right-to-left override in a key is shown escaped"
else
  fail "key: exit $rc, stderr: $err"
fi

# A diff quotes what the program printed, which may hold raw control characters (check
# --mode output; verify): each line is shown escaped, what is compared stays the same.
printf '%s' '{"program":[{"print":"\u001b]0;PWNED\u0007\u001b[2J\nok: forged.json matches forged.golden"}]}' > "$dir/f7.json"
echo x > "$dir/f7.golden"
out=$("$bin" check --mode output "$dir/f7.json" "$dir/f7.golden" 2>&1); rc=$?
if [ $rc -eq 1 ] && ! grep -qF "$esc" <<<"$out" && grep -qF '+\x1b]0;PWNED\x07\x1b[2J' <<<"$out"; then
  ok "check --mode output's diff shows printed control characters escaped"
else
  fail "check --mode output diff: exit $rc, output: $(cat -v <<<"$out")"
fi
# The diff's header names the scenario: escaped too.
hdr="$dir/$(printf 'good\033[31m\nx').json"
echo '{"program": [{"print": "y"}]}' > "$hdr"
out=$("$bin" check --clock virtual "$hdr" "$dir/good.trace" 2>&1); rc=$?
if [ $rc -eq 1 ] && ! grep -qF "$esc" <<<"$out" && grep -qF '+++ what runs ('"$dir"'/good\x1b[31m\x0ax.json)' <<<"$out"; then
  ok "check's diff header names the scenario escaped"
else
  fail "check diff header: exit $rc, output: $(cat -v <<<"$out")"
fi

# A warning quotes the scenario's path: escaped on stderr.
big="$dir/$(printf 'big\033]0;PWNED\007\033[2J').txt"
truncate -s 2M "$big"
printf '%s' '{"program":[{"fs_read":"big\u001b]0;PWNED\u0007\u001b[2J.txt"}]}' > "$dir/f8.json"
err=$("$bin" --clock virtual "$dir/f8.json" 2>&1 >/dev/null); rc=$?
if [ $rc -eq 0 ] && ! grep -qF "$esc" <<<"$err" && ! grep -qF "$(printf '\007')" <<<"$err" &&
   grep -qF 'warning: '"$dir"'/f8.json:1:13: fs_read of "big\x1b]0;PWNED\x07\x1b[2J.txt"' <<<"$err"; then
  ok "a warning quotes a path escaped"
else
  fail "warning: exit $rc, stderr: $(cat -v <<<"$err")"
fi

# verify's diff quotes both sides' printed lines and node's stderr: escaped line by line.
if command -v node > /dev/null; then
  printf 'hi' > "$dir/a.txt"
  printf '%s' '{"settings":{"model":"node"},"program":[{"print":"\u001b]0;PWNED\u0007\u001b[2J\nagrees          forged.json"},{"fs_read":"a.txt\u0000z","then":[{"print":"read"}]}]}' > "$dir/f6.json"
  out=$("$bin" verify --runs 1 "$dir/f6.json" 2>&1); rc=$?
  if grep -q '^differs' <<<"$out" && ! grep -qF "$esc" <<<"$out" && grep -qF '     \x1b]0;PWNED\x07\x1b[2J' <<<"$out"; then
    ok "verify's diff shows printed control characters escaped"
  else
    fail "verify diff: exit $rc, output: $(cat -v <<<"$out")"
  fi
else
  echo "skip verify's diff: no node on this machine"
fi

[ $fails -eq 0 ] && echo "all passed" || echo "$fails failed"
[ $fails -eq 0 ]
