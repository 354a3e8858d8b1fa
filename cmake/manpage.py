#!/usr/bin/env python3
"""Writes the man page eventloop-trace(1) from the binary's own help and a hand-written frame.

Usage: manpage.py BINARY TEMPLATE OUTPUT VERSION

The options and commands come from `BINARY --help` and `BINARY help COMMAND` (CLI11's
layout: a description, "Usage:", then "Positionals:", "Options:" and "Subcommands:" blocks,
each entry's text starting at column 30). So a new option or command is in the next build's
page with no edit here; TEMPLATE (docs/man/eventloop-trace.1.in) holds what help cannot say:
exit status, examples, files, environment. Run at build time (app/CMakeLists.txt).
"""
import re
import subprocess
import sys

TEXT_COLUMN = 30  # CLI11's default column width for option names


def help_text(binary, *args):
    return subprocess.run([binary, *args], check=True, capture_output=True, text=True).stdout


def sections(text):
    """Splits CLI11 help into (description lines, usage line, {block name: entry lines})."""
    description, usage, blocks, current = [], "", {}, None
    for line in text.splitlines():
        if line.startswith("Usage: "):
            usage = line[len("Usage: "):]
        elif re.fullmatch(r"[A-Z][a-z]+:", line):
            current = blocks.setdefault(line[:-1], [])
        elif current is not None:
            current.append(line)
        elif not usage:
            description.append(line)
    return description, usage, blocks


def entries(lines):
    """[(term, text)] from a block: a term at column 2, its text at column 30 or below it."""
    out = []
    for line in lines:
        if not line.strip():
            continue
        if not line.startswith(" " * TEXT_COLUMN) and line.startswith("  "):
            if len(line) > TEXT_COLUMN and line[TEXT_COLUMN - 1] == " " and line[TEXT_COLUMN] != " ":
                out.append([line[:TEXT_COLUMN].strip(), line[TEXT_COLUMN:].strip()])
            else:
                out.append([line.strip(), ""])
        elif out:
            out[-1][1] = (out[-1][1] + " " + line.strip()).strip()
    return out


def roff(text):
    """Escapes text for a roff line: backslashes, dashes, and a leading dot or quote."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def option_list(items):
    return "".join(f".TP\n.B {roff(term)}\n{roff(text)}\n" for term, text in items)


def names(term):
    return term.split(" ")[0]


def commands_section(binary, subcommands, top_options):
    """One subsection per command; a run option said the same way as above is not repeated."""
    top = {names(t): text for t, text in top_options}
    out = []
    for name, _ in subcommands:
        description, usage, blocks = sections(help_text(binary, "help", name))
        out.append(f'.SS "{roff("eventloop-trace " + usage)}"\n')
        out.append(roff(" ".join(line.strip() for line in description if line.strip())) + "\n.PP\n")
        out.append(option_list(entries(blocks.get("Positionals", []))))
        own = [(t, x) for t, x in entries(blocks.get("Options", [])) if top.get(names(t)) != x]
        shared = [names(t) for t, x in entries(blocks.get("Options", [])) if top.get(names(t)) == x]
        out.append(option_list(own))
        if any(n.endswith("--threads") for n in shared):
            out.append(".PP\nIt also takes the run options above (" + roff(", ".join(
                n.split(",")[-1] for n in shared if n != "-h,--help")) + ").\n")
    return "".join(out)


def main():
    binary, template, output, version = sys.argv[1:5]
    description, usage, blocks = sections(help_text(binary, "--help"))
    options = entries(blocks.get("Options", []))
    subcommands = entries(blocks.get("Subcommands", []))
    page = open(template, encoding="utf-8").read()
    page = page.replace("@VERSION@", version)
    page = page.replace("@DESCRIPTION@", "".join(f"{roff(l)}\n" for l in description if l.strip()))
    page = page.replace("@POSITIONALS@", option_list(entries(blocks.get("Positionals", []))))
    page = page.replace("@OPTIONS@", option_list(options))
    page = page.replace("@COMMAND_LIST@", option_list(subcommands))
    page = page.replace("@COMMANDS@", commands_section(binary, subcommands, options))
    if re.search(r"@[A-Z_]+@", page):
        sys.exit(f"{template}: a placeholder was left unfilled")
    with open(output, "w", encoding="utf-8") as out:
        out.write(page)


if __name__ == "__main__":
    main()
