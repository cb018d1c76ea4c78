"""Every diagram in ../shared/corpus parses, and every one Mermaid rejects is rejected.

mermaid-spec/EXPECT.tsv records what Mermaid's own tests expect; the real-world
diagrams (mermaid-real/, ml-real/) are all rendered by Mermaid on their sites.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import SHARED, shared_path
from mlseq import parser
from mlseq.errors import MlseqError

# Files where mlseq deliberately differs from Mermaid, with the reason. Empty today:
# every accept parses and every reject is refused. (mermaid-real/054.mmd has a ';'
# inside message text, which Mermaid's grammar rejects; mlseq reads it as text because
# the piece after the ';' cannot be a statement, so the file is listed as accepted.)
DISAGREE: dict[str, str] = {}


def _corpus() -> list[tuple[str, str]]:
    root = SHARED / "corpus"
    if not root.exists():
        return []
    expect: dict[str, str] = {}
    spec = root / "mermaid-spec" / "EXPECT.tsv"
    with spec.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            expect[f"mermaid-spec/{row['file']}"] = row["expect"]
    return [
        (f"{p.parent.name}/{p.name}", expect.get(f"{p.parent.name}/{p.name}", "accept"))
        for p in sorted(root.glob("*/*.mmd"))
    ]


CORPUS = _corpus()


def test_corpus_is_present() -> None:
    root = shared_path("corpus")
    assert len(list(root.glob("*/*.mmd"))) == len(CORPUS) > 300


@pytest.mark.parametrize(("name", "expect"), CORPUS, ids=[n for n, _ in CORPUS])
def test_corpus_file(name: str, expect: str) -> None:
    path: Path = shared_path("corpus", *name.split("/"))
    text = path.read_text(encoding="utf-8")
    if name in DISAGREE:
        pytest.skip(DISAGREE[name])
    if expect == "reject":
        with pytest.raises(MlseqError) as info:
            parser.parse(text)
        assert info.value.line >= 1
    else:
        diagram = parser.parse(text)
        assert (
            diagram.participants
            or diagram.title
            or diagram.acc_descr
            or name.startswith("mermaid-spec/")
        )
