"""Layout: a :class:`~mlseq.model.Diagram` becomes :class:`~mlseq.geometry.Geometry`.

Two passes, both linear in the number of events:

1. Horizontal. Every element that spans participants adds a minimum distance between
   the two lifelines it spans (a message label between non-adjacent participants, a
   self-message label to the right of its loop, a note beside or over a lifeline, a box
   title). The constraints are solved left to right: each lifeline goes as far left as
   every constraint ending at it allows. Mermaid only widens adjacent gaps and so lets
   long labels run over their neighbours; this never does.
2. Vertical. Events are walked in order with a cursor; each row is as tall as its
   wrapped text. Fragments are closed with a stack so that nested frames are inset
   inside their parents and wide enough for their content; activation bars are stacked
   per participant with an offset per level.

No text is measured anywhere else: :mod:`mlseq.metrics` is the only source of widths.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from . import metrics
from ._records import maker
from .geometry import (
    ActivationGeom,
    Badge,
    BoxGeom,
    CrossGeom,
    DelayGeom,
    DividerGeom,
    FragmentGeom,
    Geometry,
    HeadBox,
    LegendEntry,
    LegendGeom,
    Lifeline,
    LinkGeom,
    MessageGeom,
    NoteGeom,
    Rect,
    SectionGeom,
    TextBlock,
)
from .markup import safe_url
from .model import (
    Activation,
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
    Message,
    MessageKind,
    Note,
    NotePlacement,
    ParticipantKind,
)
from .options import RenderOptions

# The records built per message, as plain functions (see mlseq._records.maker).
_make_activation_geom = maker(ActivationGeom)
_make_badge = maker(Badge)
_make_head_box = maker(HeadBox)
_make_lifeline = maker(Lifeline)
_make_message_geom = maker(MessageGeom)
_make_note_geom = maker(NoteGeom)
_make_rect = maker(Rect)
_make_text_block = maker(TextBlock)

# Spacing at 14 px text; everything scales with the font size.
MARGIN = 8.0
HEAD_PAD_X = 10.0
HEAD_PAD_Y = 7.0
HEAD_GAP = 14.0
"""Smallest gap between two neighbouring heads."""
LABEL_PAD = 8.0
"""Space left and right of a message label between the two lifelines it spans."""
LABEL_GAP = 3.0
"""Between a label's last line and its message line."""
ROW_GAP = 8.0
"""Below each message line, note, or fragment divider."""
ACT_W = 10.0
ACT_STEP = 5.0
LOOP_W = 24.0
LOOP_MIN_H = 14.0
NOTE_PAD = 6.0
FRAG_PAD = 12.0
"""From the outermost lifeline a fragment covers to its frame."""
FRAG_INSET = 6.0
"""From a nested frame to the frame around it."""
BOX_PAD = 8.0
ICON_H = 30.0
"""Height of the figure drawn above the name for actor/boundary/control/entity."""
BADGE_R = 8.0
DOT_R = 4.0
"""Radius of the circle a ``()`` central connection draws on the lifeline."""
BADGE_GAP = 2.0
"""Least room between two autonumber badges on one lifeline."""
BADGE_LOOKBACK = 3
"""How many messages back a badge looks for one it could touch (each row lies lower)."""
DIVIDER_INDENT = 10.0
"""From the left end of a stage band to its label."""
HEAD_WRAP_MIN = 80.0
"""Participant names wrap at half the wrap width, but never narrower than this."""
GUARD_WRAP_MIN = 200.0
"""Fragment guards wrap at the wrap width, but never narrower than this."""
MAX_GAP_LINES = 2
"""A label across other lifelines is wrapped into one gap only if that takes at most
this many lines (more reads worse than a crossing hidden by the label's halo)."""
FIT_WRAPS = (200.0, 160.0, 130.0)
"""Wrap widths tried in turn when a drawing is wider than ``max_width``."""
FIT_WORTH = 0.1
"""How much narrower (a fraction) a narrower wrap must make a drawing that does not fit
``max_width`` even so. A drawing that scrolls sideways anyway is not worth labels broken
into more lines for a few pixels: in the corpus, a wrap that saved 1-10 % of the width
added 6-23 % to the height."""

ICON_KINDS = frozenset(
    {ParticipantKind.ACTOR, ParticipantKind.BOUNDARY, ParticipantKind.CONTROL,
     ParticipantKind.ENTITY}
)
_ICON_REACH = {
    ParticipantKind.ACTOR: (9.0, 9.0),
    ParticipantKind.BOUNDARY: (15.0, 13.0),
    ParticipantKind.CONTROL: (11.0, 11.0),
    ParticipantKind.ENTITY: (12.0, 12.0),
}
"""How far a figure reaches from its centre line (px at 14 px text, as drawn):
``reach[True]`` to the left, where a line arriving rightwards meets it, ``reach[False]``
to the right."""
# What a head's shape adds to a plain box, per kind (at 14 px; scaled with the font).
# Tables rather than ``kind is ParticipantKind.X`` chains: on CPython 3.11 every read of
# an enum member through its class runs EnumType.__getattr__'s hook (~900 instructions).
_HEAD_EXTRA_W = {
    ParticipantKind.QUEUE: 10.0,
    ParticipantKind.MODEL: 14.0,
    ParticipantKind.PIPELINE: 14.0,
    ParticipantKind.JOB: 8.0,
    ParticipantKind.COLLECTIONS: 8.0,
}
"""Width beyond the name and padding (other kinds: at least 40 px wide instead)."""
_HEAD_EXTRA_H = {
    ParticipantKind.DATABASE: 10.0,
    ParticipantKind.COLLECTIONS: 5.0,
    ParticipantKind.REGISTRY: 5.0,
    ParticipantKind.MONITOR: 6.0,
}
"""Height beyond the name and padding."""
_NAME_SHIFT = {
    ParticipantKind.DATABASE: 5.0,
    ParticipantKind.COLLECTIONS: 2.5,
    ParticipantKind.REGISTRY: 2.5,
    ParticipantKind.MONITOR: -3.0,
}
"""How far down the name sits from the head's middle (below a cylinder's lid, above a
screen's stand)."""
_RIGHT, _LEFT = NotePlacement.RIGHT, NotePlacement.LEFT
_RECT, _PAR_OVER = FragmentKind.RECT, FragmentKind.PAR_OVER

LEGEND_LABELS: dict[MessageKind, str] = {
    MessageKind.SYNC: "call",
    MessageKind.ASYNC: "asynchronous",
    MessageKind.RETURN: "reply",
    MessageKind.LOST: "lost / failed",
    MessageKind.BIDIRECTIONAL: "both ways",
    MessageKind.HALF: "half arrow",
    MessageKind.LINE: "line",
}


@dataclass
class _Frame:
    """A fragment being laid out (mutable scratch, never leaves this module)."""

    event: int
    kind: FragmentKind
    label: str
    depth: int
    top: float
    tab: Rect | None = None
    tab_label: TextBlock | None = None
    guard: TextBlock | None = None
    min_right: float = 0.0
    lo: float = float("inf")
    hi: float = float("-inf")
    sections: list[tuple[float, TextBlock | None]] = field(default_factory=list)


@dataclass
class _Measured:
    """What the layouts of one diagram share (``max_width`` tries a few wrap widths; a
    label's width and the diagram's structure do not depend on it). Mutable scratch,
    never returned."""

    widths: dict[tuple[str, bool, float], float] = field(default_factory=dict)
    one_line: dict[str, float] = field(default_factory=dict)
    """Labels in the diagram's font that are one line as written (no break, no run of
    spaces), with their width: that line is the whole wrap at any width at least this."""
    numbered: bool | None = None
    """Whether any message carries a number (see :meth:`_Layout._numbers_on`)."""
    frame_spans: dict[int, tuple[int, int]] | None = None
    """The lowest and highest participant each fragment's messages and notes touch,
    keyed by its start event (see :meth:`_Layout._frame_room`)."""


class _Text:
    """Wrapping and measuring with a per-layout cache (many labels repeat)."""

    def __init__(self, size: float, wrap_width: float, keep_words: float,
                 measured: _Measured | None = None) -> None:
        self.size = size
        self.wrap_width = wrap_width
        self.keep_words = keep_words
        """Words up to this wide are never broken, even where a line is narrower (names
        in heads, labels when fitting ``max_width``): the user's own wrap width."""
        self.lh = metrics.line_height(size)
        self.asc = metrics.ascent(size)
        shared = measured if measured is not None else _Measured()
        self._widths = shared.widths
        self._one_line = shared.one_line
        self._plain: dict[str, tuple[tuple[str, ...], float]] = {}

    def width(self, text: str, size: float, bold: bool) -> float:
        key = (text, bold, size)
        found = self._widths.get(key)
        if found is None:
            found = self._widths[key] = metrics.text_width(text, size, bold=bold)
        return found

    def lines(self, text: str, *, bold: bool = False, size: float | None = None,
              width: float | None = None) -> tuple[tuple[str, ...], float]:
        """The wrapped lines of ``text`` and the width of the widest one."""
        if not bold and size is None and width is None:
            return self.plain(text)
        return self._measure(text, self.size if size is None else size, bold,
                             self.wrap_width if width is None else width)

    def plain(self, text: str) -> tuple[tuple[str, ...], float]:
        """:meth:`lines` of a label in the diagram's font at the wrap width (most calls)."""
        found = self._plain.get(text)
        if found is not None:
            return found
        w = self._one_line.get(text)
        if w is None:
            if not text or "\n" in text or "  " in text or text[0] == " " or text[-1] == " ":
                found = self._plain[text] = self._measure(text, self.size, False,
                                                          self.wrap_width)
                return found
            # What _measure does for one line of plain text, without its two calls: this
            # runs once per label and layout, and a wide diagram has two or three layouts.
            w = self._one_line[text] = metrics.text_width(text, self.size)
        if w <= self.wrap_width:
            found = self._plain[text] = ((text,), w)
        else:
            found = self._plain[text] = _wrap_measured(text, self.size, False,
                                                       self.wrap_width, self.keep_words)
        return found

    def _measure(self, text: str, size: float, bold: bool, limit: float
                 ) -> tuple[tuple[str, ...], float]:
        if not text:
            return (), 0.0
        if "\n" not in text and "  " not in text and text[0] != " " and text[-1] != " ":
            w = self.width(text, size, bold)
            if size == self.size and not bold:
                self._one_line[text] = w
            if w <= limit:
                # Fits on one line as written: what wrap() would return, without its cost.
                return (text,), w
        return _wrap_measured(text, size, bold, limit, self.keep_words)


@functools.lru_cache(maxsize=4096)
def _wrap_measured(text: str, size: float, bold: bool, limit: float, keep_words: float
                   ) -> tuple[tuple[str, ...], float]:
    """``text`` wrapped at ``limit``, never breaking a word up to ``keep_words`` wide, and
    the width of its widest line. Cached across diagrams, like the measurements in
    :mod:`mlseq.metrics`: labels recur (``ack``, ``model URI``) and ``max_width`` wraps
    the same labels at several widths."""
    lines, width = metrics.wrap_measured(text, limit, size, bold=bold)
    if limit < keep_words:
        words = text.split()
        if sum(len(line.split()) for line in lines) != len(words):
            # A word was broken that the user's wrap width keeps whole: widen to it.
            widest = max(metrics.text_width(word, size, bold=bold) for word in words)
            lines, width = metrics.wrap_measured(text, max(limit, min(widest, keep_words)),
                                                 size, bold=bold)
    return lines, width


def layout(diagram: Diagram, options: RenderOptions) -> Geometry:
    """Place every element of ``diagram``. Pure: same input, same numbers.

    With :attr:`RenderOptions.max_width` set, a drawing wider than that is laid out with
    the first of the narrower wrap widths of :data:`FIT_WRAPS` that fits: long labels and
    names take more lines instead of a sideways scroll. If none fits, the narrowest is
    used only if it is at least :data:`FIT_WORTH` narrower (see there). The horizontal
    pass alone gives the width, so only the chosen layout runs in full.
    """
    measured = _Measured()
    chosen = _Layout(diagram, options, measured=measured)
    limit = options.max_width
    if limit <= 0:
        return chosen.run()
    best = chosen.estimate()
    narrower = [w for w in FIT_WRAPS if w < options.wrap_width]
    if best > limit and narrower:
        # The narrowest first: a drawing with many participants often does not fit even
        # so, and then the others need not be tried.
        order = narrower[-1:] + narrower[:-1]
        for wrap in order:
            candidate = _Layout(diagram, options, wrap_width=wrap, measured=measured)
            width = candidate.estimate()
            if wrap == order[0]:
                if width > limit:
                    if width <= best * (1.0 - FIT_WORTH):
                        chosen = candidate
                    break
                chosen = candidate  # fits: the fallback if no wider wrap does
            elif width <= limit:
                chosen = candidate
                break
    geo = chosen.run()
    # Fragments, notes and titles can widen the drawing beyond the estimate.
    for wrap in FIT_WRAPS:
        if geo.width <= limit or chosen.estimate() > limit:
            break
        if wrap >= chosen.wrap:
            continue
        retry = _Layout(diagram, options, wrap_width=wrap, measured=measured).run()
        if retry.width <= limit or retry.width <= geo.width * (1.0 - FIT_WORTH):
            geo = retry
    return geo


class _Layout:
    def __init__(self, diagram: Diagram, options: RenderOptions,
                 wrap_width: float | None = None, measured: _Measured | None = None) -> None:
        """``wrap_width``, when given, replaces the options' for this layout (``max_width``
        tries narrower ones); words up to the options' own wrap width stay whole."""
        self.d = diagram
        self.o = options
        self.wrap = options.wrap_width if wrap_width is None else wrap_width
        self.s = options.font_size / 14.0
        self.shared = measured if measured is not None else _Measured()
        self.text = _Text(options.font_size, self.wrap, options.wrap_width, self.shared)
        self.index = {p.id: i for i, p in enumerate(diagram.participants)}
        # The render option wins; otherwise what the diagram's %%{init}%% / front matter
        # asked for (``showSequenceNumbers``, ``mirrorActors``).
        self.numbering = options.autonumber
        if self.numbering is None and diagram.config.show_numbers:
            self.numbering = True
        self.mirror = options.mirror_actors
        self._cols: tuple[list[float], float] | None = None
        self._has_frames = True
        """Whether any fragment is open anywhere (set by the horizontal pass)."""
        if diagram.config.mirror_actors is not None:
            self.mirror = diagram.config.mirror_actors

    # -- horizontal -----------------------------------------------------------------

    def _horizontal(self) -> tuple[list[float], float]:
        d, s, t = self.d, self.s, self.text
        n = len(d.participants)
        idx = self.index
        cons: list[dict[int, float]] = [{} for _ in range(n)]
        left_need = 0.0
        right_need = 0.0

        def need(i: int, j: int, dist: float) -> None:
            if i > j:
                i, j = j, i
            row = cons[j]
            if dist > row.get(i, 0.0):
                row[i] = dist

        hw = self.head_w
        for i in range(n - 1):
            need(i, i + 1, hw[i] / 2 + hw[i + 1] / 2 + HEAD_GAP * s)
        if n:
            left_need = hw[0] / 2
            right_need = hw[-1] / 2
        act = ACT_W * s
        badge = 2 * BADGE_R * s + 4 * s if self._numbers_on() else 0.0
        depth = 0
        max_depth = 0
        created = {i for i, p in enumerate(d.participants) if p.created}
        loop_reach = act + LOOP_W * s + 6 * s + LABEL_PAD * s + badge / 2
        label_room = 2 * LABEL_PAD * s + act + badge
        plain = t.plain
        # Which participants each fragment spans (for _frame_room): the same for every
        # wrap width, so only the first pass of a diagram records it.
        spans: dict[int, tuple[int, int]] | None = None
        if self.shared.frame_spans is None:
            spans = self.shared.frame_spans = {}
        open_: list[list[int]] = []  # [start event, lowest, highest participant]
        for k, ev in enumerate(d.events):
            if type(ev) is Message:
                a, b = idx[ev.source], idx[ev.target]
                if open_:
                    top = open_[-1]
                    if a < top[1] or b < top[1]:
                        top[1] = a if a < b else b
                    if a > top[2] or b > top[2]:
                        top[2] = a if a > b else b
                w = plain(ev.text)[1]
                if a == b:
                    reach = loop_reach + w
                    if a + 1 < n:
                        need(a, a + 1, reach)
                    elif reach > right_need:
                        right_need = reach
                    continue
                dist = w + label_room
                if created:
                    for p in (a, b):
                        if p in created:
                            # The head is drawn on this row: the label must clear it.
                            dist += self.head_w[p] / 2
                # need(a, b, dist), inlined: this is once per message.
                if a > b:
                    a, b = b, a
                row = cons[b]
                if dist > row.get(a, 0.0):
                    row[a] = dist
            elif isinstance(ev, Note):
                # Notes have their own row and an opaque backing, so they may cover
                # neighbouring lifelines; they only widen the diagram at its edges.
                _, w = t.lines(ev.text)
                w += 2 * NOTE_PAD * s
                ps = [idx[p] for p in ev.participants]
                a, z = min(ps), max(ps)
                if open_:
                    top = open_[-1]
                    top[1], top[2] = min(top[1], a), max(top[2], z)
                if ev.placement is _RIGHT:
                    if z == n - 1:
                        right_need = max(right_need, act / 2 + 4 * s + w)
                elif ev.placement is _LEFT:
                    if a == 0:
                        left_need = max(left_need, act / 2 + 4 * s + w)
                elif a == z:
                    if a == 0:
                        left_need = max(left_need, w / 2)
                    if z == n - 1:
                        right_need = max(right_need, w / 2)
            elif isinstance(ev, FragmentStart):
                depth += 1
                max_depth = max(max_depth, depth)
                if spans is not None:
                    open_.append([k, n, -1])
            elif isinstance(ev, FragmentEnd):
                depth -= 1
                if open_:
                    start, lo, hi = open_.pop()
                    if hi >= 0:
                        assert spans is not None
                        spans[start] = (lo, hi)
                        if open_:
                            outer = open_[-1]
                            outer[1], outer[2] = min(outer[1], lo), max(outer[2], hi)
        for bi, box in enumerate(d.boxes):
            members = sorted(idx[p] for p in box.participants if p in idx)
            if not members:
                continue
            first, last = members[0], members[-1]
            _, w = t.lines(box.label, bold=True) if box.label else ((), 0.0)
            need(first, last, w + 2 * BOX_PAD * s - hw[first] / 2 - hw[last] / 2)
            # A box around one participant grows around it to fit its title.
            grow_by = 0.0
            if first == last:
                grow_by = max(0.0, (w - hw[first]) / 2)
            if first > 0:
                need(first - 1, first, hw[first - 1] / 2 + hw[first] / 2 + grow_by
                     + (HEAD_GAP + 2 * BOX_PAD) * s)
            if last + 1 < n:
                need(last, last + 1, hw[last] / 2 + hw[last + 1] / 2 + grow_by
                     + (HEAD_GAP + 2 * BOX_PAD) * s)
            if first == 0:
                left_need = max(left_need, hw[0] / 2 + BOX_PAD * s + grow_by)
            if last == n - 1:
                right_need = max(right_need, hw[-1] / 2 + BOX_PAD * s + grow_by)
            del bi
        self._has_frames = max_depth > 0
        if max_depth:
            left_need = max(left_need, FRAG_PAD * s + (max_depth - 1) * FRAG_INSET * s)
            right_need = max(right_need, FRAG_PAD * s + (max_depth - 1) * FRAG_INSET * s)
        xs = [0.0] * n
        if n:
            xs[0] = MARGIN * s + left_need
        for j in range(1, n):
            x = xs[j - 1]
            for i, dist in cons[j].items():
                x = max(x, xs[i] + dist)
            xs[j] = x
        return xs, right_need

    def _numbers_on(self) -> bool:
        if self.numbering is False:
            return False
        if self.numbering is True:
            return True
        shared = self.shared
        if shared.numbered is None:
            shared.numbered = any(type(e) is Message and e.number is not None
                                  for e in self.d.events)
        return shared.numbered

    # -- heads ----------------------------------------------------------------------

    def _prepare_heads(self) -> None:
        s, t = self.s, self.text
        self.head_lines: list[tuple[str, ...]] = []
        self.head_w: list[float] = []
        self.head_text_w: list[float] = []
        self.head_h: list[float] = []
        self.link_lines: list[list[tuple[int, str, float]]] = []
        small = self.o.font_size * 0.86
        # Names wrap at half the message width (two short lines beat one wide head: a
        # head's width sets the least gap to both neighbours).
        head_wrap = max(HEAD_WRAP_MIN * s, self.wrap / 2)
        measure, size, lh = t._measure, t.size, t.lh  # t.lines(label, width=head_wrap)
        pad = HEAD_PAD_X * s
        for p in self.d.participants:
            kind = p.kind
            lines, w = measure(p.label, size, False, head_wrap)
            if not lines:
                lines, w = ("",), 0.0
            # The head's size: the name, its padding, and what the kind's shape adds.
            if kind in ICON_KINDS:  # a figure above the name
                hw = max(w + 4 * s, 36 * s)
                hh = ICON_H * s + 4 * s + len(lines) * lh
            else:
                extra = _HEAD_EXTRA_W.get(kind)
                hw = w + 2 * pad + extra * s if extra is not None else max(w + 2 * pad, 40 * s)
                hh = len(lines) * lh + 2 * HEAD_PAD_Y * s + _HEAD_EXTRA_H.get(kind, 0.0) * s
            links: list[tuple[int, str, float]] = []
            for li, link in enumerate(p.links):
                if safe_url(link.url) is None:
                    continue
                lw = metrics.text_width(link.label, small)
                links.append((li, link.label, lw))
                hw = max(hw, lw + 8 * s)
            self.head_lines.append(lines)
            self.head_text_w.append(w)
            self.head_w.append(hw)
            self.head_h.append(hh)
            self.link_lines.append(links)

    def _head(self, i: int, x: float, top: float, height: float, bottom: bool) -> HeadBox:
        p = self.d.participants[i]
        w = self.head_w[i]
        lines = self.head_lines[i]
        t = self.text
        s = self.s
        text_h = len(lines) * t.lh
        if p.kind in ICON_KINDS:
            # Figure above the name at the top; below the name on the mirrored head.
            first = top + t.asc if bottom else top + height - text_h + t.asc
        else:
            first = top + (height - text_h) / 2 + t.asc + _NAME_SHIFT.get(p.kind, 0.0) * s
        width_text = self.head_text_w[i]
        label = _make_text_block(x, first, lines, t.lh, width_text, self.o.font_size,
                                 "middle")
        return _make_head_box(i, _make_rect(x - w / 2, top, w, height), label, bottom)

    # -- main -----------------------------------------------------------------------

    def estimate(self) -> float:
        """The drawing's width as the horizontal pass sees it (what :meth:`run` gets
        unless a fragment, note or title reaches further)."""
        xs, right_need = self._columns()
        return (xs[-1] + right_need if xs else 0.0) + MARGIN * self.s

    def _columns(self) -> tuple[list[float], float]:
        if self._cols is None:
            self._prepare_heads()
            self._cols = self._horizontal()
        return self._cols

    def run(self) -> Geometry:
        xs, right_need = self._columns()
        geo, min_x = self._vertical(xs, right_need)
        want = MARGIN * self.s
        if min_x < want - 0.01:
            shift = want - min_x
            geo, _ = self._vertical([x + shift for x in xs], right_need)
        return geo

    def _vertical(self, xs: list[float], right_need: float) -> tuple[Geometry, float]:
        d, o, s, t = self.d, self.o, self.s, self.text
        n = len(d.participants)
        idx = self.index
        lh, asc = t.lh, t.asc
        size = o.font_size
        lo_all = xs[0] - self.head_w[0] / 2 if n else MARGIN * s
        hi_all = xs[-1] + right_need if n else MARGIN * s

        y = MARGIN * s
        title_block: tuple[tuple[str, ...], float, float] | None = None
        # The visible title is the diagram's own (``title``, or front matter's);
        # ``RenderOptions.title`` only names the SVG for assistive technology.
        title_text = d.title or d.config.title
        if title_text:
            tsize = size * 1.15
            tl, tw = t.lines(title_text, bold=True, size=tsize, width=max(self.wrap * 2, 400))
            title_block = (tl, tw, y + metrics.ascent(tsize))
            y += len(tl) * metrics.line_height(tsize) + 8 * s

        box_top = y
        if d.boxes:
            has_label = any(b.label for b in d.boxes)
            y += (lh + 6 * s) if has_label else 4 * s

        created = {i for i, p in enumerate(d.participants) if p.created}
        head_h = max((h for i, h in enumerate(self.head_h) if i not in created),
                     default=max(self.head_h, default=lh))
        if created:
            head_h = max(head_h, max(self.head_h[i] for i in created))
        heads: list[HeadBox] = []
        head_top = y
        for i in range(n):
            if i not in created:
                heads.append(self._head(i, xs[i], head_top, head_h, False))
        y = head_top + head_h
        life_start = [y] * n
        links: list[LinkGeom] = []
        small = size * 0.86
        link_lh = metrics.line_height(small)
        max_links = max((len(ls) for ls in self.link_lines), default=0)
        if max_links:
            for i, ls in enumerate(self.link_lines):
                for k, (li, ltext, lw) in enumerate(ls):
                    base = y + 4 * s + k * link_lh + metrics.ascent(small)
                    links.append(LinkGeom(i, li, TextBlock((xs[i]), (base), (ltext,),
                                                           (link_lh), (lw), small, "middle")))
            y += 4 * s + max_links * link_lh
        y += 10 * s

        act = ACT_W * s
        # A guard sits in its frame's first row, usually wider than one gap.
        guard_wrap = max(self.wrap, GUARD_WRAP_MIN * s)
        frame_room = self._frame_room(xs) if self._has_frames else {}
        numbers_on = self._numbers_on()
        auto_count = 0
        stacks: list[list[tuple[float, int]]] = [[] for _ in range(n)]
        bars: list[ActivationGeom] = []
        messages: list[MessageGeom] = []
        notes: list[NoteGeom] = []
        frames: list[_Frame] = []
        fragments: list[FragmentGeom] = []
        pending_dividers: list[tuple[int, float, float, tuple[str, ...], float]] = []
        delays: list[DelayGeom] = []
        gaps: list[list[tuple[float, float]]] = [[] for _ in range(n)]
        pending_create: set[int] = set()
        pending_destroy: set[int] = set()
        life_end: list[float | None] = [None] * n
        crosses: list[CrossGeom] = []
        last_msg: tuple[int, int, float] | None = None  # (source, target, y)
        events = d.events
        n_events = len(events)

        def edge_right(p: int, level_count: int) -> float:
            return xs[p] + act / 2 + max(level_count - 1, 0) * ACT_STEP * s if level_count \
                else xs[p]

        def count_after(k: int, p: int) -> int:
            """Bars on ``p`` at the message ``k``: the most of before and just after it."""
            c = len(stacks[p])
            best = c
            j = k + 1
            while j < n_events:
                e = events[j]
                if not isinstance(e, Activation) or not e.via_message:
                    break
                if idx.get(e.participant) == p:
                    c = c + 1 if e.active else c - 1
                    best = max(best, c)
                j += 1
            return best

        def grow(lo: float, hi: float) -> None:
            if frames:
                f = frames[-1]
                if lo < f.lo:
                    f.lo = lo
                if hi > f.hi:
                    f.hi = hi

        gap_widths = [xs[i + 1] - xs[i] for i in range(n - 1)]
        gap_clear = 2 * (act / 2 + 4 * s) + 1.0
        row_gap = ROW_GAP * s
        frag_pad = FRAG_PAD * s
        label_gap = LABEL_GAP * s
        lines_of = t.plain
        measure = t._measure  # t.lines(text, width=...) for a label, without its keywords
        for k, ev in enumerate(events):
            if type(ev) is Message:
                a, b = idx[ev.source], idx[ev.target]
                lines, w = lines_of(ev.text)
                label_h = len(lines) * lh
                top = y
                number = ev.number
                if numbers_on and number is None and self.numbering:
                    auto_count += 1
                    number = str(auto_count)
                if not numbers_on:
                    number = None
                if k + 1 < n_events and type(events[k + 1]) is Activation:
                    ca, cb = count_after(k, a), count_after(k, b)
                else:
                    ca, cb = len(stacks[a]), len(stacks[b])
                if a == b:
                    x = xs[a]
                    x1 = edge_right(a, ca)
                    loop_h = max(label_h, LOOP_MIN_H * s + 2 * s) - 2 * s
                    ly = top + 3 * s
                    if number is not None and messages:
                        shift = self._badge_clear(messages, x, ly, number)
                        if shift > 0:
                            top += shift
                            ly += shift
                    loop = _make_rect(x1, ly, LOOP_W * s, loop_h)
                    lx = x1 + LOOP_W * s + 6 * s
                    label = _make_text_block(lx, top + asc, lines, lh, w, size) \
                        if lines else None
                    badge = None
                    if number is not None:
                        badge = self._badge(x, ly, number)
                    messages.append(_make_message_geom(k, x1, x1, ly, label, loop, badge))
                    bottom = max(top + label_h, ly + loop_h)
                    hi = lx + w + 6 * s
                    if hi > hi_all:
                        hi_all = hi
                    grow(xs[a] - frag_pad, max(xs[a] + frag_pad, hi))
                    last_msg = (a, b, ly + loop_h)
                    y = bottom + row_gap
                    if pending_destroy:
                        self._lifecycle_after(a, ly + loop_h, pending_destroy, life_end,
                                              crosses, xs, s)
                    continue
                fitted = False
                across = abs(a - b) > 1
                if lines and across:
                    # Across other lifelines: if the label fits between two neighbours
                    # once wrapped to that gap (in a few lines), wrap it so, and no
                    # lifeline runs through it (_quiet_spot then puts it there).
                    first_p, last_p = (a, b) if a < b else (b, a)
                    spanned = gap_widths[first_p:last_p]
                    if pending_create and (first_p in pending_create
                                           or last_p in pending_create):
                        # A head drawn on this row narrows the gap beside it: the label
                        # must clear the head's side, not its lifeline's bar.
                        spanned = list(spanned)
                        if first_p in pending_create:
                            spanned[0] -= self.head_w[first_p] / 2 + 2 * s - act / 2 - 4 * s
                        if last_p in pending_create:
                            spanned[-1] -= self.head_w[last_p] / 2 + 2 * s - act / 2 - 4 * s
                    gap = max(spanned) - gap_clear
                    g_lines, g_w = (lines, w) if w <= gap else measure(ev.text, size, False, gap)
                    if g_w <= gap and len(g_lines) <= MAX_GAP_LINES:
                        lines, w, fitted = g_lines, g_w, True
                        label_h = len(lines) * lh
                if len(lines) > 1 and not fitted:
                    # Other constraints may have spread these lifelines further apart
                    # than this label needed: use the room rather than stack lines.
                    room = abs(xs[b] - xs[a]) - 2 * LABEL_PAD * s - act
                    if room > self.wrap + 1:
                        lines, w = measure(ev.text, size, False, room)
                        label_h = len(lines) * lh
                line_y = top + label_h + label_gap if lines else top + 4 * s
                if number is not None and messages:
                    shift = self._badge_clear(messages, xs[a], line_y, number)
                    if shift > 0:
                        top += shift
                        line_y += shift
                xa, xb = xs[a], xs[b]
                right = xb > xa
                if right:
                    x1 = xa + act / 2 + (ca - 1) * ACT_STEP * s if ca else xa
                    x2 = xb - act / 2 if cb else xb
                else:
                    x1 = xa - act / 2 if ca else xa
                    x2 = xb + act / 2 + (cb - 1) * ACT_STEP * s if cb else xb
                if ev.central_source:
                    x1 = xa
                if ev.central_target:
                    x2 = xb
                sign = 1.0 if right else -1.0
                head_rows: list[int] | tuple[()] = ()
                if pending_create:
                    head_rows = [p for p in (a, b) if p in pending_create]
                    if head_rows:
                        line_y = max(line_y, top + self._created_anchor(head_rows[0]))
                    for p in head_rows:
                        hh = self.head_h[p]
                        htop = line_y - self._created_anchor(p)
                        heads.append(self._head(p, xs[p], htop, hh, False))
                        life_start[p] = htop + hh
                        pending_create.discard(p)
                        half = self.head_w[p] / 2 + 6 * s  # a frame holds the whole head
                        grow(xs[p] - half, xs[p] + half)
                        # The line meets the head's side (a figure's, not its name's).
                        reach = _ICON_REACH.get(self.d.participants[p].kind)
                        if p == b:
                            x2 = xb - sign * (self.head_w[b] / 2 if reach is None
                                              else (reach[right] + 1) * s)
                        else:
                            x1 = xa + sign * (self.head_w[a] / 2 if reach is None
                                              else (reach[not right] + 1) * s)
                badge = None
                if number is not None:
                    badge = self._badge(xa, line_y, number)
                    if abs(x1 - xa) < badge.r:
                        x1 = xa + sign * badge.r
                dots: tuple[tuple[float, float], ...] = ()
                if ev.central_source or ev.central_target:
                    r = DOT_R * s
                    found: list[tuple[float, float]] = []
                    if ev.central_source:
                        # Beside the badge when there is one (it sits on the lifeline).
                        cx = xa + sign * (badge.r + r) if badge is not None else xa
                        found.append((cx, r))
                        if ev.tail is not Head.NONE:
                            x1 = cx + sign * r
                    if ev.central_target:
                        found.append((xb, r))
                        x2 = xb - sign * r if ev.head is not Head.NONE else xb
                    dots = tuple(found)
                label = None
                if lines:
                    cx = (x1 + x2) / 2
                    if across:
                        cx = self._quiet_spot(xs, a, b, x1, x2, w)
                    label = _make_text_block(cx, top + asc, lines, lh, w, size, "middle")
                messages.append(_make_message_geom(k, x1, x2, line_y, label, None, badge, dots))
                if frames:
                    lo, hi = (xa, xb) if right else (xb, xa)
                    grow(lo - frag_pad, hi + frag_pad)
                bottom = line_y
                for p in head_rows:
                    bottom = max(bottom, life_start[p])
                y = bottom + row_gap
                last_msg = (a, b, line_y)
                if pending_destroy:
                    self._lifecycle_after(a, line_y, pending_destroy, life_end, crosses, xs, s)
                    self._lifecycle_after(b, line_y, pending_destroy, life_end, crosses, xs, s)
            elif isinstance(ev, Activation):
                p = idx[ev.participant]
                at = y
                if last_msg is not None and p in (last_msg[0], last_msg[1]):
                    at = last_msg[2]
                if at < life_start[p]:  # created by that message: start under its head
                    at = life_start[p]
                if ev.active:
                    stacks[p].append((at, len(stacks[p])))
                elif stacks[p]:
                    start, level = stacks[p].pop()
                    end = max(at, start + 8 * s)
                    x0 = xs[p] - act / 2 + level * ACT_STEP * s
                    bars.append(_make_activation_geom(p, _make_rect(x0, start, act, end - start),
                                                      level))
            elif isinstance(ev, Note):
                lines, w = t.lines(ev.text)
                w += 2 * NOTE_PAD * s
                ps = [idx[p] for p in ev.participants]
                a = ps[0]
                anchor = "start"
                if ev.placement is _RIGHT:
                    nx = edge_right(a, len(stacks[a])) + 4 * s if stacks[a] else xs[a] + act / 2 \
                        + 4 * s
                elif ev.placement is _LEFT:
                    nx = xs[a] - act / 2 - 4 * s - w
                elif len(ps) == 1 or ps[0] == ps[-1]:
                    nx = xs[a] - w / 2
                    anchor = "middle"
                else:
                    lo_p, hi_p = xs[min(ps)], xs[max(ps)]
                    span = hi_p - lo_p + 28 * s
                    if len(lines) > 1 and span - 2 * NOTE_PAD * s > self.wrap + 1:
                        # A note over two participants spans their lifelines anyway: use
                        # that room rather than stack lines (as message labels do).
                        lines, w = measure(ev.text, size, False, span - 2 * NOTE_PAD * s)
                        w += 2 * NOTE_PAD * s
                    w = max(w, span)
                    nx = (lo_p + hi_p) / 2 - w / 2
                    anchor = "middle"
                h = len(lines) * lh + 2 * NOTE_PAD * s - 2 * s
                tx = nx + NOTE_PAD * s if anchor == "start" else nx + w / 2
                label = _make_text_block(tx, y + NOTE_PAD * s - 1 * s + asc, lines, lh,
                                         w - 2 * NOTE_PAD * s, size, anchor)
                notes.append(_make_note_geom(k, _make_rect(nx, y, w, h), label))
                if nx < lo_all:
                    lo_all = nx
                if nx + w > hi_all:
                    hi_all = nx + w
                grow(min(nx - 6 * s, xs[min(ps)] - FRAG_PAD * s),
                     max(nx + w + 6 * s, xs[max(ps)] + FRAG_PAD * s))
                y += h + ROW_GAP * s
                last_msg = None
            elif isinstance(ev, FragmentStart):
                f = _Frame(k, ev.kind, ev.label, len(frames), y)
                if ev.kind is not _RECT:
                    word = "par" if ev.kind is _PAR_OVER else ev.kind.value
                    tsize = size * 0.86
                    tw = metrics.text_width(word, tsize, bold=True)
                    tab_h = lh + 2 * s
                    tab_w = tw + 18 * s
                    f.tab = Rect(0.0, (y), (tab_w), (tab_h))
                    f.tab_label = TextBlock(0.0, (y + (tab_h - lh) / 2 + asc), (word,), (lh),
                                            (tw), tsize, "start", True)
                    f.min_right = tab_w
                    if ev.label:
                        room = frame_room.get(k, 0.0) - tab_w - 14 * s
                        glines, gw = t.lines(f"[{ev.label}]", width=max(guard_wrap, room))
                        f.guard = TextBlock((tab_w + 6 * s), (y + (tab_h - lh) / 2 + asc),
                                            glines, (lh), (gw), size)
                        f.min_right = tab_w + 6 * s + gw + 8 * s
                        y += max(tab_h, len(glines) * lh + (tab_h - lh)) + 6 * s
                    else:
                        y += tab_h + 6 * s
                else:
                    y += 8 * s
                frames.append(f)
                last_msg = None
            elif isinstance(ev, FragmentSection):
                if frames:
                    f = frames[-1]
                    sy = y
                    guard = None
                    if ev.label:
                        room = frame_room.get(f.event, 0.0) - 14 * s
                        glines, gw = t.lines(f"[{ev.label}]", width=max(guard_wrap, room))
                        guard = TextBlock((6 * s), (sy + 4 * s + asc), glines, (lh), (gw),
                                          size)
                        f.min_right = max(f.min_right, 6 * s + gw + 8 * s)
                        y = sy + 4 * s + len(glines) * lh + 6 * s
                    else:
                        y = sy + 8 * s
                    f.sections.append((sy, guard))
                last_msg = None
            elif isinstance(ev, FragmentEnd):
                if frames:
                    f = frames.pop()
                    bottom = y
                    if f.lo == float("inf"):
                        f.lo = (xs[0] if n else MARGIN * s) - FRAG_PAD * s
                        f.hi = (xs[-1] if n else MARGIN * s) + FRAG_PAD * s
                    fx = f.lo
                    fw = max(f.hi - f.lo, f.min_right)
                    fragments.append(self._fragment(f, fx, fw, bottom))
                    if fx < lo_all:
                        lo_all = fx
                    if fx + fw > hi_all:
                        hi_all = fx + fw
                    grow(fx - FRAG_INSET * s, fx + fw + FRAG_INSET * s)
                    y = bottom + 8 * s
                last_msg = None
            elif isinstance(ev, Divider):
                # The band spans the whole diagram: wrap its label like the title.
                lines, w = t.lines(ev.text, bold=True, width=max(self.wrap * 2, 400))
                top = y + 2 * s
                h = max(len(lines), 1) * lh + 8 * s
                pending_dividers.append((k, top, h, lines, w))
                y = top + h + 10 * s
                last_msg = None
            elif isinstance(ev, Delay):
                lines, w = t.lines(ev.text)
                h = (len(lines) * lh + 18 * s) if lines else 24 * s
                label = None
                if lines and n:
                    cx = (xs[0] + xs[-1]) / 2
                    label = TextBlock((cx), (y + 9 * s + asc), lines, (lh), (w), size,
                                      "middle")
                    lo_all = min(lo_all, cx - w / 2 - 4 * s)
                    hi_all = max(hi_all, cx + w / 2 + 4 * s)
                delays.append(DelayGeom(k, (y), (y + h), label))
                for p in range(n):
                    gaps[p].append(((y), (y + h)))
                y += h
                last_msg = None
            elif isinstance(ev, Create):
                p = idx[ev.participant]
                pending_create.add(p)
            elif isinstance(ev, Destroy):
                p = idx[ev.participant]
                pending_destroy.add(p)

        # Anything still open when the diagram ends.
        while frames:
            f = frames.pop()
            if f.lo == float("inf"):
                f.lo, f.hi = xs[0] - FRAG_PAD * s, xs[-1] + FRAG_PAD * s
            fragments.append(self._fragment(f, f.lo, max(f.hi - f.lo, f.min_right), y))
            y += 8 * s
        y += 4 * s
        for p in range(n):
            while stacks[p]:
                start, level = stacks[p].pop()
                x0 = xs[p] - act / 2 + level * ACT_STEP * s
                bars.append(_make_activation_geom(
                    p, _make_rect(x0, start, act, max(y - start, 8 * s)), level))
        for p in sorted(pending_create):
            hh = self.head_h[p]
            heads.append(self._head(p, xs[p], y, hh, False))
            life_start[p] = y + hh
            y += hh + 8 * s
        for p in sorted(pending_destroy):
            life_end[p] = y
            crosses.append(CrossGeom(p, (xs[p]), (y), 9 * s))

        lifelines: list[Lifeline] = []
        for p in range(n):
            stop = life_end[p]
            lifelines.append(_make_lifeline(p, xs[p], life_start[p],
                                            stop if stop is not None else y, stop is not None,
                                            tuple(g for g in gaps[p] if g[0] >= life_start[p])))
        if self.mirror and n:
            bottom_h = head_h
            for p in range(n):
                if life_end[p] is None:
                    heads.append(self._head(p, xs[p], y, bottom_h, True))
            y += bottom_h
        boxes: list[BoxGeom] = []
        for bi, box in enumerate(d.boxes):
            members = sorted(idx[p] for p in box.participants if p in idx)
            if not members:
                continue
            first, last = members[0], members[-1]
            bx = xs[first] - self.head_w[first] / 2 - BOX_PAD * s
            bw = xs[last] + self.head_w[last] / 2 + BOX_PAD * s - bx
            label = None
            if box.label:
                bl, blw = t.lines(box.label, bold=True)
                if blw + 2 * BOX_PAD * s > bw:
                    bx -= (blw + 2 * BOX_PAD * s - bw) / 2
                    bw = blw + 2 * BOX_PAD * s
                label = TextBlock((bx + bw / 2), (box_top + 3 * s + asc), bl[:1], (lh),
                                  (blw), size, "middle", True)
            boxes.append(BoxGeom(bi, Rect((bx), (box_top), (bw), (y + 4 * s - box_top)),
                                 label))
            if bx < lo_all:
                lo_all = bx
            if bx + bw > hi_all:
                hi_all = bx + bw
        if d.boxes:
            y += 4 * s

        legend = None
        if o.legend:
            legend, y, hi_all = self._legend(y, lo_all, hi_all)

        for hb in heads:
            if hb.rect.x < lo_all:
                lo_all = hb.rect.x
            if hb.rect.right > hi_all:
                hi_all = hb.rect.right
        width = hi_all + MARGIN * s
        title = None
        if title_block is not None:
            tl, tw, base = title_block
            width = max(width, tw + 2 * MARGIN * s)
            tlh = metrics.line_height(size * 1.15)
            if 0 < o.max_width < width:
                # Wider than a docs column: at the left, where the reader starts (like
                # the stage labels), not centred somewhere off-screen.
                title = TextBlock(MARGIN * s, base, tl, tlh, tw, size * 1.15, "start", True)
            else:
                title = TextBlock((width / 2), (base), tl, tlh, (tw), size * 1.15, "middle",
                                  True)
        dividers: list[DividerGeom] = []
        for k, top, h, lines, w in pending_dividers:
            dx = max(lo_all, 2 * s)
            dw = max(hi_all - dx, w + 2 * DIVIDER_INDENT * s)
            width = max(width, dx + dw + MARGIN * s)
            # The label at the left, where a reader of a wide diagram in a narrow docs
            # column (scrolled to its start) sees it; centred it was often off-screen.
            dividers.append(DividerGeom(k, Rect((dx), (top), (dw), (h)),
                                        TextBlock((dx + DIVIDER_INDENT * s),
                                                  (top + 4 * s + asc), lines, (lh), (w),
                                                  size, "start", True)))
        height = y + MARGIN * s
        fragments.sort(key=lambda g: (g.depth, g.event))
        bars.sort(key=lambda b: (b.level, b.rect.y, b.participant))
        geo = Geometry(
            width=(width),
            height=(height),
            font_size=size,
            heads=tuple(heads),
            lifelines=tuple(lifelines),
            messages=tuple(messages),
            activations=tuple(bars),
            notes=tuple(notes),
            fragments=tuple(fragments),
            dividers=tuple(dividers),
            delays=tuple(delays),
            crosses=tuple(crosses),
            boxes=tuple(boxes),
            links=tuple(links),
            title=title,
            legend=legend,
        )
        return geo, lo_all

    def _quiet_spot(self, xs: list[float], a: int, b: int, x1: float, x2: float,
                    w: float) -> float:
        """Centre for a label over a message that crosses other lifelines.

        If the label fits between two neighbouring lifelines inside the span, it goes in
        the fitting gap nearest the sender's end ``x1`` (as PlantUML reads), so no
        lifeline runs through it; otherwise it stays centred (its halo keeps the crossing
        lifelines off the glyphs). The gaps are walked from the sender's side: their
        centres move away from ``x1`` one after the other, so the first that fits is the
        nearest.
        """
        s = self.s
        clear = ACT_W * s / 2 + 4 * s
        left_end = (x1 if x1 < x2 else x2) + 2 * s
        right_end = (x2 if x1 < x2 else x1) - 2 * s
        gaps = range(a, b) if a < b else range(a - 1, b - 1, -1)
        for k in gaps:
            gl = xs[k] + clear
            if left_end > gl:
                gl = left_end
            gr = xs[k + 1] - clear
            if right_end < gr:
                gr = right_end
            if gr - gl >= w:
                return (gl + gr) / 2
        return (x1 + x2) / 2

    def _frame_room(self, xs: list[float]) -> dict[int, float]:
        """Width each fragment will have at least (keyed by its start event): from the
        leftmost to the rightmost lifeline its messages and notes touch. Guards wrap at
        this rather than at the wrap width, so a wide frame keeps its guard on one line."""
        spans = self.shared.frame_spans
        assert spans is not None  # recorded by the horizontal pass
        pad = 2 * FRAG_PAD * self.s
        return {start: xs[hi] - xs[lo] + pad for start, (lo, hi) in spans.items()}

    def _created_anchor(self, p: int) -> float:
        """How far below a created head's top the creating message's line runs: through
        the middle of a box, through the middle of a figure (drawn at the head's top)."""
        if self.d.participants[p].kind in ICON_KINDS:
            return ICON_H * self.s / 2
        return self.head_h[p] / 2

    def _badge(self, x: float, y: float, number: str) -> Badge:
        size = self.o.font_size * 0.72
        return _make_badge(x, y, self._badge_r(number, size), number, size)

    def _badge_r(self, number: str, size: float) -> float:
        return max(BADGE_R * self.s, metrics.text_width(number, size, bold=True) / 2 + 3)

    def _badge_clear(self, messages: list[MessageGeom], x: float, y: float,
                     number: str) -> float:
        """How far a badge for ``number`` at ``(x, y)`` must move down to clear the
        badges just above it (0 when it does). A self-message's badge sits at the top of
        its loop, one row gap under the message before: from the same lifeline, the two
        circles would overlap."""
        need = 0.0
        r = self._badge_r(number, self.o.font_size * 0.72)
        for m in messages[-BADGE_LOOKBACK:]:
            b = m.badge
            if b is not None:
                room = b.r + r + BADGE_GAP * self.s
                if abs(b.cx - x) < room:
                    need = max(need, b.cy + room - y)
        return need

    @staticmethod
    def _lifecycle_after(p: int, at: float, pending_destroy: set[int],
                         life_end: list[float | None], crosses: list[CrossGeom],
                         xs: list[float], s: float) -> None:
        if p in pending_destroy:
            pending_destroy.discard(p)
            life_end[p] = at
            crosses.append(CrossGeom(p, (xs[p]), (at), 9 * s))

    def _fragment(self, f: _Frame, fx: float, fw: float, bottom: float) -> FragmentGeom:
        tab = tab_label = guard = None
        if f.tab is not None and f.tab_label is not None:
            tab = Rect((fx), f.tab.y, f.tab.w, f.tab.h)
            tab_label = TextBlock((fx + 6 * self.s), f.tab_label.y, f.tab_label.lines,
                                  f.tab_label.line_height, f.tab_label.width, f.tab_label.size,
                                  "start", True)
        if f.guard is not None:
            guard = TextBlock((fx + f.guard.x), f.guard.y, f.guard.lines, f.guard.line_height,
                              f.guard.width, f.guard.size)
        sections = tuple(
            SectionGeom((sy), None if g is None else TextBlock(
                (fx + g.x), g.y, g.lines, g.line_height, g.width, g.size))
            for sy, g in f.sections
        )
        return FragmentGeom(f.event, Rect((fx), (f.top), (fw), (bottom - f.top)), tab,
                            tab_label, guard, sections, f.depth)

    def _legend(self, y: float, lo_all: float, hi_all: float
                ) -> tuple[LegendGeom | None, float, float]:
        s, t = self.s, self.text
        used = {m.kind for m in self.d.events if isinstance(m, Message)}
        kinds = [k for k in LEGEND_LABELS if k in used]
        if not kinds:
            return None, y, hi_all
        size = self.o.font_size * 0.86
        lh = metrics.line_height(size)
        row_h = lh + 6 * s
        top = y + 6 * s
        x0 = max(lo_all, MARGIN * s)
        limit = max(hi_all, x0 + 260 * s)
        x = x0 + 8 * s
        row_y = top + 5 * s
        right = x
        entries: list[LegendEntry] = []
        for kind in kinds:
            text = LEGEND_LABELS[kind]
            w = metrics.text_width(text, size)
            if x > x0 + 8 * s and x + 46 * s + w > limit - 8 * s:
                x = x0 + 8 * s
                row_y += row_h
            line_y = row_y + lh / 2
            entries.append(LegendEntry(kind.value, (x), (x + 34 * s), (line_y),
                                       TextBlock((x + 44 * s), (row_y + metrics.ascent(size)),
                                                 (text,), (lh), (w), size)))
            right = max(right, x + 44 * s + w)
            x += 44 * s + w + 18 * s
        bottom = row_y + lh + 5 * s
        rect = Rect((x0), (top), (right + 8 * s - x0), (bottom - top))
        del t
        return LegendGeom(rect, tuple(entries)), bottom, max(hi_all, rect.right)
