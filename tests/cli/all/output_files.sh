#!/usr/bin/env bash
# Every file the tool writes is written to a regular file only, atomically (issue 25,
# item 2): a summary (check --junit, --json), a golden (check --update) or a page (html -o)
# named at a FIFO, a character device, a socket or a directory is exit 2 with a message naming the
# path and what it is, and the node is left as it was. Before, `check --junit /dev/null`
# run as root replaced /dev/null with a regular file and exited 0. The devices are made
# here (mknod, as root only), never the system's own.
# usage: output_files.sh EVENTLOOP_TRACE SCENARIO GOLDEN
set -uo pipefail
bin=$1; scenario=$2; golden=$3
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
failed=0
mkfifo "$dir/fifo"
mkdir "$dir/folder"
targets="fifo folder"
if [ "$(id -u)" -eq 0 ] && mknod "$dir/null" c 1 3 2> /dev/null; then
  targets="$targets null"
else
  echo "skipped: a character device (mknod needs root)"
fi
# A socket file stays after the process that bound it is gone.
if command -v python3 > /dev/null &&
   python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$dir/socket"; then
  targets="$targets socket"
else
  echo "skipped: a socket (needs python3)"
fi
# What each node is now, to see it untouched afterwards.
kind() { stat -c %F "$1"; }

# expect NAME PATH COMMAND...: exit 2, one line naming PATH, PATH still what it was, nothing
# left beside it.
expect_refused() {
  local name=$1 path=$2; shift 2
  local before code
  before=$(kind "$path")
  timeout 20 "$@" > /dev/null 2> "$dir/err" < /dev/null; code=$?
  if [ "$code" -ne 2 ] || ! grep -q "^eventloop-trace: $path: is a" "$dir/err"; then
    echo "FAIL $name: exit $code (want 2):"; head -3 "$dir/err"; failed=1
  elif [ "$(kind "$path")" != "$before" ]; then
    echo "FAIL $name: $path was $before, is now $(kind "$path")"; failed=1
  elif ls -A "$dir" | grep -q '^\.'; then
    echo "FAIL $name: a temporary file was left: $(ls -A "$dir" | grep '^\.')"; failed=1
  else
    echo "ok: $name -> exit 2: $(cat "$dir/err")"
  fi
}

for t in $targets; do
  p=$dir/$t
  expect_refused "check --junit $t" "$p" "$bin" check --junit "$p" "$scenario" "$golden"
  expect_refused "check --json $t" "$p" "$bin" check --json "$p" "$scenario" "$golden"
  expect_refused "check --update into $t" "$p" "$bin" check --update "$scenario" "$p"
  expect_refused "html -o $t" "$p" "$bin" html "$scenario" -o "$p"
done

# A regular file, and a symbolic link to one: written whole; the link stays a link.
: > "$dir/real.xml"
ln -s real.xml "$dir/link.xml"
timeout 20 "$bin" check --junit "$dir/link.xml" --json "$dir/new.json" "$scenario" "$golden" > /dev/null ||
  { echo "FAIL: writing summaries to a file and a link"; failed=1; }
if [ -L "$dir/link.xml" ] && grep -q '<testsuites' "$dir/real.xml" && grep -q '"passed"' "$dir/new.json"; then
  echo "ok: summaries written to a regular file and through a link (still a link)"
else
  echo "FAIL: link.xml: $(kind "$dir/link.xml"), real.xml: $(head -c 80 "$dir/real.xml")"; failed=1
fi
timeout 20 "$bin" html "$scenario" -o "$dir/page.html" 2> /dev/null && [ -f "$dir/page.html" ] && grep -q '</html>' "$dir/page.html" &&
  echo "ok: html -o a new file" || { echo "FAIL: html -o a new file"; failed=1; }

# The page's name html picks itself (no -o: NAME.html beside the scenario) is not followed
# when it is a symbolic link: a student's `s.html -> ../victim.txt` once had the page
# replace victim.txt outside the folder, exit 0. Refused with exit 2; an explicit -o still
# follows the link (above).
mkdir "$dir/student"
cp "$scenario" "$dir/student/s.json"
echo "the victim" > "$dir/victim.txt"
ln -s ../victim.txt "$dir/student/s.html"
timeout 20 "$bin" html "$dir/student/s.json" > /dev/null 2> "$dir/err"; code=$?
if [ "$code" -eq 2 ] && grep -q "s.html: is a symbolic link.*-o" "$dir/err" && [ -L "$dir/student/s.html" ] &&
   [ "$(cat "$dir/victim.txt")" = "the victim" ]; then
  echo "ok: html without -o refuses a link at NAME.html: $(cat "$dir/err")"
else
  echo "FAIL: html without -o at a link: exit $code, victim: $(head -c 80 "$dir/victim.txt")"; cat "$dir/err"; failed=1
fi
rm "$dir/student/s.html"
timeout 20 "$bin" html "$dir/student/s.json" 2> /dev/null && grep -q '</html>' "$dir/student/s.html" &&
  echo "ok: html without -o writes NAME.html" || { echo "FAIL: html without -o, no link"; failed=1; }
exit $failed
