"""mlseq benchmark suite: the one command. See docs/performance.md.

    make bench                          # full run, about 15-20 minutes on 2 cores
    QUICK=1 make bench                  # smoke run, a couple of minutes
    .venv/bin/python bench/run.py [--quick] [--only render,peers,growth,docs,size,profile]

Prints medians over repeated runs and ratios taken in the same run, and writes
bench/out/<UTC stamp>/results.json and SUMMARY.md (and the peers' SVGs). Peers are
installed on demand under bench/.peers/ (seqdiag in its own venv; the Mermaid CLI with
npm, full mode only); a peer that is missing is skipped with a printed note.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import gzip
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import diagrams  # noqa: E402
import docbuilds  # noqa: E402
import instructions  # noqa: E402
import mlseq  # noqa: E402
import peers  # noqa: E402
import summary  # noqa: E402
from mlseq import layout as ml_layout  # noqa: E402
from mlseq import lexer, markup  # noqa: E402
from mlseq import metrics as ml_metrics  # noqa: E402
from mlseq import svg as ml_svg  # noqa: E402
from mlseq import theme as ml_theme  # noqa: E402
from mlseq.options import Limits, RenderOptions  # noqa: E402
from timing import quietest_median  # noqa: E402

SECTIONS = ("render", "peers", "growth", "docs", "size", "profile", "instructions")
PEER_NAMES = ("a_small", "b_ml", "c_large")
GROWTH = (10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000)
SEQDIAG_5000_S = 150.0
BIG = Limits(max_bytes=10_000_000, max_statements=200_000)


def log(msg: str = "") -> None:
    print(msg, flush=True)


def probe() -> int:
    """The machine probe: a fixed pure-Python loop, about 0.9 ms on a quiet core here
    (on pyenv's Python 3.11.7; 0.77 ms at its fastest on Debian's optimised 3.11 build,
    so compare its timings only between runs on the same interpreter).

    The shared machine runs the same code at different speeds from one minute to the
    next, and within a minute (this loop has taken 0.9 ms at its fastest and anywhere
    from 1.0 to 1.9 ms at its median). Timed among a diagram's renders, its median tells
    how fast the machine ran while they did: a render's median moves with it.
    """
    total = 0
    for i in range(20_000):
        total += i * i
    return total


PROBE_EVERY_S = 0.05
"""How often :func:`timed` runs the probe between renders. Not after every render: a
probe between every two b_ml renders made their fastest 8 % slower (about 0.1 ms each).
One every 50 ms leaves about three b_ml renders in a hundred right after a probe, which
moved neither the median nor the minimum. Not measured for the big diagrams: a
500-message render follows a probe about one time in four, a 5,000-message render every
time; at b_ml's 0.1 ms that would be about 1 % and under 0.1 % of such a render. Timed
only just before and after the renders instead, the probe missed the changes of speed
in between."""


def timed(fn: Callable[[], object], *, min_iters: int, min_seconds: float,
          max_iters: int = 100_000, probed: bool = False) -> dict[str, float]:
    """Median/min/max (ms) of ``fn`` after two warm-up calls; with ``probed``, also of
    :func:`probe`, run between the calls every :data:`PROBE_EVERY_S`."""
    fn()
    fn()
    times: list[float] = []
    probes: list[float] = []
    start = last_probe = time.perf_counter()
    while len(times) < max_iters:
        t0 = time.perf_counter()
        fn()
        t1 = time.perf_counter()
        times.append(t1 - t0)
        if probed and t1 - last_probe >= PROBE_EVERY_S:
            probe()
            last_probe = time.perf_counter()
            probes.append(last_probe - t1)
        if len(times) >= min_iters and time.perf_counter() - start >= min_seconds:
            break
    out = {"median_ms": 1000 * statistics.median(times), "min_ms": 1000 * min(times),
           "max_ms": 1000 * max(times), "quiet_ms": 1000 * quietest_median(times),
           "n": len(times)}
    if probes:
        out["probe_median_ms"] = 1000 * statistics.median(probes)
        out["probe_min_ms"] = 1000 * min(probes)
    return out


def sources() -> dict[str, dict[str, str]]:
    """name -> syntax -> text, for the peers' three diagrams and the generated 5,000."""
    out = {n: {s: diagrams.peer_source(n, s) for s in ("mmd", "diag", "puml")} for n in PEER_NAMES}
    out["n5000"] = {s: diagrams.large(5_000, s) for s in ("mmd", "diag", "puml")}
    return out


def messages_in(text: str) -> int:
    d = mlseq.parse(text, options=RenderOptions(limits=BIG))
    return sum(1 for e in d.events if type(e).__name__ == "Message")


# ----------------------------------------------------------------------------- render
def bench_render(src: dict[str, dict[str, str]], quick: bool) -> dict[str, Any]:
    opts = RenderOptions(limits=BIG)
    res: dict[str, Any] = {}
    for name, by in src.items():
        text = by["mmd"]
        big = name in ("c_large", "n5000")
        min_s = (0.3 if quick else 3.0) if not big else (0.5 if quick else 5.0)
        total = timed(lambda t=text: mlseq.render(t, options=opts),
                      min_iters=3 if quick else (10 if big else 50), min_seconds=min_s,
                      probed=True)
        phases = _phases(text, opts, min_iters=3 if quick else 10, min_seconds=min_s / 2)
        cold = _cold(text, opts, iters=3 if quick or big else 20)
        svg = mlseq.render(text, options=opts)
        res[name] = {**total, "cold_ms": cold, "phases_ms": phases,
                     "messages": messages_in(text),
                     "svg_bytes": len(svg.encode()),
                     "svg_gzip": len(gzip.compress(svg.encode(), 9))}
        log(f"  mlseq {name:8s} {res[name]['messages']:5d} msgs:"
            f" median {total['median_ms']:8.2f} ms (min {total['min_ms']:.2f}, cold {cold:.2f})"
            f" (n={total['n']}; parse {phases['parse']:.2f} / layout {phases['layout']:.2f} /"
            f" draw {phases['draw']:.2f} ms{summary.probe_load(total)})")
    return res


def clear_text_caches() -> None:
    """Forget every measurement mlseq keeps between renders (glyph runs, wrapped labels,
    formatted numbers, theme CSS), so the next render is the first of its kind."""
    ml_metrics._units.cache_clear()
    ml_metrics._wrap.cache_clear()
    ml_layout._wrap_measured.cache_clear()
    ml_svg._NUMBERS.clear()
    ml_theme.variable_css.cache_clear()


def _cold(text: str, opts: RenderOptions, *, iters: int) -> float:
    """Median ms of a render whose text mlseq has never measured (caches cleared first,
    outside the timing): a docs build's first drawing of a diagram."""
    times = []
    for _ in range(iters):
        clear_text_caches()
        t0 = time.perf_counter()
        mlseq.render(text, options=opts)
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def _phases(text: str, opts: RenderOptions, *, min_iters: int, min_seconds: float
            ) -> dict[str, float]:
    """Median ms of parse, layout and draw, each timed inside the same render (so a load
    change hits all three alike and they add up to about one render)."""
    times: dict[str, list[float]] = {"parse": [], "layout": [], "draw": []}
    start = time.perf_counter()
    for i in range(100_000):
        t0 = time.perf_counter()
        diagram = mlseq.parse(text, options=opts)
        t1 = time.perf_counter()
        geometry = ml_layout.layout(diagram, opts)
        t2 = time.perf_counter()
        ml_svg.draw(diagram, geometry, opts)
        t3 = time.perf_counter()
        if i >= 2:  # warm-up
            times["parse"].append(t1 - t0)
            times["layout"].append(t2 - t1)
            times["draw"].append(t3 - t2)
            if len(times["parse"]) >= min_iters and t3 - start >= min_seconds:
                break
    return {k: 1000 * statistics.median(v) for k, v in times.items()}


# ----------------------------------------------------------------------------- peers
def bench_peers(src: dict[str, dict[str, str]], out: Path, quick: bool) -> dict[str, Any]:
    res: dict[str, Any] = {"notes": [], "mlseq_next_to": {}}
    opts = RenderOptions(limits=BIG)

    def mlseq_again(tool: str, names: list[str]) -> None:
        """mlseq timed again right after a peer, so the ratio compares two measurements
        taken minutes apart at most (the machine's load drifts)."""
        res["mlseq_next_to"][tool] = {
            n: timed(lambda t=src[n]["mmd"]: mlseq.render(t, options=opts),
                     min_iters=5, min_seconds=0.3 if quick else 2.0)["median_ms"]
            for n in names}

    files = out / "sources"
    files.mkdir(parents=True, exist_ok=True)
    paths: dict[str, dict[str, Path]] = {}
    for name, by in src.items():
        for syntax, text in by.items():
            p = files / f"{name}.{syntax}"
            p.write_text(text)
            paths.setdefault(name, {})[syntax] = p

    py = peers.ensure_seqdiag()
    if py:
        log("  seqdiag in-process (warm, medians) ...")
        res["seqdiag"] = peers.seqdiag_inprocess(
            py, [paths[n]["diag"] for n in PEER_NAMES], out / "svg" / "seqdiag",
            min_iters=2 if quick else 10, min_seconds=0.3 if quick else 3.0,
            max_seconds=20 if quick else 60, timeout=600)
        if not quick:  # 5,000 messages: one render, given at most SEQDIAG_5000_S seconds
            res["seqdiag"].update(peers.seqdiag_inprocess(
                py, [paths["n5000"]["diag"]], out / "svg" / "seqdiag", min_iters=1,
                min_seconds=0, max_seconds=1, timeout=SEQDIAG_5000_S))
        mlseq_again("seqdiag", list(PEER_NAMES))
        for n, r in res["seqdiag"].items():
            if "median_ms" in r:
                log(f"  seqdiag {n:8s}: median {r['median_ms']:9.1f} ms (n={r['n']})")
    else:
        res["notes"].append("seqdiag not installed")

    if shutil.which("plantuml"):
        names = ["a_small", "b_ml"] if quick else list(PEER_NAMES)
        log("  PlantUML (Debian package): one JVM per diagram, and 20 files in one JVM ...")
        res["plantuml"] = peers.plantuml({n: paths[n]["puml"] for n in names}, out / "svg",
                                         runs=1 if quick else 5, batch_runs=1 if quick else 3)
        mlseq_again("plantuml", names)
    else:
        res["notes"].append("plantuml not installed")

    if quick:
        res["notes"].append("Mermaid CLI: full mode only")
        log("  NOTE: Mermaid CLI runs in full mode only")
    elif peers.ensure_mermaid():
        log("  Mermaid CLI (headless Chromium): per diagram and 20 in one file ...")
        res["mermaid"] = peers.mermaid({n: paths[n]["mmd"] for n in PEER_NAMES}, out / "svg",
                                       runs=3, batch_runs=1)
        mlseq_again("mermaid", list(PEER_NAMES))
    else:
        res["notes"].append("Mermaid CLI not installed")
    return res


def ratios(render: dict[str, Any], peer: dict[str, Any]) -> dict[str, Any]:
    """Peer time / mlseq time; mlseq's time is the one taken right after that peer (the
    render section's when there is none)."""
    out: dict[str, Any] = {}
    near = peer.get("mlseq_next_to", {})
    for name, ours in render.items():
        row: dict[str, float] = {}
        ms = near.get("seqdiag", {}).get(name, ours["median_ms"])
        if "median_ms" in peer.get("seqdiag", {}).get(name, {}):
            row["seqdiag_inprocess"] = peer["seqdiag"][name]["median_ms"] / ms
        for tool in ("plantuml", "mermaid"):
            ms = near.get(tool, {}).get(name, ours["median_ms"])
            if name in peer.get(tool, {}):
                r = peer[tool][name]
                row[f"{tool}_per_diagram_warm"] = r["per_diagram_ms"] / ms
                row[f"{tool}_marginal"] = r["marginal_ms"] / ms
                row[f"{tool}_cli"] = 1000 * r["cli_s"] / ms
        out[name] = row
    return out


# ----------------------------------------------------------------------------- growth
def bench_growth(quick: bool) -> list[dict[str, float]]:
    opts = RenderOptions(limits=BIG)
    rows = []
    sizes = [n for n in GROWTH if n <= (5_000 if quick else 20_000)]
    for n in sizes:
        text = diagrams.large(n)
        budget = 0.2 if quick else (1.5 if n < 5_000 else 4.0)
        t = timed(lambda t=text: mlseq.render(t, options=opts),
                  min_iters=3 if n >= 5_000 else 5, min_seconds=budget)
        # Cold too: a big diagram's labels outgrow the bounded measurement caches, so
        # repeated renders of it are partly cold anyway; cold renders compare alike.
        cold = _cold(text, opts, iters=3 if n >= 5_000 else 5)
        gc.collect()
        tracemalloc.start()
        svg = mlseq.render(text, options=opts)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append({"messages": n, "median_ms": t["median_ms"], "n": t["n"],
                     "us_per_message": 1000 * t["median_ms"] / n, "cold_ms": cold,
                     "cold_us_per_message": 1000 * cold / n, "peak_bytes": peak,
                     "peak_bytes_per_message": peak / n, "svg_bytes": len(svg.encode())})
        log(f"  {n:6d} msgs: {t['median_ms']:9.2f} ms  {1000 * t['median_ms'] / n:7.1f} us/msg"
            f"  cold {cold:9.2f} ms {1000 * cold / n:7.1f} us/msg"
            f"  peak {peak / 2**20:7.1f} MiB ({peak / n / 1024:5.1f} KiB/msg)"
            f"  svg {len(svg.encode()) / n:5.0f} B/msg")
    return rows


# ----------------------------------------------------------------------------- size
def bench_size(src: dict[str, dict[str, str]], render: dict[str, Any], peer: dict[str, Any],
               out: Path) -> dict[str, Any]:
    def gz(b: bytes) -> int:
        return len(gzip.compress(b, 9))

    res: dict[str, Any] = {"per_diagram": {}, "page": {}}
    for name in PEER_NAMES:
        text = src[name]["mmd"]
        msgs = render.get(name, {}).get("messages") or messages_in(text)
        standalone = mlseq.render(text).encode()
        inline = mlseq.render(text, css=False).encode()
        row: dict[str, Any] = {"messages": msgs,
                               "mlseq": [len(standalone), gz(standalone)],
                               "mlseq_inline": [len(inline), gz(inline)]}
        for tool, folder in (("seqdiag", "seqdiag"), ("plantuml", "plantuml"),
                             ("mermaid", "mermaid")):
            f = out / "svg" / folder / f"{name}.svg"
            if f.exists() and f.stat().st_size:
                b = f.read_bytes()
                row[tool] = [len(b), gz(b)]
        res["per_diagram"][name] = row
    # A page with 10 diagrams (b_ml-like, distinct titles): inline SVG + stylesheet once,
    # versus Mermaid's client-side rendering (10 source blocks + mermaid.min.js).
    blocks = [src["b_ml"]["mmd"].replace("sequenceDiagram", f"sequenceDiagram\n  title ML {i}", 1)
              for i in range(10)]
    css = mlseq.stylesheet().encode()
    svgs = b"".join(mlseq.render(b, css=False).encode() for b in blocks)
    ours = css + svgs
    sources_b = "".join(f'<pre class="mermaid">{b}</pre>' for b in blocks).encode()
    if peers.MERMAID_JS.exists():
        js = peers.MERMAID_JS.read_bytes()
        js_src = "measured: " + str(peers.MERMAID_JS.relative_to(ROOT))
        js_raw, js_gz = len(js), gz(js)
    else:
        js_raw, js_gz, js_src = 3_572_661, 975_709, "quoted from shared/peers/RESULTS-2026-11-26.md"
    res["page"] = {
        "diagrams": 10,
        "mlseq_bytes": len(ours), "mlseq_gzip": gz(ours), "mlseq_script_bytes": 0,
        "mermaid_bytes": len(sources_b) + js_raw, "mermaid_gzip": gz(sources_b) + js_gz,
        "mermaid_script_bytes": js_raw, "mermaid_script_gzip": js_gz, "mermaid_js": js_src,
    }
    for name, row in res["per_diagram"].items():
        cells = "  ".join(f"{k} {v[0]:,} B ({v[0] / row['messages']:.0f} B/msg, gz {v[1]:,})"
                          for k, v in row.items() if k != "messages")
        log(f"  {name}: {cells}")
    p = res["page"]
    log(f"  page with 10 diagrams: mlseq {p['mlseq_bytes']:,} B (gz {p['mlseq_gzip']:,}), "
        f"0 script bytes; Mermaid {p['mermaid_bytes']:,} B (gz {p['mermaid_gzip']:,}) of which "
        f"script {p['mermaid_script_bytes']:,} B ({p['mermaid_js']})")
    return res


# ----------------------------------------------------------------------------- profile
def breakdown(text: str, opts: RenderOptions, min_seconds: float) -> dict[str, float]:
    """Median ms of the pieces of a render (no profiler, so no per-call overhead skews the
    shares). The pieces are timed in turn inside each round, so load drifts hit all."""
    from mlseq.transcript import transcript

    diagram = mlseq.parse(text, options=opts)
    geometry = ml_layout.layout(diagram, opts)
    desc = transcript(diagram)
    pieces: dict[str, Callable[[], object]] = {
        "lexer.split": lambda: lexer.split(text),
        "parse (whole)": lambda: mlseq.parse(text, options=opts),
        "layout.layout": lambda: ml_layout.layout(diagram, opts),
        "transcript (for <desc>)": lambda: transcript(diagram),
        "markup.escape of <desc>": lambda: markup.escape(desc),
        "svg.draw (whole)": lambda: ml_svg.draw(diagram, geometry, opts),
    }
    times: dict[str, list[float]] = {k: [] for k in pieces}
    start = time.perf_counter()
    rounds = 0
    while rounds < 7 or time.perf_counter() - start < min_seconds:
        for key, fn in pieces.items():
            t0 = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - t0)
        rounds += 1
    med = {k: 1000 * statistics.median(v[2:]) for k, v in times.items()}
    return {
        "lexer.split": med["lexer.split"],
        "parser (statements -> model)": med["parse (whole)"] - med["lexer.split"],
        "layout.layout": med["layout.layout"],
        "transcript (for <desc>)": med["transcript (for <desc>)"],
        "markup.escape of <desc>": med["markup.escape of <desc>"],
        "svg.draw, the rest": med["svg.draw (whole)"] - med["transcript (for <desc>)"]
        - med["markup.escape of <desc>"],
    }


def bench_profile(src: dict[str, dict[str, str]], quick: bool, out: Path) -> dict[str, Any]:
    opts = RenderOptions(limits=BIG)
    res: dict[str, Any] = {}
    for name in (["c_large"] if quick else ["c_large", "n5000"]):
        text = src[name]["mmd"]
        mlseq.render(text, options=opts)
        prof = cProfile.Profile()
        reps = 3 if name == "c_large" else 1
        prof.enable()
        for _ in range(reps):
            mlseq.render(text, options=opts)
        prof.disable()
        stats = pstats.Stats(prof)
        total = stats.total_tt  # type: ignore[attr-defined]
        rows = []
        for (file, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
            short = file.replace(str(ROOT) + "/", "")
            rows.append({"function": f"{short}:{line}({func})", "calls": nc // reps,
                         "self_share": tt / total, "cum_share": ct / total})
        rows.sort(key=lambda r: -r["self_share"])
        by_module: dict[str, float] = {}
        for r in rows:
            mod = r["function"].split(":")[0]
            mod = mod if mod.startswith("core/") else "(builtins/stdlib)"
            by_module[mod] = by_module.get(mod, 0.0) + r["self_share"]
        stats.dump_stats(str(out / f"profile-{name}.pstats"))
        res[name] = {"top": rows[:15], "by_module": dict(sorted(by_module.items(),
                                                              key=lambda kv: -kv[1]))}
        log(f"  cProfile {name} (self time share, top 8):")
        for r in rows[:8]:
            log(f"    {100 * r['self_share']:5.1f} %  {r['calls']:7d} calls  {r['function']}")
        log("    by module: " + ", ".join(f"{m} {100 * s:.0f} %" for m, s in
                                          list(res[name]["by_module"].items())[:6]))
    # Where the time goes, without a profiler's distortion.
    res["breakdown"] = {}
    for name in ("b_ml", "c_large") + (() if quick else ("n5000",)):
        parts = breakdown(src[name]["mmd"], opts, 0.2 if quick else 1.0)
        res["breakdown"][name] = parts
        whole = sum(parts.values())
        log(f"  breakdown {name}: " + ", ".join(
            f"{k} {v:.2f} ms ({100 * v / whole:.0f} %)" for k, v in parts.items()))
    return res


# ----------------------------------------------------------------------------- main
def environment() -> dict[str, Any]:
    def sh(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, text=True, capture_output=True, cwd=ROOT,
                                  check=False).stdout.strip()
        except OSError:
            return ""

    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "0")
    return {
        "date_utc": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "host": f"{os.cpu_count()} cpus, {int(mem) // 2**20} GiB, {cpu}",
        "python": f"{platform.python_version()} ({peers.base_interpreter()})",
        "mlseq": mlseq.__version__,
        "git": sh(["git", "rev-parse", "--short", "HEAD"]) + (
            " (dirty)" if sh(["git", "status", "--porcelain", "--", "core"]) else ""),
        "loadavg_start": Path("/proc/loadavg").read_text().strip(),
    }


# ----------------------------------------------------------------------------- instructions
def bench_instructions(quick: bool) -> dict[str, Any]:
    """Instructions per render (valgrind): the cost measure load does not move."""
    if not instructions.available():
        log("  valgrind not installed: skipped (apt-get install valgrind)")
        return {}
    res: dict[str, Any] = {}
    for name in (["b_ml"] if quick else ["a_small", "b_ml", "c_large", "n5000"]):
        res[name] = instructions.per_render(ROOT, name)
        log(f"  {name:8s} {res[name]:9.2f} M instructions per render")
    # Where the cost goes, by stage: counted, so a slow spell of the machine cannot skew
    # one part (the timed breakdown in ``profile`` subtracts medians of separate calls).
    # Not for 5,000 messages: its split is c_large's within a point or two, and counting it
    # under valgrind takes ten minutes.
    res["stages"] = {}
    for name in ([] if quick else ["b_ml", "c_large"]):
        parts = {stage: instructions.per_render(ROOT, name, stage)
                 for stage in ("parse", "layout", "draw", "transcript")}
        res["stages"][name] = parts
        log(f"  {name:8s} " + ", ".join(f"{k} {v:.2f} M" for k, v in parts.items())
            + " (transcript is part of draw)")
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", default=bool(os.environ.get("QUICK")),
                    help="smoke run (also QUICK=1): fewer repeats, no Mermaid CLI")
    ap.add_argument("--only", default=",".join(SECTIONS),
                    help="comma-separated sections: " + ",".join(SECTIONS))
    ap.add_argument("--out", type=Path, default=None, help="results folder")
    ap.add_argument("--chart", action="store_true",
                    help="also redraw docs/img/perf-*.svg from this run")
    a = ap.parse_args()
    only = set(a.only.split(","))
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = a.out or HERE / "out" / (stamp + ("-quick" if a.quick else ""))
    out.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    res: dict[str, Any] = {"mode": "quick" if a.quick else "full", "env": environment()}
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    log(f"mlseq bench ({res['mode']}) -> {shown}")
    log("  " + " | ".join(f"{k}: {v}" for k, v in res["env"].items()))
    src = sources()

    def section(name: str, fn: Callable[[], Any]) -> None:
        if name not in only:
            return
        log(f"\n== {name}")
        t0 = time.perf_counter()
        res[name] = fn()
        res.setdefault("seconds", {})[name] = time.perf_counter() - t0
        (out / "results.json").write_text(json.dumps(res, indent=1, default=str))

    section("render", lambda: bench_render(src, a.quick))
    section("peers", lambda: bench_peers(src, out, a.quick))
    if "render" in res and "peers" in res:
        res["ratios"] = ratios(res["render"], res["peers"])
        log("\n== ratios (peer time / mlseq time, same run)")
        for name, row in res["ratios"].items():
            if row:
                log(f"  {name:8s} " + "  ".join(f"{k} x{v:,.0f}" for k, v in row.items()))
    section("growth", lambda: bench_growth(a.quick))
    section("docs", lambda: {
        "sphinx": docbuilds.sphinx(out / "docs", runs=1 if a.quick else 3, log=log),
        "mkdocs": docbuilds.mkdocs(out / "docs", runs=1 if a.quick else 3, log=log),
    })
    section("size", lambda: bench_size(src, res.get("render", {}), res.get("peers", {}), out))
    section("profile", lambda: bench_profile(src, a.quick, out))
    section("instructions", lambda: bench_instructions(a.quick))
    res["env"]["loadavg_end"] = Path("/proc/loadavg").read_text().strip()
    res["env"]["peers"] = peers.versions()
    res["env"]["wall_s"] = time.perf_counter() - t_start
    (out / "results.json").write_text(json.dumps(res, indent=1, default=str))
    (out / "SUMMARY.md").write_text(summary.markdown(res))
    if a.chart:
        import chart

        for path in chart.write_all(res, ROOT / "docs" / "img"):
            log(f"  chart: {path.relative_to(ROOT)}")
    shutil.rmtree(out / "docs", ignore_errors=True)  # generated projects: large, rebuildable
    log(f"\ndone in {res['env']['wall_s'] / 60:.1f} min: {out / 'SUMMARY.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
