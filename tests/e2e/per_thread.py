#!/usr/bin/env python3
"""Compares two traces thread by thread: each thread's own sequence of lines must match.

Lines of different threads may interleave differently from run to run (they are real
threads); what must hold in every run is each thread's own order. A content block belongs
to the thread its START banner names. Exit 0 when they agree, 1 with a report otherwise.
"""
import re
import sys

START = re.compile(r"^===== THREAD (\S+) START CONTENT - ")
LINE = re.compile(r"^Thread: (\S+)\t ")


def split(text):
    threads = {}
    block = None
    for line in text.splitlines():
        if block is not None:
            threads[block].append(line)
            if line == "===== END CONTENT =====":
                block = None
            continue
        m = START.match(line)
        if m:
            block = m.group(1)
            threads.setdefault(block, []).append(line)
            continue
        m = LINE.match(line)
        if m:
            threads.setdefault(m.group(1), []).append(line)
        elif line.strip():
            threads.setdefault("?", []).append(line)
    return threads


def main():
    expected = split(open(sys.argv[1], encoding="utf-8").read())
    actual = split(open(sys.argv[2], encoding="utf-8").read())
    ok = True
    for name in sorted(set(expected) | set(actual)):
        e, a = expected.get(name, []), actual.get(name, [])
        if e != a:
            ok = False
            i = next((k for k in range(min(len(e), len(a))) if e[k] != a[k]), min(len(e), len(a)))
            print(f"thread {name}: differs at its line {i + 1}")
            print(f"  expected: {e[i] if i < len(e) else '<end>'}")
            print(f"  actual:   {a[i] if i < len(a) else '<end>'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
