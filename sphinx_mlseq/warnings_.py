"""Every warning the Sphinx extension emits, in one place.

A broken diagram is reported as a Sphinx warning of ``type="mlseq"`` whose ``subtype`` is
the :class:`mlseq.ErrorCode` value of the problem, at the line of the document (or of the
included file) where the problem is::

    docs/pipeline.rst:42: WARNING: mlseq: unknown participant 'Traning' (did you mean
    'Training'?) [mlseq.unknown-participant]

so ``suppress_warnings = ["mlseq.unknown-participant"]`` (or ``["mlseq"]`` for all of
them) silences exactly what the user asks for, and ``-W`` turns them into a failed build.
Problems that belong to the directive rather than to the diagram (a file argument that
cannot be read, content and argument both given) reuse the closest core code (``io``,
``option``) so there is one list of subtypes for users to learn.

Lint findings (only when ``mlseq_lint`` is on) have the subtype ``lint.<rule id>``::

    docs/pipeline.rst:44: WARNING: mlseq: ML005 one label chains ... [mlseq.lint.ML005]

so ``suppress_warnings = ["mlseq.lint.ML005"]`` silences one rule. (Sphinx matches
``type.subtype`` exactly, so there is no ``mlseq.lint`` for all rules: turn
``mlseq_lint`` off, or list rules under its ``ignore`` key, instead.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sphinx.util import logging

if TYPE_CHECKING:
    from docutils import nodes
    from mlseq import MlseqError
    from mlseq.lint import Finding

logger = logging.getLogger(__name__)

WARNING_TYPE = "mlseq"
"""The ``type`` of every warning; ``suppress_warnings = ["mlseq"]`` silences all."""


def warning_message(error: MlseqError) -> str:
    """``mlseq: unknown participant 'Traning' (did you mean 'Training'?)``.

    The location (``docname:line``) is added by Sphinx's logger, so the block-relative
    ``line:column`` prefix of ``str(error)`` is left out.
    """
    text = f"mlseq: {error.message}"
    if error.hint:
        text += f" ({error.hint})"
    return text


def warn(
    error: MlseqError,
    location: tuple[str, int] | str | nodes.Node,
) -> None:
    """Log ``error`` at ``location``: ``(docname, line)``, ``"path:line"`` or a node."""
    logger.warning(
        warning_message(error),
        type=WARNING_TYPE,
        subtype=error.code.value,
        location=location,
    )


def lint_subtype(rule: str) -> str:
    """``lint.ML005``: the subtype of a lint finding (``mlseq.lint.ML005`` to suppress)."""
    return f"lint.{rule}"


def warn_lint(finding: Finding, location: tuple[str, int] | str) -> None:
    """Log a lint finding: ``mlseq: ML005 message`` at the finding's document line."""
    logger.warning(
        f"mlseq: {finding.rule} {finding.message}",
        type=WARNING_TYPE,
        subtype=lint_subtype(finding.rule),
        location=location,
    )
