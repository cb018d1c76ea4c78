"""A canonical, compact text form of a :class:`~mlseq.model.Diagram`, one line per element.

Used by the fixture tests (input and expected dump side by side) and for debugging::

    participant A "Alice" actor @2:1
    message A ->> B "hi" sync #1 @3:1
    fragment loop "every epoch" depth=0 @4:1

Strings are JSON-quoted so newlines and spaces are visible; defaults are left out; every
element ends with ``@line:column`` of its statement. The output is deterministic.
"""

from __future__ import annotations

import json

from .model import (
    Activation,
    Autonumber,
    Create,
    Delay,
    Destroy,
    Diagram,
    Divider,
    Event,
    FragmentEnd,
    FragmentSection,
    FragmentStart,
    Message,
    Note,
    ParticipantKind,
    Span,
)


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _at(span: Span) -> str:
    return f"@{span.line}:{span.column}"


def dump(diagram: Diagram) -> str:
    """The diagram as text, one element per line (see the module docstring)."""
    out: list[str] = []
    for name, value in (
        ("title", diagram.title),
        ("acc_title", diagram.acc_title),
        ("acc_descr", diagram.acc_descr),
    ):
        if value is not None:
            out.append(f"{name} {_q(value)}")
    cfg = diagram.config
    settings = [
        f"{name}={json.dumps(value)}"
        for name, value in (
            ("theme", cfg.theme),
            ("mirror_actors", cfg.mirror_actors),
            ("wrap", cfg.wrap),
            ("show_numbers", cfg.show_numbers),
            ("message_align", cfg.message_align),
            ("title", cfg.title),
        )
        if value is not None
    ]
    if settings:
        out.append("config " + " ".join(settings))
    for index, box in enumerate(diagram.boxes):
        color = f" color={box.color}" if box.color else ""
        out.append(
            f"box {index} {_q(box.label)}{color} [{', '.join(box.participants)}] {_at(box.span)}"
        )
    for p in diagram.participants:
        parts = [f"participant {p.id}"]
        if p.label != p.id:
            parts.append(_q(p.label))
        if p.kind is not ParticipantKind.PARTICIPANT:
            parts.append(p.kind.value)
        if p.box is not None:
            parts.append(f"box={p.box}")
        if not p.explicit:
            parts.append("implicit")
        if p.created:
            parts.append("created")
        if p.destroyed:
            parts.append("destroyed")
        parts.append(_at(p.span))
        out.append(" ".join(parts))
        for link in p.links:
            out.append(f"  link {_q(link.label)} {link.url}")
    for event in diagram.events:
        out.append(_event(event))
    return "\n".join(out) + "\n"


def _event(e: Event) -> str:
    if isinstance(e, Message):
        parts = [f"message {e.source} {e.arrow} {e.target}", _q(e.text), e.kind.value]
        if e.number is not None:
            parts.append(f"#{e.number}")
        if e.wrap:
            parts.append("wrap")
        if e.central_source or e.central_target:
            ends = [
                n for n, on in (("source", e.central_source), ("target", e.central_target)) if on
            ]
            parts.append("central=" + ",".join(ends))
        parts.append(_at(e.span))
        return " ".join(parts)
    if isinstance(e, Activation):
        verb = "activate" if e.active else "deactivate"
        via = " via-message" if e.via_message else ""
        return f"{verb} {e.participant}{via} {_at(e.span)}"
    if isinstance(e, Note):
        wrap = " wrap" if e.wrap else ""
        who = ",".join(e.participants)
        return f"note {e.placement.value} {who} {_q(e.text)}{wrap} {_at(e.span)}"
    if isinstance(e, FragmentStart):
        color = f" color={e.color}" if e.color else ""
        return f"fragment {e.kind.value} {_q(e.label)}{color} depth={e.depth} {_at(e.span)}"
    if isinstance(e, FragmentSection):
        return f"section {e.keyword} {_q(e.label)} depth={e.depth} {_at(e.span)}"
    if isinstance(e, FragmentEnd):
        return f"end {e.kind.value} depth={e.depth} {_at(e.span)}"
    if isinstance(e, Divider):
        return f"divider {_q(e.text)} {_at(e.span)}"
    if isinstance(e, Delay):
        return f"delay {_q(e.text)} {_at(e.span)}"
    if isinstance(e, Create):
        return f"create {e.participant} {_at(e.span)}"
    if isinstance(e, Destroy):
        return f"destroy {e.participant} {_at(e.span)}"
    assert isinstance(e, Autonumber)
    if not e.enabled:
        return f"autonumber off {_at(e.span)}"
    args = "".join(f" {v}" for v in (e.start, e.step) if v is not None)
    return f"autonumber{args} {_at(e.span)}"
