"""The SVG backend: :class:`~mlseq.geometry.Geometry` + the model become one ``<svg>``.

Contract (see DESIGN.md, "Output contract"):

- one ``<svg role="img">`` with ``<title>`` and ``<desc>`` (the transcript) named by
  ``aria-labelledby``;
- every id starts with a short hash of the diagram and the options, so many diagrams on
  one page never collide; the same input gives the same bytes (attributes sorted, one
  number format, no dict-order or randomness);
- all text goes through :func:`mlseq.markup.escape`, links through
  :func:`mlseq.markup.safe_url`, colours through :func:`mlseq.theme.valid_color`; nothing
  from the input becomes an element or an attribute name;
- colours only as ``var(--mlseq-*)`` (see :mod:`mlseq.theme`), so dark mode follows the
  page live; the one exception is white, for text and lines on a user's dark ``box`` or
  ``rect`` colour, which is dark in either mode (see :mod:`mlseq.backdrop`).

Drawing order gives the calm hierarchy: background, boxes, coloured rects, lifelines,
stage bands, fragment frames, activation bars, fragment tabs and guards, message lines,
heads, notes, and the labels last, each with a halo in the background colour so no line
runs through text. A label on a tinted area (a box, a ``rect``) has no halo: the lines under
it are masked out instead, so the area shows round its text as it is (see
:func:`_knock_out`).
"""

from __future__ import annotations

import zlib
from dataclasses import replace

from . import backdrop, metrics, theme
from .geometry import Geometry, HeadBox, Rect, TextBlock, areas_under, haloed_labels
from .markup import escape, safe_url
from .model import (
    Diagram,
    FragmentKind,
    FragmentStart,
    Head,
    LineStyle,
    Message,
    ParticipantKind,
)
from .options import RenderOptions
from .transcript import transcript

# Structural rules, the same for every diagram (so a page needs them once).
_RULES = (
    ".mlseq .bg{fill:var(--mlseq-bg)}"
    ".mlseq text{fill:var(--mlseq-text)}"
    ".mlseq .lf{stroke:var(--mlseq-life);stroke-dasharray:5 4;fill:none}"
    ".mlseq .gp{stroke:var(--mlseq-life);stroke-dasharray:1 4;fill:none}"
    ".mlseq .hd{fill:var(--mlseq-head-fill);stroke:var(--mlseq-head-line);stroke-width:1.2}"
    ".mlseq .ic{fill:none;stroke:var(--mlseq-head-line);stroke-width:1.5}"
    ".mlseq .ms{stroke:var(--mlseq-line);stroke-width:1.4;fill:none}"
    ".mlseq .rt{stroke-dasharray:6 4}"
    ".mlseq .af{fill:var(--mlseq-line)}"
    ".mlseq .ao{fill:none;stroke:var(--mlseq-line);stroke-width:1.4;stroke-linejoin:round}"
    ".mlseq .lb{paint-order:stroke;stroke:var(--mlseq-bg);stroke-width:4px;"
    "stroke-linejoin:round}"
    ".mlseq .nt{fill:var(--mlseq-note-fill);stroke:var(--mlseq-note-line)}"
    ".mlseq .fr{fill:none;stroke:var(--mlseq-frame)}"
    ".mlseq .tb{fill:var(--mlseq-tab-fill);stroke:var(--mlseq-frame)}"
    ".mlseq .sd{stroke:var(--mlseq-frame);stroke-dasharray:6 3}"
    ".mlseq .ac{fill:var(--mlseq-act-fill);stroke:var(--mlseq-act-line)}"
    ".mlseq .bd{fill:var(--mlseq-band-fill);stroke:var(--mlseq-band-line)}"
    ".mlseq .bc{fill:var(--mlseq-badge-fill)}"
    ".mlseq .bn{fill:var(--mlseq-badge-text);font-weight:700}"
    ".mlseq .bx{fill:var(--mlseq-box-fill);stroke:var(--mlseq-box-line)}"
    ".mlseq .bl{stroke:var(--mlseq-box-line)}"
    ".mlseq .uc{fill-opacity:var(--mlseq-rect-opacity)}"
    ".mlseq .x{stroke:var(--mlseq-line);stroke-width:2}"
    ".mlseq a text{fill:var(--mlseq-link);text-decoration:underline}"
    ".mlseq text.dk{fill:#fff}"
    ".mlseq .b{font-weight:700}"
)

# Arrow heads, drawn in a 10x10 box whose (refX, refY) lands on the line's end.
_MARKERS = (
    # sync: a filled triangle
    ("f", "9.5", '<path class="af" d="M0 1L10 5L0 9z"/>'),
    # async: an open, longer V: reads differently from the filled head at a glance
    ("o", "9", '<path class="ao" d="M0 0L9 5L0 10"/>'),
    # lost / failed: a cross centred on the end of the line
    ("x", "5", '<path class="ao" d="M1 1L9 9M9 1L1 9"/>'),
    # half arrows: one barb (filled), above or below the line
    ("t", "9.5", '<path class="af" d="M0 -.5L10 5H0z"/>'),
    ("u", "9.5", '<path class="af" d="M0 10.5L10 5H0z"/>'),
)
_HEAD_MARKER = {
    Head.FILLED: "f",
    Head.OPEN: "o",
    Head.CROSS: "x",
    Head.HALF_TOP: "t",
    Head.HALF_BOTTOM: "u",
}


_DOTTED = LineStyle.DOTTED
_RECT = FragmentKind.RECT

class _Numbers(dict[float, str]):
    """Numbers already formatted: a drawing repeats its lifelines' x and its rows' y often.
    Looking one up is a C call; only a number not seen yet runs :meth:`__missing__`."""

    def __missing__(self, v: float) -> str:
        text = f"{v:.1f}"
        if text[-1] == "0":
            text = text[:-2]
            if text == "-0":
                text = "0"
        if len(self) >= 20_000:  # bounded: long-lived processes draw many diagrams
            self.clear()
        self[v] = text
        return text


_NUMBERS = _Numbers()
_f = _NUMBERS.__getitem__
"""The one number format: one decimal (a tenth of a pixel), no ``.0``, no ``-0``."""


def _tag(name: str, attrs: dict[str, str], body: str | None = None) -> str:
    """An element with its attributes sorted (values must be escaped already)."""
    inner = "".join([f' {k}="{attrs[k]}"' for k in sorted(attrs)])
    if body is None:
        return f"<{name}{inner}/>"
    return f"<{name}{inner}>{body}</{name}>"


def _text(block: TextBlock, cls: str = "", anchor: str = "start") -> str:
    """A ``<text>``; ``anchor`` is the text-anchor the enclosing group already sets.

    Attributes are written in sorted order by hand: this is the hottest path.
    """
    lines = block.lines
    if not lines:  # an empty note or stage divider: nothing to write
        return ""
    if block.bold:
        cls = f"{cls} b" if cls else "b"
    head = f'<text class="{cls}"' if cls else "<text"
    if block.size != 14.0:
        head += f' font-size="{_f(block.size)}"'
    if block.anchor != anchor:
        head += f' text-anchor="{block.anchor}"'
    x = _f(block.x)
    y = _f(block.y)
    if len(lines) == 1:
        return f'{head} x="{x}" y="{y}">{escape(lines[0])}</text>'
    # The first line is the text's own; each further line a tspan back at ``x``.
    parts = [f'{head} x="{x}" y="{y}">{escape(lines[0])}']
    top, lh = block.y, block.line_height
    for i in range(1, len(lines)):
        yi = top + i * lh
        parts.append(f'<tspan x="{x}" y="{_f(yi)}">'
                     f"{escape(lines[i])}</tspan>")
    parts.append("</text>")
    return "".join(parts)


def stylesheet(options: RenderOptions) -> str:
    """CSS for every diagram on a page: structure plus the theme's variables."""
    return theme.variable_css("svg.mlseq", options.theme, options.colors,
                              options.system_dark) + _RULES


_ID = "\x00"
"""Stands for the id while drawing: :func:`escape` drops NUL, so no input contains it."""
_ID_BYTES = _ID.encode("utf-8")


def _with_id(body: str, salt: str = "") -> str:
    """Replace the placeholder with a short hash of the drawing itself.

    The drawing covers everything that matters (text, positions, theme, options that
    change the output), so equal ids mean equal diagrams and different diagrams on one
    page get different ids. ``salt`` (:attr:`RenderOptions.id_salt`) tells apart the
    same diagram shown twice on one page; without one the ids depend on the drawing only.
    """
    # CRC-32: a checksum, not a cryptographic hash, is enough to tell diagrams apart,
    # and it costs a quarter of BLAKE2's time on a 14 kB drawing (5 against 19 us).
    data = body.encode("utf-8")
    crc = zlib.crc32(data)
    if salt:
        crc = zlib.crc32(b"\x00salt\x00" + salt.encode("utf-8"), crc)
    # Replaced in the bytes, which find a one-byte needle with memchr: ``str.replace``
    # counts it one character at a time first (82 against 28 thousand instructions for
    # b_ml's 14 kB, decoding included).
    return data.replace(_ID_BYTES, b"m%06x" % (crc & 0xFFFFFF)).decode("utf-8")


def _knock_out(g: Geometry, tinted: list[Rect], colors: list[str | None]
               ) -> tuple[list[TextBlock], set[int]]:
    """The haloed labels that meet a tinted area, and so go without a halo; and the ids
    of those that lie on a backdrop of user colours dark enough for white text
    (:func:`mlseq.theme.dark_backdrop`: ``box rgb(34, 56, 0)``, ``rect navy``), from end
    to end. A label across the edge of a dark area keeps its halo instead.

    A halo in the background colour shows round a label on a box or a ``rect`` as a glow
    of the page colour; a halo in the area's colour would need the area's colour, which
    for a translucent colour over nested areas exists only once painted (and halos
    stacked to build it leave anti-aliased rims). So those labels have no halo, and the
    lines under them are masked out instead: whatever is painted beneath shows round
    the text as it is, in any theme, light or dark.
    """
    blocks = haloed_labels(g)
    found = areas_under(blocks, tinted, 2.0)
    dark, straddling = backdrop.label_backdrops(blocks, found, tinted, colors)
    return [blocks[i] for i in sorted(found) if i not in straddling], dark


def _mask(did: str, g: Geometry, blocks: list[TextBlock]) -> str:
    """The mask that hides what lies under ``blocks`` and their halos' reach."""
    w, h = _f(g.width), _f(g.height)
    texts = "".join(_text(b) for b in blocks)
    return (f'<mask height="{h}" id="{did}-k" maskUnits="userSpaceOnUse" width="{w}" x="0" '
            f'y="0"><rect fill="#fff" height="{h}" width="{w}"/><g stroke="#000" '
            f'stroke-linejoin="round" stroke-width="4">{texts}</g></mask>')


def _default_title(diagram: Diagram) -> str:
    names = [p.label.replace("\n", " ") for p in diagram.participants[:4]]
    more = ", ..." if len(diagram.participants) > 4 else ""
    if not names:
        return "Sequence diagram"
    return "Sequence diagram: " + ", ".join(names) + more


def _figure_at(hb: HeadBox, s: float) -> tuple[float, float]:
    """Where actor, boundary, control and entity draw their figure (30 px tall at 14 px
    text, scaled with the font as the layout is): its centre line, and its top, above the
    name (below the name on the mirrored head)."""
    r = hb.rect
    return r.x + r.w / 2, (r.y + r.h - 30 * s if hb.bottom else r.y)


def _actor(hb: HeadBox, s: float) -> str:
    """actor: a stick figure."""
    cx, iy = _figure_at(hb, s)
    f = _f
    return (f'<circle class="hd" cx="{f(cx)}" cy="{f(iy + 6 * s)}" r="{f(5.5 * s)}"/>'
            f'<path class="ic" d="M{f(cx)} {f(iy + 11.5 * s)}V{f(iy + 21 * s)}'
            f'M{f(cx - 9 * s)} {f(iy + 15 * s)}H{f(cx + 9 * s)}M{f(cx - 8 * s)} '
            f'{f(iy + 29 * s)}L{f(cx)} {f(iy + 21 * s)}L{f(cx + 8 * s)} {f(iy + 29 * s)}"/>')


def _boundary(hb: HeadBox, s: float) -> str:
    """boundary: a circle held by a vertical bar on its left (UML boundary)."""
    cx, iy = _figure_at(hb, s)
    f = _f
    return (f'<circle class="hd" cx="{f(cx + 4 * s)}" cy="{f(iy + 15 * s)}" r="{f(11 * s)}"/>'
            f'<path class="ic" d="M{f(cx - 13 * s)} {f(iy + 4 * s)}V{f(iy + 26 * s)}'
            f'M{f(cx - 13 * s)} {f(iy + 15 * s)}H{f(cx - 7 * s)}"/>')


def _control(hb: HeadBox, s: float) -> str:
    """control: a circle with an arrow head on top (UML control)."""
    cx, iy = _figure_at(hb, s)
    f = _f
    return (f'<circle class="hd" cx="{f(cx)}" cy="{f(iy + 16 * s)}" r="{f(11 * s)}"/>'
            f'<path class="ic" d="M{f(cx + 4 * s)} {f(iy + 1 * s)}L{f(cx - 1 * s)} '
            f'{f(iy + 5 * s)}L{f(cx + 4 * s)} {f(iy + 9 * s)}"/>')


def _entity(hb: HeadBox, s: float) -> str:
    """entity: a circle standing on a line (UML entity)."""
    cx, iy = _figure_at(hb, s)
    f = _f
    return (f'<circle class="hd" cx="{f(cx)}" cy="{f(iy + 14 * s)}" r="{f(11 * s)}"/>'
            f'<path class="ic" d="M{f(cx - 12 * s)} {f(iy + 27 * s)}H{f(cx + 12 * s)}"/>')


def _database(hb: HeadBox) -> str:
    """database: a cylinder."""
    r = hb.rect
    x, y, right, bottom, f = r.x, r.y, r.x + r.w, r.y + r.h, _f
    rx = r.w / 2
    return (f'<path class="hd" d="M{f(x)} {f(y + 5)}V{f(bottom - 5)}'
            f'A{f(rx)} 5 0 0 0 {f(right)} {f(bottom - 5)}V{f(y + 5)}'
            f'A{f(rx)} 5 0 0 0 {f(x)} {f(y + 5)}A{f(rx)} 5 0 0 0 {f(right)} {f(y + 5)}"/>')


def _queue(hb: HeadBox) -> str:
    """queue: a cylinder lying on its side (messages flow through it)."""
    r = hb.rect
    x, y, right, bottom, f = r.x, r.y, r.x + r.w, r.y + r.h, _f
    ry = r.h / 2
    return (f'<path class="hd" d="M{f(x + 6)} {f(y)}H{f(right - 6)}'
            f'A6 {f(ry)} 0 0 1 {f(right - 6)} {f(bottom)}H{f(x + 6)}'
            f'A6 {f(ry)} 0 0 1 {f(x + 6)} {f(y)}z'
            f'M{f(right - 6)} {f(y)}A6 {f(ry)} 0 0 0 {f(right - 6)} {f(bottom)}"/>')


def _collections(hb: HeadBox) -> str:
    """collections: a stack of boxes."""
    r = hb.rect
    x, y, w, h, f = r.x, r.y, r.w, r.h, _f
    return (f'<rect class="hd" height="{f(h - 5)}" rx="2" width="{f(w - 6)}" '
            f'x="{f(x + 6)}" y="{f(y)}"/>'
            f'<rect class="hd" height="{f(h - 5)}" rx="2" width="{f(w - 6)}" '
            f'x="{f(x)}" y="{f(y + 5)}"/>')


def _pipeline(hb: HeadBox) -> str:
    """pipeline: a chevron, one step of a flow that runs other steps."""
    r = hb.rect
    x, y, h, right, bottom, f = r.x, r.y, r.h, r.x + r.w, r.y + r.h, _f
    return (f'<path class="hd" d="M{f(x)} {f(y)}H{f(right - 9)}L{f(right)} {f(y + h / 2)}'
            f'L{f(right - 9)} {f(bottom)}H{f(x)}L{f(x + 9)} {f(y + h / 2)}z"/>')


def _job(hb: HeadBox) -> str:
    """job: the flowchart "predefined process" box, double side bars (a batch worker)."""
    r = hb.rect
    x, y, w, h, right, bottom, f = r.x, r.y, r.w, r.h, r.x + r.w, r.y + r.h, _f
    return (f'<rect class="hd" height="{f(h)}" width="{f(w)}" x="{f(x)}" y="{f(y)}"/>'
            f'<path class="ic" d="M{f(x + 5)} {f(y)}V{f(bottom)}M{f(right - 5)} {f(y)}'
            f'V{f(bottom)}"/>')


def _registry(hb: HeadBox) -> str:
    """registry: a folder with a tab, where versions are filed."""
    r = hb.rect
    x, y, w, right, bottom, f = r.x, r.y, r.w, r.x + r.w, r.y + r.h, _f
    return (f'<path class="hd" d="M{f(x)} {f(y + 5)}V{f(bottom)}H{f(right)}V{f(y + 5)}'
            f'H{f(x + w * 0.45)}L{f(x + w * 0.45 - 5)} {f(y)}H{f(x + 2)}'
            f'L{f(x)} {f(y + 2)}z"/>'
            f'<path class="ic" d="M{f(x)} {f(y + 5)}H{f(x + w * 0.45)}"/>')


def _model(hb: HeadBox) -> str:
    """model: a hexagon, the shape commonly used for a trained model."""
    r = hb.rect
    x, y, h, right, bottom, f = r.x, r.y, r.h, r.x + r.w, r.y + r.h, _f
    return (f'<path class="hd" d="M{f(x + 8)} {f(y)}H{f(right - 8)}L{f(right)} '
            f'{f(y + h / 2)}L{f(right - 8)} {f(bottom)}H{f(x + 8)}L{f(x)} '
            f'{f(y + h / 2)}z"/>')


def _monitor(hb: HeadBox) -> str:
    """monitor: a screen on a stand (a dashboard that watches)."""
    r = hb.rect
    x, y, w, h, bottom, f = r.x, r.y, r.w, r.h, r.y + r.h, _f
    cx = x + w / 2
    return (f'<rect class="hd" height="{f(h - 6)}" rx="3" width="{f(w)}" x="{f(x)}" '
            f'y="{f(y)}"/>'
            f'<path class="ic" d="M{f(cx)} {f(bottom - 6)}V{f(bottom - 1)}'
            f'M{f(cx - 9)} {f(bottom - 1)}H{f(cx + 9)}"/>')


def _box(hb: HeadBox) -> str:
    """participant: a plain box."""
    r = hb.rect
    f = _f
    return (f'<rect class="hd" height="{f(r.h)}" rx="3" width="{f(r.w)}" x="{f(r.x)}" '
            f'y="{f(r.y)}"/>')


_FIGURES = {
    ParticipantKind.ACTOR: _actor,
    ParticipantKind.BOUNDARY: _boundary,
    ParticipantKind.CONTROL: _control,
    ParticipantKind.ENTITY: _entity,
}
"""The heads drawn as a figure above the name, at the font's scale."""
_SHAPES = {
    ParticipantKind.DATABASE: _database,
    ParticipantKind.QUEUE: _queue,
    ParticipantKind.COLLECTIONS: _collections,
    ParticipantKind.PIPELINE: _pipeline,
    ParticipantKind.JOB: _job,
    ParticipantKind.REGISTRY: _registry,
    ParticipantKind.MODEL: _model,
    ParticipantKind.MONITOR: _monitor,
}
"""The shape of each other kind of head (a plain box for ``participant``), each
recognisable without reading its name. A table, not a chain of ``kind is ParticipantKind.X``: on
CPython 3.11 each read of an enum member through its class costs ~900 instructions."""


def _head_shape(hb: HeadBox, kind: ParticipantKind, s: float) -> str:
    """The shape of one head (``s``: the font size over 14 px, for a figure's size)."""
    figure = _FIGURES.get(kind)
    if figure is not None:
        return figure(hb, s)
    return _SHAPES.get(kind, _box)(hb)


def _rect(r: Rect, cls: str, extra: dict[str, str] | None = None) -> str:
    if not extra:
        # Every activation bar and frame: the attributes in _tag's sorted order, written
        # directly (building and sorting a dict cost four times as much).
        f = _f
        return (f'<rect class="{cls}" height="{f(r.h)}" width="{f(r.w)}" x="{f(r.x)}" '
                f'y="{f(r.y)}"/>')
    attrs = {"class": cls, "x": _f(r.x), "y": _f(r.y), "width": _f(r.w), "height": _f(r.h)}
    attrs.update(extra)
    return _tag("rect", attrs)


def draw(diagram: Diagram, geometry: Geometry, options: RenderOptions) -> str:
    """The SVG for ``diagram`` laid out as ``geometry``."""
    g = geometry
    f = _f
    did = _ID
    if options.theme == "default" and diagram.config.theme in theme.THEMES:
        # ``%%{init: {"theme": "forest"}}%%`` in the block, and no theme set by the site.
        options = replace(options, theme=diagram.config.theme)
    events = diagram.events
    participants = diagram.participants
    out: list[str] = []
    title = (options.title or diagram.acc_title or diagram.title or diagram.config.title
             or _default_title(diagram))
    desc = options.alt or transcript(diagram)
    root = {
        "xmlns": "http://www.w3.org/2000/svg",
        "class": "mlseq",
        "id": did,
        "role": "img",
        "aria-labelledby": f"{did}-t {did}-d",
        "viewBox": f"0 0 {f(g.width)} {f(g.height)}",
        "width": f(g.width),
        "height": f(g.height),
        "font-family": escape(metrics.FONT_FAMILY),
        "font-size": f(g.font_size),
    }
    out.append(_tag("svg", root)[:-2] + ">")
    out.append(f'<title id="{did}-t">{escape(title)}</title>')
    out.append(f'<desc id="{did}-d">{escape(desc)}</desc>')
    if options.css or options.theme != "default" or options.colors:
        scoped = theme.variable_css("#" + did, options.theme, options.colors,
                                    options.system_dark)
        out.append(f"<style>{scoped}{_RULES if options.css else ''}</style>")

    # Boxes and ``rect`` blocks, in drawing order, with their user colours (None: the
    # theme's own fill); and the messages drawn on a backdrop of them dark enough for
    # white lines (see theme.dark_backdrop).
    tinted, colors = backdrop.tinted_areas(diagram, g)
    white_lines = backdrop.dark_lines(diagram, g, tinted, colors)

    # Shared arrow heads: only those this diagram uses (white ones for white lines).
    used: set[str] = set()
    for ev in events:
        if isinstance(ev, Message):
            if ev.head in _HEAD_MARKER:
                used.add(_HEAD_MARKER[ev.head])
            if ev.tail in _HEAD_MARKER:
                used.add(_HEAD_MARKER[ev.tail])
    for mg in white_lines:
        m = events[mg.event]
        assert isinstance(m, Message)
        used.update(_HEAD_MARKER[h] + "w" for h in (m.head, m.tail) if h in _HEAD_MARKER)
    if g.legend is not None:
        used.add("f")
    if used:
        defs = []
        for key, ref_x, shape in _MARKERS:
            for variant in (key, key + "w") if white_lines else (key,):
                if variant in used:
                    if variant != key:
                        shape = shape.replace('class="af"', 'fill="#fff"').replace(
                            'class="ao"', 'fill="none" stroke="#fff" stroke-linejoin="round" '
                            'stroke-width="1.4"')
                    defs.append(
                        f'<marker id="{did}-a{variant}" markerHeight="10" '
                        f'markerUnits="userSpaceOnUse" markerWidth="10" '
                        f'orient="auto-start-reverse" overflow="visible" refX="{ref_x}" '
                        f'refY="5" viewBox="0 0 10 10">{shape}</marker>'
                    )
        out.append("<defs>" + "".join(defs) + "</defs>")
    out.append(f'<rect class="bg" height="{f(g.height)}" rx="4" width="{f(g.width)}"/>')

    dark_boxes = backdrop.dark_boxes(g, colors)
    for i, bx in enumerate(g.boxes):  # the first areas in ``tinted``; the rects follow
        color = colors[i]
        extra: dict[str, str] = {"fill": escape(color.strip()), "class": "bl uc"} if color else {}
        out.append(_rect(bx.rect, "bx", extra))
        if bx.label is not None:
            out.append(_text(bx.label, "dk" if i in dark_boxes else ""))
    for area, color in zip(tinted[len(g.boxes):], colors[len(g.boxes):], strict=True):
        extra = {"fill": escape(color.strip()), "class": "uc"} if color else {"class": "tb"}
        out.append(_rect(area, "", extra))
    knocked_out, dark = _knock_out(g, tinted, colors) if tinted else ([], set())
    knocked = {id(b) for b in knocked_out}

    def bare(block: TextBlock) -> str:
        """The class of a label knocked out of the lines: white on a dark backdrop."""
        return "dk" if id(block) in dark else ""
    if knocked_out:
        # The lines and shapes drawn from here to the labels, masked where those labels go.
        out.append(_mask(did, g, knocked_out))
        out.append(f'<g mask="url(#{did}-k)">')
    late_guards: list[TextBlock] = []

    def guard(block: TextBlock) -> None:
        """A guard with its halo here, or (knocked out) after the masked lines."""
        if id(block) in knocked:
            late_guards.append(block)
        else:
            out.append(_text(block, "lb"))

    # Lifelines, dotted across delays.
    parts = []
    dotted = []
    for ll in g.lifelines:
        x = f(ll.x)
        y1 = ll.y1
        for a, b in ll.gaps:
            if b <= y1 or a >= ll.y2:
                continue
            if a > y1:
                parts.append(f"M{x} {f(y1)}V{f(a)}")
            dotted.append(f"M{x} {f(max(a, y1))}V{f(min(b, ll.y2))}")
            y1 = b
        if ll.y2 > y1:
            parts.append(f"M{x} {f(y1)}V{f(ll.y2)}")
    if parts:
        out.append(f'<path class="lf" d="{"".join(parts)}"/>')
    if dotted:
        out.append(f'<path class="gp" d="{"".join(dotted)}"/>')

    for dv in g.dividers:
        r = dv.rect
        out.append(f'<rect class="bd" height="{f(r.h)}" width="{f(r.w)}" x="{f(r.x)}" '
                   f'y="{f(r.y)}"/>')
        out.append(_text(dv.label))

    for fg in g.fragments:
        start = events[fg.event]
        if isinstance(start, FragmentStart) and start.kind is _RECT:
            continue
        out.append(_rect(fg.rect, "fr"))
        for sec in fg.sections:
            out.append(f'<path class="sd" d="M{f(fg.rect.x)} {f(sec.y)}H{f(fg.rect.right)}"/>')

    for ab in g.activations:
        out.append(_rect(ab.rect, "ac"))

    # Tabs and guards after the bars: a frame's left edge often sits next to the bar of
    # the participant it starts at, and the bar must not cut its keyword or guard.
    for fg in g.fragments:
        if fg.tab is not None:
            t = fg.tab
            out.append(f'<path class="tb" d="M{f(t.x)} {f(t.y)}H{f(t.right)}'
                       f'V{f(t.bottom - 5)}L{f(t.right - 5)} {f(t.bottom)}H{f(t.x)}z"/>')
        if fg.tab_label is not None:
            out.append(_text(fg.tab_label))
        if fg.guard is not None:
            guard(fg.guard)
        for sec in fg.sections:
            if sec.guard is not None:
                guard(sec.guard)

    lines = []
    dotted_line = _DOTTED
    marker_end = {h: f' marker-end="url(#{did}-a{k})"' for h, k in _HEAD_MARKER.items()}
    marker_start = {h: f' marker-start="url(#{did}-a{k})"' for h, k in _HEAD_MARKER.items()}
    for mg in g.messages:
        m = events[mg.event]
        assert isinstance(m, Message)
        # Attributes in sorted order, as _tag writes them: class, d, marker-end/-start.
        cls = ' class="rt"' if m.line is dotted_line else ""
        if mg.loop is not None:
            lp = mg.loop
            d = f"M{f(mg.x1)} {f(lp.y)}H{f(lp.right)}V{f(lp.bottom)}H{f(mg.x2)}"
        else:
            d = f"M{f(mg.x1)} {f(mg.y)}H{f(mg.x2)}"
        if white_lines and mg in white_lines:
            end = f' marker-end="url(#{did}-a{_HEAD_MARKER[m.head]}w)"' \
                if m.head in _HEAD_MARKER else ""
            begin = f' marker-start="url(#{did}-a{_HEAD_MARKER[m.tail]}w)"' \
                if m.tail in _HEAD_MARKER else ""
            lines.append(f'<path{cls} d="{d}"{end}{begin} stroke="#fff"/>')
            lines.extend(f'<circle cx="{f(x)}" cy="{f(mg.y)}" fill="#fff" r="{f(r)}"/>'
                         for x, r in mg.dots)
            continue
        lines.append(f'<path{cls} d="{d}"{marker_end.get(m.head, "")}'
                     f'{marker_start.get(m.tail, "")}/>')
        if mg.dots:
            lines.extend(f'<circle class="af" cx="{f(x)}" cy="{f(mg.y)}" r="{f(r)}"/>'
                         for x, r in mg.dots)
    if lines:
        out.append('<g class="ms">' + "".join(lines) + "</g>")

    on_dark = backdrop.figures_on_dark(diagram, g, dark_boxes) if dark_boxes else set()
    scale = options.font_size / 14.0
    for hb in g.heads:
        p = participants[hb.participant]
        # A figure's name has no fill of its own behind it, only the box's.
        dk = "dk" if on_dark and p.id in on_dark else ""
        shape = _head_shape(hb, p.kind, scale) + _text(hb.label, dk)
        url = next((safe_url(ln.url) for ln in p.links if safe_url(ln.url)), None) \
            if p.links else None
        if url:
            shape = f'<a href="{escape(url)}">{shape}</a>'
        out.append(shape)
    for cr in g.crosses:
        h = cr.size / 2
        out.append(f'<path class="x" d="M{f(cr.x - h)} {f(cr.y - h)}L{f(cr.x + h)} '
                   f'{f(cr.y + h)}M{f(cr.x + h)} {f(cr.y - h)}L{f(cr.x - h)} {f(cr.y + h)}"/>')

    for ng in g.notes:
        r = ng.rect
        out.append(f'<path class="nt" d="M{f(r.x)} {f(r.y)}H{f(r.right - 7)}L{f(r.right)} '
                   f'{f(r.y + 7)}V{f(r.bottom)}H{f(r.x)}z"/>')
        out.append(_text(ng.label))

    if knocked:
        out.append("</g>")  # the masked lines end: the labels knocked out of them follow
        out.extend(_text(guard, bare(guard)) for guard in late_guards)

    # Labels last, in one group that gives them the halo and centres them.
    labels = []
    unhaloed = []
    badges = []
    for mg in g.messages:
        if mg.label is not None:
            if knocked and id(mg.label) in knocked:
                unhaloed.append(_text(mg.label, bare(mg.label), "middle"))
            else:
                labels.append(_text(mg.label, "", "middle"))
        if mg.badge is not None:
            bg = mg.badge
            badges.append(f'<circle class="bc" cx="{f(bg.cx)}" cy="{f(bg.cy)}" r="{f(bg.r)}"/>'
                          f'<text class="bn" font-size="{f(bg.size)}" x="{f(bg.cx)}" '
                          f'y="{f(bg.cy + bg.size * 0.35)}">{escape(bg.text)}</text>')
    if labels:
        out.append('<g class="lb" text-anchor="middle">' + "".join(labels) + "</g>")
    if unhaloed:
        out.append('<g text-anchor="middle">' + "".join(unhaloed) + "</g>")
    if badges:
        out.append('<g text-anchor="middle">' + "".join(badges) + "</g>")
    for dl in g.delays:
        if dl.label is not None:
            out.append(_text(dl.label, bare(dl.label) if id(dl.label) in knocked else "lb"))

    for lk in g.links:
        link = participants[lk.participant].links[lk.link]
        url = safe_url(link.url)
        label = _text(lk.label, bare(lk.label) if id(lk.label) in knocked else "lb")
        out.append(f'<a href="{escape(url)}">{label}</a>' if url else label)
    if g.title is not None:
        out.append(_text(g.title))
    if g.legend is not None:
        lg = g.legend
        out.append(_rect(lg.rect, "fr", {"rx": "3"}))
        for entry in lg.entries:
            cls = "ms rt" if entry.kind == "return" else "ms"
            attrs = {"class": cls, "d": f"M{f(entry.x1)} {f(entry.y)}H{f(entry.x2)}"}
            marker = {"sync": "f", "async": "o", "return": "f", "lost": "x",
                      "bidirectional": "f", "half": "t"}.get(entry.kind)
            if marker:
                attrs["marker-end"] = f"url(#{did}-a{marker})"
            if entry.kind == "bidirectional":
                attrs["marker-start"] = f"url(#{did}-af)"
            out.append(_tag("path", attrs))
            out.append(_text(entry.label))
    out.append("</svg>")
    return _with_id("".join(out), options.id_salt)
