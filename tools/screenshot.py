"""Save a PNG of a web page, an SVG file or a diagram, using headless Chromium.

    .venv/bin/python tools/screenshot.py INPUT OUTPUT.png [options]

INPUT is a URL, an ``.html`` file, an ``.svg`` file or a diagram (``.mmd``/``.mlseq``, or
``-`` for stdin) that is rendered with :func:`mlseq.render` first. Options:

``--selector CSS``  shoot only the first element that matches (e.g. ``svg``, ``figure``);
``--width N --height N``  viewport (default 1280 x 800); ``--full-page``;
``--dark material|furo|media``  switch the page to its dark palette before shooting;
``--scale F``  device pixel ratio (2 for crisp README pictures).

Chromium is Debian's (``/usr/bin/chromium`` or ``$MLSEQ_CHROMIUM``), driven by Playwright.
"""

from __future__ import annotations

import argparse
import html
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import launch, missing_reason  # noqa: E402

DARK_JS = {
    "material": "document.body.setAttribute('data-md-color-scheme', 'slate')",
    "furo": "document.body.dataset.theme = 'dark'",
}


def diagram_page(svg: str, title: str) -> str:
    """A bare page holding one diagram, for shooting diagrams outside a docs site."""
    return (
        "<!doctype html><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<body style='margin:16px;background:#fff'>"
        f"{svg}</body>"
    )


def page_url(source: str, workdir: Path) -> str:
    if "://" in source:
        return source
    if source == "-":
        text, name = sys.stdin.read(), "stdin"
    else:
        path = Path(source).resolve()
        if path.suffix in (".html", ".htm"):
            return path.as_uri()
        text, name = path.read_text(encoding="utf-8"), path.name
    if source != "-" and Path(source).suffix == ".svg":
        svg = text
    else:
        import mlseq

        svg = mlseq.render(text)
    page = workdir / "diagram.html"
    page.write_text(diagram_page(svg, name), encoding="utf-8")
    return page.as_uri()


def shoot(
    source: str,
    output: Path,
    *,
    selector: str | None = None,
    width: int = 1280,
    height: int = 800,
    full_page: bool = False,
    dark: str | None = None,
    scale: float = 1.0,
) -> Path:
    """Write a PNG of ``source`` to ``output`` and return the path."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, launch() as browser:
        url = page_url(source, Path(tmp))
        context = browser.new_context(
            viewport={"width": width, "height": height},
            device_scale_factor=scale,
            color_scheme="dark" if dark == "media" else "light",
        )
        page = context.new_page()
        page.goto(url, wait_until="load")
        if dark in DARK_JS:
            page.evaluate(DARK_JS[dark])
        if selector:
            page.locator(selector).first.screenshot(path=str(output))
        else:
            page.screenshot(path=str(output), full_page=full_page)
        context.close()
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input")
    parser.add_argument("output", type=Path)
    parser.add_argument("--selector")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--full-page", action="store_true")
    parser.add_argument("--dark", choices=["material", "furo", "media"])
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    reason = missing_reason()
    if reason:
        print(f"screenshot: {reason}", file=sys.stderr)
        return 2
    out = shoot(
        args.input,
        args.output,
        selector=args.selector,
        width=args.width,
        height=args.height,
        full_page=args.full_page,
        dark=args.dark,
        scale=args.scale,
    )
    print(f"{out} ({out.stat().st_size // 1024} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
