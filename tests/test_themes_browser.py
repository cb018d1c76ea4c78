"""Dark mode, live, in a real browser: Furo, pydata-sphinx-theme, sphinx-rtd-theme and
Material for MkDocs.

Each test builds a one-page site with the theme, loads it in headless Chromium, switches
the theme to dark the way the theme itself does (an attribute its toggle sets; no page
reload, no script of ours), and checks that the diagram's text fill and background really
change and that every label meets WCAG AA (4.5:1) in both modes, against what is painted
behind it and, where the theme has a dark mode, against the page background.

Screenshots of both modes go to test-artifacts/themes/.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browser import CONTRAST_JS, ConsoleLog, artifact

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

AA = 4.5

DIAGRAM = """\
title Nightly training
autonumber
participant Scheduler
job Trainer
registry Registry
== Training ==
Scheduler-)Trainer: start nightly run
Note over Trainer: 4 GPUs, about 2 h
alt AUC >= 0.85
  Trainer->>Registry: register model v7
  Registry-->>Trainer: version 7
else fails
  Trainer-xScheduler: rejected
end
"""

# What is painted behind the diagram on the page: the first opaque background among
# the svg's ancestors (the theme's content area, body or html), white when none is.
PAGE_BACKGROUND_JS = """
(selector) => {
  const svg = document.querySelector(selector);
  for (let el = svg.parentElement; el; el = el.parentElement) {
    const c = getComputedStyle(el).backgroundColor;
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) continue;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    if (p.length < 4 || p[3] >= 0.99) return p.slice(0, 3);
  }
  return [255, 255, 255];
}
"""

# The diagram's own colours: a label's computed fill and the background rectangle's.
DIAGRAM_COLOURS_JS = """
(selector) => {
  const svg = document.querySelector(selector);
  return {
    text: getComputedStyle(svg.querySelector('text')).fill,
    background: getComputedStyle(svg.querySelector('rect.bg')).fill,
  };
}
"""


@dataclass(frozen=True)
class Theme:
    name: str
    generator: str
    """``sphinx`` (value of ``html_theme``) or ``mkdocs`` (Material)."""
    dark_js: str | None
    """Script that does what the theme's own toggle does; ``None``: the theme follows
    ``prefers-color-scheme`` only."""
    has_dark_page: bool = True
    """Whether the page itself turns dark (sphinx-rtd-theme has no dark mode: the
    diagram then stays light too)."""
    own_console: str = "Failed to load resource: net::"
    """Console errors of the theme itself (web fonts it cannot fetch offline ...)."""


THEMES = [
    Theme("furo", "sphinx", "document.body.dataset.theme = 'dark'"),
    # pydata logs "Got invalid theme mode" on a first visit (nothing in localStorage yet).
    Theme("pydata_sphinx_theme", "sphinx", "document.documentElement.dataset.theme = 'dark'",
          own_console="Failed to load resource: net::|Got invalid theme mode"),
    # No built-in dark mode: the reader's system turning dark changes nothing.
    Theme("sphinx_rtd_theme", "sphinx", None, has_dark_page=False),
    Theme("material", "mkdocs",
          "document.body.setAttribute('data-md-color-scheme', 'slate')"),
]


def build_sphinx(root: Path, theme: str) -> Path:
    from sphinx.cmd.build import build_main

    src = root / "src"
    src.mkdir(parents=True)
    (src / "conf.py").write_text(
        f'extensions = ["sphinx_mlseq"]\nproject = "Themes"\nhtml_theme = "{theme}"\n'
    )
    body = textwrap.indent(DIAGRAM, "   ")
    (src / "index.rst").write_text(f"Pipeline\n========\n\nSome prose.\n\n.. mlseq::\n\n{body}")
    out = root / "html"
    assert build_main(["-q", "-W", "-b", "html", str(src), str(out)]) == 0
    return out / "index.html"


def build_material(root: Path) -> Path:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(textwrap.dedent("""\
        site_name: Themes
        theme:
          name: material
          font: false
          palette:
            - scheme: default
              toggle: {icon: material/brightness-7, name: Dark mode}
            - scheme: slate
              toggle: {icon: material/brightness-4, name: Light mode}
        markdown_extensions:
          - pymdownx.superfences
        plugins:
          - mlseq
    """))
    page = f"# Pipeline\n\nSome prose.\n\n```mlseq\n{DIAGRAM}```\n"
    (root / "docs" / "index.md").write_text(page)
    config = load_config(str(root / "mkdocs.yml"), strict=True)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return root / "site" / "index.html"


def luminance(rgb: list[float]) -> float:
    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: list[float], b: list[float]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def measure(page: Page, name: str, mode: str) -> dict[str, Any]:
    selector = "svg.mlseq"
    page.locator(selector).first.scroll_into_view_if_needed()
    labels: list[dict[str, Any]] = page.evaluate(CONTRAST_JS, selector)
    colours: dict[str, str] = page.evaluate(DIAGRAM_COLOURS_JS, selector)
    background: list[float] = page.evaluate(PAGE_BACKGROUND_JS, selector)
    page.locator(selector).first.screenshot(path=str(artifact(f"themes/{name}-{mode}.png")))
    return {"labels": labels, "colours": colours, "page": background}


@pytest.mark.parametrize("theme", THEMES, ids=[t.name for t in THEMES])
def test_diagram_follows_the_theme_into_dark_mode(
    browser: Browser, tmp_path: Path, theme: Theme
) -> None:
    index = (build_material(tmp_path) if theme.generator == "mkdocs"
             else build_sphinx(tmp_path, theme.name))
    context = browser.new_context(color_scheme="light", viewport={"width": 1280, "height": 900})
    try:
        # Nothing leaves the machine; a theme's web fonts or analytics fail to load, which
        # is the theme's business, so only other console errors count.
        context.route("http*://**", lambda route: route.abort())
        page = context.new_page()
        console = ConsoleLog(page)
        page.goto(index.as_uri())
        page.wait_for_load_state("load")
        light = measure(page, theme.name, "light")
        if theme.dark_js is None:
            page.emulate_media(color_scheme="dark")
        else:
            page.evaluate(theme.dark_js)
        dark = measure(page, theme.name, "dark")
    finally:
        context.close()

    errors = [e for e in console.errors if not re.search(theme.own_console, e)]
    assert errors == []
    assert light["labels"] and len(light["labels"]) == len(dark["labels"])
    if theme.has_dark_page:
        # the switch reached the diagram: text and background colours both changed, live
        assert light["colours"]["text"] != dark["colours"]["text"]
        assert light["colours"]["background"] != dark["colours"]["background"]
    else:
        # a light-only page: the diagram stays as light as the page around it
        assert light["colours"] == dark["colours"]
    for mode, seen in (("light", light), ("dark", dark)):
        poor = [label for label in seen["labels"] if label["ratio"] < AA]
        assert not poor, f"{theme.name} {mode}: labels below {AA}:1: {poor[:5]}"
    # the diagram's text reads against the page it sits on, in both modes
    text_light = light["labels"][0]["fill"]
    text_dark = dark["labels"][0]["fill"]
    assert contrast(text_light, light["page"]) >= AA
    if theme.has_dark_page:
        assert luminance(dark["page"]) < luminance(light["page"])  # the page did go dark
    assert contrast(text_dark, dark["page"]) >= AA
