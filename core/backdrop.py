"""Which labels, names and lines of a drawing sit on a dark user colour.

A ``box`` or a ``rect`` may have any CSS colour. Where the colours, painted in order over
the light page, leave a backdrop on which white reads better than the palette's text
(:func:`mlseq.theme.dark_backdrop`: ``box navy``, ``rect rgb(20, 20, 20)``), a backend
draws the text and the lines there in white. In dark mode user colours are painted at
30 % over the dark page, which leaves such a backdrop dark too, so one answer serves
both modes. The SVG and the TikZ backends both ask here, so they agree.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import theme
from .geometry import Geometry, MessageGeom, Rect, TextBlock
from .layout import ICON_KINDS
from .model import Diagram, FragmentKind, FragmentStart, Head, Message


def tinted_areas(diagram: Diagram, g: Geometry) -> tuple[list[Rect], list[str | None]]:
    """The boxes and the ``rect`` blocks in painting order (boxes first), and each one's
    user colour (``None``: none, or none that :func:`mlseq.theme.valid_color` accepts;
    the area is then painted in the theme's own light fill)."""
    rects: list[Rect] = []
    colors: list[str | None] = []
    for bx in g.boxes:
        color = diagram.boxes[bx.box].color
        rects.append(bx.rect)
        colors.append(color if color and theme.valid_color(color) else None)
    for fg in g.fragments:
        start = diagram.events[fg.event]
        if isinstance(start, FragmentStart) and start.kind is FragmentKind.RECT:
            rects.append(fg.rect)
            colors.append(start.color if start.color and theme.valid_color(start.color)
                          else None)
    return rects, colors


def dark_at(x: float, y: float, rects: Sequence[Rect], colors: Sequence[str | None],
            among: Sequence[int] | None = None) -> bool:
    """Whether the point lies on a dark backdrop (``among``: the only areas to look at,
    in painting order)."""
    indices = range(len(rects)) if among is None else among
    under = [colors[k] for k in indices
             if rects[k].x <= x <= rects[k].right and rects[k].y <= y <= rects[k].bottom]
    return any(under) and theme.dark_backdrop(under)


def label_backdrops(blocks: Sequence[TextBlock], found: dict[int, list[int]],
                    rects: Sequence[Rect], colors: Sequence[str | None]
                    ) -> tuple[set[int], set[int]]:
    """For labels on tinted areas (``found``: a block's index and the areas it meets, as
    :func:`mlseq.geometry.areas_under` gives them): the ids of the blocks on a dark
    backdrop from end to end, and the indices of those across the edge of one (neither
    white nor the text colour reads on both sides: a backend keeps their halo)."""
    dark: set[int] = set()
    straddling: set[int] = set()
    if not any(colors):
        return dark, straddling
    for i, hits in found.items():
        b = blocks[i]
        top, bottom = b.rows()
        y = (top + bottom) / 2
        on_dark = [dark_at(x, y, rects, colors, hits)
                   for x in (b.left + 2, b.left + b.width / 2, b.left + b.width - 2)]
        if all(on_dark):
            dark.add(id(b))
        elif any(on_dark):
            straddling.add(i)
    return dark, straddling


def dark_lines(diagram: Diagram, g: Geometry, rects: Sequence[Rect],
               colors: Sequence[str | None]) -> set[MessageGeom]:
    """The messages whose arrow head (or, without one, the middle of the line) lies on a
    dark backdrop. A line from a dark area into a light one is drawn for the end that
    shows its direction."""
    found: set[MessageGeom] = set()
    if not any(colors):
        return found
    for mg in g.messages:
        m = diagram.events[mg.event]
        if mg.loop is not None:
            x, y = mg.loop.right, (mg.loop.y + mg.loop.bottom) / 2
        elif isinstance(m, Message) and m.head is not Head.NONE:
            x, y = mg.x2 - (5.0 if mg.x2 > mg.x1 else -5.0), mg.y
        else:
            x, y = (mg.x1 + mg.x2) / 2, mg.y
        if dark_at(x, y, rects, colors):
            found.add(mg)
    return found


def dark_boxes(g: Geometry, colors: Sequence[str | None]) -> set[int]:
    """The boxes (indices into :attr:`Geometry.boxes`) in a dark colour, from the colours
    :func:`tinted_areas` gives (the boxes come first there): their titles, and the names
    of the figure heads in them, are white."""
    return {i for i in range(len(g.boxes))
            if (color := colors[i]) is not None and theme.dark_backdrop([color])}


def figures_on_dark(diagram: Diagram, g: Geometry, boxes: set[int]) -> set[str]:
    """The participants drawn as a figure inside one of the dark ``boxes`` (actor,
    boundary, control, entity: :data:`mlseq.layout.ICON_KINDS`). Their names sit on the
    box itself; the other kinds have a filled shape of their own behind the name."""
    inside = {p for i in boxes for p in diagram.boxes[g.boxes[i].box].participants}
    return {p.id for p in diagram.participants if p.id in inside and p.kind in ICON_KINDS}
