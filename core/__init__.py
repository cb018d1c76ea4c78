"""mlseq: sequence diagrams for machine-learning workflows, drawn as SVG at build time.

>>> svg = render("Trainer->>Registry: register model v7")

The pipeline is ``text --parse--> Diagram --layout--> Geometry --draw--> SVG``;
:class:`MlseqError` is the only exception that leaves it.
"""

from __future__ import annotations

# The submodule ``mlseq.transcript`` is imported before the function of the same name is
# bound here, so that no later import of the submodule rebinds ``mlseq.transcript``.
from . import transcript as _transcript_module  # noqa: F401
from .api import expand, parse, render, stylesheet, transcript
from .errors import ErrorCode, MlseqError
from .model import Diagram
from .options import Limits, RenderOptions

__version__ = "0.1.0"

__all__ = [
    "Diagram",
    "ErrorCode",
    "Limits",
    "MlseqError",
    "RenderOptions",
    "__version__",
    "expand",
    "parse",
    "render",
    "stylesheet",
    "transcript",
]
