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
    Head,
    LineStyle,
    Message,
    MessageKind,
    Note,
    NotePlacement,
    message_kind,
)


def _flat(text: str) -> str:
    return " ".join(text.split())


_VERBS = {
    # kind: (between the names, after them)
    MessageKind.SYNC: (" calls ", ""),
    MessageKind.ASYNC: (" sends ", " asynchronously"),
    MessageKind.RETURN: (" replies to ", ""),
    MessageKind.LOST: (" sends ", " a message that is lost"),
    MessageKind.BIDIRECTIONAL: (" and ", " exchange"),
    MessageKind.HALF: (" signals ", ""),
    MessageKind.LINE: (" to ", ""),
}
_SELF_VERBS = {
    MessageKind.ASYNC: " sends itself asynchronously",
    MessageKind.RETURN: " replies to itself",
    MessageKind.LOST: " sends itself a message that is lost",
}
_WHERE = {NotePlacement.LEFT: "left of", NotePlacement.RIGHT: "right of",
          NotePlacement.OVER: "over"}


_WORDS = {
    (line, head, tail): (*_VERBS[kind], _SELF_VERBS.get(kind, " calls itself"))
    for line in LineStyle for head in Head for tail in Head
    for kind in (message_kind(line, head, tail),)
}
"""(between the names, after them, to itself) for each arrow's line and heads: one
dictionary hit per message instead of :attr:`Message.kind` and two tables."""


def _message(m: Message, name: dict[str, str]) -> str:
    a = name.get(m.source, m.source)
    between, after, itself = _WORDS[m.line, m.head, m.tail]
    if m.source == m.target:
        head = a + itself
    else:
        head = a + between + name.get(m.target, m.target) + after
    text = m.text
    if not text.isprintable() or "  " in text or text[:1] == " " or text[-1:] == " ":
        # Not already flat (``_flat`` would change it): a line break, a tab, a run of
        # spaces. Most labels are one plain line, and this spares them split and join.
        text = _flat(text)
    return f"{head}: {text}" if text else head


_HEADINGS = {
    # kind: (before a label, without one)
    FragmentKind.ALT: ("If ", "If"),
    FragmentKind.LOOP: ("Repeat ", "Repeat"),
    FragmentKind.OPT: ("Optionally, if ", "Optionally"),
    FragmentKind.PAR: ("In parallel, ", "In parallel"),
    FragmentKind.PAR_OVER: ("In parallel, ", "In parallel"),
    FragmentKind.CRITICAL: ("Critical region, ", "Critical region"),
    FragmentKind.BREAK: ("Stop here if ", "Stop here"),
}


def _heading(kind: FragmentKind, label: str) -> str:
    label = _flat(label)
    before, alone = _HEADINGS.get(kind, ("Highlighted, ", "Highlighted"))
    return f"{before}{label}:" if label else f"{alone}:"


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
            out.append(f"{indent}{step}. Note {_WHERE[ev.placement]} {who}: {_flat(ev.text)}")
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
