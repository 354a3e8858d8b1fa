#!/usr/bin/env bash
# The man page says everything --help says: every option that `--help` and each
# `help COMMAND` list (read from the binary now, so options added later are checked too),
# every command with an example in EXAMPLES, and the exit codes; and it renders without a
# warning from groff.
# usage: man_page.sh ELT_BIN MAN_PAGE
set -euo pipefail
elt=$1
page=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The page as text, without roff's escapes for "-" and with one example per line.
sed -e 's/\\-/-/g' -e 's/\\&//g' "$page" > "$work/page"
sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$work/page" > "$work/examples"
sed -n '/^\.SH "EXIT STATUS"/,/^\.SH /p' "$work/page" > "$work/exit"

commands=$("$elt" --help | awk '/^Subcommands:/ {on = 1; next} /^[^ ]/ {on = 0} on && /^  [a-z]/ {print $1}')
[ -n "$commands" ] || { echo "no commands read from --help"; exit 1; }
missing=0
for command in "" $commands; do
  if [ -z "$command" ]; then "$elt" --help > "$work/help"; else "$elt" help "$command" > "$work/help"; fi
  # "  -t,--threads INT ..." gives -t and --threads.
  options=$(awk '/^  -/ {n = split($1, names, ","); for (i = 1; i <= n; i++) print names[i]}' "$work/help")
  [ -n "$options" ] || { echo "no options read from help ${command:---help}"; exit 1; }
  for option in $options; do
    if ! grep -qE -- "(^|[^-a-z])$option([^-a-z]|$)" "$work/page"; then
      echo "missing from the man page: ${command:-eventloop-trace} $option"
      missing=1
    fi
  done
  if [ -n "$command" ] && ! grep -qE "^eventloop-trace (.* )?$command( |$)" "$work/examples"; then
    echo "no example of: eventloop-trace $command"
    missing=1
  fi
done
for code in 0 1 2 130; do
  grep -qE "^\.B $code([, ]|$)" "$work/exit" || { echo "exit code $code is not in EXIT STATUS"; missing=1; }
done
[ "$missing" = 0 ] || exit 1
# groff's warnings (-ww) on stderr; nothing is expected.
if command -v groff > /dev/null; then
  groff -man -Tutf8 -ww -z "$page" 2> "$work/warnings"
  if [ -s "$work/warnings" ]; then cat "$work/warnings"; exit 1; fi
fi
echo "ok: every option of --help and of $(echo $commands | wc -w) commands in the man page, an example of each command"
