"""The ``mlseq`` directive: a diagram (or template call) from content or a file.

The block is parsed and drawn here, in :meth:`Mlseq.run`, because only here is the
source location known: a broken diagram becomes a warning at the document's line (the
directive's content offset plus the error's line inside the block), or at the included
file's line, and the page gets a visible error box instead of the diagram. Lint findings
(opt-in, ``mlseq_lint``) are reported the same way.

The same diagram shown twice in one document is drawn with
:attr:`mlseq.RenderOptions.id_salt` set to its occurrence number, so the ids inside the
two SVGs differ while the first keeps the ids it has anywhere else.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from mlseq import ErrorCode, MlseqError, RenderOptions
from mlseq.lint import LintConfig, lint_source
from mlseq.markup import error_box
from mlseq.template import is_template_call
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import set_source_info

from . import cache
from .nodes import mlseq_diagram
from .warnings_ import warn, warn_lint, warning_message

if TYPE_CHECKING:
    from typing import Any

    from docutils.nodes import Node
    from sphinx.util.typing import OptionSpec


def align_spec(argument: str | None) -> str:
    return directives.choice(argument, ("left", "center", "right"))


_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def flag_or_bool(argument: str | None) -> bool:
    """``:legend:`` alone means true; ``:legend: false`` turns it off."""
    if argument is None or not argument.strip():
        return True
    value = argument.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"expected nothing, true or false, got {argument!r}")


def autonumber_spec(argument: str | None) -> bool | None:
    """``:autonumber:`` alone or true/false; ``auto`` follows the diagram."""
    if argument is not None and argument.strip().lower() == "auto":
        return None
    return flag_or_bool(argument)


def positive_number(argument: str | None) -> float:
    try:
        value = float(directives.unchanged_required(argument))
    except ValueError:
        raise ValueError(f"expected a number, got {argument!r}") from None
    if value <= 0:
        raise ValueError(f"expected a positive number, got {argument!r}")
    return value


def max_width_spec(argument: str | None) -> float:
    """A width in px the drawing should fit, or ``0`` for no limit."""
    try:
        value = float(directives.unchanged_required(argument))
    except ValueError:
        raise ValueError(f"expected a number (0 for no limit), got {argument!r}") from None
    if value < 0:
        raise ValueError(f"expected 0 (no limit) or a width, got {argument!r}")
    return value


# Directive options that are render options: option name -> RenderOptions field.
RENDER_OPTIONS = {
    "theme": "theme",
    "mirror-actors": "mirror_actors",
    "autonumber": "autonumber",
    "legend": "legend",
    "wrap-width": "wrap_width",
    "max-width": "max_width",
    "font-size": "font_size",
    "title": "title",
    "alt": "alt",
}


def config_options(config: Any) -> RenderOptions:
    """The project-wide render options from ``mlseq_*`` values in conf.py.

    Raises :class:`mlseq.MlseqError` (code ``option``) for a bad value.
    """
    values: dict[str, Any] = {
        "theme": config.mlseq_theme,
        "mirror_actors": config.mlseq_mirror_actors,
        "wrap_width": config.mlseq_wrap_width,
        "max_width": config.mlseq_max_width,
        "legend": config.mlseq_legend,
        "font_size": config.mlseq_font_size,
        "system_dark": system_dark(config),
        "css": False,  # the page carries the stylesheet once (see writers.py)
        # Made absolute (relative to the configuration directory) at config-inited.
        "template_dirs": tuple(config.mlseq_template_dirs),
    }
    if config.mlseq_limits:
        values["limits"] = dict(config.mlseq_limits)
    return RenderOptions.from_mapping(values)


LIGHT_ONLY_THEMES = frozenset({
    "alabaster", "basic", "classic", "default", "nature", "sphinxdoc", "haiku", "pyramid",
    "scrolls", "agogo", "traditional", "bizstyle", "epub", "sphinx_rtd_theme",
})
"""HTML themes without a dark mode: their page stays light whatever the reader's system
prefers, so the diagrams should too."""


def system_dark(config: Any) -> bool:
    """``mlseq_system_dark``, with ``None`` decided by the HTML theme (see
    :attr:`mlseq.RenderOptions.system_dark`)."""
    value = config.mlseq_system_dark
    if value is None:
        return config.html_theme not in LIGHT_ONLY_THEMES
    return bool(value)


def lint_config(value: Any) -> LintConfig | None:
    """The lint rules ``mlseq_lint`` asks for."""
    return LintConfig.from_option(value, name="mlseq_lint")


OCCURRENCES = "mlseq_occurrences"
"""Per-document data (``env.temp_data``): drawing key -> times drawn in this document."""


class Mlseq(SphinxDirective):
    """A sequence diagram, from the content or from the file named by the argument."""

    has_content = True
    required_arguments = 0
    optional_arguments = 1
    final_argument_whitespace = False
    option_spec: ClassVar[OptionSpec] = {
        "caption": directives.unchanged_required,
        "name": directives.unchanged,
        "align": align_spec,
        "alt": directives.unchanged,
        "class": directives.class_option,
        "width": directives.length_or_percentage_or_unitless,
        "theme": directives.unchanged_required,
        "title": directives.unchanged,
        "mirror-actors": flag_or_bool,
        "autonumber": autonumber_spec,
        "legend": flag_or_bool,
        "wrap-width": positive_number,
        "max-width": max_width_spec,
        "font-size": positive_number,
        "lint": flag_or_bool,
        "no-lint": directives.flag,
    }

    def run(self) -> list[Node]:
        node = mlseq_diagram()
        set_source_info(self, node)
        node["classes"] = ["mlseq", *self.options.get("class", [])]
        if "align" in self.options:
            node["align"] = self.options["align"]
        if "width" in self.options:
            node["width"] = self.options["width"]

        try:
            source, location, offset = self._read_source()
            options = self._render_options()
        except MlseqError as error:
            self._fail(node, error, (self.env.docname, self.lineno), "", 0)
            return self._wrap(node)

        node["code"] = source
        node["options"] = options
        domain = cache.domain_of(self.env)
        if options.template_dirs and is_template_call(source):
            # A template call may use any team template (templates extend each other),
            # so the page depends on all of them and so does the drawing's key.
            for path in domain.inputs.template_files:
                self.env.note_dependency(path)
        engine = self.config.latex_engine
        key = domain.digest(source, options)
        occurrences: dict[str, int] = self.env.temp_data.get(OCCURRENCES) or {}
        self.env.temp_data[OCCURRENCES] = occurrences
        seen = occurrences.get(key, 0)
        occurrences[key] = seen + 1
        salt = str(seen) if seen else ""
        if domain.inputs.ids_per_document:
            # singlehtml: all documents share one page, so the same diagram in two
            # documents needs different ids too.
            salt = f"{self.env.docname}:{salt}"
        if salt:
            # The same drawing again in this document: salt its ids so they stay unique.
            options = options.updated({"id_salt": salt})
            node["options"] = options
            key = domain.digest(source, options)
        node["key"] = key

        kind = domain.output_kind
        try:
            if kind is None:
                # linkcheck, gettext, xml ...: nothing to draw, but still report errors.
                from mlseq import parse

                parse(source, options=options)
            else:
                drawing = domain.lookup(kind, key)
                if drawing is None:
                    drawing = cache.draw(kind, source, options, latex_engine=engine)
                domain.store(self.env.docname, kind, key, drawing)
        except MlseqError as error:
            self._fail(node, error, location, source, offset)
        else:
            self._lint(source, options, location, offset)
        return self._wrap(node)

    def _lint_config(self) -> LintConfig | None:
        """Project-wide ``mlseq_lint``, unless ``:no-lint:`` or ``:lint: false``; a
        ``:lint:`` flag turns the default rules on for this block alone."""
        asked = self.options.get("lint")
        if "no-lint" in self.options or asked is False:
            return None
        config = lint_config(self.config.mlseq_lint)
        if config is None and asked:
            return LintConfig()
        return config

    def _lint(
        self, source: str, options: RenderOptions, location: tuple[str, int] | str, offset: int
    ) -> None:
        """Report lint findings as warnings at the document (or file) line of each."""
        config = self._lint_config()
        if config is None:
            return
        try:
            findings = lint_source(source, config, template_dirs=options.template_dirs)
        except MlseqError:  # pragma: no cover - the block was drawn, so it parses
            return
        for finding in findings:
            if isinstance(location, tuple):
                warn_lint(finding, (location[0], offset + finding.line))
            else:
                warn_lint(finding, f"{location}:{finding.line}")

    def _read_source(self) -> tuple[str, tuple[str, int] | str, int]:
        """The block's text, where its first line is, and the line offset of errors.

        For inline content the location is ``(docname, line)`` of the directive and the
        offset that of its content; for a file argument, the file itself.
        """
        if self.arguments:
            if self.content:
                raise MlseqError(
                    "give the diagram as content or as a file argument, not both",
                    code=ErrorCode.OPTION,
                )
            rel_path, abs_path = self.env.relfn2path(self.arguments[0], self.env.docname)
            srcdir = Path(self.env.srcdir).resolve()
            resolved = Path(abs_path).resolve()
            if not resolved.is_relative_to(srcdir):
                raise MlseqError(
                    f"diagram file {self.arguments[0]!r} is outside the source directory",
                    code=ErrorCode.IO,
                )
            self.env.note_dependency(rel_path)
            try:
                source = resolved.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
                raise MlseqError(
                    f"cannot read diagram file {self.arguments[0]!r}: {reason}",
                    code=ErrorCode.IO,
                ) from None
            return source, str(resolved), 0
        source = "\n".join(self.content)
        if not source.strip():
            raise MlseqError(
                "empty diagram: give the diagram as content or a file argument",
                code=ErrorCode.SYNTAX,
            )
        offset = self._content_line() - 1
        return source, (self.env.docname, offset), offset

    def _content_line(self) -> int:
        """The document line (1-based) of the content's first line.

        docutils gives ``content_offset`` as the 0-based line of the content in the
        document; MyST gives it relative to the directive's first line.
        """
        if type(self.state).__module__.startswith("myst_parser."):
            return self.lineno + self.content_offset + 1
        return self.content_offset + 1

    def _render_options(self) -> RenderOptions:
        base = config_options(self.config)
        overrides = {
            field: self.options[option]
            for option, field in RENDER_OPTIONS.items()
            if option in self.options
        }
        return base.updated(overrides) if overrides else base

    def _fail(
        self,
        node: mlseq_diagram,
        error: MlseqError,
        location: tuple[str, int] | str,
        source: str,
        offset: int,
    ) -> None:
        """Warn at the right line and turn the node into an error box."""
        if isinstance(location, tuple):
            docname = location[0]
            line = offset + error.line if error.line else self.lineno
            warn(error, (docname, line))
            where = f"{self.env.doc2path(docname, base=False).as_posix()}:{line}"
            shown = error.shifted(offset) if error.line else _at_line(error, line)
            padded = "\n" * offset + source
        else:
            line = error.line
            warn(error, f"{location}:{line}" if line else location)
            rel = os.path.relpath(location, self.env.srcdir)
            where = f"{Path(rel).as_posix()}:{line}" if line else Path(rel).as_posix()
            shown = error
            padded = source
        node["error"] = warning_message(error)
        node["where"] = where
        # The box repeats the location; its line:column are those of the page or file.
        node["error_html"] = error_box(shown, where=where.rsplit(":", 1)[0], source=padded)

    def _wrap(self, node: mlseq_diagram) -> list[Node]:
        """Wrap the node in a numbered figure when it has a caption (as graphviz does)."""
        if "caption" not in self.options:
            self.add_name(node)
            return [node]
        figure = nodes.figure("", node, classes=["mlseq", *self.options.get("class", [])])
        node["classes"] = ["mlseq-diagram"]
        if "align" in node:
            figure["align"] = node.attributes.pop("align")
        if "width" in node:
            figure["width"] = node.attributes.pop("width")
        inodes, messages = self.parse_inline(self.options["caption"])
        caption = nodes.caption(self.options["caption"], "", *inodes)
        caption.extend(messages)
        set_source_info(self, caption)
        figure += caption
        set_source_info(self, figure)
        self.add_name(figure)
        return [figure]


def _at_line(error: MlseqError, line: int) -> MlseqError:
    """An error about the whole block, placed at the directive's line for the box."""
    return MlseqError(error.message, line=line, code=error.code, hint=error.hint)
