"""Generate core/_metrics_data.py: advance widths and kerning of Liberation Sans.

Development-time only (needs fontTools and the font files; the core never imports fontTools)::

    .venv/bin/python tools/gen_metrics.py            # writes core/_metrics_data.py
    .venv/bin/python tools/gen_metrics.py --check    # exit 1 if the committed file is stale

Reads the regular and bold faces of Liberation Sans (Debian: fonts-liberation) and writes, per
face, in font units:

- advance widths of every code point the font maps, as runs of consecutive code points
  ``(first_code_point, (w0, w1, ...))``;
- the vertical metrics browsers use on Linux (hhea ascent/descent/line gap, since the font
  does not set USE_TYPO_METRICS) and the OS/2 cap and x heights;
- kerning: every pair adjustment of the GPOS ``kern`` feature (pair positioning, XAdvance of
  the first glyph), grouped by adjustment as strings of concatenated character pairs. Chromium lays
  out SVG text with HarfBuzz and applies ``kern`` by default (``font-kerning: auto``);
  tools/measure_text_in_browser.py measures the difference it makes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont

FONT_DIR = Path("/usr/share/fonts/truetype/liberation")
FACES = {"REGULAR": "LiberationSans-Regular.ttf", "BOLD": "LiberationSans-Bold.ttf"}
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "core" / "_metrics_data.py"
WIDTHS_PER_LINE = 14
LINE_LIMIT = 96


def _runs(widths: dict[int, int]) -> list[tuple[int, list[int]]]:
    """Group code points into runs of consecutive code points."""
    runs: list[tuple[int, list[int]]] = []
    for cp in sorted(widths):
        if runs and runs[-1][0] + len(runs[-1][1]) == cp:
            runs[-1][1].append(widths[cp])
        else:
            runs.append((cp, [widths[cp]]))
    return runs


def _kerning(font: Any, cmap: dict[int, str]) -> dict[str, int]:
    """Pair adjustments of the GPOS 'kern' feature, keyed by two-character strings."""
    by_glyph: dict[str, list[int]] = {}
    for cp, glyph in cmap.items():
        by_glyph.setdefault(glyph, []).append(cp)
    gpos = font["GPOS"].table
    lookups: set[int] = set()
    for record in gpos.FeatureList.FeatureRecord:
        if record.FeatureTag == "kern":
            lookups.update(record.Feature.LookupListIndex)
    pairs: dict[str, int] = {}
    for index in sorted(lookups):
        lookup = gpos.LookupList.Lookup[index]
        for sub in lookup.SubTable:
            if lookup.LookupType != 2 or sub.Format != 1:
                raise SystemExit(f"unsupported GPOS lookup type {lookup.LookupType}/{sub.Format}")
            for first, pair_set in zip(sub.Coverage.glyphs, sub.PairSet, strict=True):
                for record in pair_set.PairValueRecord:
                    value = getattr(record.Value1, "XAdvance", 0) if record.Value1 else 0
                    if not value:
                        continue
                    for a in by_glyph.get(first, ()):
                        for b in by_glyph.get(record.SecondGlyph, ()):
                            # The first subtable that covers a pair wins (OpenType rule).
                            pairs.setdefault(chr(a) + chr(b), value)
    return pairs


def _face(path: Path) -> dict[str, Any]:
    font = TTFont(path)
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    os2 = font["OS/2"]
    hhea = font["hhea"]
    return {
        "name": font["name"].getDebugName(4),
        "version": font["name"].getDebugName(5),
        "file": path.name,
        "upem": font["head"].unitsPerEm,
        "widths": {cp: hmtx[glyph][0] for cp, glyph in cmap.items()},
        "ascent": hhea.ascent,
        "descent": -hhea.descent,
        "line_gap": hhea.lineGap,
        "cap_height": os2.sCapHeight,
        "x_height": os2.sxHeight,
        "use_typo_metrics": bool(os2.fsSelection & (1 << 7)),
        "kerning": _kerning(font, cmap),
    }


def _format(faces: dict[str, dict[str, Any]]) -> str:
    upems = {face["upem"] for face in faces.values()}
    if len(upems) != 1:
        raise SystemExit(f"faces disagree on units per em: {upems}")
    for face in faces.values():
        if face["use_typo_metrics"]:
            raise SystemExit("font sets USE_TYPO_METRICS: use the OS/2 typo metrics instead")
    first = next(iter(faces.values()))
    lines = [
        '"""Advance widths and kerning of Liberation Sans, in font units. GENERATED: do not edit.',
        "",
        *(f"Font: {f['name']} ({f['file']}, {f['version']})." for f in faces.values()),
        "Command: .venv/bin/python tools/gen_metrics.py",
        "(reads /usr/share/fonts/truetype/liberation/, Debian package fonts-liberation).",
        "Widths: runs (first code point, widths of it and the following code points).",
        "Kerning: GPOS 'kern' pair adjustments: (adjustment, the pairs of characters that get",
        "it, concatenated two characters per pair).",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "# fmt: off",
        f"UNITS_PER_EM = {first['upem']}",
        f"FONT_VERSION = {first['version']!r}",
    ]
    for key, face in faces.items():
        lines += [
            "",
            f"{key}_ASCENT = {face['ascent']}",
            f"{key}_DESCENT = {face['descent']}",
            f"{key}_LINE_GAP = {face['line_gap']}",
            f"{key}_CAP_HEIGHT = {face['cap_height']}",
            f"{key}_X_HEIGHT = {face['x_height']}",
            f"{key}_WIDTHS: tuple[tuple[int, tuple[int, ...]], ...] = (",
        ]
        for start, widths in _runs(face["widths"]):
            lines.append(f"    ({start:#06x}, (")
            for i in range(0, len(widths), WIDTHS_PER_LINE):
                chunk = widths[i : i + WIDTHS_PER_LINE]
                lines.append("        " + ", ".join(str(w) for w in chunk) + ",")
            lines.append("    )),")
        lines.append(")")
        by_value: dict[int, list[str]] = {}
        for pair, value in sorted(face["kerning"].items()):
            by_value.setdefault(value, []).append(pair)
        lines.append(f"{key}_KERNING: tuple[tuple[int, str], ...] = (")
        for value in sorted(by_value):
            pairs = by_value[value]
            lines.append(f"    ({value}, (")
            chunk = ""
            for pair in pairs:
                if len(repr(chunk + pair)) + 8 > LINE_LIMIT:
                    lines.append(f"        {chunk!r}")
                    chunk = ""
                chunk += pair
            lines.append(f"        {chunk!r}")
            lines.append("    )),")
        lines.append(")")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    parser.add_argument("--font-dir", type=Path, default=FONT_DIR)
    args = parser.parse_args(argv)
    faces = {key: _face(args.font_dir / name) for key, name in FACES.items()}
    text = _format(faces)
    if args.check:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is stale: run tools/gen_metrics.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
