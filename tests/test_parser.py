"""Fixture tests for the parser: every construct and every error message.

Fixture files hold cases in the markdown-it style::

    title of the case
    .
    diagram input
    .
    expected output
    .

In ``fixtures/syntax`` the expected output is :func:`mlseq.dump.dump` of the parsed
diagram; in ``fixtures/errors`` it is ``str(err)`` followed by `` [code]``. After a
deliberate change, regenerate them with ``python tests/test_parser.py --regen`` and
review the diff.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from mlseq import parser
from mlseq.dump import dump
from mlseq.errors import ErrorCode, MlseqError
from mlseq.model import Activation, Head, Message, MessageKind, ParticipantKind
from mlseq.options import Limits

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class Case:
    file: str
    title: str
    line: int
    source: str
    expected: str


def read_cases(path: Path) -> list[Case]:
    lines = path.read_text(encoding="utf-8").split("\n")
    cases: list[Case] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        title, start = lines[i], i + 1
        if lines[i + 1] != ".":
            raise ValueError(f"{path}:{i + 2}: expected '.' after the title")
        parts: list[list[str]] = [[], []]
        i += 2
        for part in parts:
            while lines[i] != ".":
                part.append(lines[i])
                i += 1
            i += 1
        cases.append(Case(path.name, title, start, "\n".join(parts[0]), "\n".join(parts[1]) + "\n"))
    return cases


def write_cases(path: Path, cases: list[tuple[str, str, str]]) -> None:
    blocks = [
        f"{title}\n.\n{source}\n.\n{expected.rstrip(chr(10))}\n.\n"
        for title, source, expected in cases
    ]
    path.write_text("\n".join(blocks), encoding="utf-8")


def error_text(source: str) -> str:
    try:
        parser.parse(source, limits=_LIMITS, strict_participants=_strict(source))
    except MlseqError as err:
        return f"{err} [{err.code.value}]\n"
    return "no error\n"


# Small limits, so the fixtures can show every limit error with short inputs.
_LIMITS = Limits(max_bytes=4000, max_statements=40, max_depth=3, max_participants=12, max_label=60)


def _strict(source: str) -> bool:
    return source.startswith("%% strict")


def _all(kind: str) -> list[Case]:
    return [c for f in sorted((FIXTURES / kind).glob("*.txt")) for c in read_cases(f)]


SYNTAX = _all("syntax")
ERRORS = _all("errors")


@pytest.mark.parametrize("case", SYNTAX, ids=[f"{c.file}:{c.line}" for c in SYNTAX])
def test_syntax(case: Case) -> None:
    assert dump(parser.parse(case.source)) == case.expected, case.title


@pytest.mark.parametrize("case", ERRORS, ids=[f"{c.file}:{c.line}" for c in ERRORS])
def test_errors(case: Case) -> None:
    assert error_text(case.source) == case.expected, case.title


def test_fixtures_cover_every_error_code_the_parser_raises() -> None:
    codes = {c.expected.rsplit("[", 1)[-1].rstrip("]\n") for c in ERRORS}
    assert codes >= {
        ErrorCode.SYNTAX.value,
        ErrorCode.UNKNOWN_PARTICIPANT.value,
        ErrorCode.BLOCK.value,
        ErrorCode.ACTIVATION.value,
        ErrorCode.NOTE.value,
        ErrorCode.LIFECYCLE.value,
        ErrorCode.DIRECTIVE.value,
        ErrorCode.VALUE.value,
        ErrorCode.LIMIT.value,
    }


def test_message_fields_and_activation_events() -> None:
    d = parser.parse("autonumber 3\nA->>+B: hi\nB--)-A: back")
    first, act, second, deact = d.events[1:]
    assert isinstance(first, Message) and isinstance(second, Message)
    assert (first.source, first.target, first.text, first.number) == ("A", "B", "hi", "3")
    assert first.kind is MessageKind.SYNC and second.kind is MessageKind.RETURN
    assert second.head is Head.OPEN and second.number == "4"
    assert act == Activation("B", True, True, first.span)
    assert deact == Activation("B", False, True, second.span)
    assert first.span.line == 2 and second.span.line == 3


def test_bidirectional_and_reversed_half_arrows_set_the_tail() -> None:
    both, rev = parser.parse("A<<->>B: x\nA/|-B: y").messages
    assert (both.head, both.tail, both.kind) == (
        Head.FILLED,
        Head.FILLED,
        MessageKind.BIDIRECTIONAL,
    )
    assert (rev.head, rev.tail, rev.kind) == (Head.NONE, Head.HALF_TOP, MessageKind.HALF)


def test_participant_kinds_and_boxes() -> None:
    d = parser.parse("box Aqua ML\njob T as Trainer\nend\nregistry R\nT-)R: register")
    assert d.participant("T").kind is ParticipantKind.JOB
    assert d.participant("T").label == "Trainer" and d.participant("T").box == 0
    assert d.participant("R").kind is ParticipantKind.REGISTRY
    assert d.boxes[0].color == "Aqua" and d.boxes[0].participants == ("T",)


def test_strict_participants_suggests_the_declared_name() -> None:
    source = "participant Training\nparticipant Registry\nTraning->>Registry: x"
    parser.parse(source.replace("Traning", "Training"), strict_participants=True)
    with pytest.raises(MlseqError) as info:
        parser.parse(source, strict_participants=True)
    assert str(info.value) == "3:1: unknown participant 'Traning' (did you mean 'Training'?)"
    assert info.value.code is ErrorCode.UNKNOWN_PARTICIPANT
    # Mermaid's default: participants appear when first named.
    assert parser.parse(source).participant("Traning").explicit is False


def test_crlf_and_bom_are_accepted() -> None:
    d = parser.parse("\ufeffsequenceDiagram\r\nA->>B: x\r\n")
    assert d.messages[0].text == "x" and d.messages[0].span.line == 2


def test_dump_is_deterministic_and_ends_with_newline() -> None:
    source = (FIXTURES / "syntax" / "blocks.txt").read_text()
    assert (
        dump(parser.parse("A->>B: x")) == "participant A implicit @1:1\n"
        'participant B implicit @1:1\nmessage A ->> B "x" sync @1:1\n'
    )
    assert read_cases(FIXTURES / "syntax" / "blocks.txt")[0].source in source


def test_input_size_limit_counts_bytes() -> None:
    with pytest.raises(MlseqError) as info:
        parser.parse("A->>B: " + "é" * 60, limits=Limits(max_bytes=100))
    assert str(info.value) == "diagram is larger than 100 bytes"
    assert info.value.code is ErrorCode.LIMIT
    parser.parse("A->>B: " + "e" * 60, limits=Limits(max_bytes=100))


def regenerate() -> None:
    for kind, render in (("syntax", lambda s: dump(parser.parse(s))), ("errors", error_text)):
        for path in sorted((FIXTURES / kind).glob("*.txt")):
            cases = read_cases(path)
            write_cases(path, [(c.title, c.source, render(c.source)) for c in cases])
            print(f"regenerated {path}")


def _split_as_by_tokens(body: str) -> tuple[str, str | None]:
    """The token-by-token reading that ``parser._split_as`` must agree with."""
    tokens = body.split()
    for i in range(1, len(tokens) - 1):
        if tokens[i].lower() == "as":
            pos = 0
            for tok in tokens[: i + 1]:
                pos = body.index(tok, pos) + len(tok)
            return " ".join(body[: pos - 2].split()), body[pos:].strip()
    return " ".join(tokens), None


def test_split_as_reads_ids_and_labels_as_the_tokens_do() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    pieces = st.sampled_from(["as", "AS", "As", "aS", "a\u017f", "ass", "xas", "A", "B c",
                              "\u00e9t\u00e9", "x", "#59;", "@"])
    spaces = st.sampled_from([" ", "  ", "\t", "\u3000", "\u00a0", " \u2028 "])

    @settings(max_examples=400, deadline=None)
    @given(st.lists(st.tuples(pieces, spaces), min_size=1, max_size=7))
    def check(parts: list[tuple[str, str]]) -> None:
        body = "".join(p + sp for p, sp in parts).strip()
        assert parser._split_as(body) == _split_as_by_tokens(body)

    check()
    assert parser._split_as("DE as Data  Engineer") == ("DE", "Data  Engineer")
    assert parser._split_as("as as x") == ("as", "x")
    assert parser._split_as("A as") == ("A as", None)
    assert parser._split_as("A a\u017f B") == ("A a\u017f B", None)


if __name__ == "__main__":
    if sys.argv[1:] == ["--regen"]:
        regenerate()
