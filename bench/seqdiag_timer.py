"""Time seqdiag 3.0.0 in-process (text -> SVG string), run inside the peers' venv.

Called by bench/run.py with the peers' interpreter (a venv under bench/.peers/, made from
the interpreter that runs the bench); prints one JSON object per file. Each render does
what ``seqdiag -Tsvg`` does after reading its options: parse -> build the screen model ->
draw -> serialise the SVG (kept in memory). Imports and the font map are made once,
outside the timed loop, so this is seqdiag's warm cost, the same method as the peers'
harness (../shared/peers/README.md).

usage: seqdiag_timer.py --out DIR [--warmup W] [--min-iters N] [--min-seconds S]
                        [--max-seconds S] FILE.diag ...
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--out", required=True, help="folder for the SVG of each file")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--min-iters", type=int, default=10)
    ap.add_argument("--min-seconds", type=float, default=2.0)
    ap.add_argument("--max-seconds", type=float, default=60.0,
                    help="stop adding renders past this (at least one is timed)")
    a = ap.parse_args()

    from blockdiag.utils.fontmap import FontMap
    from seqdiag import builder, drawer, parser

    fontmap = FontMap()  # built-in metrics, as the CLI uses without -f

    def render(src: str) -> str:
        tree = parser.parse_string(src)
        diagram = builder.ScreenNodeBuilder.build(tree)
        draw = drawer.DiagramDraw("SVG", diagram, None, fontmap=fontmap, code=src,
                                  antialias=False, nodoctype=False, transparency=False)
        draw.draw()
        return str(draw.save())

    os.makedirs(a.out, exist_ok=True)
    for path in a.files:
        with open(path, encoding="utf-8") as f:
            src = f.read()
        t0 = time.perf_counter()
        svg = render(src)
        first = time.perf_counter() - t0
        warm = a.warmup if first * a.warmup < a.max_seconds / 4 else 0
        for _ in range(warm):
            render(src)
        times: list[float] = []
        start = time.perf_counter()
        while True:
            t0 = time.perf_counter()
            svg = render(src)
            times.append(time.perf_counter() - t0)
            spent = time.perf_counter() - start
            if spent > a.max_seconds:
                break
            if len(times) >= a.min_iters and spent >= a.min_seconds:
                break
        name = os.path.splitext(os.path.basename(path))[0]
        with open(os.path.join(a.out, name + ".svg"), "w", encoding="utf-8") as f:
            f.write(svg)
        print(json.dumps({
            "name": name,
            "n": len(times),
            "median_ms": 1000 * statistics.median(times),
            "min_ms": 1000 * min(times),
            "max_ms": 1000 * max(times),
            "svg_bytes": len(svg.encode("utf-8")),
        }), flush=True)


if __name__ == "__main__":
    main()
