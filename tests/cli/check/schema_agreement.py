#!/usr/bin/env python3
"""The JSON Schema and the tool agree (issue 12, item 6).

Runs Debian's python3-jsonschema with docs/scenario.schema.json over a valid corpus (every
scenario in the repository) and an invalid one (schema_cases.txt, the cases of bad_inputs.sh,
generated ones), runs `eventloop-trace --clock virtual --format none FILE` on each, and fails
on any case where the two verdicts differ from each other or from the case's verdict. Also
checks that validation stays fast however deep the callbacks nest: the schema dispatches on
the action's key, so a validator never backtracks through every kind of action.

A scenario is judged as the tool reads it: RFC 8259 JSON in UTF-8 without a byte-order mark,
no key twice in an object, no NaN, no lone surrogate; then the schema.

usage: schema_agreement.py EVENTLOOP_TRACE SOURCE_DIR [SCHEMA]
"""
import glob
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import jsonschema

BIN, SRC = sys.argv[1], sys.argv[2]
SCHEMA = sys.argv[3] if len(sys.argv) > 3 else os.path.join(SRC, "docs", "scenario.schema.json")
HERE = os.path.dirname(os.path.abspath(__file__))
TIME_LIMIT = 20  # seconds for one validation; the old oneOf schema took 26 s at 8 levels
FAST = 2.0       # what a nested scenario may take
schema = json.load(open(SCHEMA, encoding="utf-8"))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)


class Refused(Exception):
    pass


class TooSlow(Exception):
    pass


def on_alarm(signum, frame):
    raise TooSlow()


signal.signal(signal.SIGALRM, on_alarm)


def strict_json(data: bytes):
    if data.startswith(b"\xef\xbb\xbf"):
        raise Refused("a byte-order mark")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Refused(f"not UTF-8: {e}")

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise Refused("a key twice")
        return dict(pairs)

    def no_constants(name):
        raise Refused(f"{name} is not JSON")

    try:
        value = json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constants)
    except RecursionError:
        raise Refused("nested too deep for Python's JSON reader")
    except ValueError as e:
        raise Refused(f"not JSON: {str(e)[:80]}")
    stack = [value]
    while stack:  # strings with a lone surrogate are not Unicode text
        v = stack.pop()
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raise Refused("a lone surrogate")
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return value


def schema_verdict(data: bytes):
    """(accepted, why, seconds)"""
    start = time.monotonic()
    signal.alarm(TIME_LIMIT)
    try:
        value = strict_json(data)
        error = next(iter(validator.iter_errors(value)), None)
    except Refused as e:
        return False, str(e), time.monotonic() - start
    except RecursionError:
        return False, "nested too deep for the validator", time.monotonic() - start
    except TooSlow:
        return None, f"did not finish in {TIME_LIMIT} s", time.monotonic() - start
    finally:
        signal.alarm(0)
    seconds = time.monotonic() - start
    if error is not None:
        return False, f"{'/'.join(map(str, error.absolute_path))}: {error.message[:100]}", seconds
    return True, "", seconds


def tool_verdict(path):
    try:
        r = subprocess.run([BIN, "--clock", "virtual", "--format", "none", path], capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    if r.returncode not in (0, 2):
        return None, f"exit {r.returncode}: {r.stderr.decode(errors='replace')[:200]}"
    return r.returncode == 0, r.stderr.decode(errors="replace").strip()[:160]


def read_cases(path):
    status = "enabled"
    cases = []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("# status:"):
            status = line.split(":", 1)[1].strip()
        if not line or line.startswith("#"):
            continue
        verdict, name, text = line.split("\t", 2)
        assert verdict in ("valid", "invalid", "blind"), line
        cases.append((verdict, name, text.encode("utf-8")))
    return status, cases


def nested(depth):
    actions = [{"print": "leaf"}]
    for _ in range(depth):
        actions = [{"set_timeout": 1, "then": actions}, {"fs_read": "x", "catch": [{"print": "${error}"}]}]
    return json.dumps({"program": actions}).encode()


def generated_cases():
    """bad_inputs.sh's cases that do not fit on a line, and the deep ones."""
    yield "invalid", "empty file", b""
    yield "invalid", "white space only", b"  \n\t\n"
    yield "invalid", "byte-order mark", b'\xef\xbb\xbf{"program": []}'
    yield "invalid", "not UTF-8", b'{"program": [{"print": "\xff\xfe"}]}'
    yield "invalid", "binary garbage", bytes((i * 7919 + 13) % 256 for i in range(4096))
    yield "invalid", "nesting 100,000 deep", b'{"program": ' + b"[" * 100000
    yield "invalid", "10 MB key", b'{"program": [{"' + b"k" * 10485760 + b'": 1}]}'
    yield "invalid", "10 MB string as a delay", b'{"program": [{"set_timeout": "' + b"x" * 10485760 + b'"}]}'
    yield "valid", "callbacks 8 deep", nested(8)
    yield "valid", "callbacks 64 deep (the tool's limit)", nested(64)
    yield "blind", "callbacks 65 deep (one more than the tool allows)", nested(65)


def corpus():
    for pattern in ("scenarios/*.json", "scenarios/node/*.json", "docs/grading-example/*/*.json"):
        for path in sorted(glob.glob(os.path.join(SRC, pattern))):
            yield "valid", os.path.relpath(path, SRC), path, None, "enabled"
    status, cases = read_cases(os.path.join(HERE, "schema_cases.txt"))
    for verdict, name, data in cases:
        yield verdict, name, None, data, status
    for verdict, name, data in generated_cases():
        yield verdict, name, None, data, "enabled"
    status, cases = read_cases(os.path.join(HERE, "schema_cases_new_actions.txt"))
    for verdict, name, data in cases:
        yield verdict, "new action: " + name, None, data, status


failures, pending, slowest = 0, 0, (0.0, "")
counts = {"valid": 0, "invalid": 0, "blind": 0}
with tempfile.TemporaryDirectory() as tmp:
    for i, (verdict, name, path, data, status) in enumerate(corpus()):
        if path is None:
            path = os.path.join(tmp, f"case{i}.json")
            with open(path, "wb") as f:
                f.write(data)
        else:
            data = open(path, "rb").read()
        accepted, why, seconds = schema_verdict(data)
        if "deep" in name:
            slowest = max(slowest, (seconds, name))
        want_schema = verdict != "invalid"
        problems = []
        if accepted is None:
            problems.append(f"the schema's validation {why}")
        elif accepted != want_schema:
            problems.append(f"the schema {'accepts' if accepted else 'refuses'} it ({why or 'no error'})")
        if status == "enabled":
            tool_ok, message = tool_verdict(path)
            want_tool = verdict == "valid"
            if tool_ok is None:
                problems.append(f"the tool failed: {message}")
            elif tool_ok != want_tool:
                problems.append(f"the tool {'runs' if tool_ok else 'refuses'} it ({message or 'exit 0'})")
        else:
            pending += 1
        counts[verdict] += 1
        label = f"{verdict:7} {name[:70]}"
        if problems:
            failures += 1
            print(f"FAIL {label}: " + "; ".join(problems))
        else:
            note = "" if status == "enabled" else f" (schema only: {status})"
            print(f"ok   {label} [{seconds * 1000:.0f} ms]{note}")

print(f"{counts['valid']} valid, {counts['invalid']} invalid, {counts['blind']} beyond a schema; "
      f"{pending} checked against the schema only; slowest nested validation {slowest[0] * 1000:.0f} ms ({slowest[1]})")
if slowest[0] > FAST:
    print(f"FAIL a nested scenario took more than {FAST} s to validate: the schema backtracks")
    failures += 1
if failures:
    print(f"{failures} cases where the schema, the tool and the case disagree")
    sys.exit(1)
print("the schema and the tool agree")
