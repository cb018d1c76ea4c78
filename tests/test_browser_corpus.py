"""Every real diagram we know of, drawn by mlseq and measured in headless Chromium.

Evidence for the renderer issue: for each diagram in ../shared/corpus/ (mermaid-real,
ml-real, and the mermaid-spec files Mermaid accepts) and ../shared/peers/diagrams/*.mmd,
``mlseq.render`` output is placed on a few plain HTML pages and Chromium reports, through
``getBoundingClientRect`` on every ``<text>``, whether two labels of one diagram overlap and
whether a label sticks out of its ``<svg>``. The counts and every offender are written to
``test-artifacts/browser-corpus.json``; each page is also saved as a PNG there.
"""

from __future__ import annotations

import csv
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mlseq
import pytest
from browser import LABEL_CHECK_JS, ConsoleLog, artifact
from conftest import shared_path

pytestmark = pytest.mark.browser

PER_PAGE = 60
# Glyph boxes of neighbouring lines touch by a fraction of a pixel; that is not an overlap.
SLACK = 0.5


def corpus_files() -> list[tuple[str, Path]]:
    corpus = shared_path("corpus")
    files: list[tuple[str, Path]] = []
    for group in ("mermaid-real", "ml-real"):
        files += [(f"{group}/{p.name}", p) for p in sorted((corpus / group).glob("*.mmd"))]
    spec = corpus / "mermaid-spec"
    with (spec / "EXPECT.tsv").open(encoding="utf-8") as fh:
        accepted = {row["file"] for row in csv.DictReader(fh, delimiter="\t")
                    if row["expect"] == "accept"}
    files += [(f"mermaid-spec/{p.name}", p) for p in sorted(spec.glob("*.mmd"))
              if p.name in accepted]
    peers = shared_path("peers", "diagrams")
    files += [(f"peers/{p.name}", p) for p in sorted(peers.glob("*.mmd"))]
    return files


@dataclass
class CorpusRun:
    diagrams: int = 0
    labels: int = 0
    render_errors: dict[str, str] = field(default_factory=dict)
    overlaps: dict[str, list[list[str]]] = field(default_factory=dict)
    outside: dict[str, list[str]] = field(default_factory=dict)
    invisible: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def run(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> CorpusRun:
    result = CorpusRun()
    rendered: list[tuple[str, str]] = []
    for name, path in corpus_files():
        try:
            rendered.append((name, mlseq.render(path.read_text(encoding="utf-8"))))
        except mlseq.MlseqError as err:
            result.render_errors[name] = str(err)
    folder = tmp_path_factory.mktemp("corpus-pages")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    for start in range(0, len(rendered), PER_PAGE):
        chunk = rendered[start:start + PER_PAGE]
        body = "".join(
            f"<section data-name='{html.escape(name)}' style='margin:24px 0'>"
            f"<h2 style='font:13px sans-serif'>{html.escape(name)}</h2>{svg}</section>"
            for name, svg in chunk
        )
        page_file = folder / f"page{start // PER_PAGE:02d}.html"
        page_file.write_text(
            f"<!doctype html><meta charset='utf-8'><title>corpus</title><body>{body}</body>",
            encoding="utf-8",
        )
        page = context.new_page()
        log = ConsoleLog(page)
        page.goto(page_file.as_uri(), wait_until="load")
        reports = page.evaluate(LABEL_CHECK_JS, ["section > svg", SLACK])
        page.screenshot(path=str(artifact(f"corpus-{page_file.stem}.png")), full_page=True)
        page.close()
        result.console += log.errors
        for report in reports:
            name = report["name"]
            result.diagrams += 1
            result.labels += report["labels"]
            if report["overlaps"]:
                result.overlaps[name] = report["overlaps"]
            if report["outside"]:
                result.outside[name] = report["outside"]
            if not report["visible"]:
                result.invisible.append(name)
    context.close()
    summary = {
        "diagrams": result.diagrams,
        "labels": result.labels,
        "render_errors": result.render_errors,
        "diagrams_with_overlaps": len(result.overlaps),
        "overlapping_pairs": sum(len(v) for v in result.overlaps.values()),
        "diagrams_with_labels_outside": len(result.outside),
        "overlaps": result.overlaps,
        "outside": result.outside,
        "invisible": result.invisible,
    }
    artifact("browser-corpus.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print(
        f"\ncorpus in Chromium: {result.diagrams} diagrams, {result.labels} labels, "
        f"{summary['overlapping_pairs']} overlapping pairs in {len(result.overlaps)} diagrams, "
        f"labels outside the svg in {len(result.outside)}, "
        f"render errors {len(result.render_errors)}"
    )
    return result


def _listing(found: dict[str, Any]) -> str:
    return "\n".join(f"  {name}: {value}" for name, value in sorted(found.items()))


def test_every_corpus_diagram_renders(run: CorpusRun) -> None:
    assert not run.render_errors, "diagrams Mermaid accepts failed:\n" + _listing(
        run.render_errors
    )


def test_every_diagram_is_visible(run: CorpusRun) -> None:
    expected = len(corpus_files()) - len(run.render_errors)
    assert run.diagrams == expected, "some rendered diagrams are missing from the page"
    assert not run.invisible
    assert not run.console


def test_no_two_labels_overlap(run: CorpusRun) -> None:
    assert not run.overlaps, f"labels overlap in {len(run.overlaps)} diagrams:\n" + _listing(
        run.overlaps
    )


def test_no_label_sticks_out_of_its_svg(run: CorpusRun) -> None:
    assert not run.outside, f"labels outside the svg in {len(run.outside)} diagrams:\n" + (
        _listing(run.outside)
    )


def test_the_check_sees_overlaps_and_clipped_labels(browser: Any) -> None:
    """The measurement itself: two labels drawn on top of each other, one past the edge."""
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' width='200' height='60'>"
        "<text x='10' y='20'>register model</text><text x='40' y='24'>deploy</text>"
        "<text x='150' y='50'>outside the edge</text><text x='10' y='50'>fine</text></svg>"
    )
    page = browser.new_page()
    page.set_content(f"<section data-name='probe'>{svg}</section>")
    [report] = page.evaluate(LABEL_CHECK_JS, ["section > svg", SLACK])
    page.close()
    assert report["overlaps"] == [["register model", "deploy"]]
    assert report["outside"] == ["outside the edge"]
