"""Property tests: whatever the input, only MlseqError leaves the parser, and quickly.

The hypothesis ``deadline`` (not a timing assert) fails any example that takes too
long, which is how catastrophic backtracking or quadratic loops would show up.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from conftest import SHARED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mlseq import parser
from mlseq.dump import dump
from mlseq.errors import MlseqError
from mlseq.options import Limits

FUZZ = settings(
    max_examples=300,
    deadline=timedelta(milliseconds=500),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_PIECES = [
    "->>", "-->>", "->", "-->", "-x", "--x", "-)", "--)", "<<->>", "<<-->>", "-|\\", "-|/",
    "-\\\\", "-//", "/|-", "\\|-", "//-", "\\\\-", "()", "+", "-", ":", ";", ",", "#", "#59;",
    "#9829;", "%%", "%%{", "}%%", "{", "}", "@{", "\"", "'", "<br/>", "<br", "wrap:", "as",
    " ", "  ", "\t", "\n", "\r\n", "A", "Bob", "x", "loop", "alt", "else", "opt", "par",
    "and", "par_over", "critical", "option", "break", "rect", "end", "box", "note",
    "left of", "right of", "over", "participant", "actor", "database", "job", "create",
    "destroy", "activate", "deactivate", "autonumber", "off", "1", "0.25", ".001", "link",
    "links", "properties", "title", "title:", "accTitle:", "accDescr", "accDescr {", "==",
    "...", "---", "sequenceDiagram", "rgb(", ")", "#fff", "init:", "yaml: [", "\x00", "é",
]  # fmt: skip


def _check(text: str) -> None:
    try:
        diagram = parser.parse(text, limits=Limits(max_depth=8, max_participants=40))
    except MlseqError as err:
        assert err.line >= 0 and err.column >= 0
        assert str(err).startswith(f"{err.line}:{err.column}: ")
    else:
        dump(diagram)


@FUZZ
@given(st.text(max_size=400))
def test_random_text(text: str) -> None:
    _check(text)


@FUZZ
@given(st.lists(st.sampled_from(_PIECES), max_size=80))
def test_keyword_and_arrow_soup(pieces: list[str]) -> None:
    _check("".join(pieces))


@FUZZ
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6), st.integers(1, 3000))
def test_long_pathological_lines(pieces: list[str], times: int) -> None:
    # One short pattern repeated into a long line: the classic backtracking trigger.
    _check("".join(pieces) * times)


def _corpus_texts() -> list[str]:
    root = SHARED / "corpus"
    return [p.read_text(encoding="utf-8") for p in sorted(root.glob("*/*.mmd"))][:400]


CORPUS = _corpus_texts()


@pytest.mark.skipif(not CORPUS, reason="../shared/corpus is absent")
@FUZZ
@given(
    st.data(),
    st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(0, 40), st.sampled_from(_PIECES)),
        min_size=1,
        max_size=8,
    ),
)
def test_mutated_corpus_files(data: st.DataObject, edits: list[tuple[int, int, str]]) -> None:
    text = data.draw(st.sampled_from(CORPUS))
    for at, cut, insert in edits:
        at %= len(text) + 1
        text = text[:at] + insert + text[at + cut :]
    _check(text)


def test_large_inputs_hit_limits_not_hangs(tmp_path: Path) -> None:
    with pytest.raises(MlseqError) as info:
        parser.parse("A->>B: x\n" * 60_000)
    assert info.value.code.value == "limit"
    with pytest.raises(MlseqError):
        parser.parse("loop x\n" * 100)
