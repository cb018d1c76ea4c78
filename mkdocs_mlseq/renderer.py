"""Turning one ```mlseq block into page HTML: options, cache, warnings at page:line.

One :class:`DiagramRenderer` serves a whole site build (the MkDocs plugin keeps it across
``mkdocs serve`` rebuilds) or one Markdown instance (the plain extension). The core does
the drawing; this module only maps options, remembers drawings by content hash (in
memory, and on disk when the plugin gives it a :class:`~mkdocs_mlseq.diskcache.DiskCache`),
names the page line of a problem, and places the SVG in the page.

The same diagram twice on one page is drawn the second time with
:attr:`mlseq.RenderOptions.id_salt` set to its occurrence number, so ids never collide.
Lint findings (opt-in: the ``lint`` option) are logged like problems, at their page line.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mlseq
from mlseq import MlseqError, RenderOptions
from mlseq.lint import Finding, LintConfig, lint_source
from mlseq.markup import error_box, escape

from .diskcache import DiskCache, drawing_key, templates_fingerprint
from .fence import LANGUAGE, Placement, check_options

if TYPE_CHECKING:
    from markdown import Markdown

def get_logger() -> logging.Logger:
    """``mkdocs.plugins.mlseq`` (``properdocs.plugins.mlseq`` when ProperDocs runs).

    Warnings on the generator's own logger tree are the ones that make ``--strict`` fail.
    ProperDocs answers imports of ``mkdocs`` with itself, which shows in the module name.
    """
    generator = sys.modules.get("mkdocs")
    base = generator.__name__ if generator is not None else "mkdocs"
    return logging.getLogger(f"{base}.plugins.{LANGUAGE}")


def wrapper_css() -> str:
    """Styles for the HTML around diagrams (scrolling, alignment, captions, error box)."""
    return Path(__file__).with_name("mlseq.css").read_text(encoding="utf-8")


def site_stylesheet(theme: str, system_dark: bool = True) -> str:
    """Everything a page with diagrams needs: the core's theme CSS and the wrapper CSS."""
    return mlseq.stylesheet(theme=theme, system_dark=system_dark) + "\n" + wrapper_css()


def lint_config(value: Any) -> LintConfig | None:
    """The lint rules a ``lint`` option (plugin, extension) asks for."""
    return LintConfig.from_option(value, name="lint")


@dataclass(frozen=True)
class PageSource:
    """The page being converted, as messages should name it."""

    path: str
    """The page file as the user knows it, e.g. ``docs/training.md``."""
    line_offset: int = 0
    """Lines of the file before the Markdown text the converter sees (front matter)."""


def markdown_offset(raw: str, markdown: str) -> int:
    """How many lines of ``raw`` (the page file) come before ``markdown`` (its content
    after the generator removed the front matter; trailing blank lines may differ)."""
    raw, markdown = raw.rstrip(), markdown.rstrip()
    if not markdown:
        return 0
    if raw.endswith(markdown):
        return raw[: len(raw) - len(markdown)].count("\n")
    body = markdown.lstrip("\n")
    at = raw.find(body[:200])
    if at < 0:
        return 0
    return raw[:at].count("\n") - (len(markdown) - len(body))


class DiagramRenderer:
    """Draws blocks for one site build (or one Markdown instance) and reports problems."""

    def __init__(
        self,
        options: RenderOptions,
        *,
        page_stylesheet: bool = True,
        cache: bool = True,
        lint: LintConfig | None = None,
        disk: DiskCache | None = None,
    ) -> None:
        self.options = options
        self.lint = lint
        """The site's lint rules, or ``None`` when lint is off (the default)."""
        self.page_stylesheet = page_stylesheet
        """Add a ``<style>`` once per page; off when the site ships ``mlseq.css``."""
        self.cache_enabled = cache
        self.disk = disk
        """Drawings kept between builds (the plugin's ``cache_dir``); used only while
        :attr:`cache_enabled`."""
        self.page: PageSource | None = None
        """Set by the MkDocs plugin for each page; otherwise looked up per document."""
        self.follow_context = True
        """Look for Zensical's rendering context to learn the page (no plugin there)."""
        self.renders = 0
        """Diagrams drawn by the core (cache misses)."""
        self.cache_hits = 0
        """Diagrams served from a cache (memory or disk)."""
        self.disk_hits = 0
        """The part of :attr:`cache_hits` read from the disk cache."""
        self.problems = 0
        self.findings = 0
        """Lint findings logged."""
        self._cache: dict[str, str | MlseqError] = {}
        self._lint_cache: dict[tuple[str, LintConfig], list[Finding]] = {}
        self._used: set[str] = set()
        self._template_key = ""
        self._in_build = False
        self._doc_seen: dict[str, int] = {}
        self._doc_styled = False

    # -- per document ----------------------------------------------------------------------

    def begin_document(self, md: Markdown | None = None, text: str = "") -> None:
        """Forget what the previous page placed (ids, stylesheet); ``text`` is the
        Markdown about to be converted."""
        self._doc_seen = {}
        self._doc_styled = False
        if not self._in_build:
            # No plugin to say when a build starts: each document is one.
            self._template_key = templates_fingerprint(self.options.template_dirs)
        if self.follow_context and md is not None:
            self.page = _zensical_page(md, text)

    # -- per build (the MkDocs plugin) -------------------------------------------------------

    def begin_build(self) -> None:
        """Hash the template folders once for the whole build (not per page or diagram)."""
        self._template_key = templates_fingerprint(self.options.template_dirs)
        self._in_build = True
        if self.disk is not None:
            self.disk.begin_build()

    def end_build(self, *, prune: bool) -> None:
        """Report disk cache problems (one line at most), prune the disk cache when
        ``prune`` (a full build: every page was drawn), then :meth:`sweep` memory."""
        self._in_build = False
        if self.disk is not None:
            self.disk.report(get_logger())
            if prune:
                self.disk.prune(self._used)
        self.sweep()

    def sweep(self) -> None:
        """Drop drawings no page used since the last sweep (keeps ``serve`` memory flat)."""
        for key in set(self._cache) - self._used:
            del self._cache[key]
        for lint_key in [k for k in self._lint_cache if k[0] not in self._used]:
            del self._lint_cache[lint_key]
        self._used = set()

    # -- drawing ---------------------------------------------------------------------------

    def render_block(self, source: str, values: dict[str, str], *, line: int | None) -> str:
        """HTML for one block: the diagram, or an error box after a logged warning.

        ``line`` is the 1-based line of the opening fence in the Markdown text.
        """
        try:
            fence = check_options(values)
            options = self.options.updated(fence.render) if fence.render else self.options
        except MlseqError as err:
            return self.report_error(err, source, line)
        key = self._key(source, options)
        seen = self._doc_seen.get(key, 0)
        self._doc_seen[key] = seen + 1
        if seen:
            # The same drawing again on this page: salt its ids so they stay unique.
            options = options.updated({"id_salt": str(seen)})
            key = self._key(source, options)
        drawn = self._draw(source, options, key)
        if isinstance(drawn, MlseqError):
            return self.report_error(drawn, source, line)
        lint = self.lint if fence.lint is None else (
            (self.lint or LintConfig()) if fence.lint else None)
        if lint is not None:
            self._report_lint(source, options, key, lint, line)
        return self._stylesheet_once() + self._place(drawn, fence.placement)

    def _key(self, source: str, options: RenderOptions) -> str:
        return drawing_key(source, options, self._template_key)

    def _draw(self, source: str, options: RenderOptions, key: str) -> str | MlseqError:
        self._used.add(key)
        if self.cache_enabled and key in self._cache:
            self.cache_hits += 1
            return self._cache[key]
        disk = self.disk if self.cache_enabled else None
        if disk is not None:
            stored = disk.get(key)
            if stored is not None:
                self.cache_hits += 1
                self.disk_hits += 1
                self._cache[key] = stored
                return stored
        self.renders += 1
        result: str | MlseqError
        try:
            result = mlseq.render(source, options=options)
        except MlseqError as err:
            result = err
        except Exception as exc:
            get_logger().debug("mlseq: internal error", exc_info=True)
            result = MlseqError(f"internal error while drawing: {exc!r}")
        if self.cache_enabled:
            self._cache[key] = result
        if disk is not None and isinstance(result, str):
            # Errors stay in memory only: drawing them again gives the same warning.
            disk.put(key, result)
        return result

    def where(self, fence_line: int | None, error_line: int = 0) -> str:
        """``docs/page.md:12`` for a problem on line ``error_line`` of a block."""
        offset = self.page.line_offset if self.page else 0
        line = None if fence_line is None else offset + fence_line + error_line
        if self.page is None:
            return "" if line is None else f"line {line}"
        return self.page.path if line is None else f"{self.page.path}:{line}"

    def _report_lint(
        self, source: str, options: RenderOptions, key: str, config: LintConfig,
        fence_line: int | None,
    ) -> None:
        """Log ``docs/page.md:LINE: mlseq: ML005 message`` for each lint finding."""
        found = self._lint_cache.get((key, config)) if self.cache_enabled else None
        if found is None:
            try:
                found = lint_source(source, config, template_dirs=options.template_dirs)
            except MlseqError:  # pragma: no cover - the block was drawn, so it parses
                found = []
            if self.cache_enabled:
                self._lint_cache[(key, config)] = found
        for finding in found:
            where = self.where(fence_line, finding.line)
            message = f"mlseq: {finding.rule} {finding.message}"
            self.findings += 1
            get_logger().warning(f"{where}: {message}" if where else message)

    def report_error(self, error: MlseqError, source: str, fence_line: int | None) -> str:
        """Log ``docs/page.md:LINE: mlseq: message`` and return the visible error box."""
        where = self.where(fence_line, error.line)
        message = f"mlseq: {error.message}" + (f" ({error.hint})" if error.hint else "")
        self.problems += 1
        get_logger().warning(f"{where}: {message}" if where else message)
        return self._stylesheet_once() + error_box(error, where=where, source=source)

    # -- placing ---------------------------------------------------------------------------

    def _stylesheet_once(self) -> str:
        if not self.page_stylesheet or self._doc_styled:
            return ""
        self._doc_styled = True
        return f"<style>{site_stylesheet(self.options.theme, self.options.system_dark)}</style>\n"

    def _place(self, svg: str, placement: Placement) -> str:
        classes = [LANGUAGE]
        outer = [f"{LANGUAGE}-align-{placement.align}"] if placement.align else []
        outer += placement.classes
        element_id = (
            f' id="{escape(placement.element_id)}"' if placement.element_id else ""
        )
        if placement.caption is None:
            return (
                f'<div class="{escape(" ".join(classes + outer))}"{element_id} '
                f"data-search-exclude>{svg}</div>"
            )
        return (
            f'<figure class="{escape(" ".join([f"{LANGUAGE}-figure", *outer]))}"{element_id}>'
            f'<div class="{LANGUAGE}" data-search-exclude>{svg}</div>'
            f"<figcaption>{escape(placement.caption)}</figcaption></figure>"
        )


def _zensical_page(md: Markdown, text: str) -> PageSource | None:
    """The page Zensical is rendering, from its context preprocessor (Zensical runs
    Markdown extensions but no MkDocs plugins, so this is how we learn the page)."""
    try:
        context: Any = md.preprocessors["rendering_context"]
    except (KeyError, IndexError):
        return None
    page = getattr(context, "page", None)
    path = getattr(page, "path", None)
    if not isinstance(path, str):
        return None
    config = getattr(context, "config", None)
    docs_dir = config.get("docs_dir") if isinstance(config, dict) else None
    shown = os.path.join(str(docs_dir), path) if docs_dir else path
    offset = 0
    try:
        with open(shown, encoding="utf-8-sig") as handle:
            raw = handle.read()
        offset = markdown_offset(raw, text)
    except OSError:
        pass
    if os.path.isabs(shown):
        with contextlib.suppress(ValueError):
            shown = os.path.relpath(shown)
    return PageSource(shown, offset)


def renderer_for(md: Markdown) -> DiagramRenderer:
    """The renderer of the :class:`~mkdocs_mlseq.extension.MlseqExtension` loaded in
    ``md``; without one (a SuperFences fence configured by hand) a stand-alone renderer
    whose SVGs carry their own styles."""
    from .extension import MlseqExtension

    for extension in md.registeredExtensions:
        if isinstance(extension, MlseqExtension):
            return extension.renderer
    # Kept on the Markdown instance (MkDocs makes one per page), so the same diagram twice
    # on a page is still told apart.
    renderer: DiagramRenderer | None = getattr(md, "_mlseq_renderer", None)
    if renderer is None:
        renderer = DiagramRenderer(RenderOptions(), page_stylesheet=False, cache=False)
        renderer.follow_context = False
        md._mlseq_renderer = renderer  # type: ignore[attr-defined]
    return renderer
