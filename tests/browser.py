"""Headless Chromium for tests and tools, through Playwright's Python package.

We drive Debian's Chromium (``/usr/bin/chromium``, or ``$MLSEQ_CHROMIUM``) rather than a
browser Playwright downloads, so nothing is fetched at test time. The ``browser`` fixture
fails when ``CI`` is set and the browser (or Playwright) is missing, and skips otherwise.

The page-side measurements live here too, as JavaScript strings evaluated in the page, so
that every browser test judges a drawing the same way:

- :data:`LABEL_CHECK_JS` — per ``<svg>``, pairs of ``<text>`` whose boxes overlap and
  labels that stick out of the ``<svg>``;
- :data:`CONTRAST_JS` — per ``<text>``, its fill against the colour actually painted
  behind its centre (composited through translucent layers), as a WCAG contrast ratio.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = os.environ.get("MLSEQ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


def missing_reason() -> str | None:
    """Why a browser test cannot run here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright's Python package is not installed"
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    return None


@contextmanager
def launch() -> Iterator[Browser]:
    """A headless Chromium for the duration of the block (tools use this too)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    reason = missing_reason()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; browser tests must run when CI is set")
        pytest.skip(reason)
    with launch() as instance:
        yield instance


class ConsoleLog:
    """Console errors and uncaught page errors seen by a page."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")


def artifact(name: str) -> Path:
    """A path under test-artifacts/ (created; the folder is gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


# Every top-level <svg> matching the selector: overlapping labels, labels outside the svg.
# Boxes closer than `slack` px are not counted (anti-aliasing, rounding of glyph boxes).
# The labels inside a <mask> (what hides the lines under labels on tinted areas) are not
# drawn.
LABEL_CHECK_JS = """
([selector, slack]) => {
  const out = [];
  const svgs = Array.from(document.querySelectorAll(selector)).filter(
    s => !s.parentElement.closest('svg'));
  svgs.forEach((svg, index) => {
    const frame = svg.getBoundingClientRect();
    const texts = Array.from(svg.querySelectorAll('text')).filter(
      t => t.textContent.trim() && !t.closest('mask'));
    const boxes = texts.map(t => ({text: t.textContent.trim(), r: t.getBoundingClientRect()}));
    const overlaps = [];
    const outside = [];
    for (let i = 0; i < boxes.length; i++) {
      const a = boxes[i].r;
      if (a.left < frame.left - slack || a.right > frame.right + slack ||
          a.top < frame.top - slack || a.bottom > frame.bottom + slack) {
        outside.push(boxes[i].text);
      }
      for (let j = i + 1; j < boxes.length; j++) {
        const b = boxes[j].r;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > slack && h > slack) overlaps.push([boxes[i].text, boxes[j].text]);
      }
    }
    out.push({
      index, name: (svg.closest('[data-name]') || svg).getAttribute('data-name') || svg.id,
      width: frame.width, height: frame.height,
      labels: boxes.length, overlaps, outside,
      visible: frame.width > 0 && frame.height > 0 &&
               getComputedStyle(svg).visibility !== 'hidden',
    });
  });
  return out;
}
"""

# For every <text> inside a diagram: its fill, the colour painted behind its centre and the
# WCAG contrast ratio between them; a halo (``paint-order: stroke``) counts as background.
# Lines and unfilled shapes behind a label are skipped: the label sits on them, not in them.
# Labels inside a <mask> are not drawn (they hide the lines under labels on tinted areas).
CONTRAST_JS = """
(selector) => {
  const parse = (c) => {
    const m = c && c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a),
    g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a), a: 1});
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (x, y) => {
    const [l1, l2] = [lum(x), lum(y)].sort((p, q) => q - p);
    return (l1 + 0.05) / (l2 + 0.05);
  };
  const paintOf = (el) => {
    const cs = getComputedStyle(el);
    if (el instanceof SVGElement) {
      if (['text', 'tspan', 'line', 'polyline', 'svg', 'g', 'marker', 'use'].includes(
            el.tagName.toLowerCase())) return null;
      if (!cs.fill || cs.fill === 'none') return null;
      const c = parse(cs.fill);
      if (!c) return null;
      c.a *= Number(cs.fillOpacity) * Number(cs.opacity);
      return c.a > 0 ? c : null;
    }
    const c = parse(cs.backgroundColor);
    return c && c.a > 0 ? c : null;
  };
  const results = [];
  document.querySelectorAll(selector).forEach((svg, index) => {
    svg.querySelectorAll('text').forEach((t) => {
      if (!t.textContent.trim() || t.closest('mask')) return;
      t.scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'});
      const r = t.getBoundingClientRect();
      if (r.width === 0) return;
      const fill = parse(getComputedStyle(t).fill);
      if (!fill) return;
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      const layers = [];
      for (const el of document.elementsFromPoint(x, y)) {
        if (el === t || t.contains(el)) continue;
        const c = paintOf(el);
        if (c) { layers.push(c); if (c.a >= 1) break; }
      }
      let bg = {r: 255, g: 255, b: 255, a: 1};
      for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
      // A halo (stroke painted under the fill) is what the glyphs actually sit on.
      const ts = getComputedStyle(t);
      const halo = parse(ts.stroke);
      if (halo && parseFloat(ts.strokeWidth) > 0 && ts.paintOrder.startsWith('stroke')) {
        halo.a *= Number(ts.strokeOpacity);
        if (halo.a > 0) bg = over(halo, bg);
      }
      const fg = fill.a < 1 ? over(fill, bg) : fill;
      results.push({svg: index, text: t.textContent.trim().slice(0, 60),
                    fill: [fg.r, fg.g, fg.b].map(Math.round),
                    background: [bg.r, bg.g, bg.b].map(Math.round),
                    ratio: Math.round(ratio(fg, bg) * 100) / 100});
    });
  });
  return results;
}
"""


def png_pixels(data: bytes) -> tuple[int, int, list[list[tuple[int, int, int]]]]:
    """Width, height and RGB rows of a PNG as Chromium writes screenshots (8 bits per
    channel, RGB or RGBA, not interlaced); enough to compare two screenshots."""
    import struct
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks = 8, []
    width = height = depth = color = interlace = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    assert depth == 8 and interlace == 0 and color in (2, 6), (depth, color, interlace)
    ch = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * ch
    prev = bytearray(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - ch] if i >= ch else 0
            b = prev[i]
            c = prev[i - ch] if i >= ch else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([(line[i], line[i + 1], line[i + 2]) for i in range(0, stride, ch)])
        prev = line
    return width, height, rows
