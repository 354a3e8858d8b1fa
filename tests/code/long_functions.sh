#!/usr/bin/env bash
# The long-function checker itself (scripts/long_functions.py), on a tree made here: a body
# of 61 lines is long, one of 60 is not, and braces inside comments, strings, character and
# raw-string literals do not move a body's opening brace. Then --limit: at the count, exit 0;
# below it, exit 1.
set -euo pipefail
checker="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/core/x" "$tmp/app"

body() {  # N lines of statements
  for ((i = 0; i < $1; i++)); do echo "  n += $i;"; done
}
{
  echo 'int sixty_one(int n,'
  echo '              int m) {'
  echo '  const char* s = "{{ {"; char c = '"'"'{'"'"'; // {'
  echo '  const char* r = R"x({ "}" {)x"; /* { */'
  body 58
  echo '  return n + m;'
  echo '}'
  echo 'struct S {'
  echo '  int sixty() {'
  body 59
  echo '    return 0;'
  echo '  }'
  echo '};'
} > "$tmp/core/x/a.cpp"
{
  echo 'int main() {'
  echo '  auto f = [] {'
  body 60
  echo '  };'
  echo '  return 0;'
  echo '}'
} > "$tmp/app/main.cpp"

out=$("$checker" "$tmp")
# main: its lambda's 62 lines and its own return; longest first.
expected="  63  app/main.cpp:1  main
  61  core/x/a.cpp:1  sixty_one
2 functions over 60 lines"
if [ "$out" != "$expected" ]; then
  echo "unexpected report:"; echo "$out"; exit 1
fi
"$checker" --limit 2 "$tmp" >/dev/null
if "$checker" --limit 1 "$tmp" >/dev/null 2>&1; then
  echo "--limit 1 passed with 2 long functions"; exit 1
fi
echo ok
