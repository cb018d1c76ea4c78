"""Placing diagrams in each output format.

- HTML (html, dirhtml, singlehtml, epub): the inline SVG inside ``<figure class="mlseq">``;
  the stylesheet, written once per build to ``_static/mlseq.css``, is linked only from
  pages that show a diagram.
- LaTeX: a TikZ picture drawn from the same geometry as the SVG (:mod:`mlseq.tikz`),
  shrunk to the line width (and the page height) when larger; ``sphinxmlseq.sty`` loads
  TikZ once and sets the diagram font.
- text, man, texinfo: the numbered transcript as a literal block.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import mlseq
from docutils import nodes
from mlseq import MlseqError
from mlseq.markup import error_box
from sphinx.transforms.post_transforms import SphinxPostTransform

from . import cache
from .directive import system_dark
from .nodes import mlseq_diagram
from .warnings_ import warn, warning_message

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.writers.html5 import HTML5Translator
    from sphinx.writers.latex import LaTeXTranslator

CSS_FILE = "mlseq.css"
STY_NAME = "sphinxmlseq"

STY = r"""\NeedsTeXFormat{LaTeX2e}
\ProvidesPackage{sphinxmlseq}[2026/11/27 mlseq sequence diagrams]
% Written by sphinx_mlseq. Diagrams are TikZ pictures drawn at their natural size
% (1px = 0.75pt, as in a browser), shrunk to fit the line width and the page height.
\RequirePackage{tikz}
\RequirePackage{graphicx}
\RequirePackage{iftex}
% The layout measures text with Helvetica-compatible metrics (Liberation Sans): with
% pdflatex use Helvetica itself (psnfss), whatever the document's sans font is.
\ifPDFTeX
  \providecommand{\mlseqsans}{\fontfamily{phv}\selectfont}
\else
  \providecommand{\mlseqsans}{\sffamily}
\fi
\newsavebox{\mlseq@box}
\newlength{\mlseq@w}
\newlength{\mlseq@h}
\newenvironment{mlseqdiagram}
  {\begin{lrbox}{\mlseq@box}}
  {\end{lrbox}%
   \setlength{\mlseq@w}{\wd\mlseq@box}%
   \setlength{\mlseq@h}{\ht\mlseq@box}\addtolength{\mlseq@h}{\dp\mlseq@box}%
   \pgfmathsetmacro{\mlseq@scale}{min(1, \linewidth / \mlseq@w,
                                      0.9 * \textheight / \mlseq@h)}%
   \ifdim\mlseq@scale pt<1pt
     \scalebox{\mlseq@scale}{\usebox{\mlseq@box}}%
   \else
     \usebox{\mlseq@box}%
   \fi}
"""


def drawing_for(env: BuildEnvironment, node: mlseq_diagram, kind: str) -> str | None:
    """The cached drawing, or a fresh one when this builder's kind was not made while
    reading (an environment reused from another builder). ``None`` after a warning."""
    drawing = cache.domain_of(env).lookup(kind, node["key"])
    if drawing is not None:
        return drawing
    try:
        return cache.draw(kind, node["code"], node["options"],
                          latex_engine=env.config.latex_engine)
    except MlseqError as error:
        # Reading drew the same block for another format without complaint, so this
        # is a problem of this backend alone; the node knows its line.
        warn(error, node)
        node["error"] = warning_message(error)
        node["where"] = ""
        node["error_html"] = error_box(error, source=node["code"])
        return None


def _has_error(node: mlseq_diagram) -> bool:
    return "error" in node or "key" not in node


# -- HTML --------------------------------------------------------------------------------


def html_visit_mlseq(self: HTML5Translator, node: mlseq_diagram) -> None:
    drawing = None if _has_error(node) else drawing_for(self.builder.env, node, "svg")
    content = node["error_html"] if drawing is None else drawing
    in_figure = isinstance(node.parent, nodes.figure)
    if in_figure:
        self.body.append(self.starttag(node, "div"))
        self.body.append(content)
        self.body.append("</div>\n")
        raise nodes.SkipNode
    attrs: dict[str, Any] = {}
    classes = [f"align-{node.get('align', 'default')}"]
    if drawing is None:
        classes.append("mlseq-failed")
    if "width" in node:
        attrs["style"] = f"width: {node['width']}"
    self.body.append(self.starttag(node, "figure", CLASS=" ".join(classes), **attrs))
    self.body.append(content)
    self.body.append("</figure>\n")
    raise nodes.SkipNode


def page_has_diagrams(doctree: nodes.document | None) -> bool:
    return doctree is not None and any(True for _ in doctree.findall(mlseq_diagram))


def add_stylesheet(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """``html-page-context``: link the stylesheet from pages that show a diagram."""
    if page_has_diagrams(doctree):
        app.add_css_file(CSS_FILE)


def stylesheet_text(app: Sphinx) -> str:
    """The page stylesheet: the core's diagram styles plus figure and error-box rules."""
    own = Path(__file__).with_name(CSS_FILE).read_text(encoding="utf-8")
    return mlseq.stylesheet(theme=app.config.mlseq_theme,
                            system_dark=system_dark(app.config)) + "\n" + own


def write_support_files(app: Sphinx) -> None:
    """``builder-inited``: write ``_static/mlseq.css`` (HTML) or the .sty (LaTeX).

    Written before any page, so the EPUB manifest lists it; rewritten only when its
    text changes, so an unchanged rebuild touches nothing.
    """
    fmt = app.builder.format
    if fmt == "html":
        _write_if_changed(Path(app.outdir) / "_static" / CSS_FILE, stylesheet_text(app))
    elif fmt == "latex":
        _write_if_changed(Path(app.outdir) / f"{STY_NAME}.sty", STY)


def _write_if_changed(path: Path, text: str) -> None:
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# -- LaTeX -------------------------------------------------------------------------------


def latex_visit_mlseq(self: LaTeXTranslator, node: mlseq_diagram) -> None:
    drawing = None if _has_error(node) else drawing_for(self.builder.env, node, "tikz")
    if drawing is None:
        message = self.encode(f"{node.get('where', '')} {node['error']}".strip())
        self.body.append(
            "\n\\par\\noindent\\fbox{\\parbox{\\dimexpr\\linewidth-2\\fboxsep-2\\fboxrule}"
            f"{{\\textbf{{mlseq error:}} {message}}}}}\\par\n"
        )
        raise nodes.SkipNode
    width = node.get("width")
    length = self.latex_image_length(width) if width else None
    if length:
        picture = f"\\resizebox{{{length}}}{{!}}{{{drawing}}}"
    else:
        picture = f"\\begin{{mlseqdiagram}}{drawing}\\end{{mlseqdiagram}}"
    if isinstance(node.parent, nodes.figure):
        self.body.append(f"\n{picture}\n")
        raise nodes.SkipNode
    align = node.get("align", "center")
    pre, post = {
        "left": ("{", "\\hspace*{\\fill}}"),
        "right": ("{\\hspace*{\\fill}", "}"),
    }.get(align, ("{\\hspace*{\\fill}", "\\hspace*{\\fill}}"))
    self.body.append(f"\n\n\\par\\noindent{pre}{picture}{post}\\par\n\n")
    raise nodes.SkipNode


# -- text, man, texinfo ------------------------------------------------------------------


class TranscriptTransform(SphinxPostTransform):
    """Replace diagrams by their numbered transcript where no picture can go."""

    default_priority = 200
    formats = ("text", "man", "texinfo")

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(mlseq_diagram)):
            text = None if _has_error(node) else drawing_for(self.env, node, "transcript")
            if text is None:
                where = node.get("where", "")
                message = f"[{where}: {node['error']}]" if where else f"[{node['error']}]"
                node.replace_self(nodes.paragraph(message, message))
            else:
                block = nodes.literal_block(text, text, classes=["mlseq-transcript"])
                block.source, block.line = node.source, node.line
                node.replace_self(block)


def unknown_visit(self: Any, node: mlseq_diagram) -> None:
    """Builders with no place for a picture (xml, gettext ...) skip the node."""
    raise nodes.SkipNode
