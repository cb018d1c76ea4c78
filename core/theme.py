"""Colour themes: values for the ``--mlseq-*`` CSS custom properties, light and dark.

The drawing refers to colours only through these variables, so a page can restyle every
diagram at once and dark mode follows the site's own switch live, without a script. Each
theme gives a light and a dark palette; both meet WCAG AA (text 4.5:1, lines 3:1 against
the background they sit on), which ``tests/test_svg.py`` computes.

Dark mode applies when the reader's system prefers it and the site has not forced the
light palette, or when the site's theme says so: Material for MkDocs
(``[data-md-color-scheme=slate]``), Furo (``body[data-theme=dark]``; its ``auto`` follows
``prefers-color-scheme``, which the media query covers), pydata-sphinx-theme and
sphinx-rtd-dark-mode (``html[data-theme=dark]``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from .errors import ErrorCode, MlseqError, did_you_mean

VARIABLES = (
    "bg",          # diagram background; also the halo behind labels
    "text",        # all text
    "line",        # message lines and arrow heads
    "life",        # lifelines
    "head-fill",   # participant heads
    "head-line",
    "note-fill",
    "note-line",
    "frame",       # fragment frames, section dividers
    "tab-fill",    # fragment tabs
    "act-fill",    # activation bars
    "act-line",
    "band-fill",   # stage dividers
    "band-line",
    "badge-fill",  # autonumber badges
    "badge-text",
    "box-fill",    # participant boxes
    "box-line",
    "link",        # participant links
    "rect-opacity",  # how strongly user colours (rect, box) show
)

Palette = dict[str, str]

_DEFAULT_LIGHT: Palette = {
    "bg": "#ffffff", "text": "#1f2328", "line": "#2f3640", "life": "#7c8490",
    "head-fill": "#edf2fa", "head-line": "#4a6288", "note-fill": "#fff6cc",
    "note-line": "#a08a2a", "frame": "#7c8490", "tab-fill": "#e6ecf5",
    "act-fill": "#dde6f3", "act-line": "#4a6288", "band-fill": "#e2eaf6",
    "band-line": "#4a6288", "badge-fill": "#34527f", "badge-text": "#ffffff",
    "box-fill": "#f5f7fa", "box-line": "#b9c2cf", "link": "#0a58ca", "rect-opacity": "1",
}
_DEFAULT_DARK: Palette = {
    "bg": "#1a1d23", "text": "#e6e9ef", "line": "#c8d0da", "life": "#7f8894",
    "head-fill": "#253043", "head-line": "#8aa2c8", "note-fill": "#3b3520",
    "note-line": "#a6923f", "frame": "#7f8894", "tab-fill": "#29313d",
    "act-fill": "#2c3a50", "act-line": "#8aa2c8", "band-fill": "#243248",
    "band-line": "#8aa2c8", "badge-fill": "#9bbcf0", "badge-text": "#10161f",
    "box-fill": "#20242b", "box-line": "#454d59", "link": "#8ab4f8", "rect-opacity": ".3",
}
_NEUTRAL_LIGHT: Palette = {
    **_DEFAULT_LIGHT,
    "head-fill": "#f2f2f2", "head-line": "#595959", "note-fill": "#f7f7f7",
    "note-line": "#8c8c8c", "tab-fill": "#ececec", "act-fill": "#e6e6e6",
    "act-line": "#595959", "band-fill": "#ebebeb", "band-line": "#595959",
    "badge-fill": "#404040", "box-fill": "#f7f7f7", "box-line": "#c2c2c2",
    "line": "#333333", "text": "#222222", "life": "#808080", "frame": "#808080",
}
_NEUTRAL_DARK: Palette = {
    **_DEFAULT_DARK,
    "bg": "#1e1e1e", "head-fill": "#2d2d2d", "head-line": "#a0a0a0", "note-fill": "#333333",
    "note-line": "#8c8c8c", "tab-fill": "#2d2d2d", "act-fill": "#3a3a3a",
    "act-line": "#a0a0a0", "band-fill": "#303030", "band-line": "#a0a0a0",
    "badge-fill": "#c8c8c8", "badge-text": "#141414", "box-fill": "#242424",
    "box-line": "#4d4d4d", "line": "#d0d0d0", "text": "#ececec", "life": "#858585",
    "frame": "#858585",
}
_FOREST_LIGHT: Palette = {
    **_DEFAULT_LIGHT,
    "head-fill": "#e8f3e4", "head-line": "#3f6e35", "note-fill": "#fbf7d9",
    "note-line": "#8f8a2e", "tab-fill": "#e3efdd", "act-fill": "#d7ead0",
    "act-line": "#3f6e35", "band-fill": "#dcecd5", "band-line": "#3f6e35",
    "badge-fill": "#2f5e27", "box-fill": "#f3f8f1", "box-line": "#b5cdb0",
    "line": "#263a22", "text": "#1b2a18", "life": "#73866f", "frame": "#73866f",
    "link": "#1f6b2a",
}
_FOREST_DARK: Palette = {
    **_DEFAULT_DARK,
    "bg": "#171d16", "head-fill": "#24361f", "head-line": "#8fbf83", "note-fill": "#37361f",
    "note-line": "#a09a45", "tab-fill": "#243022", "act-fill": "#2d4327",
    "act-line": "#8fbf83", "band-fill": "#263a22", "band-line": "#8fbf83",
    "badge-fill": "#a7d39b", "badge-text": "#101a0e", "box-fill": "#1d251b",
    "box-line": "#44553f", "line": "#cfdccb", "text": "#e5eee2", "life": "#7b8e76",
    "frame": "#7b8e76", "link": "#9fd393",
}

THEMES: dict[str, tuple[Palette, Palette]] = {
    "default": (_DEFAULT_LIGHT, _DEFAULT_DARK),
    "neutral": (_NEUTRAL_LIGHT, _NEUTRAL_DARK),
    # ``dark`` is dark whatever the page says.
    "dark": (_DEFAULT_DARK, _DEFAULT_DARK),
    "forest": (_FOREST_LIGHT, _FOREST_DARK),
}

DARK_SELECTORS = (
    "[data-md-color-scheme=slate]",
    "body[data-theme=dark]",
    "html[data-theme=dark]",
    "html[data-bs-theme=dark]",
)
LIGHT_SELECTORS = (
    "[data-md-color-scheme=default]",
    "body[data-theme=light]",
    "html[data-theme=light]",
    "html[data-bs-theme=light]",
)

# The CSS named colours (CSS Color Module Level 4), as ``name:rrggbb``; the values were
# checked against Pillow's ``ImageColor.colormap`` and Chromium's computed colours.
_NAMED = """
aliceblue:f0f8ff antiquewhite:faebd7 aqua:00ffff aquamarine:7fffd4 azure:f0ffff
beige:f5f5dc bisque:ffe4c4 black:000000 blanchedalmond:ffebcd blue:0000ff
blueviolet:8a2be2 brown:a52a2a burlywood:deb887 cadetblue:5f9ea0 chartreuse:7fff00
chocolate:d2691e coral:ff7f50 cornflowerblue:6495ed cornsilk:fff8dc crimson:dc143c
cyan:00ffff darkblue:00008b darkcyan:008b8b darkgoldenrod:b8860b darkgray:a9a9a9
darkgreen:006400 darkgrey:a9a9a9 darkkhaki:bdb76b darkmagenta:8b008b
darkolivegreen:556b2f darkorange:ff8c00 darkorchid:9932cc darkred:8b0000
darksalmon:e9967a darkseagreen:8fbc8f darkslateblue:483d8b darkslategray:2f4f4f
darkslategrey:2f4f4f darkturquoise:00ced1 darkviolet:9400d3 deeppink:ff1493
deepskyblue:00bfff dimgray:696969 dimgrey:696969 dodgerblue:1e90ff firebrick:b22222
floralwhite:fffaf0 forestgreen:228b22 fuchsia:ff00ff gainsboro:dcdcdc ghostwhite:f8f8ff
gold:ffd700 goldenrod:daa520 gray:808080 green:008000 greenyellow:adff2f grey:808080
honeydew:f0fff0 hotpink:ff69b4 indianred:cd5c5c indigo:4b0082 ivory:fffff0 khaki:f0e68c
lavender:e6e6fa lavenderblush:fff0f5 lawngreen:7cfc00 lemonchiffon:fffacd
lightblue:add8e6 lightcoral:f08080 lightcyan:e0ffff lightgoldenrodyellow:fafad2
lightgray:d3d3d3 lightgreen:90ee90 lightgrey:d3d3d3 lightpink:ffb6c1 lightsalmon:ffa07a
lightseagreen:20b2aa lightskyblue:87cefa lightslategray:778899 lightslategrey:778899
lightsteelblue:b0c4de lightyellow:ffffe0 lime:00ff00 limegreen:32cd32 linen:faf0e6
magenta:ff00ff maroon:800000 mediumaquamarine:66cdaa mediumblue:0000cd
mediumorchid:ba55d3 mediumpurple:9370db mediumseagreen:3cb371 mediumslateblue:7b68ee
mediumspringgreen:00fa9a mediumturquoise:48d1cc mediumvioletred:c71585
midnightblue:191970 mintcream:f5fffa mistyrose:ffe4e1 moccasin:ffe4b5 navajowhite:ffdead
navy:000080 oldlace:fdf5e6 olive:808000 olivedrab:6b8e23 orange:ffa500 orangered:ff4500
orchid:da70d6 palegoldenrod:eee8aa palegreen:98fb98 paleturquoise:afeeee
palevioletred:db7093 papayawhip:ffefd5 peachpuff:ffdab9 peru:cd853f pink:ffc0cb
plum:dda0dd powderblue:b0e0e6 purple:800080 rebeccapurple:663399 red:ff0000
rosybrown:bc8f8f royalblue:4169e1 saddlebrown:8b4513 salmon:fa8072 sandybrown:f4a460
seagreen:2e8b57 seashell:fff5ee sienna:a0522d silver:c0c0c0 skyblue:87ceeb
slateblue:6a5acd slategray:708090 slategrey:708090 snow:fffafa springgreen:00ff7f
steelblue:4682b4 tan:d2b48c teal:008080 thistle:d8bfd8 tomato:ff6347 turquoise:40e0d0
violet:ee82ee wheat:f5deb3 white:ffffff whitesmoke:f5f5f5 yellow:ffff00
yellowgreen:9acd32
"""
_NAMED_RGB = dict(pair.split(":") for pair in _NAMED.split())
NAMED_COLORS = frozenset(_NAMED_RGB) | {"transparent"}

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})\Z")
_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:%|deg)?"
_FUNC = re.compile(
    rf"(?:rgba?|hsla?)\(\s*{_NUM}(?:\s*[,\s/]\s*{_NUM}){{2,3}}\s*\)\Z", re.IGNORECASE
)


def valid_color(value: str) -> bool:
    """True for ``#hex``, numeric ``rgb()``/``rgba()``/``hsl()``/``hsla()`` (a hue in degrees,
    not in %, as in CSS) and named colours.

    Anything else (``url(...)``, ``var(...)``, a ``;`` or ``}``) is refused, so a colour can
    never break out of the declaration it is written into.
    """
    v = value.strip()
    if _FUNC.match(v):
        # A hue is an angle: a browser drops hsl(50%, ...) and paints the area black.
        return not (v[:3].lower() == "hsl"
                    and _CHANNELS.findall(v[v.index("(") + 1:])[0].endswith("%"))
    return bool(_HEX.match(v) or v.lower() in NAMED_COLORS)


_CHANNELS = re.compile(_NUM)
"""One channel of an ``rgb()``/``hsl()`` colour, as :data:`_FUNC` reads it."""


def rgba(value: str) -> tuple[float, float, float, float] | None:
    """The red, green, blue (sRGB, 0-1) and alpha (0-1) of a colour :func:`valid_color`
    accepts; ``None`` for anything else."""
    v = value.strip().lower()
    if not valid_color(v):
        return None
    if v == "transparent":
        return 0.0, 0.0, 0.0, 0.0
    if v in _NAMED_RGB:
        v = "#" + _NAMED_RGB[v]
    if v[0] == "#":
        digits = v[1:]
        if len(digits) <= 4:
            digits = "".join(c * 2 for c in digits)
        values = [int(digits[i:i + 2], 16) / 255 for i in range(0, len(digits), 2)]
        return values[0], values[1], values[2], values[3] if len(values) == 4 else 1.0
    parts = _CHANNELS.findall(v[v.index("(") + 1:])

    def number(part: str, scale: float) -> float:
        if part.endswith("%"):
            return float(part[:-1]) / 100
        return float(part.removesuffix("deg")) / scale

    alpha = min(max(number(parts[3], 1.0), 0.0), 1.0) if len(parts) == 4 else 1.0
    if v.startswith("rgb"):
        r, g, b = (min(max(number(p, 255.0), 0.0), 1.0) for p in parts[:3])
        return r, g, b, alpha
    hue = float(parts[0].removesuffix("deg")) % 360 / 30
    sat, light = (min(max(number(p, 100.0), 0.0), 1.0) for p in parts[1:3])
    reach = sat * min(light, 1 - light)

    def channel(n: int) -> float:
        k = (n + hue) % 12
        return light - reach * max(-1.0, min(k - 3, 9 - k, 1.0))

    return channel(0), channel(8), channel(4), alpha


def _luminance(r: float, g: float, b: float) -> float:
    """WCAG relative luminance of an sRGB colour."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


DARK_BACKDROP = 0.2
"""Below this luminance a backdrop reads better with white text than with the light
palette's near-black (the two contrasts are equal at about 0.21)."""


def dark_backdrop(colors: Sequence[str | None]) -> bool:
    """Whether user colours painted in this order over the light background (``None``:
    an area in the theme's own light fill, which covers what is under it) leave a
    backdrop dark enough for white text."""
    r = g = b = 1.0
    for color in colors:
        found = rgba(color) if color is not None else None
        if found is None:
            r = g = b = 1.0
            continue
        cr, cg, cb, a = found
        r, g, b = r + (cr - r) * a, g + (cg - g) * a, b + (cb - b) * a
    return _luminance(r, g, b) < DARK_BACKDROP


def overrides(colors: tuple[tuple[str, str], ...]) -> Palette:
    """Validated per-diagram colour overrides (``RenderOptions.colors``)."""
    result: Palette = {}
    for name, value in colors:
        key = name[len("--mlseq-"):] if name.startswith("--mlseq-") else name
        if key not in VARIABLES or key == "rect-opacity":
            raise MlseqError(
                f"unknown colour name {name!r}",
                code=ErrorCode.VALUE,
                hint=did_you_mean(key, [v for v in VARIABLES if v != "rect-opacity"]),
            )
        if not valid_color(value):
            raise MlseqError(
                f"colour {value!r} for {key!r} is not a #hex, rgb(), hsl() or named colour",
                code=ErrorCode.VALUE,
            )
        result[key] = value.strip()
    return result


def palettes(theme: str, colors: tuple[tuple[str, str], ...] = ()) -> tuple[Palette, Palette]:
    """The light and dark palettes of ``theme`` with ``colors`` applied to both."""
    if theme not in THEMES:
        raise MlseqError(f"unknown theme {theme!r}", code=ErrorCode.OPTION,
                         hint=did_you_mean(theme, THEMES))
    light, dark = THEMES[theme]
    extra = overrides(colors)
    return {**light, **extra}, {**dark, **extra}


def declarations(palette: Palette) -> str:
    return ";".join(f"--mlseq-{k}:{palette[k]}" for k in VARIABLES if k in palette)


@functools.lru_cache(maxsize=64)
def variable_css(scope: str, theme: str, colors: tuple[tuple[str, str], ...] = (),
                 system_dark: bool = True) -> str:
    """The variable rules for ``scope`` (``svg.mlseq`` or ``#id``), light then dark.

    Dark comes from a site theme's own switch (:data:`DARK_SELECTORS`) and, with
    ``system_dark``, from the reader's system setting (``prefers-color-scheme``).
    """
    light, dark = palettes(theme, colors)
    lo, da = declarations(light), declarations(dark)
    # The explicit light selectors share the base rule; inside the media query the bare
    # scope is less specific than them, so a site switched to light stays light.
    light_sel = ",".join([scope, *(f"{s} {scope}" for s in LIGHT_SELECTORS)])
    dark_sel = ",".join(f"{s} {scope}" for s in DARK_SELECTORS)
    media = f"@media (prefers-color-scheme:dark){{{scope}{{{da}}}}}" if system_dark else ""
    return f"{light_sel}{{{lo}}}{media}{dark_sel}{{{da}}}"
