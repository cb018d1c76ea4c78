"""Geometry: where everything goes, as numbers (the output of :func:`mlseq.layout.layout`).

A backend (SVG, TikZ, a transcript) draws from :class:`Geometry` plus the
:class:`~mlseq.model.Diagram` it came from, and measures nothing itself. Coordinates are
in CSS pixels, origin top left, y growing downwards. Every element that comes from an
event carries ``event``, its index in :attr:`Diagram.events`, so a backend can look up
what it means (the arrow of a message, the kind of a fragment).

Text is laid out here too: a :class:`TextBlock` holds the wrapped lines and the baseline
of the first one, so no backend ever re-wraps or re-measures.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from ._records import fast_init


@fast_init
@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


@fast_init
@dataclass(frozen=True, slots=True)
class TextBlock:
    """Lines of text: ``x`` is the anchor (left edge or centre), ``y`` the first baseline."""

    x: float
    y: float
    lines: tuple[str, ...]
    line_height: float
    width: float
    """Width of the widest line, as measured (for overlap checks and backing rects)."""
    size: float
    anchor: str = "start"
    """``start`` (x is the left edge) or ``middle`` (x is the centre)."""
    bold: bool = False

    @property
    def left(self) -> float:
        return self.x - self.width / 2 if self.anchor == "middle" else self.x

    def rows(self, pad: float = 0.0) -> tuple[float, float]:
        """Top and bottom of the lines, widened by ``pad``: a line is taken to reach one
        font size above its baseline and a quarter below (a sans-serif font's ascent
        and descent, rounded up)."""
        return (self.y - self.size - pad,
                self.y + (len(self.lines) - 1) * self.line_height + self.size / 4 + pad)

    def overlaps(self, r: Rect, pad: float = 0.0) -> bool:
        """Whether the lines' box (see :meth:`rows`), widened by ``pad``, meets ``r``."""
        left = self.left - pad
        top, bottom = self.rows(pad)
        return (left < r.x + r.w and left + self.width + 2 * pad > r.x
                and top < r.y + r.h and bottom > r.y)


@fast_init
@dataclass(frozen=True, slots=True)
class HeadBox:
    """A participant's head: ``rect`` is the whole shape, ``label`` its name."""

    participant: int
    """Index into :attr:`Diagram.participants`."""
    rect: Rect
    label: TextBlock
    bottom: bool = False
    """The mirrored head drawn under the lifelines."""


@fast_init
@dataclass(frozen=True, slots=True)
class Lifeline:
    participant: int
    x: float
    y1: float
    y2: float
    destroyed: bool = False
    """The line ends with a cross at ``y2`` (``destroy``)."""
    gaps: tuple[tuple[float, float], ...] = ()
    """Stretches drawn dotted: delays (``... text ...``)."""


@fast_init
@dataclass(frozen=True, slots=True)
class Badge:
    """An autonumber badge: a circle with the message number."""

    cx: float
    cy: float
    r: float
    text: str
    size: float


@fast_init
@dataclass(frozen=True, slots=True)
class MessageGeom:
    event: int
    x1: float
    """Where the line starts (source end)."""
    x2: float
    """Where the line ends (target end, where the head is)."""
    y: float
    label: TextBlock | None
    loop: Rect | None = None
    """For a self-message: the loop (from ``(x1, loop.y)`` out to the right and back to
    ``(x2, loop.bottom)``); ``y`` is then ``loop.y``."""
    badge: Badge | None = None
    dots: tuple[tuple[float, float], ...] = ()
    """The filled circles ``(x, radius)`` on the line at ``y`` where a ``()`` central
    connection meets a lifeline; a head at that end stops at the circle's edge."""


@fast_init
@dataclass(frozen=True, slots=True)
class ActivationGeom:
    participant: int
    rect: Rect
    level: int
    """0 for the outermost bar; nested bars are shifted right by their level."""


@fast_init
@dataclass(frozen=True, slots=True)
class NoteGeom:
    event: int
    rect: Rect
    label: TextBlock


@fast_init
@dataclass(frozen=True, slots=True)
class SectionGeom:
    """An ``else``/``and``/``option`` divider inside a fragment."""

    y: float
    guard: TextBlock | None


@fast_init
@dataclass(frozen=True, slots=True)
class FragmentGeom:
    event: int
    """Index of the :class:`~mlseq.model.FragmentStart`."""
    rect: Rect
    tab: Rect | None
    """The pentagon tab in the top-left corner (``None`` for ``rect``)."""
    tab_label: TextBlock | None
    guard: TextBlock | None
    """``[guard]`` beside the tab."""
    sections: tuple[SectionGeom, ...] = ()
    depth: int = 0


@fast_init
@dataclass(frozen=True, slots=True)
class DividerGeom:
    """A stage divider (``== Training ==``): a band across the whole diagram."""

    event: int
    rect: Rect
    label: TextBlock


@fast_init
@dataclass(frozen=True, slots=True)
class DelayGeom:
    event: int
    y1: float
    y2: float
    label: TextBlock | None


@fast_init
@dataclass(frozen=True, slots=True)
class CrossGeom:
    """The X where a destroyed participant's lifeline ends."""

    participant: int
    x: float
    y: float
    size: float


@fast_init
@dataclass(frozen=True, slots=True)
class BoxGeom:
    box: int
    """Index into :attr:`Diagram.boxes`."""
    rect: Rect
    label: TextBlock | None


@fast_init
@dataclass(frozen=True, slots=True)
class LegendEntry:
    kind: str
    """A :class:`~mlseq.model.MessageKind` value."""
    x1: float
    x2: float
    y: float
    label: TextBlock


@fast_init
@dataclass(frozen=True, slots=True)
class LegendGeom:
    rect: Rect
    entries: tuple[LegendEntry, ...]


@fast_init
@dataclass(frozen=True, slots=True)
class LinkGeom:
    """A participant link, drawn as text under the top head."""

    participant: int
    link: int
    """Index into the participant's :attr:`~mlseq.model.Participant.links`."""
    label: TextBlock


@fast_init
@dataclass(frozen=True, slots=True)
class Geometry:
    width: float
    height: float
    font_size: float
    heads: tuple[HeadBox, ...]
    lifelines: tuple[Lifeline, ...]
    messages: tuple[MessageGeom, ...]
    activations: tuple[ActivationGeom, ...] = ()
    notes: tuple[NoteGeom, ...] = ()
    fragments: tuple[FragmentGeom, ...] = ()
    """Outermost first is not guaranteed: sort by ``depth`` to draw outer frames first."""
    dividers: tuple[DividerGeom, ...] = ()
    delays: tuple[DelayGeom, ...] = ()
    crosses: tuple[CrossGeom, ...] = ()
    boxes: tuple[BoxGeom, ...] = ()
    links: tuple[LinkGeom, ...] = ()
    title: TextBlock | None = None
    legend: LegendGeom | None = None


def haloed_labels(g: Geometry) -> list[TextBlock]:
    """The labels a backend draws with a halo (or a backing) that hides the lines under
    them: on messages, fragment guards, delays and participant links."""
    blocks = [mg.label for mg in g.messages if mg.label is not None]
    for fg in g.fragments:
        if fg.guard is not None:
            blocks.append(fg.guard)
        blocks.extend(sec.guard for sec in fg.sections if sec.guard is not None)
    blocks.extend(dl.label for dl in g.delays if dl.label is not None)
    blocks.extend(lk.label for lk in g.links)
    return blocks


def areas_under(blocks: Sequence[TextBlock], areas: Sequence[Rect], pad: float = 0.0
                ) -> dict[int, list[int]]:
    """For each of ``blocks`` that meets any of ``areas`` (see :meth:`TextBlock.overlaps`):
    its index, and the indices of the areas it meets in increasing order.

    A sweep from top to bottom: an area is looked at only for the labels beside it
    vertically, so thousands of ``rect`` blocks with a label each cost a sort, not a
    comparison of every label with every area.
    """
    if not blocks or not areas:
        return {}
    spans = [(*b.rows(pad), i) for i, b in enumerate(blocks)]
    spans.sort()
    by_top = sorted(range(len(areas)), key=lambda k: areas[k].y)
    active: list[tuple[float, int]] = []  # (bottom, area index): a heap
    found: dict[int, list[int]] = {}
    next_area = 0
    for top, bottom, i in spans:
        while next_area < len(by_top) and areas[by_top[next_area]].y <= bottom:
            k = by_top[next_area]
            heapq.heappush(active, (areas[k].y + areas[k].h, k))
            next_area += 1
        while active and active[0][0] < top:
            heapq.heappop(active)  # ends above this label, so above every later one
        hits = sorted(k for _, k in active if blocks[i].overlaps(areas[k], pad))
        if hits:
            found[i] = hits
    return found
