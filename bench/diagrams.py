"""Diagram sources for the benchmarks, generated deterministically.

``large(n, syntax)`` writes the same n-message diagram in Mermaid/mlseq (``mmd``), seqdiag
(``diag``) and PlantUML (``puml``) syntax, with the message mix of the peers' ``c_large``
(../shared/peers/README.md): 10 participants, request + response pairs, about 10 % async
and 5 % self-messages, no blocks or notes. It is our own generator (same recipe, its own
seed), so ``large(500)`` is a diagram of the same shape as ``c_large``, not the same file.
"""

from __future__ import annotations

import random
from pathlib import Path

PEER_DIAGRAMS = Path(__file__).resolve().parents[2] / "shared" / "peers" / "diagrams"
"""The peers' equivalent diagrams (a_small, b_ml, c_large) as .mmd, .diag and .puml."""

PARTICIPANTS = 10

_ARROWS = {
    "mmd": {"sync": "->>", "return": "-->>", "async": "-)"},
    "diag": {"sync": "->", "return": "-->", "async": "->>"},
    "puml": {"sync": "->", "return": "-->", "async": "->>"},
}


def events(n: int, seed: int = 2026) -> list[tuple[str, str, str, str]]:
    """``n`` messages as (source, target, label, kind)."""
    rnd = random.Random(seed)
    out: list[tuple[str, str, str, str]] = []
    step = 0
    while len(out) < n:
        step += 1
        a = f"P{rnd.randrange(PARTICIPANTS)}"
        roll = rnd.random()
        if roll < 0.05:
            out.append((a, a, f"step {step}: local work", "sync"))
            continue
        b = a
        while b == a:
            b = f"P{rnd.randrange(PARTICIPANTS)}"
        if roll < 0.15:
            out.append((a, b, f"step {step}: publish event", "async"))
        else:
            out.append((a, b, f"step {step}: request payload", "sync"))
            if len(out) < n:
                out.append((b, a, f"step {step}: response", "return"))
    return out


def large(n: int, syntax: str = "mmd") -> str:
    """An n-message diagram in ``mmd`` (Mermaid/mlseq), ``diag`` or ``puml`` syntax."""
    arrows = _ARROWS[syntax]
    names = [(f"P{i}", f"Service {i:02d}") for i in range(PARTICIPANTS)]
    msgs = events(n)
    if syntax == "mmd":
        lines = ["sequenceDiagram", f"  %% {n} messages"]
        lines += [f"  participant {p} as {label}" for p, label in names]
        lines += [f"  {a}{arrows[k]}{b}: {text}" for a, b, text, k in msgs]
    elif syntax == "diag":
        lines = ["seqdiag {", f"  // {n} messages"]
        lines += [f'  {p} [label = "{label}"];' for p, label in names]
        lines += [f'  {a} {arrows[k]} {b} [label = "{text}"];' for a, b, text, k in msgs]
        lines.append("}")
    elif syntax == "puml":
        lines = ["@startuml", f"' {n} messages"]
        lines += [f'participant "{label}" as {p}' for p, label in names]
        lines += [f"{a} {arrows[k]} {b} : {text}" for a, b, text, k in msgs]
        lines.append("@enduml")
    else:
        raise ValueError(syntax)
    return "\n".join(lines) + "\n"


def peer_source(name: str, syntax: str) -> str:
    """One of the peers' diagrams (``a_small``, ``b_ml``, ``c_large``) in a syntax."""
    return (PEER_DIAGRAMS / f"{name}.{syntax}").read_text(encoding="utf-8")


_ML_STEPS = [
    ("DE", "PP", "->>", "clean raw events for {day}"),
    ("PP", "FS", "-)", "write features v{i}"),
    ("TS", "FS", "->>", "read training set v{i}"),
    ("FS", "TS", "-->>", "{rows} rows"),
    ("TS", "TS", "->>", "fit model run {i}"),
    ("TS", "EV", "->>", "evaluate candidate {i}"),
]


def doc_diagram(i: int) -> str:
    """The i-th diagram of the generated documentation projects: a small ML workflow of
    10-16 messages with a gate, different in text (so no two share a cache entry)."""
    day = f"2026-11-{1 + i % 28:02d}"
    lines = [
        "sequenceDiagram",
        f"  title Nightly training {i}",
        "  actor DE as Data Engineer",
        "  participant PP as Preprocessing",
        "  participant FS as Feature Store",
        "  participant TS as Training Service",
        "  participant EV as Evaluation",
        "  participant MR as Model Registry",
    ]
    for src, dst, arrow, text in _ML_STEPS:
        lines.append(f"  {src}{arrow}{dst}: " + text.format(i=i, day=day, rows=1000 + 37 * i))
    lines += [
        f"  alt AUC >= 0.{80 + i % 15} (gate passed)",
        f"    EV->>MR: register model {i}",
        "    MR-->>EV: version id",
        "  else gate failed",
        "    EV-)TS: retrain with more data",
        "  end",
    ]
    for k in range(i % 4):
        lines.append(f"  Note over TS,EV: extra check {k} for run {i}")
    return "\n".join(lines) + "\n"
