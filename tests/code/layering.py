#!/usr/bin/env python3
"""The layers of core/ hold because the build enforces them (issue 19, item 5).

Each folder of core/ is one CMake target (core/CMakeLists.txt), whose include directory
exposes only its own folders; a target sees the headers of the targets it links, and of
what those link PUBLIC, and nothing else. This test compiles, with each target's own
compile command from compile_commands.json (the command the build runs for its files), a
probe that includes one header of every folder in turn, and checks that exactly the
folders LAYERS below allows are found: a folder above the target, beside it, or reached
only through another target's PRIVATE dependency is "No such file or directory", and
every folder it depends on is found (so that the check cannot pass by finding nothing).

LAYERS is the layering docs/design.md draws, bottom to top: a target may depend only on
targets above it in this list, so that no dependency runs back up; a folder of core/
that is not in it fails the test.

usage: layering.py BUILD_DIR SOURCE_DIR
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

# target: (folder, PUBLIC dependencies, PRIVATE dependencies), bottom to top.
LAYERS = {
    "elt_common": ("common", [], []),
    "elt_clock": ("clock", ["elt_common"], []),
    "elt_timers": ("timers", ["elt_common"], []),
    "elt_channel": ("channel", ["elt_clock", "elt_common"], []),
    "elt_fs": ("fs", [], []),
    "elt_sandbox": ("sandbox", [], []),
    "elt_trace": ("trace", ["elt_common"], ["elt_clock"]),
    "elt_pool": ("pool", ["elt_clock", "elt_common"], ["elt_channel", "elt_trace"]),
    "elt_http": ("http", ["elt_common"], ["elt_clock"]),
    "elt_poller": ("poller", ["elt_channel", "elt_clock", "elt_common", "elt_http"], ["elt_trace"]),
    "elt_loop": ("loop", ["elt_channel", "elt_common", "elt_http", "elt_pool", "elt_timers", "elt_trace"],
                 ["elt_clock", "elt_fs", "elt_poller"]),
    "elt_modules": ("modules", [], ["elt_loop", "elt_clock", "elt_common", "elt_fs", "elt_http", "elt_poller",
                                    "elt_pool", "elt_trace"]),
    "elt_scenario": ("scenario", ["elt_common", "elt_loop"], ["elt_http", "elt_modules", "elt_trace"]),
    "elt_grade": ("grade", ["elt_trace"], ["elt_clock", "elt_common"]),
    "elt_step": ("step", ["elt_common", "elt_loop", "elt_scenario", "elt_trace"], ["elt_modules"]),
    "elt_explore": ("explore", ["elt_loop", "elt_scenario"], ["elt_clock", "elt_common", "elt_trace"]),
    "elt_js": ("js", ["elt_scenario"], ["elt_clock", "elt_common", "elt_sandbox"]),
    "elt_export": ("export", ["elt_scenario"], ["elt_clock", "elt_grade", "elt_http", "elt_js", "elt_sandbox",
                                                "elt_trace"]),
}


def exported(target):
    """The targets whose headers a target that links `target` sees: it and its PUBLIC closure."""
    seen, todo = set(), [target]
    while todo:
        t = todo.pop()
        if t not in seen:
            seen.add(t)
            todo.extend(LAYERS[t][1])
    return seen


def visible(target):
    _, public, private = LAYERS[target]
    folders = set()
    for t in [target] + public + private:
        folders |= {LAYERS[u][0] for u in exported(t)}
    return folders


def spec_problems(core):
    problems = []
    order = list(LAYERS)
    for target, (folder, public, private) in LAYERS.items():
        for dep in public + private:
            if order.index(dep) >= order.index(target):
                problems.append(f"{target} depends on {dep}, which is not below it in LAYERS")
    folders = {f for f in os.listdir(core) if os.path.isdir(os.path.join(core, f))}
    for folder in sorted(folders - {f for f, _, _ in LAYERS.values()}):
        problems.append(f"core/{folder}/ is in no layer: give it a target (core/CMakeLists.txt) and a line in LAYERS")
    return problems


def compile_commands(build):
    """target -> the argument list of one of its compile commands, as the build runs it."""
    with open(os.path.join(build, "compile_commands.json")) as f:
        entries = json.load(f)
    commands = {}
    for entry in entries:
        args = entry.get("arguments") or shlex.split(entry["command"])
        for target in LAYERS:
            if f"CMakeFiles/{target}.dir/" in entry.get("output", "") + " ".join(args):
                commands.setdefault(target, (entry["directory"], args))
    return commands


def probe_command(args, probe):
    """The target's command with its source and outputs replaced: preprocess `probe` only."""
    out, skip = [], False
    for i, a in enumerate(args):
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
            continue
        if a in ("-c", "-MD", "-MMD") or (i == 0 and a.endswith("ccache")):
            continue
        if not a.startswith("-") and a.endswith((".cpp", ".cxx", ".cc")):
            continue
        out.append(a)
    return out + ["-E", "-o", os.devnull, probe]


def one_header(core, folder):
    headers = sorted(f for f in os.listdir(os.path.join(core, folder)) if f.endswith(".h"))
    return f"{folder}/{headers[0]}" if headers else None


def try_include(directory, args, headers, tmp, name):
    probe = os.path.join(tmp, name + ".cpp")
    with open(probe, "w") as f:
        f.writelines(f'#include "{h}"\n' for h in headers)
    run = subprocess.run(probe_command(args, probe), cwd=directory, capture_output=True, text=True)
    return run.returncode, run.stderr


def check_target(target, command, core, tmp):
    directory, args = command
    allowed = visible(target)
    problems = []
    # Everything the target may see, in one probe (a failure is then looked at one by one).
    shown = [h for f in sorted(allowed) if (h := one_header(core, f))]
    rc, err = try_include(directory, args, shown, tmp, target + "_allowed")
    if rc != 0:
        for h in shown:
            rc1, err1 = try_include(directory, args, [h], tmp, target + "_one")
            if rc1 != 0:
                problems.append(f"{target} cannot include {h}, a layer it depends on:\n{err1.strip()}")
    # Every other folder, one probe each: it must not be found.
    for folder in sorted({f for f, _, _ in LAYERS.values()} - allowed):
        h = one_header(core, folder)
        if h is None:
            continue
        rc, err = try_include(directory, args, [h], tmp, target + "_" + folder)
        if rc == 0:
            problems.append(f"{target} can include {h}: core/{folder}/ is not a layer below it")
        elif "No such file or directory" not in err or h not in err:
            problems.append(f"{target}'s probe of {h} failed for another reason:\n{err.strip()}")
    return problems


def main():
    build, source = sys.argv[1], sys.argv[2]
    core = os.path.join(source, "core")
    problems = spec_problems(core)
    commands = compile_commands(build)
    with_sources = [t for t in LAYERS if any(f.endswith(".cpp") for f in os.listdir(os.path.join(core, LAYERS[t][0])))]
    for target in with_sources:
        if target not in commands:
            problems.append(f"no compile command of {target} in {build}/compile_commands.json")
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda t: check_target(t, commands[t], core, tmp), [t for t in with_sources if t in commands])
        for found in results:
            problems.extend(found)
    for p in problems:
        print("FAIL", p)
    checked = len([t for t in with_sources if t in commands])
    print(f"{checked} targets checked against {len(LAYERS)} layers: {'ok' if not problems else f'{len(problems)} problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
