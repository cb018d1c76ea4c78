"""The pictures in docs/templates.md are what the built-in templates draw today."""

from __future__ import annotations

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))

import template_pictures


def test_template_pictures_are_current() -> None:
    assert template_pictures.main(["--check"]) == 0, "run make golden"


def test_every_builtin_has_a_picture_in_the_docs() -> None:
    text = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    for name in template_pictures.pictures():
        assert f"](img/templates/{name}.svg)" in text
