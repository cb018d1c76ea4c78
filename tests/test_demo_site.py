"""The demo handbook, built with Sphinx (Furo) and MkDocs (Material), checked in Chromium.

Both sites are built once per session by ``demo-site/build.py`` (strict builds) into a
temporary folder and served over HTTP, as a reader would see them. On every page, in the
light and the dark palette: every diagram visible and non-empty (tabs clicked open), no
console errors, no overlapping labels and none outside its ``<svg>``, text contrast of at
least 4.5:1 (WCAG AA) against what is painted behind it, and the diagram's colours change
when the palette does, without any script of ours. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import functools
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from browser import CONTRAST_JS, LABEL_CHECK_JS, ConsoleLog, artifact

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "demo-site" / "build.py"
PAGES = ["index", "data", "training", "release", "monitoring", "runbook", "language"]
SITES = ["sphinx", "mkdocs"]
SELECTOR = "svg.mlseq"
AA_TEXT = 4.5
SLACK = 0.5
DARK = {
    "sphinx": "document.body.dataset.theme = 'dark'",
    "mkdocs": "document.body.setAttribute('data-md-color-scheme', 'slate')",
}
# The colours a reader sees: fill and stroke of every drawn element of the diagrams.
PAINT_JS = """
(selector) => Array.from(document.querySelectorAll(selector + ' *')).map(el => {
  const cs = getComputedStyle(el);
  return cs.fill + '|' + cs.stroke;
})
"""
# Tabs (Material's content tabs) hide diagrams until clicked.
TAB_LABELS = ".tabbed-labels > label"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Built:
    root: Path
    output: str
    url: str


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    out = tmp_path_factory.mktemp("demo-build")
    proc = subprocess.run(
        [sys.executable, str(BUILD), "--out", str(out)],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"demo-site/build.py failed:\n{proc.stdout}\n{proc.stderr}")
    handler = functools.partial(_Quiet, directory=str(out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Built(out, proc.stdout, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class PageReport:
    console: list[str] = field(default_factory=list)
    diagrams: dict[str, dict[str, Any]] = field(default_factory=dict)
    contrast: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    paint: dict[str, list[str]] = field(default_factory=dict)
    script_in_diagrams: int = 0


def _measure_labels(page: Any, report: PageReport) -> None:
    for entry in page.evaluate(LABEL_CHECK_JS, [SELECTOR, SLACK]):
        seen = report.diagrams.get(entry["name"])
        if seen is None or (entry["visible"] and not seen["visible"]):
            report.diagrams[entry["name"]] = entry


def _contrast(page: Any) -> list[dict[str, Any]]:
    """Contrast of every label, each tab opened in turn so hidden diagrams count too."""
    results: list[dict[str, Any]] = page.evaluate(CONTRAST_JS, SELECTOR)
    labels = page.locator(TAB_LABELS)
    for i in range(labels.count()):
        labels.nth(i).click()
        results += page.evaluate(CONTRAST_JS, SELECTOR)
    return results


@pytest.fixture(scope="session")
def reports(browser: Any, built: Built) -> dict[tuple[str, str], PageReport]:
    found: dict[tuple[str, str], PageReport] = {}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    for site in SITES:
        for name in PAGES:
            report = PageReport()
            page = context.new_page()
            log = ConsoleLog(page)
            page.goto(f"{built.url}/{site}/{name}.html", wait_until="networkidle")
            _measure_labels(page, report)
            labels = page.locator(TAB_LABELS)
            for i in range(labels.count()):
                labels.nth(i).click()
                _measure_labels(page, report)
            if labels.count():
                labels.first.click()
            report.script_in_diagrams = page.locator(
                f"{SELECTOR} script, {SELECTOR} foreignObject"
            ).count()
            for palette in ("light", "dark"):
                if palette == "dark":
                    page.evaluate(DARK[site])
                report.paint[palette] = page.evaluate(PAINT_JS, SELECTOR)
                report.contrast[palette] = _contrast(page)
                if labels.count():
                    labels.first.click()
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(
                    path=str(artifact(f"demo-{site}-{name}-{palette}.png")), full_page=True
                )
            report.console = list(log.errors)
            page.close()
            found[(site, name)] = report
    context.close()
    return found


CASES = [pytest.param(site, name, id=f"{site}-{name}") for site in SITES for name in PAGES]


def test_build_prints_where_to_open_and_a_summary(built: Built) -> None:
    for site in SITES:
        assert (built.root / site / "index.html").is_file()
        assert (built.root / site / "index.html").as_uri() in built.output
    assert "pages" in built.output and "diagrams" in built.output
    assert "FAILED" not in built.output


def test_both_sites_draw_the_same_diagrams(
    reports: dict[tuple[str, str], PageReport],
) -> None:
    counts = {key: len(r.diagrams) for key, r in reports.items()}
    for name in PAGES:
        assert counts[("sphinx", name)] > 0, f"no diagram on {name}"
        assert counts[("sphinx", name)] == counts[("mkdocs", name)], counts


@pytest.mark.parametrize(("site", "name"), CASES)
def test_every_diagram_visible_and_not_empty(
    reports: dict[tuple[str, str], PageReport], site: str, name: str
) -> None:
    report = reports[(site, name)]
    assert report.diagrams
    bad = {
        key: (d["width"], d["height"], d["labels"])
        for key, d in report.diagrams.items()
        if not d["visible"] or d["labels"] == 0 or d["width"] < 40 or d["height"] < 40
    }
    assert not bad, f"invisible or empty diagrams (width, height, labels): {bad}"


@pytest.mark.parametrize(("site", "name"), CASES)
def test_no_console_errors(
    reports: dict[tuple[str, str], PageReport], site: str, name: str
) -> None:
    assert reports[(site, name)].console == []


@pytest.mark.parametrize(("site", "name"), CASES)
def test_no_overlapping_or_clipped_labels(
    reports: dict[tuple[str, str], PageReport], site: str, name: str
) -> None:
    problems = {
        key: {"overlaps": d["overlaps"], "outside": d["outside"]}
        for key, d in reports[(site, name)].diagrams.items()
        if d["overlaps"] or d["outside"]
    }
    assert not problems


@pytest.mark.parametrize("palette", ["light", "dark"])
@pytest.mark.parametrize(("site", "name"), CASES)
def test_text_contrast_meets_wcag_aa(
    reports: dict[tuple[str, str], PageReport], site: str, name: str, palette: str
) -> None:
    measured = reports[(site, name)].contrast[palette]
    assert measured, "no diagram text measured"
    low = {(m["text"], tuple(m["fill"]), tuple(m["background"]), m["ratio"])
           for m in measured if m["ratio"] < AA_TEXT}
    assert not low, f"{len(low)} labels below {AA_TEXT}:1 in {palette}: {sorted(low)[:10]}"


@pytest.mark.parametrize(("site", "name"), CASES)
def test_diagram_colours_follow_the_dark_palette(
    reports: dict[tuple[str, str], PageReport], site: str, name: str
) -> None:
    report = reports[(site, name)]
    assert report.paint["light"], "nothing painted"
    light, dark = report.paint["light"], report.paint["dark"]
    changed = sum(a != b for a, b in zip(light, dark, strict=True))
    assert changed >= len(report.paint["light"]) // 2, (
        f"only {changed} of {len(report.paint['light'])} elements changed colour"
    )
    assert report.script_in_diagrams == 0


def test_the_contrast_measure_sees_faint_text_and_halos(browser: Any) -> None:
    """The measurement itself: grey on white fails AA, a white halo hides white text."""
    svg = (
        "<svg class='mlseq' xmlns='http://www.w3.org/2000/svg' width='300' height='90'>"
        "<rect width='300' height='90' fill='#ffffff'/>"
        "<text x='10' y='20' fill='#999999'>faint</text>"
        "<text x='10' y='45' fill='#1f2328'>dark</text>"
        "<circle cx='110' cy='70' r='12' fill='#34527f'/>"
        "<text x='105' y='75' fill='#ffffff' stroke='#ffffff' stroke-width='3'"
        " style='paint-order: stroke'>7</text></svg>"
    )
    page = browser.new_page()
    page.set_content(svg)
    ratios = {m["text"]: m["ratio"] for m in page.evaluate(CONTRAST_JS, SELECTOR)}
    page.close()
    assert ratios["faint"] < AA_TEXT < ratios["dark"]
    assert ratios["7"] == 1
