"""SUMMARY.md for one benchmark run, from its results.json (bench/run.py writes both).

``python bench/summary.py bench/out/<stamp>/results.json`` prints it again.
"""

from __future__ import annotations

import json
import sys
from typing import Any

TARGETS = {
    # name: (what, test on the results)
    "b_ml_ms": "30-message ML diagram under 1 ms",
    "b_ml_seqdiag": "30-message ML diagram >= 50x faster than seqdiag in-process",
    "b_ml_plantuml": "30-message ML diagram >= 40x faster than PlantUML warm per diagram",
    "c_large_ms": "500 messages under 15 ms",
    "c_large_seqdiag": ">= 100x faster than seqdiag in-process at 500 messages",
    "n5000_ms": "5,000 messages under 150 ms",
    "sphinx_ratio": "200-diagram Sphinx build within 1.2x of the code-block build",
    "nochange": "no-change rebuild draws nothing",
    "script": "pages carry zero script bytes",
}


def _probe(row: dict[str, Any]) -> str:
    if "probe_median_ms" not in row:
        return ""
    return f"{row['probe_median_ms']:.2f} / {row['probe_min_ms']:.2f} ms"


def probe_load(row: dict[str, Any]) -> str:
    """How fast the machine ran during a render timing: the median of the probe timed
    among the renders (see run.probe; about 0.9 ms when this machine is quiet, on pyenv's
    3.11.7). Not its median over its minimum: in a spell that is slow throughout, that
    is 1.0 too."""
    if "probe_median_ms" not in row:
        return ""
    return f"; machine probe {row['probe_median_ms']:.2f} ms"


def checks(res: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for every target the run has numbers for."""
    r = res.get("render", {})
    ra = res.get("ratios", {})
    docs = res.get("docs", {})
    out: list[tuple[str, str, bool | None]] = []

    def add(key: str, measured: str, met: bool | None) -> None:
        out.append((TARGETS[key], measured, met))

    if "b_ml" in r:
        quiet = (f"; quietest 50 ms {r['b_ml']['quiet_ms']:.2f}" if "quiet_ms" in r["b_ml"]
                 else "")
        add("b_ml_ms", f"{r['b_ml']['median_ms']:.2f} ms (min {r['b_ml']['min_ms']:.2f}"
            f"{quiet}{probe_load(r['b_ml'])})", r["b_ml"]["median_ms"] < 1)
    if "seqdiag_inprocess" in ra.get("b_ml", {}):
        v = ra["b_ml"]["seqdiag_inprocess"]
        add("b_ml_seqdiag", f"x{v:.0f}", v >= 50)
    if "plantuml_per_diagram_warm" in ra.get("b_ml", {}):
        v = ra["b_ml"]["plantuml_per_diagram_warm"]
        m = ra["b_ml"]["plantuml_marginal"]
        add("b_ml_plantuml", f"x{v:.0f} (batch/20), x{m:.0f} (marginal)", v >= 40)
    if "c_large" in r:
        add("c_large_ms", f"{r['c_large']['median_ms']:.1f} ms (min {r['c_large']['min_ms']:.1f}"
            f"{probe_load(r['c_large'])})", r["c_large"]["median_ms"] < 15)
    if "seqdiag_inprocess" in ra.get("c_large", {}):
        v = ra["c_large"]["seqdiag_inprocess"]
        add("c_large_seqdiag", f"x{v:.0f}", v >= 100)
    if "n5000" in r:
        add("n5000_ms", f"{r['n5000']['median_ms']:.0f} ms (min {r['n5000']['min_ms']:.0f}"
            f"{probe_load(r['n5000'])})", r["n5000"]["median_ms"] < 150)
    if "sphinx" in docs:
        s = docs["sphinx"]
        add("sphinx_ratio", f"x{s['ratio']:.2f}", s["ratio"] <= 1.2)
        add("nochange", f"Sphinx {s['draws_nochange']} drawings; MkDocs serve rebuild "
            f"{docs.get('mkdocs', {}).get('draws_serve_rebuild', '?')}",
            s["draws_nochange"] == 0 and docs.get("mkdocs", {}).get("draws_serve_rebuild", 0) == 0)
    if "page" in res.get("size", {}):
        add("script", f"{res['size']['page']['mlseq_script_bytes']} B",
            res["size"]["page"]["mlseq_script_bytes"] == 0)
    return out


def _ms(rec: dict[str, Any] | None, key: str, digits: int) -> str:
    if rec and "timed_out_s" in rec:
        return f"> {rec['timed_out_s']:.0f} s (stopped)"
    return "—" if not rec else f"{rec[key]:.{digits}f} ms"


def _s(rec: dict[str, Any] | None) -> str:
    return "—" if not rec else f"{rec['cli_s']:.2f} s"


def markdown(res: dict[str, Any]) -> str:
    env = res["env"]
    lines = [f"# mlseq benchmark ({res['mode']} run) {env['date_utc']}", "", "```"]
    lines += [f"{k}: {v}" for k, v in env.items() if k != "peers"]
    lines += [f"{k}: {v}" for k, v in env.get("peers", {}).items()]
    lines += ["```", ""]

    c = checks(res)
    if c:
        lines += ["## Targets", "", "| target | measured | met |", "|---|---:|:--:|"]
        lines += [f"| {t} | {m} | {'yes' if ok else 'NO'} |" for t, m, ok in c]
        lines.append("")

    r = res.get("render", {})
    p = res.get("peers", {})
    if r:
        lines += ["## Render time per diagram (warm, median)", "",
                  "| diagram | messages | mlseq | min | cold | parse / layout / draw |"
                  " machine probe (median / min) | seqdiag in-process |"
                  " PlantUML warm (batch/20) | PlantUML CLI | Mermaid warm (batch/20) |"
                  " Mermaid CLI |",
                  "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
        for name, row in r.items():
            ph = row["phases_ms"]
            sq = p.get("seqdiag", {}).get(name)
            pu = p.get("plantuml", {}).get(name)
            mm = p.get("mermaid", {}).get(name)
            lines.append(
                f"| {name} | {row['messages']} | {row['median_ms']:.2f} ms |"
                f" {row['min_ms']:.2f} ms | {row.get('cold_ms', float('nan')):.2f} ms |"
                f" {ph['parse']:.2f} / {ph['layout']:.2f} / {ph['draw']:.2f} ms |"
                f" {_probe(row)} | {_ms(sq, 'median_ms', 1)} | {_ms(pu, 'per_diagram_ms', 0)} |"
                f" {_s(pu)} | {_ms(mm, 'per_diagram_ms', 0)} | {_s(mm)} |")
        lines.append("")
    if res.get("ratios"):
        lines += ["## Ratios (peer time / mlseq time, same run)", "",
                  "| diagram | ratios |", "|---|---|"]
        for name, row in res["ratios"].items():
            if row:
                lines.append(f"| {name} | " + ", ".join(f"{k} x{v:,.0f}" for k, v in row.items())
                             + " |")
        lines.append("")
    for note in p.get("notes", []):
        lines.append(f"- note: {note}")
    if p.get("notes"):
        lines.append("")

    g = res.get("growth")
    if g:
        lines += ["## Growth (generated diagrams, 10 participants)", "",
                  "| messages | first render (cold) | per message | repeated (warm) |"
                  " per message | peak memory (tracemalloc) | peak per message |"
                  " SVG per message |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for row in g:
            cold = row.get("cold_ms", float("nan"))
            lines.append(f"| {row['messages']:,} | {cold:.2f} ms |"
                         f" {1000 * cold / row['messages']:.1f} µs | {row['median_ms']:.2f} ms |"
                         f" {row['us_per_message']:.1f} µs | {row['peak_bytes'] / 2**20:.1f} MiB |"
                         f" {row['peak_bytes_per_message'] / 1024:.1f} KiB |"
                         f" {row['svg_bytes'] / row['messages']:.0f} B |")
        lines.append("")

    d = res.get("docs")
    if d:
        s, m = d.get("sphinx", {}), d.get("mkdocs", {})
        lines += ["## Documentation builds (200 diagrams on 20 pages, whole-process wall)", "",
                  "| build | with mlseq | same pages, code blocks | ratio | drawings |",
                  "|---|---:|---:|---:|---:|"]
        if s:
            lines += [
                f"| Sphinx html, fresh | {s['fresh_s']:.2f} s | {s['plain_s']:.2f} s |"
                f" x{s['ratio']:.2f} | {s['draws_fresh']} |",
                f"| Sphinx html -j 2, fresh | {s['j2_s']:.2f} s | {s['j2_plain_s']:.2f} s |"
                f" x{s['j2_ratio']:.2f} | |",
                f"| Sphinx no-change rebuild | {s['nochange_s']:.2f} s | | |"
                f" {s['draws_nochange']} |",
                f"| Sphinx rebuild, prose edited on one page | {s['touch_page_s']:.2f} s | | |"
                f" {s['draws_touch_page']} |",
                f"| Sphinx rebuild, one diagram edited | {s['edit_one_diagram_s']:.2f} s | | |"
                f" {s['draws_edit_one_diagram']} |",
            ]
        if m:
            lines += [
                f"| MkDocs build, fresh | {m['fresh_s']:.2f} s | {m['plain_s']:.2f} s |"
                f" x{m['ratio']:.2f} | {m['draws_fresh']} |",
                f"| MkDocs serve: first build (in-process) | {m['serve_first_s']:.2f} s | | |"
                f" {m['draws_serve_first']} |",
                f"| MkDocs serve: rebuild, nothing changed | {m['serve_rebuild_s']:.2f} s | | |"
                f" {m['draws_serve_rebuild']} |",
            ]
        lines.append("")

    z = res.get("size")
    if z:
        lines += ["## Output size (bytes, gzip -9 in brackets)", "",
                  "| diagram | messages | mlseq (CSS embedded) | mlseq inline (page CSS) |"
                  " seqdiag | PlantUML | Mermaid CLI |", "|---|---:|---:|---:|---:|---:|---:|"]
        for name, row in z["per_diagram"].items():
            def cell(k: str, row: dict[str, Any] = row) -> str:
                if k not in row:
                    return "—"
                raw, gz = row[k]
                return f"{raw:,} ({gz:,}); {raw / row['messages']:.0f} B/msg"
            lines.append(f"| {name} | {row['messages']} | {cell('mlseq')} |"
                         f" {cell('mlseq_inline')} | {cell('seqdiag')} | {cell('plantuml')} |"
                         f" {cell('mermaid')} |")
        pg = z["page"]
        lines += ["", "Page with 10 diagrams (the 30-message ML diagram, distinct titles):", "",
                  "| approach | bytes | gzip | script bytes |", "|---|---:|---:|---:|",
                  f"| mlseq: 10 inline SVGs + stylesheet once | {pg['mlseq_bytes']:,} |"
                  f" {pg['mlseq_gzip']:,} | 0 |",
                  f"| Mermaid client-side: 10 source blocks + mermaid.min.js | "
                  f"{pg['mermaid_bytes']:,} | {pg['mermaid_gzip']:,} |"
                  f" {pg['mermaid_script_bytes']:,} |",
                  "", f"mermaid.min.js size: {pg['mermaid_js']}.", ""]

    prof = res.get("profile")
    if prof:
        lines += ["## Profile (cProfile, share of self time)", ""]
        for name, pr in prof.items():
            if name == "breakdown":
                continue
            lines += [f"### {name}", "", "| self | calls | function |", "|---:|---:|---|"]
            lines += [f"| {100 * t['self_share']:.1f} % | {t['calls']:,} | `{t['function']}` |"
                      for t in pr["top"][:10]]
            lines += ["", "By module: " + ", ".join(
                f"{m} {100 * v:.0f} %" for m, v in list(pr["by_module"].items())[:8]), ""]
        bd = prof.get("breakdown", {})
        if bd:
            lines += ["Where a render's time goes (each piece timed alone, median ms):", "",
                      "| piece | " + " | ".join(bd) + " |", "|---|" + "---:|" * len(bd)]
            for piece in next(iter(bd.values())):
                lines.append(f"| {piece} | " + " | ".join(
                    f"{parts[piece]:.2f} ({100 * parts[piece] / sum(parts.values()):.0f} %)"
                    for parts in bd.values()) + " |")
            lines.append("")
    ins = res.get("instructions")
    if ins:
        lines += ["## Instructions per render (valgrind; load does not move them)", "",
                  "| diagram | M instructions |", "|---|---:|"]
        lines += [f"| {name} | {value:.2f} |" for name, value in ins.items()
                  if name != "stages"]
        lines.append("")
        stages = ins.get("stages")
        if stages:
            lines += ["By stage (M instructions per call; the transcript is part of draw):",
                      "", "| stage | " + " | ".join(stages) + " |",
                      "|---|" + "---:|" * len(stages)]
            whole = {name: p["parse"] + p["layout"] + p["draw"] for name, p in stages.items()}
            for stage in next(iter(stages.values())):
                lines.append(f"| {stage} | " + " | ".join(
                    f"{parts[stage]:.2f} ({100 * parts[stage] / whole[name]:.0f} %)"
                    for name, parts in stages.items()) + " |")
            lines.append("")
    secs = res.get("seconds", {})
    if secs:
        lines.append("Section times: " + ", ".join(f"{k} {v:.0f} s" for k, v in secs.items()))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        print(markdown(json.load(f)))
