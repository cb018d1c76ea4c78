"""Golden SVGs: every construct drawn, compared byte for byte.

Each ``tests/golden/NAME.mmd`` is rendered and compared with ``tests/golden/NAME.svg``;
the 30-message ML diagram of ../shared/peers is rendered to ``golden/b_ml.svg``. A first
line ``%% options: key=value ...`` sets render options for that file (a Mermaid comment,
so the file stays a valid diagram).

Regenerate after an intended change, then LOOK at the pictures before committing::

    make golden                       # MLSEQ_REGEN_GOLDEN=1 pytest tests/test_golden.py
    .venv/bin/python tools/png.py tests/golden/NAME.svg /tmp/NAME.png
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import shared_path
from mlseq import layout, parser, svg
from mlseq.options import RenderOptions

GOLDEN = Path(__file__).parent / "golden"
REGEN = bool(os.environ.get("MLSEQ_REGEN_GOLDEN"))


def render(text: str) -> str:
    """parse -> layout -> draw, with the options the file's first line asks for."""
    options: dict[str, str] = {}
    first = text.split("\n", 1)[0]
    if first.startswith("%% options:"):
        for item in first[len("%% options:"):].split():
            key, _, value = item.partition("=")
            options[key] = value
    opts = RenderOptions.from_mapping(options)
    diagram = parser.parse(text)
    return svg.draw(diagram, layout.layout(diagram, opts), opts)


def check(name: str, source: str) -> None:
    expected_path = GOLDEN / f"{name}.svg"
    actual = render(source)
    if REGEN or not expected_path.exists():
        expected_path.write_text(actual, encoding="utf-8")
        if not REGEN:
            pytest.fail(f"{expected_path.name} was missing and has been written: review it")
        return
    expected = expected_path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"{name}: output changed; if intended, run `make golden` and look at the PNGs"
    )


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.mmd")), ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    check(path.stem, path.read_text(encoding="utf-8"))


def test_golden_b_ml() -> None:
    source = shared_path("peers", "diagrams", "b_ml.mmd").read_text(encoding="utf-8")
    check("b_ml", source)


def test_goldens_cover_every_construct() -> None:
    """The golden set draws every kind of element at least once."""
    from mlseq.model import (
        Create,
        Delay,
        Destroy,
        Divider,
        FragmentKind,
        FragmentStart,
        Message,
        MessageKind,
        Note,
        NotePlacement,
        ParticipantKind,
    )

    kinds: set[object] = set()
    for path in GOLDEN.glob("*.mmd"):
        d = parser.parse(path.read_text(encoding="utf-8"))
        kinds.update(p.kind for p in d.participants)
        if d.boxes:
            kinds.add("box")
        if any(p.links for p in d.participants):
            kinds.add("link")
        if d.title:
            kinds.add("title")
        for e in d.events:
            if isinstance(e, Message):
                kinds.add(e.kind)
                if e.is_self:
                    kinds.add("self")
                if e.number:
                    kinds.add("autonumber")
            elif isinstance(e, Note):
                kinds.add((e.placement, len(e.participants)))
            elif isinstance(e, FragmentStart):
                kinds.add(e.kind)
                if e.depth >= 2:
                    kinds.add("nested")
            elif isinstance(e, (Create, Destroy, Divider, Delay)):
                kinds.add(type(e).__name__)
    wanted: set[object] = {*ParticipantKind, *MessageKind, "self", "autonumber", "box", "link",
                           "title", "nested", "Create", "Destroy", "Divider", "Delay",
                           (NotePlacement.LEFT, 1), (NotePlacement.RIGHT, 1),
                           (NotePlacement.OVER, 1), (NotePlacement.OVER, 2)}
    wanted |= {k for k in FragmentKind if k is not FragmentKind.PAR_OVER}
    assert wanted - kinds == set()


@pytest.mark.parametrize("path", sorted((GOLDEN / "templates").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_golden_template(path: Path) -> None:
    """Built-in templates as users call them: wide drawings fitted to a docs column."""
    import mlseq

    expected_path = GOLDEN / "templates" / f"{path.stem}.svg"
    actual = mlseq.render(path.read_text(encoding="utf-8"))
    if REGEN or not expected_path.exists():
        expected_path.write_text(actual, encoding="utf-8")
        if not REGEN:
            pytest.fail(f"{expected_path.name} was missing and has been written: review it")
        return
    assert actual == expected_path.read_text(encoding="utf-8"), (
        f"template {path.stem}: output changed; if intended, run `make golden` and look"
    )
