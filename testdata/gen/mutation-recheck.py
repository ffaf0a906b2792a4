#!/usr/bin/env python3
"""Re-test the survivors of a gremlins run against the suite as it is now.

    python3 testdata/gen/mutation-recheck.py LOG PKG [--timeout S] [--only FILE]

LOG is a log of testdata/gen/mutation.sh (gremlins v0.6.0: lines `LIVED MUTATOR at file.go:L:C`),
PKG the package it ran on (e.g. summary, reports/stat). Each surviving mutant is applied alone,
as gremlins applies it (the operator at line L, byte column C), in a scratch copy of the module,
and the package's tests run once (`go test -count=1 -failfast ./PKG/`): a test failure or a build
failure that is not "no Go files" kills it. Prints one line per mutant (KILLED or LIVED, as
gremlins does) and a tally; the working tree is never touched. A full gremlins run re-tests every
mutant; this re-tests only those that lived, which is what tests written after a run change.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

# gremlins v0.6.0's default mutators: what each does to the operator it is reported at
SWAP = {
    "CONDITIONALS_BOUNDARY": {"<": "<=", "<=": "<", ">": ">=", ">=": ">"},
    "CONDITIONALS_NEGATION": {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"},
    "ARITHMETIC_BASE": {"+": "-", "-": "+", "*": "/", "/": "*", "%": "*"},
    "INCREMENT_DECREMENT": {"++": "--", "--": "++"},
    "INVERT_NEGATIVES": {"-": "+"},
}
OPS = sorted({op for m in SWAP.values() for op in m}, key=len, reverse=True)


def mutate(src: bytes, line: int, col: int, mutator: str) -> bytes:
    lines = src.split(b"\n")
    text = lines[line - 1]
    at = col - 1
    for op in OPS:
        b = op.encode()
        if text[at:at + len(b)] == b and op in SWAP[mutator]:
            # the longest operator there (<= before <), unless it is part of an assignment (+=)
            lines[line - 1] = text[:at] + SWAP[mutator][op].encode() + text[at + len(b):]
            return b"\n".join(lines)
    raise ValueError(f"no {mutator} operator at {line}:{col}: {text.decode(errors='replace').strip()}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("log")
    ap.add_argument("pkg")
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--only", help="re-test only the survivors in this file (e.g. judge.go)")
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    lived = []
    for m in re.finditer(r"LIVED (\w+) at (\S+?):(\d+):(\d+)", open(a.log).read()):
        if a.only in (None, m.group(2)):
            lived.append((m.group(1), m.group(2), int(m.group(3)), int(m.group(4))))
    if not lived:
        print("no survivors in", a.log, file=sys.stderr)
        return 1
    scratch = tempfile.mkdtemp(prefix="omnistat-recheck-")
    work = os.path.join(scratch, "m")
    try:
        shutil.copytree(root, work, symlinks=True, ignore=shutil.ignore_patterns(".git", ".gpu"))
        killed = 0
        for mutator, f, line, col in lived:
            path = os.path.join(work, a.pkg, f)
            orig = open(path, "rb").read()
            try:
                mutated = mutate(orig, line, col, mutator)
            except ValueError as e:
                print(f"  MOVED {mutator} at {f}:{line}:{col} ({e})")
                continue
            open(path, "wb").write(mutated)
            try:
                r = subprocess.run(["go", "test", "-count=1", "-failfast", "./" + a.pkg + "/"], cwd=work,
                                   capture_output=True, timeout=a.timeout)
                dead = r.returncode != 0
            except subprocess.TimeoutExpired:
                dead = True  # gremlins counts a timeout apart; it is not a survivor either
            finally:
                open(path, "wb").write(orig)
            killed += dead
            print(f"  {'KILLED' if dead else 'LIVED'} {mutator} at {f}:{line}:{col}", flush=True)
        print(f"re-tested {len(lived)} survivors of {a.log}: {killed} killed now, {len(lived) - killed} still live")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
