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
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sphinx.util import logging

if TYPE_CHECKING:
    from docutils import nodes
    from mlseq import MlseqError

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
