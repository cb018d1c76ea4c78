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

_NAMED = """
aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue
blueviolet brown burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk
crimson cyan darkblue darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki
darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen
darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue
dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite
gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki
lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan
lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen
lightskyblue lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen
magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen
mediumslateblue mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream
mistyrose moccasin navajowhite navy oldlace olive olivedrab orange orangered orchid
palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum
powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown
seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen
steelblue tan teal thistle tomato transparent turquoise violet wheat white whitesmoke
yellow yellowgreen
"""
NAMED_COLORS = frozenset(_NAMED.split())

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})\Z")
_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:%|deg)?"
_FUNC = re.compile(
    rf"(?:rgba?|hsla?)\(\s*{_NUM}(?:\s*[,\s/]\s*{_NUM}){{2,3}}\s*\)\Z", re.IGNORECASE
)


def valid_color(value: str) -> bool:
    """True for ``#hex``, numeric ``rgb()``/``rgba()``/``hsl()``/``hsla()`` and named colours.

    Anything else (``url(...)``, ``var(...)``, a ``;`` or ``}``) is refused, so a colour can
    never break out of the declaration it is written into.
    """
    v = value.strip()
    return bool(_HEX.match(v) or _FUNC.match(v) or v.lower() in NAMED_COLORS)


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
