"""Write a :class:`~mlseq.model.Diagram` as Mermaid or PlantUML text (and import PlantUML).

:func:`to_mermaid` is faithful for everything Mermaid's ``sequenceDiagram`` has: parsing
its output with mlseq gives the same model (positions aside). The mlseq additions are
approximated, each with a ``%% mlseq:`` comment saying what was there: the ML
participant kinds (``pipeline job registry model monitor``) become plain participants,
stage dividers and delays become notes across the participants named so far.

:func:`to_plantuml` writes PlantUML's sequence syntax; what PlantUML cannot draw the way
mlseq does is noted in a ``'`` comment (``rect`` highlights, half arrows, links).
:func:`from_plantuml` (in :mod:`mlseq.from_plantuml`) reads the common PlantUML subset.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence

from .from_plantuml import from_plantuml, mermaid_text
from .model import (
    MERMAID_KINDS,
    Activation,
    Autonumber,
    Create,
    Delay,
    Destroy,
    Diagram,
    Divider,
    Event,
    FragmentEnd,
    FragmentKind,
    FragmentSection,
    FragmentStart,
    Head,
    LineStyle,
    Message,
    MessageKind,
    Note,
    Participant,
    ParticipantKind,
)

__all__ = ["from_plantuml", "to_mermaid", "to_plantuml"]


# --- Mermaid ----------------------------------------------------------------------------

# ``#`` ``;`` ``%`` as entity codes (they would start a comment or a statement), line
# breaks as ``<br/>``.
_mtext = mermaid_text


def _mermaid_declaration(p: Participant, *, create: bool = False) -> list[str]:
    lines = []
    keyword = "actor" if p.kind is ParticipantKind.ACTOR else "participant"
    head = f"{'create ' if create else ''}{keyword} {p.id}"
    if p.kind in MERMAID_KINDS and p.kind not in (
        ParticipantKind.PARTICIPANT,
        ParticipantKind.ACTOR,
    ):
        fields = {"type": p.kind.value}
        if p.label != p.id:
            fields["alias"] = _mtext(p.label)
        lines.append(f"{head}@{json.dumps(fields, ensure_ascii=False)}")
        return lines
    if p.kind not in MERMAID_KINDS:
        lines.append(f"%% mlseq: '{p.id}' is a {p.kind.value} (Mermaid has no such type)")
    lines.append(head + (f" as {_mtext(p.label)}" if p.label != p.id else ""))
    return lines


def _mentions(e: Event) -> tuple[str, ...]:
    if isinstance(e, Message):
        return (e.source, e.target)
    if isinstance(e, Note):
        return e.participants
    if isinstance(e, (Activation, Destroy)):
        return (e.participant,)
    return ()


class _MermaidWriter:
    """Declarations go where they keep the participant order and the explicit/implicit
    distinction of the model: an explicit participant is declared just before the
    statement that first names it, an implicit one is left to be named by it."""

    def __init__(self, diagram: Diagram) -> None:
        self.d = diagram
        self.out: list[str] = []
        self.named: set[str] = set()
        self.ptr = 0
        self.alive: list[str] = []
        """Participants named so far and not destroyed, in display order."""
        self.depth = 0
        self.linked: set[str] = set()
        self.dying: set[str] = set()
        self.gone: set[str] = set()

    def _indent(self, start: int) -> None:
        if self.depth:
            pad = "  " * self.depth
            self.out[start:] = [pad + line for line in self.out[start:]]

    def _advance(self) -> None:
        order = self.d.participants
        while self.ptr < len(order) and order[self.ptr].id in self.named:
            self.ptr += 1

    def _declare(self, p: Participant) -> None:
        if not p.explicit and p.box is None:
            # Named by a `link`/`properties` line in the source, before any message:
            # name it the same way (a declaration would make it explicit).
            self.out += _links(p) or [f"properties {p.id}: {{}}"]
            self.linked.add(p.id)
            self._named(p.id)
            return
        if p.box is not None:
            box = self.d.boxes[p.box]
            color = f"{box.color} " if box.color else ""
            label = _mtext(box.label)
            # A box with a label that starts like a colour needs an explicit colour.
            if not box.color and label and _looks_like_color(label):
                color = "transparent "
            self.out.append(f"box {color}{label}".rstrip())
            for pid in box.participants:
                member = self.d.participant(pid)
                self.out.extend("  " + line for line in _mermaid_declaration(member))
                self._named(pid)
            self.out.append("end")
            return
        self.out.extend(_mermaid_declaration(p))
        self._named(p.id)

    def _named(self, pid: str) -> None:
        self.named.add(pid)
        self.alive = [
            p.id for p in self.d.participants if p.id in self.named and p.id not in self.gone
        ]

    def _reach(self, pid: str, *, declare_self: bool) -> None:
        """Declare everything before ``pid`` in display order, then ``pid`` if asked."""
        if pid in self.named:
            return
        order = self.d.participants
        while True:
            self._advance()
            if self.ptr >= len(order):
                return
            p = order[self.ptr]
            if p.id == pid:
                break
            if p.created:
                return  # it is introduced by its own `create` later
            self._declare(p)
        p = order[self.ptr]
        if declare_self and (p.explicit or p.box is not None):
            self._declare(p)
        else:
            self._named(pid)

    def write(self) -> str:
        d = self.d
        cfg = d.config
        front = []
        if cfg.title is not None:
            front.append(f"title: {json.dumps(cfg.title, ensure_ascii=False)}")
        settings = {
            key: value
            for key, value in (
                ("mirrorActors", cfg.mirror_actors),
                ("wrap", cfg.wrap),
                ("showSequenceNumbers", cfg.show_numbers),
                ("messageAlign", cfg.message_align),
            )
            if value is not None
        }
        if cfg.theme is not None or settings:
            front.append("config:")
            if cfg.theme is not None:
                front.append(f"  theme: {json.dumps(cfg.theme)}")
            if settings:
                front.append(f"  sequence: {json.dumps(settings)}")
        if front:
            self.out += ["---", *front, "---"]
        self.out.append("sequenceDiagram")
        if d.title is not None:
            self.out.append(f"title {_mtext(d.title)}")
        if d.acc_title is not None:
            self.out.append(f"accTitle: {d.acc_title}")
        if d.acc_descr is not None:
            if "\n" in d.acc_descr:
                self.out += ["accDescr {", *d.acc_descr.split("\n"), "}"]
            else:
                self.out.append(f"accDescr: {d.acc_descr}")
        events = d.events
        i = 0
        while i < len(events):
            e = events[i]
            i += 1
            self._declared_before(e.span.line)
            start = len(self.out)
            if isinstance(e, Create):
                self._reach_before(e.participant)
                self.out.extend(_mermaid_declaration(d.participant(e.participant), create=True))
                self._named(e.participant)
                self._indent(start)
                continue
            for pid in _mentions(e):
                self._reach(pid, declare_self=True)
            if isinstance(e, Message):
                plus = minus = False
                while i < len(events):
                    nxt = events[i]
                    if not (isinstance(nxt, Activation) and nxt.via_message):
                        break
                    if nxt.active and nxt.participant == e.target and not plus:
                        plus = True
                    elif not nxt.active and nxt.participant == e.source and not minus:
                        minus = True
                    else:
                        break
                    i += 1
                self.out.append(_mermaid_message(e, plus, minus))
                self._indent(start)
                for pid in (e.source, e.target):
                    if pid in self.dying:
                        self.dying.discard(pid)
                        self.gone.add(pid)
                        self._named(pid)
            else:
                if isinstance(e, Destroy):
                    self.dying.add(e.participant)
                if isinstance(e, (FragmentEnd, FragmentSection)):
                    self.depth -= 1
                self.out.extend(self._event(e))
                self._indent(start)
                if isinstance(e, (FragmentStart, FragmentSection)):
                    self.depth += 1
        # Participants never named by a statement (declared only).
        while True:
            self._advance()
            if self.ptr >= len(d.participants):
                break
            p = d.participants[self.ptr]
            self._declare(p)
        for p in d.participants:
            if p.id not in self.linked:
                self.out += _links(p)
        return "\n".join(self.out) + "\n"

    def _declared_before(self, line: int) -> None:
        """Declarations written above ``line`` in the source go there too (a box may
        not go inside a block, so waiting for a first use could be too late)."""
        for box in self.d.boxes:
            first = box.participants[0] if box.participants else None
            if 0 < box.span.line < line and first is not None and first not in self.named:
                self._reach(first, declare_self=True)
        for p in self.d.participants:
            if p.explicit and not p.created and 0 < p.span.line < line and p.id not in self.named:
                self._reach(p.id, declare_self=True)

    def _reach_before(self, pid: str) -> None:
        order = self.d.participants
        while True:
            self._advance()
            if self.ptr >= len(order) or order[self.ptr].id == pid:
                return
            if order[self.ptr].created:
                return
            self._declare(order[self.ptr])

    def _span_note(self, text: str) -> list[str]:
        alive = self.alive
        if not alive:
            return []
        who = alive[0] if len(alive) == 1 else f"{alive[0]},{alive[-1]}"
        return [f"note over {who}: {_mtext(text)}"]

    def _event(self, e: Event) -> list[str]:
        if isinstance(e, Activation):
            return [f"{'activate' if e.active else 'deactivate'} {e.participant}"]
        if isinstance(e, Note):
            wrap = "wrap:" if e.wrap else ""
            return [f"note {e.placement.value} {','.join(e.participants)}: {wrap}{_mtext(e.text)}"]
        if isinstance(e, FragmentStart):
            if e.kind is FragmentKind.RECT:
                return [f"rect {e.color or 'transparent'} {_mtext(e.label)}".rstrip()]
            return [f"{e.kind.value} {_mtext(e.label)}".rstrip()]
        if isinstance(e, FragmentSection):
            return [f"{e.keyword} {_mtext(e.label)}".rstrip()]
        if isinstance(e, FragmentEnd):
            return ["end"]
        if isinstance(e, Divider):
            return [
                f"%% mlseq: == {e.text} == (a stage divider; Mermaid has none)",
                *self._span_note(f"== {e.text} =="),
            ]
        if isinstance(e, Delay):
            text = f"... {e.text} ..." if e.text else "..."
            return [f"%% mlseq: {text} (a delay; Mermaid has none)", *self._span_note(text)]
        if isinstance(e, Destroy):
            return [f"destroy {e.participant}"]
        if isinstance(e, Autonumber):
            if not e.enabled:
                return ["autonumber off"]
            args = "".join(f" {v}" for v in (e.start, e.step) if v is not None)
            return [f"autonumber{args}"]
        raise AssertionError(e)  # pragma: no cover - Message and Create handled above


def _links(p: Participant) -> list[str]:
    return [f"link {p.id}: {_mtext(link.label)} @ {link.url}" for link in p.links]


def _looks_like_color(label: str) -> bool:
    from .parser import _split_color

    return _split_color(label)[0] is not None


def _mermaid_message(m: Message, plus: bool, minus: bool) -> str:
    arrow = ("()" if m.central_source else "") + m.arrow + ("()" if m.central_target else "")
    sign = "+" if plus else "-" if minus else ""
    wrap = "wrap:" if m.wrap else ""
    # Spaces only where an id's edge could merge with the arrow ("B -" + "->>").
    left = " " if not m.source[-1:].isalnum() else ""
    right = " " if not m.target[:1].isalnum() else ""
    gap = " " if m.text and not wrap else ""
    return f"{m.source}{left}{arrow}{sign}{right}{m.target}:{wrap}{gap}{_mtext(m.text)}"


def to_mermaid(diagram: Diagram) -> str:
    """The diagram as Mermaid ``sequenceDiagram`` text (see the module docstring)."""
    return _MermaidWriter(diagram).write()


# --- PlantUML ---------------------------------------------------------------------------

_PUML_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PUML_KIND = {
    ParticipantKind.PARTICIPANT: ("participant", None),
    ParticipantKind.ACTOR: ("actor", None),
    ParticipantKind.BOUNDARY: ("boundary", None),
    ParticipantKind.CONTROL: ("control", None),
    ParticipantKind.ENTITY: ("entity", None),
    ParticipantKind.DATABASE: ("database", None),
    ParticipantKind.COLLECTIONS: ("collections", None),
    ParticipantKind.QUEUE: ("queue", None),
    ParticipantKind.PIPELINE: ("control", "pipeline"),
    ParticipantKind.JOB: ("participant", "job"),
    ParticipantKind.REGISTRY: ("database", "registry"),
    ParticipantKind.MODEL: ("entity", "model"),
    ParticipantKind.MONITOR: ("boundary", "monitor"),
}
_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_NAMED_COLOR = re.compile(r"[A-Za-z]+")


def _ptext(text: str) -> str:
    """One-line PlantUML text: line breaks as ``\\n``."""
    return text.replace("\\", "\\\\").replace("\r\n", "\n").replace("\n", "\\n")


def _pquote(text: str) -> str:
    return '"' + _ptext(text).replace('"', "'") + '"'


def _pcolor(color: str | None) -> str | None:
    if not color:
        return None
    if _HEX.fullmatch(color):
        return "#" + color.lstrip("#")
    if _NAMED_COLOR.fullmatch(color) and color.lower() != "transparent":
        return "#" + color
    return None


class _PlantWriter:
    def __init__(self, diagram: Diagram) -> None:
        self.d = diagram
        self.ids: dict[str, str] = {}
        taken: set[str] = set()
        for index, p in enumerate(diagram.participants):
            alias = p.id if _PUML_ID.fullmatch(p.id) else f"P{index + 1}"
            while alias in taken:
                alias += "_"
            taken.add(alias)
            self.ids[p.id] = alias

    def _declaration(self, p: Participant) -> list[str]:
        keyword, stereotype = _PUML_KIND[p.kind]
        alias = self.ids[p.id]
        line = f"{keyword} {_pquote(p.label)} as {alias}" if p.label != alias else (
            f"{keyword} {alias}"
        )
        if stereotype:
            line += f" <<{stereotype}>>"
        out = [line]
        for link in p.links:
            out.insert(0, f"' link {link.label} @ {link.url} (links are not converted)")
        return out

    def write(self) -> str:
        d = self.d
        out = ["@startuml"]
        if d.config.mirror_actors is False:
            out.append("hide footbox")
        title = d.title if d.title is not None else d.config.title
        if title is not None:
            out.append(f"title {_ptext(title)}")
        if d.acc_title is not None:
            out.append(f"' accTitle: {_ptext(d.acc_title)}")
        if d.acc_descr is not None:
            out.append(f"' accDescr: {_ptext(d.acc_descr)}")
        done_boxes: set[int] = set()
        for p in d.participants:
            if p.created:
                continue
            if p.box is None:
                out += self._declaration(p)
                continue
            if p.box in done_boxes:
                continue
            done_boxes.add(p.box)
            box = d.boxes[p.box]
            color = _pcolor(box.color)
            if box.color and color is None:
                out.append(f"' box colour {box.color} is not a PlantUML colour")
            label = f" {_pquote(box.label)}" if box.label else ""
            out.append(f"box{label}{' ' + color if color else ''}")
            for pid in box.participants:
                member = d.participant(pid)
                if not member.created:
                    out += ["  " + line for line in self._declaration(member)]
            out.append("end box")
        out += self._events(d.events)
        out.append("@enduml")
        return "\n".join(out) + "\n"

    def _events(self, events: Sequence[Event]) -> Iterator[str]:
        ids = self.ids
        rects: list[int] = []
        pending_destroy: set[str] = set()
        for e in events:
            if isinstance(e, Message):
                text = f" : {_ptext(e.text)}" if e.text else " :"
                arrow, note = _plant_arrow(e)
                if note:
                    yield f"' {note}"
                yield f"{ids[e.source]} {arrow} {ids[e.target]}{text}"
                for pid in (e.source, e.target):
                    if pid in pending_destroy:
                        pending_destroy.discard(pid)
                        yield f"destroy {ids[pid]}"
            elif isinstance(e, Activation):
                yield f"{'activate' if e.active else 'deactivate'} {ids[e.participant]}"
            elif isinstance(e, Note):
                where = ", ".join(ids[p] for p in e.participants)
                head = f"note {e.placement.value} {where}"
                if "\n" in e.text:
                    yield head
                    yield from e.text.split("\n")
                    yield "end note"
                else:
                    yield f"{head} : {_ptext(e.text)}"
            elif isinstance(e, FragmentStart):
                if e.kind is FragmentKind.RECT:
                    rects.append(e.depth)
                    yield f"' rect {e.color or ''} (a highlight; PlantUML has none)".replace(
                        "  ", " "
                    )
                    continue
                keyword = {FragmentKind.PAR_OVER: "par"}.get(e.kind, e.kind.value)
                yield f"{keyword} {_ptext(e.label)}".rstrip()
            elif isinstance(e, FragmentSection):
                yield f"else {_ptext(e.label)}".rstrip()
            elif isinstance(e, FragmentEnd):
                if e.kind is FragmentKind.RECT:
                    rects.pop()
                    yield "' end rect"
                else:
                    yield "end"
            elif isinstance(e, Divider):
                yield f"== {_ptext(e.text)} =="
            elif isinstance(e, Delay):
                yield f"...{_ptext(e.text)}..." if e.text else "..."
            elif isinstance(e, Create):
                p = self.d.participant(e.participant)
                yield "create " + self._declaration(p)[-1]
            elif isinstance(e, Destroy):
                pending_destroy.add(e.participant)
            elif isinstance(e, Autonumber):
                if not e.enabled:
                    yield "autonumber stop"
                elif all(v is None or v.isdigit() for v in (e.start, e.step)):
                    args = "".join(f" {v}" for v in (e.start, e.step) if v is not None)
                    yield f"autonumber{args}"
                else:
                    yield f"' autonumber {e.start} {e.step or ''} (decimal numbers)".rstrip()
                    yield "autonumber"


def _plant_arrow(m: Message) -> tuple[str, str | None]:
    dotted = m.line is LineStyle.DOTTED
    shaft = "--" if dotted else "-"
    kind = m.kind
    if kind is MessageKind.BIDIRECTIONAL:
        return f"<{shaft}>", None
    if kind is MessageKind.LOST:
        return f"{shaft}>x", None
    if kind is MessageKind.HALF:
        if m.head is Head.HALF_TOP:
            return f"{shaft}\\\\", None
        if m.head is Head.HALF_BOTTOM:
            return f"{shaft}//", None
        reverse = "\\\\" if m.tail is Head.HALF_BOTTOM else "//"
        return f"{reverse}{shaft}", None
    if m.head is Head.OPEN:
        return f"{shaft}>>", None
    if m.head is Head.NONE:
        return f"{shaft}>", f"mlseq: {m.arrow} is a line without a head"
    return f"{shaft}>", None


def to_plantuml(diagram: Diagram) -> str:
    """The diagram as PlantUML sequence text between ``@startuml`` and ``@enduml``."""
    return _PlantWriter(diagram).write()
