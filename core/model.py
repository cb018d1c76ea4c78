"""The diagram model: what a parsed block means, independent of how it is drawn.

Frozen dataclasses only. Participants come in display order; events come in source
order as a flat list in which fragments are bracketed by :class:`FragmentStart`,
:class:`FragmentSection` (``else``/``and``/``option``) and :class:`FragmentEnd`.
Every element carries the :class:`Span` of the statement it came from, so later stages
(lint, integrations) can point at the right line.

Message numbers (``autonumber``) are resolved by the parser and stored on each
:class:`Message`; ``+``/``-`` activation shorthands are turned into
:class:`Activation` events placed right after their message (``via_message=True``), so
layout only ever looks at :class:`Activation` events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from ._records import fast_init


@fast_init
@dataclass(frozen=True, slots=True)
class Span:
    """Where a statement is in its block: 1-based lines and columns, end inclusive."""

    line: int
    column: int = 1
    end_line: int = 0
    end_column: int = 0


class ParticipantKind(str, Enum):
    """How a participant is drawn. The value is the keyword that declares it."""

    PARTICIPANT = "participant"
    ACTOR = "actor"
    BOUNDARY = "boundary"
    CONTROL = "control"
    ENTITY = "entity"
    DATABASE = "database"
    COLLECTIONS = "collections"
    QUEUE = "queue"
    # mlseq additions: roles ML workflow diagrams keep drawing as plain boxes.
    PIPELINE = "pipeline"
    """An orchestrator that runs steps (Airflow, Kubeflow, a CI job)."""
    JOB = "job"
    """A long-running batch or training worker; usually reached asynchronously."""
    REGISTRY = "registry"
    """A model or artifact registry with versions and aliases."""
    MODEL = "model"
    """A trained model or the server that hosts it."""
    MONITOR = "monitor"
    """Something that watches production and raises alerts (drift, latency)."""


MERMAID_KINDS = frozenset(
    {
        ParticipantKind.PARTICIPANT,
        ParticipantKind.ACTOR,
        ParticipantKind.BOUNDARY,
        ParticipantKind.CONTROL,
        ParticipantKind.ENTITY,
        ParticipantKind.DATABASE,
        ParticipantKind.COLLECTIONS,
        ParticipantKind.QUEUE,
    }
)


@fast_init
@dataclass(frozen=True, slots=True)
class Link:
    """A menu entry on a participant (``link A: Label @ url``)."""

    label: str
    url: str


@fast_init
@dataclass(frozen=True, slots=True)
class Participant:
    id: str
    label: str
    kind: ParticipantKind = ParticipantKind.PARTICIPANT
    span: Span = field(default_factory=lambda: Span(0))
    box: int | None = None
    """Index into :attr:`Diagram.boxes`, or ``None``."""
    links: tuple[Link, ...] = ()
    explicit: bool = True
    """Declared with a keyword, rather than first named in a message or note."""
    created: bool = False
    """Introduced mid-diagram with ``create``: its head is drawn where it is created."""
    destroyed: bool = False
    """Ended with ``destroy``: its lifeline stops with a cross."""


@fast_init
@dataclass(frozen=True, slots=True)
class Box:
    """A coloured group of adjacent participants (``box Aqua Team ... end``)."""

    label: str
    color: str | None
    participants: tuple[str, ...]
    span: Span = field(default_factory=lambda: Span(0))


class LineStyle(str, Enum):
    SOLID = "solid"
    DOTTED = "dotted"


class Head(str, Enum):
    """What is drawn at one end of a message line."""

    NONE = "none"
    """``->`` / ``-->``: a plain line."""
    FILLED = "filled"
    """``->>`` / ``-->>``: a filled (synchronous) arrow head."""
    OPEN = "open"
    """``-)`` / ``--)``: an open (asynchronous) arrow head."""
    CROSS = "cross"
    """``-x`` / ``--x``: the message is lost or fails."""
    HALF_TOP = "half-top"
    """Half arrows: only the upper barb (``-|\\``, ``-\\\\`` ...)."""
    HALF_BOTTOM = "half-bottom"
    """Half arrows: only the lower barb (``-|/``, ``-//`` ...)."""


class MessageKind(str, Enum):
    """What a message means, derived from its arrow (see :attr:`Message.kind`)."""

    SYNC = "sync"
    ASYNC = "async"
    RETURN = "return"
    LOST = "lost"
    BIDIRECTIONAL = "bidirectional"
    HALF = "half"
    LINE = "line"
    """A solid line without a head (``->``)."""


@fast_init
@dataclass(frozen=True, slots=True)
class Message:
    source: str
    target: str
    text: str
    line: LineStyle = LineStyle.SOLID
    head: Head = Head.FILLED
    """The head at the target end."""
    tail: Head = Head.NONE
    """The head at the source end (``<<->>`` and reversed half arrows)."""
    arrow: str = "->>"
    """The arrow exactly as written, for converters and lint."""
    number: str | None = None
    """The autonumber label (``"3"``, ``"1.5"``), or ``None`` when numbering is off."""
    wrap: bool = False
    """``wrap:`` was given: wrap the label at the diagram's wrap width."""
    central_source: bool = False
    """``()`` before the arrow: the line starts at the centre of the source."""
    central_target: bool = False
    """``()`` after the arrow: the line ends at the centre of the target."""
    span: Span = field(default_factory=lambda: Span(0))

    @property
    def is_self(self) -> bool:
        return self.source == self.target

    @property
    def kind(self) -> MessageKind:
        return _KINDS[self.line, self.head, self.tail]

    @property
    def is_half(self) -> bool:
        return self.head in _HALVES or self.tail in _HALVES


def message_kind(line: LineStyle, head: Head, tail: Head) -> MessageKind:
    """What an arrow with this line and these heads means (:attr:`Message.kind`)."""
    half = head in (Head.HALF_TOP, Head.HALF_BOTTOM) or tail in (Head.HALF_TOP, Head.HALF_BOTTOM)
    if tail != Head.NONE and head != Head.NONE and not half:
        return MessageKind.BIDIRECTIONAL
    if head == Head.CROSS or tail == Head.CROSS:
        return MessageKind.LOST
    if half:
        return MessageKind.HALF
    if line == LineStyle.DOTTED:
        return MessageKind.RETURN
    if head == Head.OPEN:
        return MessageKind.ASYNC
    if head == Head.NONE:
        return MessageKind.LINE
    return MessageKind.SYNC


_KINDS = {(line, head, tail): message_kind(line, head, tail)
          for line in LineStyle for head in Head for tail in Head}
"""Every combination's kind, worked out once (a dictionary hit per :attr:`Message.kind`;
on CPython 3.11 the members read in :func:`message_kind` cost ~900 instructions each)."""
_HALVES = frozenset({Head.HALF_TOP, Head.HALF_BOTTOM})


@fast_init
@dataclass(frozen=True, slots=True)
class Activation:
    """``activate X`` / ``deactivate X``, or the ``+``/``-`` of a message."""

    participant: str
    active: bool
    via_message: bool = False
    span: Span = field(default_factory=lambda: Span(0))


class NotePlacement(str, Enum):
    LEFT = "left of"
    RIGHT = "right of"
    OVER = "over"


@fast_init
@dataclass(frozen=True, slots=True)
class Note:
    participants: tuple[str, ...]
    """One participant, or two for ``over A,B``."""
    placement: NotePlacement
    text: str
    wrap: bool = False
    span: Span = field(default_factory=lambda: Span(0))


class FragmentKind(str, Enum):
    LOOP = "loop"
    ALT = "alt"
    OPT = "opt"
    PAR = "par"
    PAR_OVER = "par_over"
    CRITICAL = "critical"
    BREAK = "break"
    RECT = "rect"


@fast_init
@dataclass(frozen=True, slots=True)
class FragmentStart:
    kind: FragmentKind
    label: str
    """The guard or title after the keyword; for ``rect``, empty."""
    color: str | None = None
    """``rect``'s background colour, validated by the parser."""
    depth: int = 0
    """0 for an outermost fragment."""
    span: Span = field(default_factory=lambda: Span(0))


@fast_init
@dataclass(frozen=True, slots=True)
class FragmentSection:
    """``else`` (alt), ``and`` (par), ``option`` (critical): a new section."""

    keyword: str
    label: str
    depth: int = 0
    span: Span = field(default_factory=lambda: Span(0))


@fast_init
@dataclass(frozen=True, slots=True)
class FragmentEnd:
    kind: FragmentKind
    depth: int = 0
    span: Span = field(default_factory=lambda: Span(0))


@fast_init
@dataclass(frozen=True, slots=True)
class Divider:
    """``== Training ==``: a full-width band that splits the workflow into stages."""

    text: str
    span: Span = field(default_factory=lambda: Span(0))


@fast_init
@dataclass(frozen=True, slots=True)
class Delay:
    """``... nightly ...``: time passes (a gap in the lifelines, optional text)."""

    text: str
    span: Span = field(default_factory=lambda: Span(0))


@fast_init
@dataclass(frozen=True, slots=True)
class Create:
    """The participant's head is drawn at its next message, not at the top."""

    participant: str
    span: Span = field(default_factory=lambda: Span(0))


@fast_init
@dataclass(frozen=True, slots=True)
class Destroy:
    """The participant's lifeline ends (with a cross) at its next message."""

    participant: str
    span: Span = field(default_factory=lambda: Span(0))


@fast_init
@dataclass(frozen=True, slots=True)
class Autonumber:
    """``autonumber [start [step]]`` or ``autonumber off``; messages carry the result."""

    enabled: bool
    start: str | None = None
    step: str | None = None
    span: Span = field(default_factory=lambda: Span(0))


Event = (
    Message
    | Activation
    | Note
    | FragmentStart
    | FragmentSection
    | FragmentEnd
    | Divider
    | Delay
    | Create
    | Destroy
    | Autonumber
)


@fast_init
@dataclass(frozen=True, slots=True)
class DiagramConfig:
    """What ``%%{init}%%`` directives and ``---`` front matter asked for.

    ``None`` means "not set": render options and integration settings decide.
    """

    theme: str | None = None
    mirror_actors: bool | None = None
    wrap: bool | None = None
    show_numbers: bool | None = None
    message_align: str | None = None
    title: str | None = None


@fast_init
@dataclass(frozen=True, slots=True)
class Diagram:
    participants: tuple[Participant, ...]
    events: tuple[Event, ...]
    boxes: tuple[Box, ...] = ()
    title: str | None = None
    acc_title: str | None = None
    acc_descr: str | None = None
    config: DiagramConfig = field(default_factory=DiagramConfig)
    source_lines: int = 0

    def participant(self, pid: str) -> Participant:
        for p in self.participants:
            if p.id == pid:
                return p
        raise KeyError(pid)

    @property
    def messages(self) -> tuple[Message, ...]:
        return tuple(e for e in self.events if isinstance(e, Message))
