#!/usr/bin/env python3
"""Checks a file against the Trace Event Format (the JSON Perfetto and chrome://tracing read).

    check_trace_event.py TRACE.json [RUN.jsonl]

What it checks, after the format's own description ("Trace Event Format", the Google doc
that chrome://tracing and Perfetto's JSON importer follow):
  - the document is {"traceEvents": [...]} (or a bare array) of objects;
  - every event has the fields its phase requires: ph, pid, tid, ts (a number >= 0) and a
    name, except E; instants a scope s in g/p/t; flows an id and a cat; metadata args;
  - on each thread, B and E pair up as a stack in file order and never go back in time;
    nothing is left open at the end;
  - every flow has exactly one start (s) and one finish (f), the finish not before the
    start, and each end falls inside a slice open on its thread there (what binds it);
  - every thread that has events is named by a thread_name metadata event.
With RUN.jsonl (the same run as --format jsonl): the threads are the jsonl's threads, and
there is one callback slice per callback_start and one task slice per pool task.
Exit 0 when all holds; else 1 and one line per problem (at most 20).
"""
import json
import sys
from collections import defaultdict

PHASES = set("BEXiIstfMCbenOND")


def check(doc, jsonl_lines=None):
    problems = []

    def bad(msg):
        problems.append(msg)

    events = doc.get("traceEvents") if isinstance(doc, dict) else doc
    if not isinstance(events, list):
        return ["the document is neither {\"traceEvents\": [...]} nor an array"]
    stacks = defaultdict(list)        # (pid, tid) -> [(name, ts, index)]
    last_ts = {}
    named = set()
    used = set()
    flows = defaultdict(lambda: {"s": [], "t": [], "f": []})
    slices = defaultdict(int)         # cat -> count of B
    for n, e in enumerate(events):
        where = f"event {n}"
        if not isinstance(e, dict):
            bad(f"{where}: not an object")
            continue
        ph = e.get("ph")
        if ph not in PHASES:
            bad(f"{where}: ph {ph!r} is not a Trace Event phase")
            continue
        for field in ("pid",) + (() if ph == "M" and e.get("name") == "process_name" else ("tid",)):
            if not isinstance(e.get(field), int):
                bad(f"{where} ({ph}): {field} missing or not an integer")
        if ph == "M":
            if not isinstance(e.get("args"), dict):
                bad(f"{where}: metadata without args")
            if e.get("name") == "thread_name":
                named.add((e.get("pid"), e.get("tid")))
            continue
        ts = e.get("ts")
        if not isinstance(ts, (int, float)) or isinstance(ts, bool) or ts < 0:
            bad(f"{where} ({ph}): ts missing, not a number or negative")
            continue
        if ph != "E" and not isinstance(e.get("name"), str):
            bad(f"{where} ({ph}): name missing")
        key = (e.get("pid"), e.get("tid"))
        used.add(key)
        if key in last_ts and ts < last_ts[key] and ph in "BE":
            bad(f"{where} ({ph}): ts {ts} goes back in time on tid {key[1]} (was {last_ts[key]})")
        if ph in "BE":
            last_ts[key] = ts
        if ph == "B":
            stacks[key].append((e.get("name"), ts, n))
            slices[e.get("cat")] += 1
        elif ph == "E":
            if not stacks[key]:
                bad(f"{where}: E without a B on tid {key[1]}")
            else:
                stacks[key].pop()
        elif ph == "X":
            if not isinstance(e.get("dur"), (int, float)) or e["dur"] < 0:
                bad(f"{where}: X without a duration")
        elif ph in "iI":
            if e.get("s", "t") not in ("g", "p", "t"):
                bad(f"{where}: instant scope {e.get('s')!r} is not g, p or t")
        elif ph in "stf":
            if "id" not in e or not isinstance(e.get("cat"), str):
                bad(f"{where} ({ph}): a flow event needs an id and a cat")
                continue
            if not stacks[key]:
                bad(f"{where} ({ph}): flow {e['id']} has no slice open on tid {key[1]} to bind to")
            flows[(e["cat"], e["id"])][ph].append((ts, n))
    for key, stack in stacks.items():
        for name, ts, n in stack:
            bad(f"event {n}: B {name!r} at {ts} on tid {key[1]} is never ended")
    for (cat, fid), ends in flows.items():
        if len(ends["s"]) != 1 or len(ends["f"]) != 1:
            bad(f"flow {cat}/{fid}: {len(ends['s'])} starts and {len(ends['f'])} finishes (want 1 and 1)")
        elif ends["f"][0][0] < ends["s"][0][0]:
            bad(f"flow {cat}/{fid}: finishes before it starts")
    for key in sorted(used - named):
        bad(f"tid {key[1]} has events but no thread_name")

    if jsonl_lines is not None:
        run = [json.loads(line) for line in jsonl_lines if line.strip()]
        names = {e["args"]["name"] for e in events if isinstance(e, dict) and e.get("name") == "thread_name"}
        threads = {e["thread"] for e in run}
        if names != threads:
            bad(f"threads {sorted(names)} but the jsonl has {sorted(threads)}")
        callbacks = sum(1 for e in run if e["kind"] == "callback_start")
        if slices["callback"] != callbacks:
            bad(f"{slices['callback']} callback slices but {callbacks} callback_start events in the jsonl")
        tasks = sum(1 for e in run if e["kind"] == "task_received" and e.get("id"))
        if slices["task"] != tasks:
            bad(f"{slices['task']} task slices but {tasks} pool tasks in the jsonl")
    return problems


def check_file(trace, jsonl=None):
    """The problems of one file (an unreadable file is one problem), and its event count."""
    try:
        with open(trace) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        return [str(e)], 0
    lines = None
    if jsonl:
        with open(jsonl) as f:
            lines = f.readlines()
    problems = check(doc, lines)
    return problems, len(doc["traceEvents"] if isinstance(doc, dict) else doc) if not problems else 0


def batch(list_file):
    """--batch LIST: one line per run, "NAME<TAB>TRACE.json<TAB>RUN.jsonl", checked in this
    one process (a Python start per file was most of chrome_format.sh's time). Prints
    "ok   NAME: (N events)" or "FAIL NAME:" and its problems; exit 1 if any failed."""
    failed = False
    with open(list_file) as f:
        entries = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    for name, trace, *rest in entries:
        problems, n = check_file(trace, rest[0] if rest else None)
        if problems:
            failed = True
            print(f"FAIL {name}:")
            for p in problems[:20]:
                print(f"{trace}: {p}")
            if len(problems) > 20:
                print(f"{trace}: ... and {len(problems) - 20} more")
        else:
            print(f"ok   {name}: ({n} events)")
    return 1 if failed else 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--batch":
        return batch(sys.argv[2])
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1]) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print(f"{sys.argv[1]}: {e}")
        return 1
    lines = None
    if len(sys.argv) == 3:
        with open(sys.argv[2]) as f:
            lines = f.readlines()
    problems = check(doc, lines)
    for p in problems[:20]:
        print(f"{sys.argv[1]}: {p}")
    if len(problems) > 20:
        print(f"{sys.argv[1]}: ... and {len(problems) - 20} more")
    if not problems:
        n = len(doc["traceEvents"] if isinstance(doc, dict) else doc)
        print(f"{sys.argv[1]}: ok ({n} events)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
