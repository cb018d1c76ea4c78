"""```mlseq fences: finding them in a page, reading their options, and SuperFences' contract.

A fence opens with three or more backticks or tildes, the language ``mlseq`` and options
in any order::

    ```mlseq title="Nightly training" caption="How a model is retrained" align=center
    Scheduler-)Trainer: start run
    ```

SuperFences calls :func:`validator` with the options it read from the fence line and
:func:`formatter` with the block's text. SuperFences drops any exception a formatter
raises (the block then silently becomes plain code), so :func:`formatter` never raises:
a problem is logged with its page and line and the page shows an error box instead.

Option *values* are checked when the block is drawn, not in :func:`validator`: a
validator that says no makes SuperFences treat the block as ordinary code, which would
hide the mistake.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlseq import MlseqError
from mlseq.errors import ErrorCode, did_you_mean

if TYPE_CHECKING:
    from markdown import Markdown

LANGUAGE = "mlseq"

LINE_KEY = "mlseq_line"
"""Option the Markdown extension adds to each fence line before SuperFences reads it: the
fence's 1-based line in the Markdown text, so errors can name the page line."""

UNREADABLE_KEY = "mlseq_unreadable"
"""Carries the message for a fence line whose options could not be read to SuperFences."""

RENDER_OPTIONS = {
    "title": "title",
    "alt": "alt",
    "theme": "theme",
    "legend": "legend",
    "mirror_actors": "mirror_actors",
    "autonumber": "autonumber",
    "wrap_width": "wrap_width",
    "max_width": "max_width",
    "font_size": "font_size",
}
"""Fence options passed to :class:`mlseq.RenderOptions` (hyphens read as underscores)."""

FLAG_OPTIONS = frozenset({"legend", "mirror_actors", "autonumber"})
"""Options that may be written without a value (``legend`` means ``legend=true``)."""

PLACEMENT_OPTIONS = frozenset({"caption", "align", "class", "id"})
"""Options about where and how the diagram sits in the page."""

LINT_OPTIONS = frozenset({"lint", "no_lint"})
"""``lint`` (alone or ``=true``) lints this block even when the site does not;
``lint=false`` or ``no-lint`` skips it when the site does."""

ALIGNMENTS = ("left", "center", "right")

FENCE_OPTIONS = tuple(sorted({*RENDER_OPTIONS, *PLACEMENT_OPTIONS, *LINT_OPTIONS}))

_FENCE_OPEN = re.compile(
    r"^(?P<prefix>[ \t>]*?)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*?)[ \t]*$"
)
_OPTION = re.compile(
    r"""[ \t]*(?P<key>[A-Za-z][\w-]*)
        (?:=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'=]+)))?
        (?=[ \t]|$)""",
    re.VERBOSE,
)
_CLASS_NAME = re.compile(r"^-?[A-Za-z_][\w-]*$")


@dataclass(frozen=True)
class Fence:
    """A fenced block found in Markdown lines (indices are 0-based into those lines)."""

    start: int
    """Index of the opening line."""
    end: int
    """Index of the closing line."""
    prefix: str
    """Indentation and ``>`` markers before the fence (its container)."""
    marks: str
    """The backticks or tildes that open it."""
    language: str
    info: str
    """The fence line after the language: the options."""
    body: tuple[str, ...]
    """The block's lines with the container prefix removed."""


def find_fences(lines: list[str]) -> Iterator[Fence]:
    """Every closed fenced block, in order; blocks inside other blocks are not entered.

    A block is abandoned (and not reported) when a non-blank line leaves its container
    before the closing fence: Markdown would not read it as one block either.
    """
    i = 0
    while i < len(lines):
        match = _FENCE_OPEN.match(lines[i])
        if match is None or (match["fence"][0] == "`" and "`" in match["info"]):
            i += 1
            continue
        fence = _closed_fence(lines, i, match)
        if fence is None:
            i += 1
            continue
        yield fence
        i = fence.end + 1


def _closed_fence(lines: list[str], start: int, match: re.Match[str]) -> Fence | None:
    prefix, marks = match["prefix"], match["fence"]
    close = re.compile(rf"^{re.escape(marks[0])}{{{len(marks)},}}[ \t]*$")
    bare_prefix = prefix.rstrip()
    body: list[str] = []
    for j in range(start + 1, len(lines)):
        line = lines[j]
        if line.startswith(prefix):
            inner = line[len(prefix):]
        elif line.rstrip() == bare_prefix:
            inner = ""
        else:
            return None
        if close.match(inner):
            info = match["info"]
            if info.startswith("{"):
                language, rest = _language_from_attrs(info)
            else:
                words = info.split(None, 1)
                language = words[0] if words else ""
                rest = words[1] if len(words) > 1 else ""
            return Fence(
                start, j, prefix, marks, language.lstrip("."), rest.strip(), tuple(body)
            )
        body.append(inner)
    return None


def _language_from_attrs(info: str) -> tuple[str, str]:
    """``{.mlseq title="x"}``: the first class names the language."""
    found = re.match(r"^\{[ \t]*\.(?P<lang>[\w#.+-]+)(?P<rest>.*)$", info)
    if found is None:
        return "", info
    return found["lang"], "{" + found["rest"]


def parse_info(info: str) -> dict[str, str]:
    """Read a fence line's options: ``key=value``, ``key="value"``, ``key='value'``,
    bare ``key`` (a flag), or an attribute list ``{key="value" .class #id}``.

    Raises :class:`MlseqError` (code ``option``) for text that is no option.
    """
    info = info.strip()
    if info.startswith("{"):
        return _parse_attr_list(info)
    values: dict[str, str] = {}
    pos = 0
    while pos < len(info):
        found = _OPTION.match(info, pos)
        if found is None:
            rest = info[pos:].strip()
            raise MlseqError(
                f"cannot read fence option {rest.split()[0]!r}",
                code=ErrorCode.OPTION,
                hint='options read key="value"',
            )
        value = next((v for v in (found["dq"], found["sq"], found["bare"]) if v is not None),
                     None)
        values[found["key"]] = found["key"] if value is None else value
        pos = found.end()
        while pos < len(info) and info[pos] in " \t":
            pos += 1
    return values


def _parse_attr_list(info: str) -> dict[str, str]:
    from markdown.extensions.attr_list import get_attrs

    if not info.endswith("}"):
        raise MlseqError("fence options opened with '{' are not closed with '}'",
                         code=ErrorCode.OPTION)
    values: dict[str, str] = {}
    classes: list[str] = []
    for key, value in get_attrs(info[1:-1]):
        if key == ".":
            classes.append(value)
        elif key == "id":
            values["id"] = value
        else:
            values[key] = value
    if classes:
        values["class"] = " ".join(classes)
    return values


@dataclass(frozen=True)
class Placement:
    """Where the diagram goes in the page: figure caption, alignment, classes, id."""

    caption: str | None = None
    align: str | None = None
    classes: tuple[str, ...] = ()
    element_id: str | None = None


@dataclass(frozen=True)
class FenceOptions:
    """A fence's options, checked: render overrides and placement."""

    render: Mapping[str, Any] = field(default_factory=dict)
    placement: Placement = Placement()
    lint: bool | None = None
    """This block's lint switch; ``None`` follows the site's ``lint`` option."""


def check_options(values: Mapping[str, str]) -> FenceOptions:
    """Validate fence options (names in any order, hyphens or underscores).

    Raises :class:`MlseqError` (code ``option``) with a did-you-mean hint for an unknown
    name and a clear message for a bad value. Values that :class:`mlseq.RenderOptions`
    checks (theme names, numbers, booleans) are checked there.
    """
    render: dict[str, Any] = {}
    caption = align = element_id = None
    lint: bool | None = None
    classes: list[str] = []
    for raw_key, value in values.items():
        key = raw_key.replace("-", "_")
        if key == LINE_KEY:
            continue
        if key in RENDER_OPTIONS:
            render[RENDER_OPTIONS[key]] = "true" if key in FLAG_OPTIONS and (
                _is_bare(raw_key, value)) else value
        elif key == "caption":
            caption = value
        elif key == "lint":
            lint = _flag("lint", raw_key, value)
        elif key == "no_lint":
            lint = not _flag("no-lint", raw_key, value)
        elif key == "align":
            if value not in ALIGNMENTS:
                raise MlseqError(
                    f"option 'align' expects one of {', '.join(ALIGNMENTS)}, got {value!r}",
                    code=ErrorCode.OPTION,
                    hint=did_you_mean(value, ALIGNMENTS),
                )
            align = value
        elif key == "class":
            for name in value.split():
                if not _CLASS_NAME.match(name):
                    raise MlseqError(f"{name!r} is not a CSS class name", code=ErrorCode.OPTION)
                classes.append(name)
        elif key == "id":
            if not _CLASS_NAME.match(value):
                raise MlseqError(f"{value!r} is not an HTML id", code=ErrorCode.OPTION)
            element_id = value
        else:
            raise MlseqError(
                f"unknown fence option '{raw_key}'",
                code=ErrorCode.OPTION,
                hint=did_you_mean(key, FENCE_OPTIONS)
                or f"options are {', '.join(o.replace('_', '-') for o in FENCE_OPTIONS)}",
            )
    return FenceOptions(render, Placement(caption, align, tuple(classes), element_id), lint)


_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def _is_bare(raw_key: str, value: str) -> bool:
    """Whether a flag was written alone (its value is its own name; SuperFences' copy of
    the fence line has the name's hyphens turned into underscores)."""
    return value.replace("-", "_") == raw_key.replace("-", "_")


def _flag(name: str, raw_key: str, value: str) -> bool:
    """A flag option: alone (``lint``) or ``true``/``false``."""
    if _is_bare(raw_key, value) or value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise MlseqError(f"option '{name}' expects true or false, got {value!r}",
                     code=ErrorCode.OPTION)


def fence_line_for_superfences(info: str, line: int) -> str:
    """The options of a fence rewritten so SuperFences can read them, with the line added.

    SuperFences only reads quoted values and names without hyphens; users may write
    ``theme=dark mirror-actors=false``. Text that is no option is kept as it is and left
    for :func:`check_options` to report.
    """
    if info.startswith("{") and info.endswith("}"):
        return f'{info[:-1].rstrip()} {LINE_KEY}="{line}"}}'
    try:
        values = parse_info(info)
    except MlseqError as err:
        values = {UNREADABLE_KEY: err.message}
    parts = [f'{key.replace("-", "_")}="{value.replace(chr(34), chr(39))}"'
             for key, value in values.items()]
    parts.append(f'{LINE_KEY}="{line}"')
    return " ".join(parts)


# SuperFences' custom fence contract ------------------------------------------------------


def validator(
    language: str,
    inputs: dict[str, str],
    options: dict[str, str],
    attrs: dict[str, str],
    md: Markdown,
) -> bool:
    """Accept every ```mlseq fence and keep its options for :func:`formatter`.

    Checking happens when the block is drawn, so a mistake is reported with its page and
    line instead of turning the diagram into a code block.
    """
    options.update(inputs)
    return True


def formatter(
    src: str,
    language: str,
    class_name: str,
    options: dict[str, str],
    md: Markdown,
    **kwargs: Any,
) -> str:
    """Draw a ```mlseq fence as inline SVG (or a visible error box); never raises."""
    from .renderer import renderer_for

    values = dict(options)
    line_text = values.pop(LINE_KEY, None)
    line = int(line_text) if line_text and line_text.isdigit() else None
    unreadable = values.pop(UNREADABLE_KEY, None)
    classes = [c for c in kwargs.get("classes") or () if c not in (class_name, LANGUAGE)]
    if classes:
        values["class"] = " ".join([*values.get("class", "").split(), *classes])
    if kwargs.get("id_value"):
        values["id"] = str(kwargs["id_value"])
    renderer = renderer_for(md)
    if unreadable is not None:
        error = MlseqError(unreadable, code=ErrorCode.OPTION, hint='options read key="value"')
        return renderer.report_error(error, src, line)
    return renderer.render_block(src, values, line=line)
