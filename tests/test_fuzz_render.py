"""Property tests over the whole pipeline: whatever the block, only ``MlseqError``
escapes ``mlseq.render`` and every SVG is well-formed and inert.

The hypothesis ``deadline`` is a generous bound that catches hangs, not a timing test.
"""

from __future__ import annotations

from datetime import timedelta

import mlseq
import pytest
from conftest import SHARED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mlseq.errors import MlseqError
from mlseq.options import Limits
from test_security_injection import TEXT, assert_safe_svg

FUZZ = settings(
    max_examples=150,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LIMITS = Limits(max_depth=8, max_participants=40, max_statements=400)

_NAMES = st.sampled_from(["A", "Bob", "Feature Store", "x", "#59;", "é", "A B"])
_TEXT = st.one_of(st.text(max_size=30), st.sampled_from(TEXT))
_ARROWS = st.sampled_from(["->>", "-->>", "->", "-->", "-x", "--x", "-)", "--)", "<<->>",
                           "<<-->>", "-|\\", "-//"])


@st.composite
def statements(draw: st.DrawFn) -> str:
    a, b, text = draw(_NAMES), draw(_NAMES), draw(_TEXT)
    choice = draw(st.integers(0, 14))
    return [
        f"{a}{draw(_ARROWS)}{draw(st.sampled_from(['', '+', '-']))}{b}: {text}",
        f"participant {a} as {text}",
        f"{draw(st.sampled_from(['actor', 'database', 'job', 'model']))} {a}",
        f"Note {draw(st.sampled_from(['over', 'left of', 'right of']))} {a}: {text}",
        f"{draw(st.sampled_from(['loop', 'alt', 'opt', 'par', 'critical', 'break']))} {text}",
        draw(st.sampled_from(["else x", "and y", "option z", "end", "end"])),
        f"rect {draw(st.sampled_from(['rgb(1,2,3)', 'red', '#fff', text]))}",
        f"box {text}",
        f"== {text} ==",
        f"... {text} ...",
        f"autonumber {draw(st.integers(-5, 10**12))} {draw(st.integers(-5, 10**6))}",
        f"link {a}: {text} @ {draw(st.sampled_from(['https://x.org', 'javascript:x', text]))}",
        f"{draw(st.sampled_from(['activate', 'deactivate', 'create participant', 'destroy']))} "
        f"{a}",
        f"{draw(st.sampled_from(['title', 'accTitle:', 'accDescr:']))} {text}",
        '%%{init: {"theme": "dark", "themeVariables": {"primaryColor": "' + text + '"}}}%%',
    ][choice]


def _check(text: str, **options: object) -> None:
    try:
        svg = mlseq.render(text, limits=LIMITS, **options)
    except MlseqError as err:
        if err.line:
            assert str(err).startswith(f"{err.line}:{err.column}: ")
    else:
        assert_safe_svg(svg)


@FUZZ
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    _check(text)


@FUZZ
@given(st.lists(statements(), max_size=40))
def test_grammar_aware_statements(lines: list[str]) -> None:
    _check("\n".join(lines))


def _corpus() -> list[str]:
    files = sorted((SHARED / "corpus" / "mermaid-real").glob("*.mmd"))
    files += sorted((SHARED / "corpus" / "ml-real").glob("*.mmd"))
    return [f.read_text(encoding="utf-8") for f in files] or ["A->>B: x"]


CORPUS = _corpus()
CALLS = [
    "template: ml-workflow\n",
    "template: ml-workflow\ntitle: T\ngate: {metric: AUC, threshold: '>= 0.9'}\n",
    "template: ml-workflow\nsteps:\n  - after: data\n    do: 'DS->>Orch: hi'\n",
    "template: training-pipeline\nautonumber: true\ntheme: dark\n",
]


@st.composite
def mutations(draw: st.DrawFn, sources: list[str]) -> str:
    text = draw(st.sampled_from(sources))
    for _ in range(draw(st.integers(1, 6))):
        if not text:
            break
        i = draw(st.integers(0, len(text) - 1))
        j = draw(st.integers(i, min(len(text), i + 20)))
        op = draw(st.integers(0, 3))
        if op == 0:
            text = text[:i] + text[j:]
        elif op == 1:
            text = text[:i] + draw(st.text(max_size=10)) + text[i:]
        elif op == 2:
            text = text[:i] + text[i:j] * draw(st.integers(2, 5)) + text[j:]
        else:
            extra = draw(st.sampled_from([*TEXT, "\n", ":", "{", "*x", "&x"]))
            text = text[:i] + extra + text[j:]
    return text


@FUZZ
@given(mutations(CORPUS))
def test_mutated_corpus(text: str) -> None:
    _check(text)


@FUZZ
@given(mutations(CALLS))
def test_mutated_template_calls(text: str) -> None:
    _check(text)


def test_surrogate_in_template_call_is_an_mlseq_error() -> None:
    with pytest.raises(MlseqError):
        mlseq.render("template: a\ud800b\n")


@pytest.mark.parametrize("source", ["== ==", "A->>B: x\nNote over A: "])
def test_empty_note_or_divider_renders(source: str) -> None:
    assert_safe_svg(mlseq.render(source))
