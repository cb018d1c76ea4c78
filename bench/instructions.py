"""Instructions per render, counted by valgrind: a cost measure that load does not move.

On a shared machine single timings swing by a third; the number of instructions a render
executes does not. This runs a child Python under ``valgrind --tool=callgrind`` twice,
once rendering a diagram ``n`` times after two warm-up renders and once with the warm-up
only, and reports the difference divided by ``n`` (so start-up and imports cancel out).
A change that makes mlseq cheaper shows here even when the machine is too busy for a
timing to show it. About 50x slower than a normal run: a few seconds per diagram.

    .venv/bin/python bench/instructions.py                 # b_ml, c_large, n5000
    .venv/bin/python bench/instructions.py b_ml --stage layout --root /path/to/checkout
    .venv/bin/python bench/instructions.py b_ml --stage draw --functions 20

``--root`` measures another checkout's ``core/`` (say, the previous commit in a git
worktree) with this one's diagrams, for before/after numbers; ``--python`` runs the
child on another interpreter (it needs PyYAML importable), for interpreter against
interpreter (see bench/interpreters.py for their times).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CASES = ("a_small", "b_ml", "c_large", "n5000")
DEFAULT_CASES = ("b_ml", "c_large", "n5000")
"""What runs when no case is named (a_small is the cheapest and says the least)."""
STAGES = ("render", "parse", "layout", "draw", "transcript")
"""``transcript`` (the ``<desc>`` text) is part of ``draw``."""

LOAD_MLSEQ = r"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location(
    "mlseq", root + "/core/__init__.py", submodule_search_locations=[root + "/core"])
mlseq = importlib.util.module_from_spec(spec)
sys.modules["mlseq"] = mlseq
spec.loader.exec_module(mlseq)
sys.path.insert(0, here)
import diagrams
from mlseq.options import Limits, RenderOptions
opts = RenderOptions(limits=Limits(max_bytes=10_000_000, max_statements=200_000))

def source(case):
    return diagrams.large(5000) if case == "n5000" else diagrams.peer_source(case, "mmd")
"""
"""The start of a child script that runs on any interpreter: ``mlseq`` loaded from the
checkout at ``root`` (nothing installed), the bench's ``diagrams`` from ``here``, the
bench's render options and ``source(case)``. ``root`` and ``here`` are set before it."""

CHILD = r"""
import sys
root, case, stage, n, here = (sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]),
                              sys.argv[5])
""" + LOAD_MLSEQ + r"""
from mlseq import layout, parser, svg
from mlseq.transcript import transcript
text = source(case)
d = parser.parse(text, limits=opts.limits)
g = layout.layout(d, opts)
run = {
    "render": lambda: mlseq.render(text, options=opts),
    "parse": lambda: parser.parse(text, limits=opts.limits),
    "layout": lambda: layout.layout(d, opts),
    "draw": lambda: svg.draw(d, g, opts),
    "transcript": lambda: transcript(d),
}[stage]
run(); run()
for _ in range(n):
    run()
"""


def count(root: Path, case: str, stage: str, n: int, python: str = sys.executable,
          out_file: str = "/dev/null") -> int:
    """Instructions of the child process (callgrind's total ``Ir``)."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", python,
         "-c", CHILD, str(root), case, stage, str(n), str(HERE)],
        capture_output=True, text=True, env=env, check=True, timeout=1800)
    found = re.search(r"Collected\s*:\s*(\d+)", result.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count from valgrind:\n{result.stderr[-2000:]}")
    return int(found.group(1))


_ANNOTATED = re.compile(r"\s*([\d,]+) \([ \d.]+%\)\s+(\S.*?)(?: \[.*\])?$")


def _by_function(path: str) -> dict[str, int]:
    """callgrind_annotate's self cost per C function (file names dropped)."""
    shown = subprocess.run(["callgrind_annotate", "--threshold=100", path],
                           capture_output=True, text=True, check=True).stdout
    out: dict[str, int] = {}
    for line in shown.splitlines():
        m = _ANNOTATED.match(line)
        if m and "PROGRAM TOTALS" not in line:
            name = m.group(2).rsplit(":", 1)[-1]
            out[name] = out.get(name, 0) + int(m.group(1).replace(",", ""))
    return out


def by_function(root: Path, case: str, stage: str = "render", n: int = 20,
                python: str = sys.executable) -> tuple[float, list[tuple[str, float]]]:
    """Instructions per call of ``stage``, and in each C function of the interpreter (the
    run of ``n`` calls minus the run of none), most first. It shows what the Python
    profile hides: time in the regular-expression engine, string searches, dictionaries,
    frames."""
    with tempfile.TemporaryDirectory() as tmp:
        totals = []
        runs = []
        for calls in (n, 0):
            path = f"{tmp}/callgrind.{calls}"
            totals.append(count(root, case, stage, calls, python, out_file=path))
            runs.append(_by_function(path))
    full, base = runs
    diff = {k: (full.get(k, 0) - base.get(k, 0)) / n for k in full.keys() | base.keys()}
    return (totals[0] - totals[1]) / n, sorted(diff.items(), key=lambda kv: -kv[1])


def per_render(root: Path, case: str, stage: str = "render", n: int | None = None,
               python: str = sys.executable) -> float:
    """Millions of instructions per call of ``stage`` on ``case``."""
    if n is None:
        n = 1 if case == "n5000" else (3 if case == "c_large" else 10)
    return (count(root, case, stage, n, python) - count(root, case, stage, 0, python)) / n / 1e6


def available() -> bool:
    return shutil.which("valgrind") is not None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # No ``choices=``: argparse (3.11) checks a ``nargs="*"`` default list against them
    # as one value, and refused to run without arguments.
    ap.add_argument("cases", nargs="*", metavar="CASE",
                    help=f"any of {', '.join(CASES)} (default: {' '.join(DEFAULT_CASES)})")
    ap.add_argument("--stage", choices=STAGES, default="render")
    ap.add_argument("--root", type=Path, default=ROOT, help="checkout whose core/ is measured")
    ap.add_argument("--python", default=sys.executable, help="interpreter to run it on")
    ap.add_argument("--functions", type=int, default=0, metavar="N",
                    help="also list the N C functions that cost the most per call")
    args = ap.parse_args()
    unknown = [case for case in args.cases if case not in CASES]
    if unknown:
        ap.error(f"unknown case {unknown[0]!r} (choose from {', '.join(CASES)})")
    cases = args.cases or list(DEFAULT_CASES)
    if not available():
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    for case in cases:
        if not args.functions:
            m = per_render(args.root, case, args.stage, python=args.python)
            print(f"{case:8s} {args.stage:7s} {m:10.2f} M instructions per call", flush=True)
            continue
        # The same two runs give the total and the split by function.
        total, costs = by_function(args.root, case, args.stage, python=args.python)
        print(f"{case:8s} {args.stage:7s} {total / 1e6:10.2f} M instructions per call",
              flush=True)
        for name, cost in costs[:args.functions]:
            print(f"    {cost / 1e3:9.1f} k  {100 * cost / total:5.1f} %  {name}", flush=True)


if __name__ == "__main__":
    main()
