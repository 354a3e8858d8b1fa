#!/usr/bin/env bash
# Writes the tool's real output into the documentation pages, between markers, so that no
# trace in docs/ is ever typed by hand.
#
#   docs/tools/traces.sh BINARY            rewrite docs/models.md, docs/scenario-format.md,
#                                          docs/races.md and README.md's "Node's loop" example
#   docs/tools/traces.sh --check BINARY    exit 1, with a diff, when a page is not current
#                                          (the CTest test docs.traces_current runs this)
#
# A page asks for a run with a pair of HTML comments (invisible when the page is rendered):
#
#   <!-- trace: both docs/examples/zero-is-one.json -->   the book and node side by side
#   <!-- trace: node docs/examples/zero-is-one.json -->   one model, as a text block
#   <!-- trace: costs scenarios/races/quiz.json -->      the node model with the default cost profile
#   <!-- end trace -->
#   <!-- file: docs/examples/zero-is-one.json -->         the scenario itself, as a json block
#   <!-- end file -->
#   <!-- explore: scenarios/races/quiz.json -->           every order explore finds, as a text block
#   <!-- end explore -->
#   <!-- file: tests/js/promise-chain.js -->              a JavaScript program, as a js block
#   <!-- import-js: tests/js/promise-chain.js -->         the scenario it becomes (import-js)
#   <!-- end import-js -->
#
# A binary without the explore command leaves an explore block as it is, with a warning.
#
# Everything between a pair of comments is replaced. Runs use the virtual clock, so the
# output is the same bytes on every run and machine; paths are relative to the repository
# root, which is where the commands run, so the messages shown are the ones a reader who
# types the command from a clone gets.
set -euo pipefail

check=0
if [[ "${1:-}" == "--check" ]]; then
  check=1
  shift
fi
if [[ $# -ne 1 ]]; then
  echo "usage: $0 [--check] BINARY" >&2
  exit 2
fi
bin=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
pages=(docs/models.md docs/scenario-format.md docs/races.md README.md docs/javascript.md)
has_explore=0
if "$bin" --help | grep -qE '^  explore '; then has_explore=1; fi

# One run, as a reader would type it: the command, its output, and its exit status when
# it is not 0 (a refusal prints to stderr; it is shown after stdout).
run() {
  local model=$1 file=$2
  local out err status=0
  out=$(mktemp) err=$(mktemp)
  # The node model's runs charge nothing for Node's own work (--costs zero), so that each
  # page shows the one rule it explains; docs/races.md shows the costs at work.
  local costs=()
  [[ $model == node ]] && costs=(--costs zero)
  [[ $model == costs ]] && model=node
  "$bin" --clock virtual --model "$model" "${costs[@]}" "$file" >"$out" 2>"$err" || status=$?
  printf '$ eventloop-trace --clock virtual --model %s%s %s\n' "$model" "${costs[*]:+ ${costs[*]}}" "$file"
  cat "$out" "$err"
  if [[ $status -ne 0 ]]; then printf '(exit status %d)\n' "$status"; fi
  rm -f "$out" "$err"
}

html_escape() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'; }

# The book's and the node model's runs in a two-column table. A blank line would end the
# HTML block in Markdown, so none is written (traces have none).
both() {
  local file=$1
  printf '<table>\n<tr><th>book</th><th>node</th></tr>\n<tr><td valign="top"><pre>\n'
  run book "$file" | html_escape
  printf '</pre></td><td valign="top"><pre>\n'
  run node "$file" | html_escape
  printf '</pre></td></tr>\n</table>\n'
}

# explore's orders for a scenario, as a reader would type the command.
explore() {
  local file=$1 status=0
  printf '```text\n$ eventloop-trace explore %s\n' "$file"
  "$bin" explore "$file" 2>&1 || status=$?
  if [[ $status -ne 0 ]]; then printf '(exit status %d)\n' "$status"; fi
  printf '```\n'
}

one() {
  printf '```text\n'
  run "$1" "$2"
  printf '```\n'
}

render() {
  local page=$1 line end="" keep=0 mode file
  while IFS= read -r line || [[ -n "$line" ]]; do
    if [[ -n "$end" ]]; then
      if [[ "$line" == "$end" ]]; then
        printf '%s\n' "$line"
        end=""
        keep=0
      elif [[ $keep -eq 1 ]]; then
        printf '%s\n' "$line"
      fi
      continue
    fi
    printf '%s\n' "$line"
    if [[ "$line" =~ ^\<!--\ explore:\ ([^ ]+)\ --\>$ ]]; then
      file=${BASH_REMATCH[1]}
      if [[ ! -f "$file" ]]; then
        echo "$page: no scenario $file" >&2
        exit 1
      fi
      end="<!-- end explore -->"
      if [[ $has_explore -eq 1 ]]; then
        explore "$file"
      else
        echo "$page: warning: $bin has no explore command; the block for $file is left as it is" >&2
        keep=1
      fi
      continue
    fi
    if [[ "$line" =~ ^\<!--\ (trace|file|import-js):\ (both\ |book\ |node\ |costs\ )?([^ ]+)\ --\>$ ]]; then
      mode=${BASH_REMATCH[2]% }
      file=${BASH_REMATCH[3]}
      if [[ ! -f "$file" ]]; then
        echo "$page: no scenario $file" >&2
        exit 1
      fi
      if [[ ${BASH_REMATCH[1]} == import-js ]]; then
        printf '```json\n'
        "$bin" import-js "$file"
        printf '```\n'
        end="<!-- end import-js -->"
      elif [[ ${BASH_REMATCH[1]} == file ]]; then
        if [[ $file == *.js ]]; then printf '```js\n'; else printf '```json\n'; fi
        cat "$file"
        printf '```\n'
        end="<!-- end file -->"
      elif [[ -z "$mode" ]]; then
        echo "$page: a trace marker needs a model (both, book, node or costs): $line" >&2
        exit 1
      else
        if [[ $mode == both ]]; then both "$file"; else one "$mode" "$file"; fi
        end="<!-- end trace -->"
      fi
    fi
  done <"$page"
  if [[ -n "$end" ]]; then
    echo "$page: a marker without $end" >&2
    exit 1
  fi
}

stale=0
for page in "${pages[@]}"; do
  fresh=$(mktemp)
  render "$page" >"$fresh"
  if [[ $check -eq 1 ]]; then
    if ! diff -u "$page" "$fresh" >&2; then
      echo "$page is not current: run docs/tools/traces.sh $1" >&2
      stale=1
    fi
    rm -f "$fresh"
  else
    cat "$fresh" >"$page"
    rm -f "$fresh"
  fi
done
exit $stale
