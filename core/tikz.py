"""The TikZ backend: :class:`~mlseq.geometry.Geometry` + the model become a ``tikzpicture``.

A second drawing of the same numbers the SVG is made from, for LaTeX/PDF output: a real
vector picture with the same layout, shapes and text, not a bitmap. Coordinates stay in
CSS pixels through the picture's unit vectors (``x=0.75pt``, ``y=-0.75pt``: 96 px to the
inch, y growing downwards as in the geometry), so no number is converted by hand except
line widths and dash lengths, which TikZ does not scale.

Colours are the light palette of the chosen theme (print has no dark mode), defined as
named ``xcolor`` colours inside the picture's group. User colours (``rect``, ``box``) are
converted from ``#hex``, ``rgb()``, ``hsl()`` and the CSS colour names (xcolor's names
differ) to RGB values.

Text goes through ``escape`` (by default :func:`tex_escape`; an integration may pass the
escaping of its LaTeX engine): the one place where diagram text becomes TeX.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import backdrop, theme
from .geometry import Geometry, HeadBox, Rect, TextBlock, areas_under, haloed_labels
from .model import Diagram, FragmentKind, FragmentStart, Head, LineStyle, Message, ParticipantKind
from .options import RenderOptions

PT_PER_PX = 0.75

_TEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "[": "{[}",
    "]": "{]}",
    "\n": " ",
    "\r": " ",
    "\t": " ",
}
_TEX_TABLE = str.maketrans(_TEX_SPECIALS)


def tex_escape(text: str) -> str:
    """Text safe inside a TikZ node: TeX specials quoted, control characters dropped."""
    cleaned = "".join(ch for ch in text if ch in "\n\r\t" or ord(ch) >= 0x20)
    return cleaned.translate(_TEX_TABLE)


def _f(v: float) -> str:
    """The one number format (as the SVG writer's): at most 2 decimals, no ``-0``."""
    if v == int(v):
        i = int(v)
        return str(i) if i else "0"
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _pt(px: float) -> str:
    """A length TikZ does not scale (line widths, dashes), in points."""
    return _f(px * PT_PER_PX) + "pt"


# -- colours ---------------------------------------------------------------------------

def css_color(value: str) -> tuple[str, float] | None:
    """``(RRGGBB, opacity)`` for a CSS colour the theme accepted (see
    :func:`mlseq.theme.rgba`), or ``None``."""
    found = theme.rgba(value)
    if found is None:
        return None
    r, g, b, alpha = found
    return "".join(f"{round(c * 255):02X}" for c in (r, g, b)), alpha


# -- drawing ---------------------------------------------------------------------------


class _Picture:
    """Collects TikZ commands; every coordinate passes through :func:`_f`."""

    def __init__(self, escape: Callable[[str], str]) -> None:
        self.escape = escape
        self.out: list[str] = []
        self.tints: list[tuple[Rect, str]] = []
        """Tinted areas in painting order, with their fill (for labels' backings)."""
        self.under: dict[int, list[int]] = {}
        """For each haloed label (by ``id``) on tinted areas: those areas' indices."""
        self.white: set[int] = set()
        """The labels (by ``id``) drawn white, on a dark user colour (mlseq.backdrop)."""

    def add(self, command: str) -> None:
        self.out.append(command)

    def rect(self, r: Rect, style: str, rounded: float = 0) -> None:
        corners = f",rounded corners={_pt(rounded)}" if rounded else ""
        self.add(f"\\path[{style}{corners}] ({_f(r.x)},{_f(r.y)}) rectangle "
                 f"({_f(r.right)},{_f(r.bottom)});")

    def poly(self, style: str, points: list[tuple[float, float]], closed: bool = True) -> None:
        path = " -- ".join(f"({_f(x)},{_f(y)})" for x, y in points)
        self.add(f"\\path[{style}] {path}{' -- cycle' if closed else ''};")

    def line(self, style: str, x1: float, y1: float, x2: float, y2: float) -> None:
        self.add(f"\\path[{style}] ({_f(x1)},{_f(y1)}) -- ({_f(x2)},{_f(y2)});")

    def circle(self, style: str, cx: float, cy: float, r: float) -> None:
        self.add(f"\\path[{style}] ({_f(cx)},{_f(cy)}) circle[radius={_f(r)}];")

    def text(self, block: TextBlock, *, halo: bool = False) -> None:
        white = ",text=white" if id(block) in self.white else ""
        if white:
            halo = False  # on a dark area end to end: its tint is the backing (below)
        self._nodes(block, (",fill=mlseq-bg,inner sep=0.6pt" if halo else ",inner sep=0pt")
                    + white)
        if halo or white:
            # On a tinted area (a box, a ``rect``) the backing takes the area's paint,
            # clipped to the area, so no page-coloured box shows round the label.
            for k in self.under.get(id(block), ()):
                rect, fill = self.tints[k]
                self.add("\\begin{scope}")
                self.add(f"\\clip ({_f(rect.x)},{_f(rect.y)}) rectangle "
                         f"({_f(rect.right)},{_f(rect.bottom)});")
                self._nodes(block, f",{fill},text opacity=1,inner sep=0.6pt{white}")
                self.add("\\end{scope}")

    def _nodes(self, block: TextBlock, back: str) -> None:
        anchor = "base" if block.anchor == "middle" else "base west"
        font = f"\\fontsize{{{_f(block.size * PT_PER_PX)}}}{{{_f(block.line_height * PT_PER_PX)}}}"
        font += "\\selectfont\\mlseqsans" + ("\\bfseries" if block.bold else "")
        for i, line in enumerate(block.lines):
            if not line.strip():
                continue
            y = block.y + i * block.line_height
            self.add(f"\\node[anchor={anchor},text=mlseq-text{back},font={font}] "
                     f"at ({_f(block.x)},{_f(y)}) {{{self.escape(line)}}};")


def _head_shape(pic: _Picture, hb: HeadBox, kind: ParticipantKind, s: float) -> None:
    """The same shape per kind as the SVG writer draws (see :func:`mlseq.svg._head_shape`);
    ``s`` is the font size over 14 px, a figure's scale."""
    r = hb.rect
    x, y, w, h = r.x, r.y, r.w, r.h
    right, bottom = x + w, y + h
    cx = x + w / 2
    hd, ic = "ml-hd", "ml-ic"
    if kind in (ParticipantKind.ACTOR, ParticipantKind.BOUNDARY, ParticipantKind.CONTROL,
                ParticipantKind.ENTITY):
        iy = bottom - 30 * s if hb.bottom else y
        if kind is ParticipantKind.ACTOR:
            pic.circle(hd, cx, iy + 6 * s, 5.5 * s)
            pic.line(ic, cx, iy + 11.5 * s, cx, iy + 21 * s)
            pic.line(ic, cx - 9 * s, iy + 15 * s, cx + 9 * s, iy + 15 * s)
            pic.poly(ic, [(cx - 8 * s, iy + 29 * s), (cx, iy + 21 * s),
                          (cx + 8 * s, iy + 29 * s)], closed=False)
        elif kind is ParticipantKind.BOUNDARY:
            pic.circle(hd, cx + 4 * s, iy + 15 * s, 11 * s)
            pic.line(ic, cx - 13 * s, iy + 4 * s, cx - 13 * s, iy + 26 * s)
            pic.line(ic, cx - 13 * s, iy + 15 * s, cx - 7 * s, iy + 15 * s)
        elif kind is ParticipantKind.CONTROL:
            pic.circle(hd, cx, iy + 16 * s, 11 * s)
            pic.poly(ic, [(cx + 4 * s, iy + 1 * s), (cx - 1 * s, iy + 5 * s),
                          (cx + 4 * s, iy + 9 * s)], closed=False)
        else:
            pic.circle(hd, cx, iy + 14 * s, 11 * s)
            pic.line(ic, cx - 12 * s, iy + 27 * s, cx + 12 * s, iy + 27 * s)
        return
    if kind is ParticipantKind.DATABASE:
        rx = w / 2
        # y grows downwards, so an arc from 180 to 0 degrees bulges down the page.
        pic.add(f"\\path[{hd}] ({_f(x)},{_f(y + 5)}) -- ({_f(x)},{_f(bottom - 5)}) "
                f"arc[start angle=180,end angle=0,x radius={_f(rx)},y radius=5] "
                f"-- ({_f(right)},{_f(y + 5)}) "
                f"arc[start angle=0,end angle=180,x radius={_f(rx)},y radius=5] -- cycle;")
        pic.add(f"\\path[{hd}] ({_f(cx)},{_f(y + 5)}) "
                f"ellipse[x radius={_f(rx)},y radius=5];")
        return
    if kind is ParticipantKind.QUEUE:
        ry = h / 2
        pic.add(f"\\path[{hd}] ({_f(x + 6)},{_f(y)}) -- ({_f(right - 6)},{_f(y)}) "
                f"arc[start angle=-90,end angle=90,x radius=6,y radius={_f(ry)}] "
                f"-- ({_f(x + 6)},{_f(bottom)}) "
                f"arc[start angle=90,end angle=270,x radius=6,y radius={_f(ry)}] -- cycle;")
        pic.add(f"\\path[{ic}] ({_f(right - 6)},{_f(y)}) "
                f"arc[start angle=270,end angle=90,x radius=6,y radius={_f(ry)}];")
        return
    if kind is ParticipantKind.COLLECTIONS:
        pic.rect(Rect(x + 6, y, w - 6, h - 5), hd, rounded=2)
        pic.rect(Rect(x, y + 5, w - 6, h - 5), hd, rounded=2)
        return
    if kind is ParticipantKind.PIPELINE:
        pic.poly(hd, [(x, y), (right - 9, y), (right, y + h / 2), (right - 9, bottom),
                      (x, bottom), (x + 9, y + h / 2)])
        return
    if kind is ParticipantKind.JOB:
        pic.rect(r, hd)
        pic.line(ic, x + 5, y, x + 5, bottom)
        pic.line(ic, right - 5, y, right - 5, bottom)
        return
    if kind is ParticipantKind.REGISTRY:
        tab = x + w * 0.45
        pic.poly(hd, [(x, y + 5), (x, bottom), (right, bottom), (right, y + 5), (tab, y + 5),
                      (tab - 5, y), (x + 2, y), (x, y + 2)])
        pic.line(ic, x, y + 5, tab, y + 5)
        return
    if kind is ParticipantKind.MODEL:
        pic.poly(hd, [(x + 8, y), (right - 8, y), (right, y + h / 2), (right - 8, bottom),
                      (x + 8, bottom), (x, y + h / 2)])
        return
    if kind is ParticipantKind.MONITOR:
        pic.rect(Rect(x, y, w, h - 6), hd, rounded=3)
        pic.line(ic, cx, bottom - 6, cx, bottom - 1)
        pic.line(ic, cx - 9, bottom - 1, cx + 9, bottom - 1)
        return
    pic.rect(r, hd, rounded=3)


def _arrow_head(pic: _Picture, head: Head, x: float, y: float, direction: float,
                white: bool = False) -> None:
    """A head at ``(x, y)`` on a horizontal line arriving in ``direction`` (+1 = right).

    Shapes and sizes are the SVG markers' (10 px boxes); ``white`` on a dark user colour.
    """
    d = 1.0 if direction >= 0 else -1.0
    af, ao = ("ml-af,fill=white", "ml-ao,draw=white") if white else ("ml-af", "ml-ao")
    if head is Head.FILLED:
        tip = x + 0.5 * d
        pic.poly(af, [(tip - 10 * d, y - 4), (tip, y), (tip - 10 * d, y + 4)])
    elif head is Head.OPEN:
        pic.poly(ao, [(x - 9 * d, y - 5), (x, y), (x - 9 * d, y + 5)], closed=False)
    elif head is Head.CROSS:
        pic.line(ao, x - 4, y - 4, x + 4, y + 4)
        pic.line(ao, x + 4, y - 4, x - 4, y + 4)
    elif head in (Head.HALF_TOP, Head.HALF_BOTTOM):
        tip = x + 0.5 * d
        # The marker turns with the line, so "top" is above a rightward line.
        above = (head is Head.HALF_TOP) == (d > 0)
        barb = y - 4 if above else y + 4
        pic.poly(af, [(tip - 10 * d, barb), (tip, y), (tip - 10 * d, y)])


def _dash(on: float, off: float) -> str:
    return f"dash pattern=on {_pt(on)} off {_pt(off)}"


def _styles(options: RenderOptions) -> str:
    """The picture's options: unit vectors, and one style per SVG class."""
    lw = _pt(1.4)
    return ",".join([
        "x=0.75pt", "y=-0.75pt", "line join=round",
        "ml-bg/.style={fill=mlseq-bg}",
        f"ml-lf/.style={{draw=mlseq-life,line width={_pt(1)},{_dash(5, 4)}}}",
        f"ml-gp/.style={{draw=mlseq-life,line width={_pt(1)},{_dash(1, 4)}}}",
        f"ml-hd/.style={{fill=mlseq-head-fill,draw=mlseq-head-line,line width={_pt(1.2)}}}",
        f"ml-ic/.style={{draw=mlseq-head-line,line width={_pt(1.5)}}}",
        f"ml-ms/.style={{draw=mlseq-line,line width={lw}}}",
        f"ml-rt/.style={{ml-ms,{_dash(6, 4)}}}",
        "ml-af/.style={fill=mlseq-line}",
        f"ml-ao/.style={{draw=mlseq-line,line width={lw}}}",
        f"ml-nt/.style={{fill=mlseq-note-fill,draw=mlseq-note-line,line width={_pt(1)}}}",
        f"ml-fr/.style={{draw=mlseq-frame,line width={_pt(1)}}}",
        f"ml-tb/.style={{fill=mlseq-tab-fill,draw=mlseq-frame,line width={_pt(1)}}}",
        f"ml-sd/.style={{draw=mlseq-frame,line width={_pt(1)},{_dash(6, 3)}}}",
        f"ml-ac/.style={{fill=mlseq-act-fill,draw=mlseq-act-line,line width={_pt(1)}}}",
        f"ml-bd/.style={{fill=mlseq-band-fill,draw=mlseq-band-line,line width={_pt(1)}}}",
        "ml-bc/.style={fill=mlseq-badge-fill}",
        f"ml-bx/.style={{fill=mlseq-box-fill,draw=mlseq-box-line,line width={_pt(1)}}}",
        f"ml-x/.style={{draw=mlseq-line,line width={_pt(2)}}}",
    ])


def draw_tikz(
    diagram: Diagram,
    geometry: Geometry,
    options: RenderOptions,
    *,
    escape: Callable[[str], str] = tex_escape,
) -> str:
    """The ``tikzpicture`` for ``diagram`` laid out as ``geometry``.

    Needs ``\\usepackage{tikz}`` (and xcolor, which TikZ loads) in the preamble.
    """
    g = geometry
    events = diagram.events
    pic = _Picture(escape)
    light, _dark = theme.palettes(options.theme, options.colors)
    opacity = light.get("rect-opacity", "1")

    pic.add(f"\\begin{{tikzpicture}}[{_styles(options)}]")
    # The text font: ``\mlseqsans`` when the document defines it (Sphinx's sphinxmlseq.sty
    # picks Helvetica, whose metrics the layout uses), the sans-serif family otherwise.
    pic.add("\\providecommand{\\mlseqsans}{\\sffamily}")
    for name in theme.VARIABLES:
        value = light.get(name)
        parsed = css_color(value) if value else None
        if parsed is not None:
            pic.add(f"\\definecolor{{mlseq-{name}}}{{HTML}}{{{parsed[0]}}}")
    pic.rect(Rect(0, 0, g.width, g.height), "ml-bg", rounded=4)

    def user_fill(color: str | None, fallback: str) -> str:
        parsed = css_color(color) if color else None
        if parsed is None:
            return fallback
        rgb, alpha = parsed
        return (f"fill={{rgb,255:red,{int(rgb[0:2], 16)};green,{int(rgb[2:4], 16)};"
                f"blue,{int(rgb[4:6], 16)}}},fill opacity={_f(alpha * float(opacity))}")

    tinted, colors = backdrop.tinted_areas(diagram, g)
    dark_boxes = backdrop.dark_boxes(g, colors)
    pic.white.update(id(bx.label) for i, bx in enumerate(g.boxes)
                     if i in dark_boxes and bx.label is not None)
    n_boxes = len(g.boxes)  # the first areas in ``tinted``; the ``rect`` blocks follow
    for bx, color in zip(g.boxes, colors[:n_boxes], strict=True):
        fill = user_fill(color, "")
        pic.rect(bx.rect, f"ml-bx,{fill}" if fill else "ml-bx")
        pic.tints.append((bx.rect, fill or "fill=mlseq-box-fill"))
        if bx.label is not None:
            pic.text(bx.label)
    for area, color in zip(tinted[n_boxes:], colors[n_boxes:], strict=True):
        fill = user_fill(color, "fill=mlseq-tab-fill")
        pic.rect(area, fill)
        pic.tints.append((area, fill))
    if pic.tints:
        labels = haloed_labels(g)
        found = areas_under(labels, tinted, 0.8)
        dark, straddling = backdrop.label_backdrops(labels, found, tinted, colors)
        # A label across a dark area's edge keeps the page-coloured backing only.
        pic.under = {id(labels[i]): areas for i, areas in found.items() if i not in straddling}
        pic.white |= dark
    white_lines = backdrop.dark_lines(diagram, g, tinted, colors)
    figures = backdrop.figures_on_dark(diagram, g, dark_boxes)
    pic.white.update(id(hb.label) for hb in g.heads
                     if diagram.participants[hb.participant].id in figures)

    for ll in g.lifelines:
        y1 = ll.y1
        for a, b in ll.gaps:
            if b <= y1 or a >= ll.y2:
                continue
            if a > y1:
                pic.line("ml-lf", ll.x, y1, ll.x, a)
            pic.line("ml-gp", ll.x, max(a, y1), ll.x, min(b, ll.y2))
            y1 = b
        if ll.y2 > y1:
            pic.line("ml-lf", ll.x, y1, ll.x, ll.y2)

    for dv in g.dividers:
        pic.rect(dv.rect, "ml-bd")
        pic.text(dv.label)

    for fg in sorted(g.fragments, key=lambda item: item.depth):
        start = events[fg.event]
        if isinstance(start, FragmentStart) and start.kind is FragmentKind.RECT:
            continue
        pic.rect(fg.rect, "ml-fr")
        if fg.tab is not None:
            t = fg.tab
            pic.poly("ml-tb", [(t.x, t.y), (t.right, t.y), (t.right, t.bottom - 5),
                            (t.right - 5, t.bottom), (t.x, t.bottom)])
        if fg.tab_label is not None:
            pic.text(fg.tab_label)
        if fg.guard is not None:
            pic.text(fg.guard, halo=True)
        for sec in fg.sections:
            pic.line("ml-sd", fg.rect.x, sec.y, fg.rect.right, sec.y)
            if sec.guard is not None:
                pic.text(sec.guard, halo=True)

    for ab in g.activations:
        pic.rect(ab.rect, "ml-ac")

    for mg in g.messages:
        m = events[mg.event]
        assert isinstance(m, Message)
        style = "ml-rt" if m.line is LineStyle.DOTTED else "ml-ms"
        white = mg in white_lines
        if white:
            style += ",draw=white"
        if mg.loop is not None:
            lp = mg.loop
            pic.poly(style, [(mg.x1, lp.y), (lp.right, lp.y), (lp.right, lp.bottom),
                             (mg.x2, lp.bottom)], closed=False)
            _arrow_head(pic, m.head, mg.x2, lp.bottom, mg.x2 - lp.right, white)
            _arrow_head(pic, m.tail, mg.x1, lp.y, mg.x1 - lp.right, white)
        else:
            pic.line(style, mg.x1, mg.y, mg.x2, mg.y)
            _arrow_head(pic, m.head, mg.x2, mg.y, mg.x2 - mg.x1, white)
            _arrow_head(pic, m.tail, mg.x1, mg.y, mg.x1 - mg.x2, white)
            for dot_x, dot_r in mg.dots:
                pic.circle("ml-af,fill=white" if white else "ml-af", dot_x, mg.y, dot_r)

    for hb in g.heads:
        _head_shape(pic, hb, diagram.participants[hb.participant].kind,
                    options.font_size / 14.0)
        pic.text(hb.label)
    for cr in g.crosses:
        h = cr.size / 2
        pic.line("ml-x", cr.x - h, cr.y - h, cr.x + h, cr.y + h)
        pic.line("ml-x", cr.x + h, cr.y - h, cr.x - h, cr.y + h)

    for ng in g.notes:
        r = ng.rect
        pic.poly("ml-nt", [(r.x, r.y), (r.right - 7, r.y), (r.right, r.y + 7),
                        (r.right, r.bottom), (r.x, r.bottom)])
        pic.text(ng.label)

    for mg in g.messages:
        if mg.label is not None:
            pic.text(mg.label, halo=True)
        if mg.badge is not None:
            bg = mg.badge
            pic.circle("ml-bc", bg.cx, bg.cy, bg.r)
            font = f"\\fontsize{{{_f(bg.size * PT_PER_PX)}}}{{{_f(bg.size * PT_PER_PX)}}}"
            pic.add(f"\\node[anchor=base,inner sep=0pt,text=mlseq-badge-text,"
                    f"font={font}\\selectfont\\mlseqsans\\bfseries] "
                    f"at ({_f(bg.cx)},{_f(bg.cy + bg.size * 0.35)}) {{{escape(bg.text)}}};")
    for dl in g.delays:
        if dl.label is not None:
            pic.text(dl.label, halo=True)
    for lk in g.links:
        pic.text(lk.label, halo=True)
    if g.title is not None:
        pic.text(g.title)
    if g.legend is not None:
        lg = g.legend
        pic.rect(lg.rect, "ml-fr", rounded=3)
        heads = {"sync": Head.FILLED, "async": Head.OPEN, "return": Head.FILLED,
                 "lost": Head.CROSS, "bidirectional": Head.FILLED, "half": Head.HALF_TOP}
        for entry in lg.entries:
            pic.line("ml-rt" if entry.kind == "return" else "ml-ms", entry.x1, entry.y,
                     entry.x2, entry.y)
            head = heads.get(entry.kind)
            if head is not None:
                _arrow_head(pic, head, entry.x2, entry.y, 1)
            if entry.kind == "bidirectional":
                _arrow_head(pic, Head.FILLED, entry.x1, entry.y, -1)
            pic.text(entry.label)
    pic.add("\\end{tikzpicture}")
    return "\n".join(pic.out)


def render(
    source: str,
    *,
    options: RenderOptions | None = None,
    escape: Callable[[str], str] = tex_escape,
    **overrides: Any,
) -> str:
    """A block (diagram text or template call) as a ``tikzpicture``.

    Raises :class:`~mlseq.MlseqError` only, as :func:`mlseq.render` does.
    """
    from . import api, layout

    opts = api._options(options, overrides)
    diagram = api.parse(source, options=opts)
    return draw_tikz(diagram, layout.layout(diagram, opts), opts, escape=escape)
