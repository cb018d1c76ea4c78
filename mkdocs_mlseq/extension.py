"""Python-Markdown extension ``mlseq``: ```mlseq fences drawn as inline SVG.

Works on its own (``markdown.markdown(text, extensions=["mlseq"])``), in MkDocs,
ProperDocs and Zensical. A preprocessor runs after whitespace normalisation and before
the fenced-code preprocessors (``fenced_code`` or SuperFences, priority 25):

- without SuperFences it draws every ```mlseq fence itself, at any indentation or inside
  ``>`` quotes, so fences in lists, admonitions and tabs work; the HTML is kept in
  ``md.htmlStash`` so no later Markdown step touches the SVG;
- when SuperFences has an ``mlseq`` custom fence it leaves drawing to SuperFences (which
  knows every nesting) and only rewrites each fence line so SuperFences can read the
  options and the formatter knows the fence's line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from markdown import Extension
from markdown.preprocessors import Preprocessor
from mlseq import MlseqError, RenderOptions

from .fence import LANGUAGE, fence_line_for_superfences, find_fences, parse_info
from .renderer import DiagramRenderer, lint_config

if TYPE_CHECKING:
    from markdown import Markdown

PRIORITY = 28
"""After ``normalize_whitespace`` (30), before ``fenced_code_block`` (25) and before the
``meta`` extension (27), which would shift lines."""


class MlseqPreprocessor(Preprocessor):
    """Draws (or prepares for SuperFences) every ```mlseq fence of a document."""

    def __init__(self, md: Markdown, renderer: DiagramRenderer) -> None:
        super().__init__(md)
        self.renderer = renderer

    def run(self, lines: list[str]) -> list[str]:
        self.renderer.begin_document(self.md, "\n".join(lines))
        superfences = _superfences_draws_mlseq(self.md)
        out: list[str] = []
        done = 0
        for fence in find_fences(lines):
            if fence.language != LANGUAGE:
                continue
            out.extend(lines[done : fence.start])
            done = fence.end + 1
            line = fence.start + 1
            if superfences:
                info = fence_line_for_superfences(fence.info, line)
                out.append(f"{fence.prefix}{fence.marks}{LANGUAGE} {info}")
                out.extend(lines[fence.start + 1 : done])
                continue
            source = "\n".join(fence.body)
            try:
                values = parse_info(fence.info)
            except MlseqError as err:
                html = self.renderer.report_error(err, source, line)
            else:
                html = self.renderer.render_block(source, values, line=line)
            # Blank lines around the placeholder make it a paragraph of its own, which
            # Python-Markdown replaces by the stored HTML without a <p> around it.
            blank = fence.prefix.rstrip()
            more = done < len(lines) and lines[done].startswith(blank)
            out += [blank, fence.prefix + self.md.htmlStash.store(html), blank if more else ""]
        out.extend(lines[done:])
        return out


def _superfences_draws_mlseq(md: Markdown) -> bool:
    """Whether SuperFences is loaded with a custom fence named ``mlseq``."""
    try:
        processor: Any = md.preprocessors["fenced_code_block"]
    except (KeyError, IndexError):
        return False
    fences = getattr(getattr(processor, "extension", None), "superfences", None) or ()
    return any(isinstance(entry, dict) and entry.get("name") == LANGUAGE for entry in fences)


class MlseqExtension(Extension):
    """``markdown_extensions: [mlseq]``; options as in the MkDocs plugin."""

    def __init__(self, **kwargs: Any) -> None:
        renderer = kwargs.pop("renderer", None)
        self.config = {
            "theme": ["default", "Colour theme: default, neutral, dark or forest"],
            "template_dirs": [[], "Folders of team templates, searched before the built-ins"],
            "font_size": [14.0, "Font size of diagram text in px"],
            "mirror_actors": [True, "Draw the participants again at the bottom"],
            "wrap_width": [240.0, "Labels wider than this (px) wrap between words"],
            "max_width": [800.0, "Width (px) drawings should fit by wrapping more; 0: no limit"],
            "legend": [False, "Add a legend of the arrow kinds a diagram uses"],
            "system_dark": [True, "Turn dark when the reader's system prefers dark (off for "
                                  "site themes without a dark mode)"],
            "stylesheet": [True, "Add the stylesheet once per page (off when the site "
                                 "ships mlseq.css itself, as the MkDocs plugin does)"],
            "cache": [True, "Remember drawings by content hash"],
            "lint": [False, "Log lint findings as warnings: true, false, or a mapping of "
                            "lint options (select, ignore, max_participants ...)"],
        }
        super().__init__(**kwargs)
        self._renderer: DiagramRenderer | None = renderer

    @property
    def renderer(self) -> DiagramRenderer:
        """The renderer this extension draws with (made from its options on first use)."""
        if self._renderer is None:
            config = self.getConfigs()
            dirs = config["template_dirs"]
            options = RenderOptions.from_mapping(
                {
                    "theme": config["theme"],
                    "template_dirs": [dirs] if isinstance(dirs, str) else list(dirs),
                    "font_size": config["font_size"],
                    "mirror_actors": config["mirror_actors"],
                    "wrap_width": config["wrap_width"],
                    "max_width": config["max_width"],
                    "legend": config["legend"],
                    "system_dark": config["system_dark"],
                    "css": False,
                }
            )
            self._renderer = DiagramRenderer(
                options, page_stylesheet=bool(config["stylesheet"]), cache=bool(config["cache"]),
                lint=lint_config(config["lint"]),
            )
        return self._renderer

    def setConfig(self, key: str, value: Any) -> None:
        if key == "lint" and not isinstance(value, (bool, str)):
            # A mapping of lint options: Python-Markdown would read it as a boolean.
            self.config[key][0] = value
            return
        super().setConfig(key, value)

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        try:
            renderer = self.renderer
        except MlseqError as err:
            raise ValueError(f"mlseq extension options: {err.message}"
                             + (f" ({err.hint})" if err.hint else "")) from None
        md.preprocessors.register(MlseqPreprocessor(md, renderer), "mlseq_fence", PRIORITY)


def makeExtension(**kwargs: Any) -> MlseqExtension:
    return MlseqExtension(**kwargs)
