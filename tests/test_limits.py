"""Resource limits: any block finishes in bounded time and memory, with a drawing or an
``MlseqError(code=LIMIT)``, and the default limits are far above real diagrams.

The worst cases run in a fresh interpreter with a wall-clock timeout and an
address-space limit: a hang or a blow-up fails the test (never the test run), and no
test asserts how fast anything is.
"""

from __future__ import annotations

import itertools
import json
import resource
import subprocess
import sys
from dataclasses import dataclass, fields

import mlseq
import pytest
from conftest import shared_path
from mlseq import lexer
from mlseq.errors import ErrorCode, MlseqError
from mlseq.model import Diagram, FragmentSection, FragmentStart, Message, Note
from mlseq.options import Limits


@dataclass
class Usage:
    bytes: int = 0
    statements: int = 0
    depth: int = 0
    participants: int = 0
    label: int = 0


def usage(text: str, diagram: Diagram) -> Usage:
    depth = max((ev.depth + 1 for ev in diagram.events if isinstance(ev, FragmentStart)),
                default=0)
    labels = [p.label for p in diagram.participants]
    for ev in diagram.events:
        if isinstance(ev, (Message, Note)):
            labels.append(ev.text)
        elif isinstance(ev, (FragmentStart, FragmentSection)):
            labels.append(ev.label)
    return Usage(
        bytes=len(text.encode("utf-8")),
        statements=len(lexer.split(text)),
        depth=depth,
        participants=len(diagram.participants),
        label=max((len(label) for label in labels), default=0),
    )


def corpus_maxima() -> tuple[Usage, int]:
    top = Usage()
    count = 0
    folders = [shared_path("corpus", name) for name in ("mermaid-real", "ml-real",
                                                        "mermaid-spec")]
    folders.append(shared_path("peers", "diagrams"))
    for folder in folders:
        for path in sorted(folder.glob("*.mmd")):
            text = path.read_text(encoding="utf-8")
            try:
                diagram = mlseq.parse(text)
            except MlseqError:
                continue  # Mermaid rejects some of the spec inputs too
            count += 1
            seen = usage(text, diagram)
            for f in fields(Usage):
                setattr(top, f.name, max(getattr(top, f.name), getattr(seen, f.name)))
    return top, count


def test_defaults_are_far_above_real_diagrams() -> None:
    """Each default is at least 10x what the largest real diagram uses (printed with
    ``pytest -s``): c_large, 500 messages, is the biggest."""
    top, count = corpus_maxima()
    assert count > 300
    print(f"\ncorpus maxima over {count} diagrams: {top}")
    defaults = Limits()
    assert top.bytes * 10 <= defaults.max_bytes
    assert top.statements * 10 <= defaults.max_statements
    assert top.depth * 4 <= defaults.max_depth  # real nesting is a handful deep
    assert top.participants * 10 <= defaults.max_participants
    assert top.label * 10 <= defaults.max_label


# --- each limit is enforced and configurable --------------------------------------------

LIMIT_CASES = {
    "max_bytes": ("A->>B: x\n" * 20, {"max_bytes": 100}),
    "max_statements": ("A->>B: x\n" * 20, {"max_statements": 10}),
    "max_depth": ("loop a\n" * 4 + "A->>B: x\n" + "end\n" * 4, {"max_depth": 3}),
    "max_participants": ("A->>B: x\nC->>D: y\n", {"max_participants": 3}),
    "max_label": ("A->>B: " + "x" * 50, {"max_label": 40}),
    "max_label-participant": ("participant A as " + "x" * 50 + "\nA->>B: x",
                              {"max_label": 40}),
    "max_label-link": ("participant A\nlink A: Docs @ https://example.org/" + "x" * 50
                       + "\nA->>B: x", {"max_label": 40}),
    "max_label-links": ('participant A\nlinks A: {"Docs": "https://example.org/' + "x" * 50
                        + '"}\nA->>B: x', {"max_label": 40}),
    "max_label-accTitle": ("accTitle: " + "x" * 50 + "\nA->>B: x", {"max_label": 40}),
    "max_label-accDescr": ("accDescr: " + "x" * 50 + "\nA->>B: x", {"max_label": 40}),
    "max_label-accDescr-block": ("accDescr {\n" + ("x" * 20 + "\n") * 3 + "}\nA->>B: x",
                                 {"max_label": 40}),
}


@pytest.mark.parametrize("name", sorted(LIMIT_CASES))
def test_each_limit_is_enforced(name: str) -> None:
    source, limits = LIMIT_CASES[name]
    mlseq.render(source)  # fine with the defaults
    with pytest.raises(MlseqError) as info:
        mlseq.render(source, limits=limits)
    assert info.value.code is ErrorCode.LIMIT
    if name.startswith("max_label-acc"):
        assert info.value.line == 1, "the error points at the accTitle/accDescr line"
    assert "limit" in str(info.value) or "more than" in str(info.value) or "larger" in str(
        info.value)


def test_limits_reach_template_expansions() -> None:
    """A template call is limited like the text it expands to."""
    call = "template: ml-workflow\n"
    mlseq.render(call)
    with pytest.raises(MlseqError) as info:
        mlseq.render(call, limits={"max_statements": 5})
    assert info.value.code is ErrorCode.LIMIT


def test_limits_can_be_raised() -> None:
    source = "loop a\n" * 40 + "A->>B: x\n" + "end\n" * 40
    with pytest.raises(MlseqError):
        mlseq.render(source)
    assert mlseq.render(source, limits={"max_depth": 64}).startswith("<svg")


# --- worst cases, each in a bounded subprocess -------------------------------------------


def _laughs(separator: str) -> str:
    """Nine levels of nine YAML aliases: 9**9 values once expanded."""
    levels = "abcdefghi"
    parts = ['"a": &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, cur in itertools.pairwise(levels):
        parts.append(f'"{cur}": &{cur} [{", ".join([f"*{prev}"] * 9)}]')
    return separator.join(parts)


WORST = {
    "deep-nesting": "loop x\n" * 10_000 + "A->>B: x\n" + "end\n" * 10_000,
    "deepest-allowed": "loop x\n" * 31 + "A->>B: x\n" + "end\n" * 31,
    "nested-alt-else": "alt a\n" * 31 + ("A->>B: x\nelse b\n" * 100) + "A->>B: y\n"
    + "end\n" * 31,
    "100k-participants": "".join(f"participant P{i}\n" for i in range(100_000)),
    "500-participants": "".join(f"participant P{i}\n" for i in range(499))
    + "P0->>P498: x\nNote over P0,P498: wide\n",
    "1mb-label": "A->>B: " + "word " * 200_000,
    "100k-char-word": "A->>B: " + "x" * 100_000,
    "4k-char-word-wrapped": "A->>B: wrap:" + "x" * 3_990,
    "50k-notes": "Note over A: n\n" * 50_000,
    "50k-messages": "A->>B: m\n" * 49_999,
    "50k-activations": "A->>+B: x\n" * 25_000 + "B-->>-A: y\n" * 24_999,
    "50k-else": "alt x\n" + "A->>B: x\nelse y\n" * 24_990 + "A->>B: z\nend\n",
    "huge-autonumber": "autonumber 99999999999999999999999999999999 999999999999999999\n"
    "A->>B: x\nA->>B: y",
    "float-autonumber": "autonumber 1e308 1e308\nA->>B: x",
    "autonumber-big-ok": "autonumber 999999999 999999999\n" + "A->>B: x\n" * 100,
    "many-br": "A->>B: " + "<br/>" * 799,
    "many-br-note": "Note over A: " + "a<br/>" * 660,
    "many-br-title": "title " + "<br/>" * 799 + "\nA->>B: x",
    "2mb-semicolons": ";" * 1_999_000,
    "2mb-newlines": "\n" * 1_999_000 + "A->>B: x",
    "2mb-comment": "%%" + "x" * 1_999_000 + "\nA->>B: x",
    "over-2mb": "A->>B: x\n" * 300_000,
    "long-arrow": "A" + "-" * 300_000 + ">>B: x",
    "arrow-soup": "A" + "-<>)x+" * 50_000 + "B: x",
    "colon-run": "A->>B" + ":" * 300_000,
    "space-run": "A" + " " * 1_000_000 + "->>B: x",
    "entity-run": "A->>B: " + "#9829;" * 660,
    "partial-entities": "A->>B: " + "#12" * 1_300,
    "hash-run": "A->>B: " + "#" * 300_000,
    "note-commas": "Note over " + "A," * 300_000 + "B: x",
    "init-braces": "%%{init: " + "{" * 300_000,
    "init-deep": '%%{init: ' + '{"a":' * 5000 + "1" + "}" * 5000 + "}%%\nA->>B: x",
    "metadata-open": "participant A@" + "{" * 300_000,
    "links-deep": "participant A\nlinks A: " + '{"a":' * 300_000,
    "link-at-run": "participant A\nlink A: " + "@" * 300_000,
    "box-rgb-run": "box " + "rgb(" * 300_000,
    "rect-args": "rect rgb(" + "1," * 300_000,
    "alias-chain": "participant " + "A as " * 300_000,
    "wrap-prefix-run": "A->>B: " + "wrap:" * 790,
    "acc-descr-block": "accDescr {\n" + "line\n" * 300_000 + "}\nA->>B: x",
    "front-matter-keys": "---\n" + "".join(f"k{i}: v\n" for i in range(50_000)) + "---\nA",
    "front-matter-bomb": "---\n" + _laughs("\n") + "\ntitle: *i\n---\nA->>B: x",
    "metadata-bomb": "participant A@{ " + _laughs(", ") + ', "alias": *i }\nA->>B: x',
    "create-destroy-churn": "".join(f"create participant P{i}\nA->>P{i}: x\ndestroy P{i}\n"
                                    f"P{i}->>A: y\n" for i in range(10_000)),
    "wide-labels": "".join(f"participant P{i} as {'W' * 3_900}\n" for i in range(100))
    + "P0->>P99: x",
    "self-messages": "A->>A: " + "long word " * 390 + "\n" * 1 + "A->>A: x\n" * 2000,
    "links-many": "participant A\n" + "".join(f"link A: L{i} @ https://x.org/{i}\n"
                                              for i in range(20_000)) + "A->>B: x",
    "emoji-zwj": "A->>B: " + "\U0001F600\u200d" * 1_900,
    "combining-marks": "A->>B: x" + "\u0301" * 3_990,
    "template-many-steps": "template: ml-workflow\nsteps:\n"
    + "".join(f"  - after: data\n    do: 'DS->>Orch: step {i}'\n" for i in range(2_000)),
}

_WORKER = """
import json, sys
import mlseq
from mlseq.errors import MlseqError
source = sys.stdin.read()
try:
    svg = mlseq.render(source)
except MlseqError as err:
    print(json.dumps({"code": err.code.value, "error": str(err)[:200]}))
except RecursionError:
    print(json.dumps({"crash": "RecursionError"}))
else:
    import xml.etree.ElementTree as ET
    ET.fromstring(svg)
    print(json.dumps({"svg": len(svg)}))
"""

TIMEOUT = 120
MEMORY = 2_000_000_000


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_bounded(source: str) -> dict[str, object]:
    """Render ``source`` in a fresh interpreter with a timeout and a memory cap."""
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _WORKER], input=source, capture_output=True, text=True,
            timeout=TIMEOUT, preexec_fn=_limit_memory, check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"did not finish within {TIMEOUT} s")
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, object] = json.loads(proc.stdout)
    return result


@pytest.mark.parametrize("name", sorted(WORST))
def test_worst_case_finishes(name: str) -> None:
    result = run_bounded(WORST[name])
    assert "crash" not in result, result
    # A drawing, or a refusal that names the problem; huge inputs are refused as limits.
    assert "svg" in result or "code" in result, result
    if len(WORST[name]) > Limits().max_bytes:
        assert result.get("code") == "limit", result


EXPECT_LIMIT = [
    "deep-nesting", "100k-participants", "1mb-label", "100k-char-word", "over-2mb",
    "long-arrow", "colon-run", "alias-chain", "link-at-run", "front-matter-bomb",
    "metadata-bomb", "front-matter-keys",
]


@pytest.mark.parametrize("name", EXPECT_LIMIT)
def test_worst_cases_that_are_limits(name: str) -> None:
    """These must be refused as limits (not drawn as megabytes of SVG)."""
    with pytest.raises(MlseqError) as info:
        mlseq.parse(WORST[name])
    assert info.value.code is ErrorCode.LIMIT, info.value


if __name__ == "__main__":  # pragma: no cover - by hand: python tests/test_limits.py NAME
    for case in sys.argv[1:] or sorted(WORST):
        print(case, run_bounded(WORST[case]))
