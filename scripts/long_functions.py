#!/usr/bin/env python3
"""Lists the functions in core/ and app/ whose bodies run over 60 lines (issue 19, item 7).

usage: long_functions.py [--limit N] [--max-lines L] [ROOT]

Prints one line per long function, longest first: body lines, file:line and name. With
--limit N, exits 1 when more than N functions are long (the ctest long_functions sets N to
today's count, so a new long function fails CI and a split lets the number be lowered).

Which spans are functions comes from Universal Ctags (kind f: definitions, members written
inside a class included; prototypes and lambdas are not functions of their own, so a
lambda's lines count in the function that holds it). Ctags gives the line of the name and
the line of the closing brace; the opening brace is found by matching braces backwards over
the source with comments and string, character and raw-string literals blanked out, so a
"{}" in a format string cannot shift it. "Body lines" are the lines strictly between the
opening and the closing brace: a long signature or a constructor's initialiser list does not
count, as it says what the function takes, not what it does.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

SOURCE_DIRS = ("core", "app")
EXTENSIONS = (".cpp", ".h")


def blank_literals(text):
    """Returns text of the same length and line breaks, with comments and literals as spaces."""
    out = []
    i, n = 0, len(text)

    def blank(chunk):
        out.append(re.sub(r"[^\n]", " ", chunk))

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(text[i:j])
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            blank(text[i:j])
            i = j
        elif c == "R" and text.startswith('R"', i) and not (i and (text[i - 1].isalnum() or text[i - 1] == "_")):
            # R"delim( ... )delim": nothing inside escapes, so only the closing delimiter ends it.
            open_paren = text.find("(", i + 2)
            delim = text[i + 2:open_paren]
            j = text.find(")" + delim + '"', open_paren)
            j = n if j < 0 else j + len(delim) + 2
            blank(text[i:j])
            i = j
        elif c in "\"'":
            # A quote after a digit is C++14's digit separator (1'000), not a literal.
            if c == "'" and i and text[i - 1].isalnum():
                out.append(c)
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            blank(text[i:j])
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def opening_brace_line(code_lines, end_line):
    """The line (1-based) of the '{' matching the last '}' on end_line."""
    depth = 0
    for line_no in range(end_line, 0, -1):
        line = code_lines[line_no - 1]
        start = line.rfind("}") if line_no == end_line else len(line) - 1
        for k in range(start, -1, -1):
            if line[k] == "}":
                depth += 1
            elif line[k] == "{":
                depth -= 1
                if depth == 0:
                    return line_no
    return None


def tagged_functions(root):
    """(path, name, first line, end line) of every function definition ctags finds."""
    ctags = shutil.which("ctags-universal") or shutil.which("ctags")
    if ctags is None:
        sys.exit("long_functions.py: Universal Ctags is not installed (Debian: universal-ctags)")
    paths = []
    for folder in SOURCE_DIRS:
        for dirpath, _, files in os.walk(os.path.join(root, folder)):
            paths += [os.path.join(dirpath, f) for f in sorted(files) if f.endswith(EXTENSIONS)]
    result = subprocess.run(
        [ctags, "-x", "--language-force=C++", "--kinds-C++=f", "--fields=+ne",
         "--_xformat=%{line}\t%{end}\t%{name}\t%{input}"] + sorted(paths),
        capture_output=True, text=True, check=True)
    for row in result.stdout.splitlines():
        line, end, name, path = row.split("\t")
        if end:
            yield path, name, int(line), int(end)


def long_functions(root, max_lines):
    found, code_cache = [], {}
    for path, name, line, end in tagged_functions(root):
        if path not in code_cache:
            with open(path, encoding="utf-8") as f:
                code_cache[path] = blank_literals(f.read()).split("\n")
        opening = opening_brace_line(code_cache[path], end)
        body = end - (opening if opening else line) - 1
        if body > max_lines:
            found.append((body, os.path.relpath(path, root), line, name))
    return sorted(found, key=lambda f: (-f[0], f[1], f[2]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default=os.path.join(os.path.dirname(__file__), ".."))
    parser.add_argument("--max-lines", type=int, default=60)
    parser.add_argument("--limit", type=int, help="exit 1 when more functions than this are long")
    args = parser.parse_args()
    found = long_functions(os.path.abspath(args.root), args.max_lines)
    for body, path, line, name in found:
        print(f"{body:4d}  {path}:{line}  {name}")
    print(f"{len(found)} functions over {args.max_lines} lines")
    if args.limit is not None and len(found) > args.limit:
        print(f"more than {args.limit}: split the new one into named steps (STYLE.md), "
              "or lower the limit in tests/CMakeLists.txt only as splits land", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
