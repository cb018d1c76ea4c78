"""Render an SVG (or HTML) file to PNG with headless Chromium, to look at a drawing.

    .venv/bin/python tools/png.py diagram.svg [out.png] [--dark] [--scale 1.5]

The window is sized from the SVG's ``width``/``height``. ``--dark`` wraps the SVG in a
page with ``prefers-color-scheme`` forced dark (via Chromium's flag) on a dark
background, to review the dark palette. Uses Debian's ``/usr/bin/chromium``; nothing is
downloaded.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"


def _size(svg: str) -> tuple[int, int]:
    w = re.search(r'<svg[^>]*\swidth="([\d.]+)"', svg)
    h = re.search(r'<svg[^>]*\sheight="([\d.]+)"', svg)
    return (int(float(w.group(1))) + 1 if w else 1200, int(float(h.group(1))) + 1 if h else 900)


def to_png(src: Path, out: Path, *, dark: bool = False, scale: float = 1.0) -> Path:
    text = src.read_text(encoding="utf-8")
    width, height = _size(text) if src.suffix == ".svg" else (1280, 900)
    with tempfile.TemporaryDirectory() as tmp:
        target = src.resolve()
        if src.suffix == ".svg":
            bg = "#1a1d23" if dark else "#ffffff"
            page = Path(tmp) / "page.html"
            page.write_text(
                f'<!doctype html><html><body style="margin:0;background:{bg}">{text}'
                "</body></html>",
                encoding="utf-8",
            )
            target = page
        cmd = [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--hide-scrollbars",
            f"--user-data-dir={tmp}/profile",
            f"--force-device-scale-factor={scale}",
            f"--screenshot={out.resolve()}",
            f"--window-size={width},{height}",
        ]
        if dark:
            cmd.append("--blink-settings=preferredColorScheme=0")
            cmd.append("--force-dark-mode")
        cmd.append(target.as_uri())
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", type=Path)
    ap.add_argument("out", type=Path, nargs="?")
    ap.add_argument("--dark", action="store_true")
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args(argv)
    out = args.out or args.source.with_suffix(".dark.png" if args.dark else ".png")
    to_png(args.source, out, dark=args.dark, scale=args.scale)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
