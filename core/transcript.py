"""A readable, numbered plain-text account of a diagram.

Used as the SVG's ``<desc>`` (screen readers), by text builders (Sphinx ``text``, ``man``)
and by anyone who wants the steps without the picture::

    Participants: Data Engineer, Preprocessing, Feature Store.
    1. Data Engineer calls Preprocessing: upload raw dataset v42
    2. Preprocessing replies to Data Engineer: done
    If AUC >= 0.85:
      3. Evaluation calls Model Registry: register model v7
    Otherwise (AUC < 0.85):
      4. Evaluation replies to Training Service: reject

Messages and notes are numbered in order; fragments become indented headings.
"""

from __future__ import annotations

from .model import (
    Create,
    Delay,
    Destroy,
    Diagram,
    Divider,
    FragmentEnd,
    FragmentKind,
    FragmentSection,
    FragmentStart,
    Message,
    MessageKind,
    Note,
    NotePlacement,
)


def _flat(text: str) -> str:
    return " ".join(text.split())


_VERBS = {
    MessageKind.SYNC: "{a} calls {b}",
    MessageKind.ASYNC: "{a} sends {b} asynchronously",
    MessageKind.RETURN: "{a} replies to {b}",
    MessageKind.LOST: "{a} sends {b} a message that is lost",
    MessageKind.BIDIRECTIONAL: "{a} and {b} exchange",
    MessageKind.HALF: "{a} signals {b}",
    MessageKind.LINE: "{a} to {b}",
}
_SELF_VERBS = {
    MessageKind.ASYNC: "{a} sends itself asynchronously",
    MessageKind.RETURN: "{a} replies to itself",
    MessageKind.LOST: "{a} sends itself a message that is lost",
}


def _message(m: Message, name: dict[str, str]) -> str:
    a = name.get(m.source, m.source)
    if m.source == m.target:
        head = _SELF_VERBS.get(m.kind, "{a} calls itself").format(a=a)
    else:
        head = _VERBS[m.kind].format(a=a, b=name.get(m.target, m.target))
    text = _flat(m.text)
    return f"{head}: {text}" if text else head


def _heading(kind: FragmentKind, label: str) -> str:
    label = _flat(label)
    if kind is FragmentKind.ALT:
        return f"If {label}:" if label else "If:"
    if kind is FragmentKind.LOOP:
        return f"Repeat {label}:" if label else "Repeat:"
    if kind is FragmentKind.OPT:
        return f"Optionally, if {label}:" if label else "Optionally:"
    if kind in (FragmentKind.PAR, FragmentKind.PAR_OVER):
        return f"In parallel, {label}:" if label else "In parallel:"
    if kind is FragmentKind.CRITICAL:
        return f"Critical region, {label}:" if label else "Critical region:"
    if kind is FragmentKind.BREAK:
        return f"Stop here if {label}:" if label else "Stop here:"
    return f"Highlighted, {label}:" if label else "Highlighted:"


def _section(keyword: str, label: str) -> str:
    label = _flat(label)
    if keyword == "else":
        return f"Otherwise, if {label}:" if label else "Otherwise:"
    if keyword == "and":
        return f"And at the same time, {label}:" if label else "And at the same time:"
    return f"Or, {label}:" if label else "Or:"


def transcript(diagram: Diagram) -> str:
    """The diagram as numbered steps, one per line (see the module docstring)."""
    name = {p.id: _flat(p.label) or p.id for p in diagram.participants}
    out: list[str] = []
    if diagram.title:
        out.append(_flat(diagram.title) + ".")
    if diagram.acc_descr:
        out.append(_flat(diagram.acc_descr))
    if diagram.participants:
        out.append("Participants: " + ", ".join(name[p.id] for p in diagram.participants) + ".")
    step = 0
    indent = ""
    for ev in diagram.events:
        if isinstance(ev, Message):
            step += 1
            out.append(f"{indent}{step}. {_message(ev, name)}")
        elif isinstance(ev, Note):
            step += 1
            who = " and ".join(name.get(p, p) for p in ev.participants)
            where = {NotePlacement.LEFT: "left of", NotePlacement.RIGHT: "right of",
                     NotePlacement.OVER: "over"}[ev.placement]
            out.append(f"{indent}{step}. Note {where} {who}: {_flat(ev.text)}")
        elif isinstance(ev, FragmentStart):
            out.append(indent + _heading(ev.kind, ev.label))
            indent += "  "
        elif isinstance(ev, FragmentSection):
            out.append(indent[:-2] + _section(ev.keyword, ev.label))
        elif isinstance(ev, FragmentEnd):
            indent = indent[:-2]
        elif isinstance(ev, Divider):
            out.append(f"{indent}Stage: {_flat(ev.text)}.")
        elif isinstance(ev, Delay):
            text = _flat(ev.text)
            out.append(f"{indent}(Time passes{': ' + text if text else ''}.)")
        elif isinstance(ev, Create):
            out.append(f"{indent}{name.get(ev.participant, ev.participant)} is created.")
        elif isinstance(ev, Destroy):
            out.append(f"{indent}{name.get(ev.participant, ev.participant)} is destroyed.")
    return "\n".join(out)
