#!/usr/bin/env bash
# Tab completion: bash's function driven as bash does it (COMP_WORDS, COMP_CWORD, then
# COMPREPLY), and zsh's with its builtins replaced by stand-ins that print what they are given.
# Commands, options of the tool and of a command, the values of --model, --clock, --format,
# --mode and --show, and scenario files (*.json and *.js, not other files) are offered.
# usage: completion.sh ELT_BIN BASH_SCRIPT ZSH_SCRIPT
set -euo pipefail
elt=$(realpath "$1")
bash_script=$(realpath "$2")
zsh_script=$(realpath "$3")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/dir"
touch "$work/dir/a.json" "$work/dir/b.js" "$work/dir/c.trace" "$work/dir/d.txt"
cd "$work/dir"

# One line per case: the words typed (the last one is being completed) | the offers expected.
cases='--mo|--mode --model
--model |book node
--clock |real virtual
--format |text jsonl chrome none
-f j|jsonl
--show time,p|time,phase
ch|check
help |calibrate check step html help export-js import-js verify explore
check --mode |exact per-thread output
check --mo|--model --mode
check --model n|node
a|a.json
b|b.js
check c|c.trace
c|calibrate check
verify --r|--runs
--threads |
check --only |'

failed=0
while IFS='|' read -r typed expected; do
  got=$(ELT="$elt" TYPED="$typed" bash -c '
    source "$1"
    read -r -a COMP_WORDS <<< "$TYPED"
    COMP_WORDS=("$ELT" "${COMP_WORDS[@]}")
    [[ $TYPED == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _eventloop_trace
    printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$bash_script")
  want=$(tr ' ' '\n' <<< "$expected" | sort | tr '\n' ' ')
  if [ "$got" != "$want" ]; then
    echo "bash: eventloop-trace $typed<Tab>: got '$got', expected '$want'"
    failed=1
  fi
done <<< "$cases"
# Offered without a prefix: scenarios and folders, never d.txt.
got=$(ELT="$elt" bash -c 'source "$1"; COMP_WORDS=("$ELT" ""); COMP_CWORD=1; _eventloop_trace; printf "%s\n" "${COMPREPLY[@]}"' _ "$bash_script")
if grep -qx 'd.txt' <<< "$got" || ! grep -qx 'a.json' <<< "$got"; then echo "bash: bare <Tab> offered: $got"; failed=1; fi
complete_line=$(bash -c 'source "$1"; complete -p eventloop-trace' _ "$bash_script")
[ "$complete_line" = "complete -F _eventloop_trace eventloop-trace" ] || { echo "bash: $complete_line"; failed=1; }

if command -v zsh > /dev/null; then
  got=$(ELT="$elt" zsh -f -c '
    source "$1" 2>/dev/null
    compadd() { if [[ $1 == -a ]]; then print -r -- "compadd ${(P)2}"; else print -r -- "compadd $*"; fi }
    _files() { print -r -- "_files $*" }
    _values() { print -r -- "_values $*" }
    t() { words=("$ELT" "$@"); CURRENT=${#words}; PREFIX=${words[-1]}; _eventloop-trace }
    t --model ""; t check --mode ""; t --show ""; t help ""; t check ""; t --clock ""; t html -o ""; t --threads ""' _ "$zsh_script")
  expected='compadd book node
compadd exact per-thread output
_values -s , column time phase id
compadd check step html help export-js import-js verify calibrate explore
_files -g *.(json|js|trace)(-.)
compadd real virtual
_files '
  if [ "$got" != "$expected" ]; then echo "zsh: got:"; echo "$got"; failed=1; fi
else
  echo "note: no zsh here; only the bash completion was driven"
fi
[ "$failed" = 0 ] || exit 1
echo "ok: completion of commands, options, option values and scenario files"
