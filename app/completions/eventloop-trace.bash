# bash completion for eventloop-trace: commands, options, option values, scenario files.
#
# The commands, options and option values are read from the tool's own help (`--help`,
# `help COMMAND`) the first time they are needed in a shell, so a new option completes
# without an edit here. Installed as share/bash-completion/completions/eventloop-trace, where
# bash-completion loads it on the first Tab; `source` it to use it without bash-completion.
# It needs nothing from bash-completion: plain compgen only.

# Reads the help of COMMAND (of the tool itself when empty) into a variable, once per shell.
# Called directly, never inside $(...), so that the variable outlives the call.
_eventloop_trace_load() {
  local var="_eventloop_trace_help_${1//-/_}"
  [[ -n ${!var+set} ]] && return
  if [[ -z $1 ]]; then
    printf -v "$var" '%s' "$("$_eventloop_trace_bin" --help 2>/dev/null)"
  else
    printf -v "$var" '%s' "$("$_eventloop_trace_bin" help "$1" 2>/dev/null)"
  fi
}

_eventloop_trace_help() {
  local var="_eventloop_trace_help_${1//-/_}"
  printf '%s\n' "${!var}"
}

# The command names: the first word of each entry of the help's "Subcommands:" block.
_eventloop_trace_commands() {
  _eventloop_trace_help | awk '/^Subcommands:/ {on = 1; next} /^[^ ]/ {on = 0} on && /^  [a-z]/ {print $1}'
}

# An option entry's words: its names, then its value's type if it takes one. CLI11 writes the
# entry at column 3 and its text from column 31 (on the next line when the entry is longer).
_eventloop_trace_entries() {
  _eventloop_trace_help "$1" |
    awk '/^  -/ {t = (length($0) > 30 && substr($0, 30, 1) == " ") ? substr($0, 1, 30) : $0; print t}'
}

# Every option name of COMMAND ("-t,--threads INT" gives -t and --threads).
_eventloop_trace_options() {
  _eventloop_trace_entries "$1" | awk '{n = split($1, names, ","); for (i = 1; i <= n; i++) print names[i]}'
}

# The type after OPTION of COMMAND ("TEXT:{real,virtual}", "PATH"); nothing for a flag.
_eventloop_trace_value_type() {
  _eventloop_trace_entries "$1" |
    awk -v opt="$2" '{n = split($1, names, ","); for (i = 1; i <= n; i++) if (names[i] == opt && $2 != "Excludes:") print $2}'
}

_eventloop_trace() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  local _eventloop_trace_bin=${COMP_WORDS[0]}
  # The tool as typed, to read its help; bash leaves a leading ~/ unexpanded in COMP_WORDS.
  [[ $_eventloop_trace_bin == "~"/* ]] && _eventloop_trace_bin=$HOME/${_eventloop_trace_bin#"~/"}
  _eventloop_trace_load ""
  local command="" i word
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ $word != -* ]] && _eventloop_trace_commands | grep -qx -- "$word"; then
      command=$word
      break
    fi
  done
  _eventloop_trace_load "$command"
  COMPREPLY=()

  # A value after an option: its listed values; a path for a PATH, FILE or TEXT (--node);
  # nothing to offer for a number, a host or a thread's name.
  local type=""
  [[ $prev == -* ]] && type=$(_eventloop_trace_value_type "$command" "$prev")
  if [[ -n $type ]]; then
    local values=""
    # The listed values, as in "TEXT:{real,virtual}".
    [[ $type =~ \{([^}]*)\} ]] && values=${BASH_REMATCH[1]//,/ }
    if [[ -n $values ]]; then
      if [[ $prev == --show ]]; then
        # A comma-separated list: complete the word after the last comma.
        local done_part=""
        [[ $cur == *,* ]] && done_part=${cur%,*},
        mapfile -t COMPREPLY < <(compgen -P "$done_part" -W "$values" -- "${cur##*,}")
      else
        mapfile -t COMPREPLY < <(compgen -W "$values" -- "$cur")
      fi
    elif [[ $type == @(PATH|FILE|TEXT)* ]]; then
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
    return 0
  fi

  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_eventloop_trace_options "$command")" -- "$cur")
    return 0
  fi
  if [[ $command == help ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_eventloop_trace_commands)" -- "$cur")
    return 0
  fi
  _eventloop_trace_files "$command"
}

# Scenarios (*.json, *.js), goldens for check (*.trace), and folders to walk into; the
# command names too while none is typed. $cur is the caller's (bash scopes locals dynamically).
_eventloop_trace_files() {
  local pattern='*.@(json|js)'
  [[ $1 == check ]] && pattern='*.@(json|js|trace)'
  compopt -o filenames 2>/dev/null
  local IFS=$'\n' saved_extglob
  saved_extglob=$(shopt -p extglob)
  shopt -s extglob
  COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X "!$pattern" -- "$cur"))
  eval "$saved_extglob"
  [[ -z $1 ]] && COMPREPLY+=($(compgen -W "$(_eventloop_trace_commands)" -- "$cur"))
  return 0
}

complete -F _eventloop_trace eventloop-trace
