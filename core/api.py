"""The public pipeline: text -> (template expansion) -> Diagram -> Geometry -> SVG."""

from __future__ import annotations

import gc
from typing import Any

from .errors import MlseqError
from .model import Diagram
from .options import RenderOptions


def _options(options: RenderOptions | None, overrides: dict[str, Any]) -> RenderOptions:
    base = options if options is not None else RenderOptions()
    return base.updated(overrides) if overrides else base


def to_diagram_text(source: str, options: RenderOptions) -> str:
    """The block's text in the diagram language: template calls are expanded."""
    from . import template

    if template.is_template_call(source):
        return template.expand(source, template_dirs=options.template_dirs)
    return source


def parse(source: str, *, options: RenderOptions | None = None, **overrides: Any) -> Diagram:
    """Parse a block (diagram text or template call) into the model."""
    from . import parser

    opts = _options(options, overrides)
    text = to_diagram_text(source, opts)
    return parser.parse(text, limits=opts.limits)


def render(source: str, *, options: RenderOptions | None = None, **overrides: Any) -> str:
    """Render a block to an SVG string. Raises :class:`MlseqError` only."""
    from . import layout, svg

    opts = _options(options, overrides)
    diagram = parse(source, options=opts)
    # Like the parser, layout and drawing make many small objects and no cycles: the
    # cyclic GC would only rescan them (about 7% of a 5,000-message render).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        geometry = layout.layout(diagram, opts)
        return svg.draw(diagram, geometry, opts)
    except MlseqError:
        raise
    except RecursionError as exc:  # pragma: no cover - bounded by Limits.max_depth
        raise MlseqError("diagram nested too deeply to draw") from exc
    finally:
        if was_enabled:
            gc.enable()


def expand(source: str, *, template_dirs: tuple[str, ...] = ()) -> str:
    """The diagram text a template call stands for (plain blocks come back unchanged)."""
    return to_diagram_text(source, RenderOptions(template_dirs=tuple(template_dirs)))


def stylesheet(*, theme: str = "default", system_dark: bool = True) -> str:
    """CSS that styles every inline diagram on a page (integrations add it once).

    ``system_dark``: see :attr:`RenderOptions.system_dark`.
    """
    from . import svg

    return svg.stylesheet(_options(None, {"theme": theme, "system_dark": system_dark}))


def transcript(source: str, *, options: RenderOptions | None = None, **overrides: Any) -> str:
    """A numbered plain-text account of the diagram (text builders, screen readers)."""
    from .transcript import transcript as narrate

    return narrate(parse(source, options=options, **overrides))
