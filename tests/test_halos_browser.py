"""Label halos on tinted areas, looked at in headless Chromium, light and dark.

A label's halo hides the lines under it. On a box or a ``rect`` it must look like the
area, or it shows as a glow of the page colour round the text (mlseq masks the lines
out under such labels instead of a halo). The test draws a diagram whose labels sit on a
coloured box, a translucent ``rect`` nested in it, a default ``rect``, across a box's
edge, and across two lifelines, and takes three screenshots with the arrow heads
hidden: the labels' glyphs made transparent, the labels hidden, and the labels and lines
hidden (the areas alone). Round each label, every pixel must be the line as it is, the
area as it is, or a blend of the two at the halo's rim; and under the label that
crosses lifelines, some line must be gone.

Screenshots go to test-artifacts/halos/.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mlseq
import pytest
from browser import ConsoleLog, artifact, png_pixels
from mlseq.options import RenderOptions

if TYPE_CHECKING:
    from playwright.sync_api import Browser

DIAGRAM = """\
sequenceDiagram
  box rgb(255,214,170) Training side
    participant T as Trainer
    participant W as Worker
  end
  participant E as Evaluator
  participant R as Registry
  rect rgba(60,110,255,0.3)
    T->>W: shard the data
    W->>E: score it
    T->>R: a label long enough that it has to cross the lifelines in between
  end
  rect
    E->>R: register
  end
  loop every epoch
    T->>W: next
  end
"""

# Arrow heads hidden (they end under some labels' halos by design), and in the "area"
# shot lines and borders too, so only the areas remain.
NO_HEADS = "svg.mlseq marker{display:none!important}"
NO_LINES = "svg.mlseq path{visibility:hidden!important}svg.mlseq rect{stroke:none!important}"
LABELS_CLEAR = "svg.mlseq text{fill:transparent!important}"
NO_LABELS = "svg.mlseq text{visibility:hidden!important}"
SHOTS = {
    # what a label's halo leaves of the lines under it, with the glyphs made transparent
    "labels": NO_HEADS + LABELS_CLEAR,
    # the lines as they are without labels
    "lines": NO_HEADS + NO_LABELS,
    # the tinted areas alone
    "areas": NO_HEADS + NO_LINES + NO_LABELS,
}

LABEL_BOXES_JS = """
() => {
  const svg = document.querySelector('svg.mlseq');
  const frame = svg.getBoundingClientRect();
  return Array.from(svg.querySelectorAll('text'))
    .filter(t => t.textContent.trim() && !t.closest('mask'))
    .map(t => {
      const r = t.getBoundingClientRect();
      return {text: t.textContent.trim(), x: r.left - frame.left, y: r.top - frame.top,
              w: r.width, h: r.height};
    });
}
"""

LABELS = ("shard the data", "score it", "register", "next", "[every epoch]")
CROSSING = "a label long enough"
"""The start of the label that crosses two lifelines (wrapped: its first line)."""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_halos_take_the_colour_of_the_area_under_them(browser: Browser, scheme: str) -> None:
    svg = mlseq.render(DIAGRAM, options=RenderOptions())
    context = browser.new_context(color_scheme=scheme, device_scale_factor=1,
                                  viewport={"width": 1000, "height": 700})
    try:
        page = context.new_page()
        console = ConsoleLog(page)
        page.set_content(f'<html><body style="margin:0"><style id="probe"></style>{svg}'
                         "</body></html>")
        boxes: list[dict[str, Any]] = page.evaluate(LABEL_BOXES_JS)
        shots = {}
        for name, css in SHOTS.items():
            page.evaluate("(css) => { document.getElementById('probe').textContent = css; }",
                          css)
            path = artifact(f"halos/{scheme}-{name}.png")
            page.locator("svg.mlseq").screenshot(path=str(path))
            shots[name] = png_pixels(path.read_bytes())
        page.evaluate("() => { document.getElementById('probe').textContent = ''; }")
        page.locator("svg.mlseq").screenshot(path=str(artifact(f"halos/{scheme}.png")))
    finally:
        context.close()
    assert console.errors == []

    width, height, labels = shots["labels"]
    lines, areas = shots["lines"][2], shots["areas"][2]
    assert {b["text"] for b in boxes} >= set(LABELS)
    crossing = [b for b in boxes if b["text"].startswith(CROSSING)]
    assert len(crossing) == 1
    for box in boxes:
        if box["text"] not in LABELS and box not in crossing:
            continue
        # the label's box and the halo's reach round it (2 px, plus anti-aliasing)
        x0, y0 = max(0, int(box["x"]) - 3), max(0, int(box["y"]) - 3)
        x1 = min(width, int(box["x"] + box["w"]) + 4)
        y1 = min(height, int(box["y"] + box["h"]) + 4)
        hidden = 0
        wrong = []
        for y in range(y0, y1):
            for x in range(x0, x1):
                seen, line, area = labels[y][x], lines[y][x], areas[y][x]
                if seen == line:
                    continue
                hidden += 1
                # Under a halo the line is gone and the area shows, as it is; at the
                # halo's rim a blend of the two.
                if any(not min(q, r) - 6 <= p <= max(q, r) + 6
                       for p, q, r in zip(seen, line, area, strict=True)):
                    wrong.append((x, y, seen, line, area))
        assert not wrong, (f"{scheme}: round {box['text']!r} {len(wrong)} pixels are "
                           f"neither the line nor the area under it, e.g. {wrong[:3]}")
        if box in crossing:
            assert hidden > 20, f"{scheme}: the lifelines under {box['text']!r} show"
