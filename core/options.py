"""Render options: one frozen, validated record shared by the CLI and integrations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from .errors import ErrorCode, MlseqError, did_you_mean

THEMES = ("default", "neutral", "dark", "forest")


@dataclass(frozen=True)
class Limits:
    """Bounds that keep a hostile block from hanging a docs build.

    The defaults are far above what real diagrams use (the largest in the corpus has a
    few hundred statements); each can be raised per project.
    """

    max_bytes: int = 2_000_000
    max_statements: int = 50_000
    max_depth: int = 32
    max_participants: int = 500
    max_label: int = 4_000


@dataclass(frozen=True)
class RenderOptions:
    theme: str = "default"
    """One of :data:`THEMES`."""
    mirror_actors: bool = True
    """Draw the participant heads again at the bottom."""
    wrap_width: float = 240.0
    """Labels longer than this (px) wrap between words."""
    max_width: float = 800.0
    """Width (px) the drawing should fit, e.g. a docs column; ``0`` turns this off. A wider
    drawing is laid out again with narrower wrapping (200, 160, then 130 px) until it fits
    or wrapping cannot make it narrower; nothing is scaled, so text keeps its size."""
    autonumber: bool | None = None
    """Force message numbering on or off; ``None`` follows the diagram."""
    legend: bool = False
    """Add a legend of the arrow kinds the diagram uses."""
    font_size: float = 14.0
    css: bool = True
    """Embed the stylesheet in the SVG. Integrations set this off and add
    :func:`mlseq.stylesheet` once per page instead."""
    colors: tuple[tuple[str, str], ...] = ()
    """Per-diagram colour overrides: (variable name without ``--mlseq-``, CSS colour)."""
    system_dark: bool = True
    """Turn dark when the reader's system prefers dark (``prefers-color-scheme``), besides
    when the site theme's own switch says so. Off for site themes that have no dark mode
    (the integrations decide from the theme's name), where a dark diagram would sit on a
    light page."""
    title: str | None = None
    """Overrides the diagram's title (SVG ``<title>``)."""
    alt: str | None = None
    """Overrides the accessible description (SVG ``<desc>``)."""
    template_dirs: tuple[str, ...] = ()
    """Folders of team templates, searched before the built-ins."""
    id_salt: str = ""
    """Mixed into the id hash: integrations pass an occurrence number so that the same
    diagram shown twice on one page still gets distinct ids."""
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> RenderOptions:
        """Options from user settings (CLI flags, conf.py, mkdocs.yml, fence options).

        Raises :class:`MlseqError` (code ``option``) for an unknown name or bad value.
        """
        return cls().updated(values)

    def updated(self, values: Mapping[str, Any]) -> RenderOptions:
        known = {f.name for f in fields(self)}
        changes: dict[str, Any] = {}
        for raw_name, value in values.items():
            name = raw_name.replace("-", "_")
            if name not in known:
                raise MlseqError(
                    f"unknown option '{raw_name}'",
                    code=ErrorCode.OPTION,
                    hint=did_you_mean(name, known),
                )
            changes[name] = _coerce(name, value)
        return replace(self, **changes)


def _coerce(name: str, value: Any) -> Any:
    def bad(expected: str) -> MlseqError:
        return MlseqError(
            f"option '{name}' expects {expected}, got {value!r}", code=ErrorCode.OPTION
        )

    if name == "theme":
        if value not in THEMES:
            raise MlseqError(
                f"unknown theme {value!r}; themes are {', '.join(THEMES)}",
                code=ErrorCode.OPTION,
                hint=did_you_mean(str(value), THEMES),
            )
        return value
    if name in ("mirror_actors", "legend", "css", "autonumber", "system_dark"):
        if value is None and name == "autonumber":
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "yes", "on", "1", "false",
                                                         "no", "off", "0"):
            return value.lower() in ("true", "yes", "on", "1")
        raise bad("true or false")
    if name in ("wrap_width", "font_size"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise bad("a number") from None
        if not 4 <= number <= 4000:
            raise bad("a number between 4 and 4000")
        return number
    if name == "max_width":
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise bad("a number (0 for no limit)") from None
        if not (number == 0 or 100 <= number <= 100_000):
            raise bad("0 (no limit) or a width between 100 and 100000")
        return number
    if name == "id_salt":
        return str(value)
    if name in ("title", "alt"):
        return None if value is None else str(value)
    if name == "template_dirs":
        if isinstance(value, str):
            return (value,)
        if isinstance(value, (list, tuple)):
            return tuple(str(v) for v in value)
        raise bad("a folder or a list of folders")
    if name == "colors":
        items = value.items() if isinstance(value, Mapping) else value
        try:
            return tuple(sorted((str(k), str(v)) for k, v in items))
        except (TypeError, ValueError):
            raise bad("a mapping of colour names to CSS colours") from None
    if name == "limits":
        if isinstance(value, Limits):
            return value
        if isinstance(value, Mapping):
            try:
                return Limits(**{str(k): int(v) for k, v in value.items()})
            except (TypeError, ValueError):
                raise bad("a mapping of limit names to whole numbers") from None
        raise bad("a mapping of limits")
    return value
