"""Charts for docs/performance.md, drawn as plain SVG from a run's results.json.

    .venv/bin/python bench/chart.py bench/out/<stamp>/results.json   # -> docs/img/perf-*.svg

(or ``bench/run.py --chart``). No plotting library: two small charts with log axes.
"""

from __future__ import annotations

import json
import math
import sys
from html import escape
from pathlib import Path
from typing import Any

FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
COLORS = {"mlseq": "#1f6feb", "seqdiag": "#b35900", "PlantUML": "#2e7d32", "Mermaid CLI": "#8e24aa"}


def _fmt_ms(v: float) -> str:
    if v >= 1000:
        return f"{v / 1000:.2g} s" if v < 10_000 else f"{v / 1000:.0f} s"
    if v >= 10:
        return f"{v:.0f} ms"
    return f"{v:.2g} ms"


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
            f'font-family="{FONT}" font-size="13">'
            f"<title>{escape(title)}</title>"
            f'<rect width="{width}" height="{height}" fill="#fff"/>' + "".join(body) + "</svg>\n")


def render_chart(res: dict[str, Any]) -> str:
    """Horizontal bars on a log axis: warm time per diagram, mlseq vs the peers."""
    r, p = res["render"], res.get("peers", {})
    groups = []
    for name, label in (("a_small", "small (6 messages)"), ("b_ml", "ML workflow (32 messages)"),
                        ("c_large", "500 messages"), ("n5000", "5,000 messages")):
        if name not in r:
            continue
        bars = [("mlseq", r[name]["median_ms"])]
        sq = p.get("seqdiag", {}).get(name, {})
        if "median_ms" in sq:
            bars.append(("seqdiag", sq["median_ms"]))
        elif "timed_out_s" in sq:  # drawn to the time it was given, labelled as stopped
            bars.append(("seqdiag", -1000 * sq["timed_out_s"]))
        if name in p.get("plantuml", {}):
            bars.append(("PlantUML", p["plantuml"][name]["per_diagram_ms"]))
        if name in p.get("mermaid", {}):
            bars.append(("Mermaid CLI", p["mermaid"][name]["per_diagram_ms"]))
        groups.append((label, bars))
    lo = 10 ** math.floor(math.log10(min(abs(v) for _, b in groups for _, v in b)))
    hi = 10 ** math.ceil(math.log10(max(abs(v) for _, b in groups for _, v in b)))
    left, right, bar_h, gap = 190, 250, 16, 18
    plot_w = 460
    width = left + plot_w + right
    height = 60 + sum(len(b) * bar_h + gap for _, b in groups) + 40

    def x(v: float) -> float:
        return left + plot_w * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    body = [f'<text x="{left}" y="22" font-size="15" font-weight="bold">Warm render time per '
            'diagram (median, log scale; shorter is better)</text>']
    y = 44
    decades = range(int(math.log10(lo)), int(math.log10(hi)) + 1)
    axis_top = y
    for label, bars in groups:
        body.append(f'<text x="{left - 10}" y="{y + bar_h * len(bars) / 2 + 4:.0f}" '
                    f'text-anchor="end" font-weight="bold">{escape(label)}</text>')
        for who, signed in bars:
            v = abs(signed)
            shown = _fmt_ms(v) if signed > 0 else f"> {_fmt_ms(v)}: stopped, no render finished"
            style = "" if signed > 0 else ' fill-opacity="0.35"'
            body.append(f'<rect x="{left}" y="{y}" width="{max(1.0, x(v) - left):.1f}" '
                        f'height="{bar_h - 3}" fill="{COLORS[who]}"{style}/>')
            body.append(f'<text x="{x(v) + 5:.1f}" y="{y + 11}" fill="#222">{escape(who)} '
                        f'{escape(shown)}</text>')
            y += bar_h
        y += gap
    for d in decades:
        xv = x(10 ** d)
        body.append(f'<line x1="{xv:.1f}" y1="{axis_top - 4}" x2="{xv:.1f}" y2="{y}" '
                    'stroke="#ccc" stroke-width="1"/>')
        body.append(f'<text x="{xv:.1f}" y="{y + 16}" text-anchor="middle" fill="#555">'
                    f"{_fmt_ms(10 ** d)}</text>")
    body.append(f'<text x="{left}" y="{height - 6}" fill="#555" font-size="11">seqdiag: in-process;'
                " PlantUML and Mermaid CLI: one process for 20 diagrams, wall / 20.</text>")
    return _svg(width, height, body, "mlseq render time versus seqdiag, PlantUML and Mermaid")


def growth_chart(res: dict[str, Any]) -> str:
    """Render time (ms) against messages on log-log axes, with a linear reference."""
    rows = res["growth"]
    xs = [row["messages"] for row in rows]
    warm = [row["median_ms"] for row in rows]
    # First renders (cold caches) where measured: what a docs build pays, and linear
    # throughout (repeated renders of the biggest diagrams outgrow the caches).
    ys = [row.get("cold_ms", row["median_ms"]) for row in rows]
    all_ys = ys + warm
    left, top, pw, ph = 70, 40, 480, 260
    width, height = left + pw + 214, top + ph + 60
    x_lo, x_hi = 10 ** math.floor(math.log10(min(xs))), 10 ** math.ceil(math.log10(max(xs)))
    y_lo = 10 ** math.floor(math.log10(min(all_ys)))
    y_hi = 10 ** math.ceil(math.log10(max(all_ys)))

    def frac(v: float, lo: float, hi: float) -> float:
        return (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    def px(v: float) -> float:
        return left + pw * frac(v, x_lo, x_hi)

    def py(v: float) -> float:
        return top + ph - ph * frac(v, y_lo, y_hi)

    body = [f'<text x="{left}" y="22" font-size="15" font-weight="bold">Render time and memory '
            "against diagram size (log-log)</text>"]
    for d in range(int(math.log10(x_lo)), int(math.log10(x_hi)) + 1):
        v = px(10 ** d)
        body.append(f'<line x1="{v:.1f}" y1="{top}" x2="{v:.1f}" y2="{top + ph}" stroke="#ddd"/>')
        body.append(f'<text x="{v:.1f}" y="{top + ph + 18}" text-anchor="middle" fill="#555">'
                    f"{10 ** d:,}</text>")
    for d in range(int(math.log10(y_lo)), int(math.log10(y_hi)) + 1):
        v = py(10 ** d)
        body.append(f'<line x1="{left}" y1="{v:.1f}" x2="{left + pw}" y2="{v:.1f}" stroke="#ddd"/>')
        body.append(f'<text x="{left - 6}" y="{v + 4:.1f}" text-anchor="end" fill="#555">'
                    f"{_fmt_ms(10 ** d)}</text>")
    body.append(f'<text x="{left + pw / 2}" y="{top + ph + 40}" text-anchor="middle">'
                "messages</text>")
    # Linear reference through the 1,000-message point (or the middle one).
    ref = next((i for i, row in enumerate(rows) if row["messages"] == 1000), len(rows) // 2)
    k = ys[ref] / xs[ref]
    a, b = max(x_lo, y_lo / k), min(x_hi, y_hi / k)
    body.append(f'<line x1="{px(a):.1f}" y1="{py(k * a):.1f}" x2="{px(b):.1f}" y2="{py(k * b):.1f}"'
                ' stroke="#999" stroke-dasharray="5 4"/>')
    blue = COLORS["mlseq"]
    pts = " ".join(f"{px(xv):.1f},{py(yv):.1f}" for xv, yv in zip(xs, ys, strict=True))
    body.append(f'<polyline points="{pts}" fill="none" stroke="{blue}" stroke-width="2"/>')
    for xv, yv in zip(xs, ys, strict=True):
        body.append(f'<circle cx="{px(xv):.1f}" cy="{py(yv):.1f}" r="3.5" fill="{blue}"/>')
    pts = " ".join(f"{px(xv):.1f},{py(yv):.1f}" for xv, yv in zip(xs, warm, strict=True))
    body.append(f'<polyline points="{pts}" fill="none" stroke="{blue}" stroke-width="1.5" '
                'stroke-dasharray="2 3"/>')
    lx = left + pw + 38  # clear of the last x tick label, centred on the plot's edge
    body.append(f'<line x1="{lx}" y1="{top + 8}" x2="{lx + 24}" y2="{top + 8}" '
                f'stroke="{COLORS["mlseq"]}" stroke-width="2"/>')
    body.append(f'<text x="{lx + 30}" y="{top + 12}">first render</text>')
    body.append(f'<line x1="{lx}" y1="{top + 30}" x2="{lx + 24}" y2="{top + 30}" '
                f'stroke="{COLORS["mlseq"]}" stroke-width="1.5" stroke-dasharray="2 3"/>')
    body.append(f'<text x="{lx + 30}" y="{top + 34}">repeated render</text>')
    body.append(f'<line x1="{lx}" y1="{top + 52}" x2="{lx + 24}" y2="{top + 52}" stroke="#999" '
                'stroke-dasharray="5 4"/>')
    body.append(f'<text x="{lx + 30}" y="{top + 56}">linear (slope 1)</text>')
    y = top + 88
    body.append(f'<text x="{lx}" y="{y}" font-weight="bold">first render, per message</text>')
    for row, cold in zip(rows, ys, strict=True):
        y += 17
        per_kib = row["peak_bytes_per_message"] / 1024
        body.append(f'<text x="{lx}" y="{y}" fill="#333" font-size="12">{row["messages"]:>6,}: '
                    f'{1000 * cold / row["messages"]:.0f} µs, {per_kib:.1f} KiB</text>')
    return _svg(width, max(height, y + 20), body, "mlseq render time against diagram size")


def write_all(res: dict[str, Any], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if "render" in res:
        path = folder / "perf-render.svg"
        path.write_text(render_chart(res), encoding="utf-8")
        written.append(path)
    if "growth" in res:
        path = folder / "perf-growth.svg"
        path.write_text(growth_chart(res), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    data = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    for p in write_all(data, Path(__file__).resolve().parents[1] / "docs" / "img"):
        print(p)
