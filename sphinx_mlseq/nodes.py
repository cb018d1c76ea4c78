"""The doctree node a ``.. mlseq::`` directive leaves behind."""

from __future__ import annotations

from docutils import nodes


class mlseq_diagram(nodes.General, nodes.Element):
    """One diagram, or the error that stopped it.

    Attributes (all picklable, so the node survives the environment cache):

    ``code``
        The block's text (diagram language or template call).
    ``options``
        The :class:`mlseq.RenderOptions` the block is drawn with.
    ``key``
        Its content hash (see :mod:`sphinx_mlseq.cache`).
    ``align``, ``width``
        Placement options of the directive.
    ``error``, ``error_html``, ``where``
        Set instead of a drawing when the block is broken: the warning text, the HTML
        error box, and the ``file:line`` it points at.
    """
