"""The same renders timed on several Python interpreters, in alternating rounds.

How fast mlseq draws depends on the interpreter's build as much as on its version: on
the bench machine, Debian's own python3.11 (built with link-time and profile-guided
optimisation) renders the ML diagram about a fifth faster than pyenv's 3.11.7 (built
without either). Timings on the shared machine swing with its load from one minute to
the next, so the interpreters take turns: each round runs every interpreter once, and
every diagram's renders of one round are timed within a few seconds of each other's.

    .venv/bin/python bench/interpreters.py /usr/bin/python3.11 .venv/bin/python
    .venv/bin/python bench/interpreters.py --rounds 5 --seconds 3 PY1 PY2 PY3

Each interpreter loads ``mlseq`` from this checkout's ``core/`` (nothing is installed
into it); it needs only PyYAML importable. One that cannot run the child is reported
and left out. Prints, per interpreter and diagram, the median of the rounds' medians,
the range of the medians, the median of the quietest stretch (the renders of about 50 ms
in a row with the lowest median: what the median is while the shared machine runs at
full speed, which it does for a tenth of a second here and there) and the fastest render
of all rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from instructions import LOAD_MLSEQ

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CASES = ("b_ml", "c_large", "n5000")

CHILD = r"""
import json, platform, statistics, sys, time
root, here, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
""" + LOAD_MLSEQ + r"""
from timing import quietest_median
out = {"python": platform.python_version(), "cases": {}}
for case in sys.argv[4:]:
    text = source(case)
    mlseq.render(text, options=opts)
    mlseq.render(text, options=opts)
    times = []
    end = time.perf_counter() + seconds
    while len(times) < 5 or time.perf_counter() < end:
        t0 = time.perf_counter()
        mlseq.render(text, options=opts)
        times.append(time.perf_counter() - t0)
    out["cases"][case] = {"median_ms": 1000 * statistics.median(times),
                          "min_ms": 1000 * min(times),
                          "quiet_ms": 1000 * quietest_median(times),
                          "n": len(times)}
print(json.dumps(out))
"""


def run_child(python: str, cases: list[str], seconds: float) -> dict[str, Any]:
    """One round on one interpreter: ``{"python": version, "cases": {case: times}}``."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run([python, "-c", CHILD, str(ROOT), str(HERE), str(seconds), *cases],
                          capture_output=True, text=True, env=env, check=False, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip()
                           else f"exit status {done.returncode}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pythons", nargs="+", help="interpreters to compare (paths or names)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=2.0,
                    help="timed seconds per diagram and round (at least 5 renders)")
    ap.add_argument("--cases", default=",".join(CASES),
                    help=f"comma-separated, from {', '.join(CASES)}")
    a = ap.parse_args(argv)
    cases = [c for c in a.cases.split(",") if c]
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        ap.error(f"unknown case(s): {', '.join(unknown)}")
    runs: dict[str, list[dict[str, Any]]] = {py: [] for py in a.pythons}
    versions: dict[str, str] = {}
    for r in range(a.rounds):
        for py in list(runs):
            try:
                res = run_child(py, cases, a.seconds)
            except (OSError, RuntimeError, subprocess.TimeoutExpired, ValueError) as exc:
                print(f"  {py}: left out ({exc})", flush=True)
                del runs[py]
                continue
            versions[py] = str(res["python"])
            runs[py].append(res)
            times = res["cases"]
            print(f"  round {r + 1} {py} ({versions[py]}): " + "  ".join(
                f"{c} {times[c]['median_ms']:.2f} ms (min {times[c]['min_ms']:.2f})"
                for c in cases), flush=True)
    if not runs:
        return 1
    print()
    print("| interpreter | " + " | ".join(cases) + " |")
    print("|---|" + "---:|" * len(cases))
    for py, rounds in runs.items():
        cells = []
        for c in cases:
            medians = [rd["cases"][c]["median_ms"] for rd in rounds]
            mins = [rd["cases"][c]["min_ms"] for rd in rounds]
            quiet = [rd["cases"][c]["quiet_ms"] for rd in rounds]
            cells.append(f"{statistics.median(medians):.2f} ms ({min(medians):.2f}-"
                         f"{max(medians):.2f}; quietest stretch {min(quiet):.2f}; "
                         f"fastest {min(mins):.2f})")
        print(f"| {py} ({versions[py]}) | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
