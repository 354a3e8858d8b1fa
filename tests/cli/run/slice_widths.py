#!/usr/bin/env python3
"""Slice widths in a --format chrome file, as Perfetto will draw them.

    slice_widths.py virtual TRACE.json RUN.jsonl
    slice_widths.py real TRACE.json

virtual: on the virtual clock most work takes no time, so the file must stretch it
(core/trace/chrome.h, ChromeTime::Stretched): otherData.stretch.us_per_event is a step S
of at least 1 us; every B/E pair is at least half a step wide (none is a sliver of zero
width); every B and instant keeps its exact time in args.virtual_us, a time the jsonl of the
same run has (the run's own clock, unstretched); the drawn time minus the exact time is a
whole number of steps that never decreases in the file's order.
real: no stretch at all: no otherData.stretch, no args.virtual_us (the real clock's
durations are the real ones).
Exit 0 when all holds, else 1 with one line per problem (at most 10).
"""
import json
import math
import sys
from collections import defaultdict


def widths(events):
    """(name, width) of every B/E pair, per thread as a stack."""
    stacks, out = defaultdict(list), []
    for e in events:
        if e["ph"] == "B":
            stacks[e["tid"]].append(e)
        elif e["ph"] == "E":
            b = stacks[e["tid"]].pop()
            out.append((b["name"], e["ts"] - b["ts"]))
    return out


def check_virtual(doc, jsonl):
    problems = []
    stretch = doc.get("otherData", {}).get("stretch")
    events = doc["traceEvents"]
    if not stretch or not isinstance(stretch.get("us_per_event"), int) or stretch["us_per_event"] < 1:
        zero = [n for n, w in widths(events) if w <= 0]
        return [f"otherData.stretch.us_per_event missing or below 1: {stretch!r}",
                f"{len(zero)} of {len(widths(events))} slices have zero width: {zero[:5]}"]
    step = stretch["us_per_event"]
    thin = [(n, w) for n, w in widths(events) if w < step / 2 - 1e-6]
    if thin:
        problems.append(f"{len(thin)} of {len(widths(events))} slices narrower than half a step ({step} us): {thin[:5]}")
    exact = [e for e in events if e["ph"] in ("B", "i")]
    missing = [e["name"] for e in exact if "virtual_us" not in e.get("args", {})]
    if missing:
        problems.append(f"{len(missing)} slices or instants without args.virtual_us: {missing[:5]}")
        return problems
    # jsonl gives whole microseconds (cut, not rounded); the chrome file nanoseconds, which
    # the node model's costs (loop/costs.h) make fractional.
    run_times = {int(r["time_us"]) for r in jsonl}
    for e in exact:
        if math.floor(e["args"]["virtual_us"] + 1e-6) not in run_times:
            problems.append(f"{e['name']}: virtual_us {e['args']['virtual_us']} is no time of the run")
            break
    previous = -1
    for e in exact:
        steps = (e["ts"] - e["args"]["virtual_us"]) / step
        if abs(steps - round(steps)) > 1e-6 or round(steps) < previous:
            problems.append(f"{e['name']}: drawn at {e['ts']}, exact {e['args']['virtual_us']}: not whole steps on")
            break
        previous = round(steps)
    return problems


def check_real(doc):
    problems = []
    if "stretch" in doc.get("otherData", {}):
        problems.append("the real clock's file is stretched (otherData.stretch)")
    padded = [e["name"] for e in doc["traceEvents"] if "virtual_us" in e.get("args", {})]
    if padded:
        problems.append(f"{len(padded)} events of the real clock carry args.virtual_us")
    return problems


def main():
    mode, trace = sys.argv[1], sys.argv[2]
    doc = json.load(open(trace))
    if mode == "virtual":
        jsonl = [json.loads(line) for line in open(sys.argv[3]) if line.strip()]
        problems = check_virtual(doc, jsonl)
    else:
        problems = check_real(doc)
    for p in problems[:10]:
        print(f"{trace}: {p}")
    if not problems:
        n = len(widths(doc["traceEvents"]))
        print(f"{trace}: ok ({n} slices, none of zero width)" if mode == "virtual" else f"{trace}: ok (not stretched)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
