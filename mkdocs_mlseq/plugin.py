"""MkDocs (and ProperDocs) plugin ``mlseq``.

The plugin wires the Markdown side (:mod:`mkdocs_mlseq.extension` and, when the site
uses SuperFences, its custom fence) to the site build:

- it knows the page being converted, so a problem is logged as
  ``docs/page.md:LINE: mlseq: message`` with LINE counted in the page file, front matter
  included; warnings go to ``mkdocs.plugins.mlseq``, so ``--strict`` fails;
- it ships one stylesheet for the whole site (``assets/mlseq.css`` in ``extra_css``);
- its renderer (and so the drawing cache) lives as long as the plugin, which ``mkdocs
  serve`` keeps across rebuilds because the plugin has an ``on_startup`` event;
- drawings are also kept on disk (``cache_dir``, :mod:`mkdocs_mlseq.diskcache`), so a new
  ``mkdocs build`` draws only what changed; a full build prunes what it did not use;
- template folders are watched by ``mkdocs serve``;
- search plugins (MkDocs' own, Material's) index the page without the diagrams' SVG
  markup: they read ``page.content`` in ``on_page_context``, so the SVGs are taken out
  after every other ``on_page_content`` handler and put back after every other
  ``on_page_context`` handler, before the page template is rendered. Diagram text then
  stays out of every search index (as ``data-search-exclude`` asks of Material's), and
  search no longer parses thousands of SVG tags per page, which was most of what
  diagrams added to a build after the drawing itself.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any, Literal

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mlseq import MlseqError, RenderOptions
from mlseq.lint import LintConfig
from mlseq.options import THEMES

from . import fence
from .diskcache import DiskCache
from .extension import MlseqExtension
from .renderer import (
    DiagramRenderer,
    PageSource,
    get_logger,
    lint_config,
    markdown_offset,
    site_stylesheet,
)

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

SUPERFENCES = "pymdownx.superfences"

_DIAGRAM_SVG = re.compile(r'<svg\b[^>]*\bclass="mlseq"[^>]*>.*?</svg>', re.S)
"""One of our inline SVGs (they contain no nested ``<svg>``, and text never holds a raw
``<``: everything is escaped)."""


LIGHT_ONLY_THEMES = frozenset({"readthedocs"})
"""Site themes without a dark mode: their page stays light whatever the reader's system
prefers, so the diagrams should too. (Material and the ``mkdocs`` theme switch with
attributes the stylesheet follows.)"""


class MlseqConfig(base.Config):
    """Options under ``plugins: - mlseq:`` in ``mkdocs.yml``."""

    enabled = c.Type(bool, default=True)
    theme = c.Choice(THEMES, default="default")
    template_dirs = c.ListOfItems(c.Dir(exists=True), default=[])
    font_size = c.Type((int, float), default=14)
    mirror_actors = c.Type(bool, default=True)
    wrap_width = c.Type((int, float), default=240)
    max_width = c.Type((int, float), default=800)
    """Width (px) drawings should fit, e.g. the content column; ``0``: no limit."""
    legend = c.Type(bool, default=False)
    system_dark = c.Optional(c.Type(bool))
    """Turn dark when the reader's system prefers dark; unset: unless the site theme has
    no dark mode (``readthedocs``)."""
    autonumber = c.Optional(c.Type(bool))
    colors = c.DictOfItems(c.Type(str), default={})
    limits = c.DictOfItems(c.Type(int), default={})
    cache = c.Type(bool, default=True)
    """Keep drawings across builds: in memory (``mkdocs serve``) and in ``cache_dir``."""
    cache_dir = c.Type(str, default=".cache/mlseq")
    """Folder of the disk cache, relative to ``mkdocs.yml``; ``""`` keeps drawings in
    memory only."""
    lint = c.Type((bool, dict), default=False)
    """Log lint findings as warnings (``--strict`` then fails on them): ``true`` for the
    default rules, or a mapping of lint options (``ignore: [ML005]`` ...)."""
    stylesheet = c.Type(str, default="assets/mlseq.css")
    """Where the site's stylesheet is written, relative to the site folder."""


class MlseqPlugin(BasePlugin[MlseqConfig]):
    """Draw ```mlseq fences as inline SVG while the site builds."""

    def __init__(self) -> None:
        self.renderer: DiagramRenderer | None = None
        self._config_dir = ""
        self._system_dark = True
        self._dirty = False
        self._full_content: dict[str, str] = {}
        """Page (src URI) -> its HTML with the diagrams, while search sees it without."""

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        # Having this event makes MkDocs keep the plugin (and its cache) across rebuilds.
        # A dirty build draws only the changed pages, so it must not prune the disk cache.
        self._dirty = dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return config
        self._system_dark = (self.config.system_dark if self.config.system_dark is not None
                             else config.theme.name not in LIGHT_ONLY_THEMES)
        options = self._render_options()
        if self.renderer is None:
            self.renderer = DiagramRenderer(options, page_stylesheet=False,
                                            cache=self.config.cache)
        self.renderer.options = options
        self.renderer.lint = self._lint_config()
        self.renderer.cache_enabled = self.config.cache
        self.renderer.follow_context = False
        self._config_dir = os.path.dirname(config.config_file_path or "") or os.getcwd()
        self.renderer.disk = self._disk_cache(config, self.renderer.disk)

        # Our extension instance (bound to the renderer) replaces a listed `mlseq`.
        extensions: list[Any] = [
            e for e in config.markdown_extensions
            if e != fence.LANGUAGE and not isinstance(e, MlseqExtension)
        ]
        if SUPERFENCES in extensions:
            settings = config.mdx_configs.setdefault(SUPERFENCES, {})
            custom = settings.setdefault("custom_fences", [])
            if not any(entry.get("name") == fence.LANGUAGE for entry in custom):
                custom.append(
                    {
                        "name": fence.LANGUAGE,
                        "class": fence.LANGUAGE,
                        "format": fence.formatter,
                        "validator": fence.validator,
                    }
                )
        extensions.append(MlseqExtension(renderer=self.renderer))
        config.markdown_extensions = extensions

        if self.config.stylesheet not in config.extra_css:
            config.extra_css.append(self.config.stylesheet)
        for folder in self.config.template_dirs:
            if folder not in config.watch:
                config.watch.append(folder)
        return config

    def _disk_cache(self, config: MkDocsConfig, current: DiskCache | None) -> DiskCache | None:
        if not self.config.cache or not self.config.cache_dir:
            return None
        folder = os.path.normpath(os.path.join(self._config_dir, self.config.cache_dir))
        docs = os.path.normpath(os.path.join(self._config_dir, config.docs_dir))
        if os.path.commonpath([folder, docs]) == docs:
            # Its files would be copied into the site and wake `mkdocs serve` up.
            raise PluginError(
                f"mlseq plugin option cache_dir: {self.config.cache_dir!r} is inside "
                f"docs_dir; choose a folder outside it (default .cache/mlseq)"
            )
        if current is not None and os.path.normpath(current.folder) == folder:
            return current
        return DiskCache(folder)

    def _render_options(self) -> RenderOptions:
        values: dict[str, Any] = {
            "theme": self.config.theme,
            "template_dirs": list(self.config.template_dirs),
            "font_size": self.config.font_size,
            "mirror_actors": self.config.mirror_actors,
            "wrap_width": self.config.wrap_width,
            "max_width": self.config.max_width,
            "legend": self.config.legend,
            "autonumber": self.config.autonumber,
            "colors": dict(self.config.colors),
            "system_dark": self._system_dark,
            "css": False,
        }
        if self.config.limits:
            values["limits"] = dict(self.config.limits)
        try:
            return RenderOptions.from_mapping(values)
        except MlseqError as err:
            raise PluginError(
                f"mlseq plugin options: {err.message}" + (f" ({err.hint})" if err.hint else "")
            ) from None

    def _lint_config(self) -> LintConfig | None:
        try:
            return lint_config(self.config.lint)
        except MlseqError as err:
            raise PluginError(
                f"mlseq plugin option lint: {err.message}"
                + (f" ({err.hint})" if err.hint else "")
            ) from None

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if self.renderer is not None:
            self.renderer.problems = 0
            self.renderer.findings = 0
            self.renderer.begin_build()

    def on_build_error(self, *, error: Exception) -> None:
        if self.renderer is not None:
            self.renderer.end_build(prune=False)

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.renderer is None:
            return None
        source = page.file.abs_src_path
        shown = os.path.relpath(source, self._config_dir) if source else page.file.src_uri
        try:
            raw = page.file.content_string
        except (OSError, ValueError):  # a generated page without a source file
            raw = markdown
        self.renderer.page = PageSource(shown.replace(os.sep, "/"),
                                        markdown_offset(raw, markdown))
        return None

    @event_priority(-100)  # after every other handler: they see the diagrams
    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.renderer is None:
            return None
        self.renderer.page = None
        if 'class="mlseq"' not in html:
            return None
        stripped = _DIAGRAM_SVG.sub("", html)
        if stripped == html:
            return None
        self._full_content[page.file.src_uri] = html
        return stripped

    @event_priority(-100)  # after the search plugins, before the template is rendered
    def on_page_context(
        self, context: Any, /, *, page: Page, config: MkDocsConfig, nav: Any
    ) -> Any:
        full = self._full_content.pop(page.file.src_uri, None)
        if full is not None:
            page.content = full
        return context

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._full_content.clear()
        if self.renderer is None:
            return
        target = os.path.join(config.site_dir, *self.config.stylesheet.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(site_stylesheet(self.config.theme, self._system_dark))
        self.renderer.end_build(prune=not self._dirty)
        get_logger().debug(
            "mlseq: %d diagrams drawn, %d from cache (%d from disk), %d problems, "
            "%d lint findings",
            self.renderer.renders, self.renderer.cache_hits, self.renderer.disk_hits,
            self.renderer.problems, self.renderer.findings,
        )
