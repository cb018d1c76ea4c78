"""Atheris harness: random bytes through the whole pipeline (template calls too).

Only :class:`mlseq.MlseqError` may escape ``mlseq.render``, and every SVG must be
well-formed XML. Run with ``.venv/bin/python fuzz/fuzz_render.py -max_total_time=300``
(see fuzz/README.md).
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET

import atheris

with atheris.instrument_imports():
    import mlseq

    # render() imports its stages lazily: import them here so they are instrumented.
    from mlseq import layout, lexer, markup, metrics, parser, svg, template, theme  # noqa: F401
    from mlseq.errors import MlseqError
    from mlseq.options import Limits

LIMITS = Limits(max_depth=8, max_participants=40, max_statements=400)
PREFIXES = ("", "sequenceDiagram\n", "template: ml-workflow\n", "---\ntitle: t\n---\n")


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    prefix = PREFIXES[fdp.ConsumeIntInRange(0, len(PREFIXES) - 1)]
    text = prefix + fdp.ConsumeUnicodeNoSurrogates(fdp.remaining_bytes())
    try:
        svg = mlseq.render(text, limits=LIMITS)
    except MlseqError:
        return
    ET.fromstring(svg)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
