"""Drawings cached by content hash, kept in the build environment.

The key of a drawing is a hash of everything its bytes depend on: the block's text, the
render options, the files in the configured template folders, the mlseq version and the
output kind (``svg``, ``tikz`` or ``transcript``). Drawings live in this domain's data,
so they are pickled with the environment: a document that is read again (because it or
one of its neighbours changed) reuses every diagram whose key is unchanged, even in a new
``sphinx-build`` process. Drawings are made while documents are *read* (the environment
is pickled after reading, before writing), so ``-j N`` readers each add theirs and
:meth:`MlseqDomain.merge_domaindata` brings them home. A cache entry is only ever a
function of its key, so which process made it never changes the output.
"""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING, Any, ClassVar

import mlseq
from sphinx.domains import Domain

if TYPE_CHECKING:
    from collections.abc import Set

    from mlseq import RenderOptions
    from sphinx.environment import BuildEnvironment

KINDS = {
    "html": "svg",
    "latex": "tikz",
    "text": "transcript",
    "man": "transcript",
    "texinfo": "transcript",
}
"""Which drawing each builder format needs; other builders only check the diagrams."""


def kind_for_format(builder_format: str) -> str | None:
    return KINDS.get(builder_format)


def draw(kind: str, source: str, options: RenderOptions, *, latex_engine: str = "pdflatex"
         ) -> str:
    """Make one drawing. Raises :class:`mlseq.MlseqError` only."""
    if kind == "svg":
        return mlseq.render(source, options=options)
    if kind == "tikz":
        from mlseq import tikz
        from sphinx.util.texescape import escape

        # Sphinx's escaping for the configured engine also maps the Unicode characters
        # pdflatex cannot typeset, as it does for the rest of the document.
        return tikz.render(source, options=options,
                           escape=lambda text: escape(text, latex_engine))
    if kind == "transcript":
        # Not ``mlseq.transcript``: the package attribute of that name is the function
        # or the submodule, depending on import order. ``from mlseq.transcript import``
        # always reaches the module.
        from mlseq.transcript import transcript

        return transcript(mlseq.parse(source, options=options))
    raise ValueError(f"unknown drawing kind {kind!r}")  # a bug in this package


def template_files(template_dirs: tuple[str, ...]) -> list[str]:
    """Every file in the template folders, sorted (for dependencies and the key)."""
    found: list[str] = []
    for folder in template_dirs:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            found.extend(os.path.join(root, name) for name in sorted(files))
    return found


def digest(source: str, options: RenderOptions, templates: list[str], latex_engine: str) -> str:
    """The content hash of a block: equal digests draw equal bytes."""
    h = hashlib.sha256()
    for part in (mlseq.__version__, repr(options), latex_engine, source):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    for path in templates:
        try:
            stat = os.stat(path)
        except OSError:
            continue
        h.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return h.hexdigest()[:32]


class MlseqDomain(Domain):
    """Holds the drawing cache; it defines no directives or roles of its own."""

    name = "mlseq"
    label = "mlseq diagrams"
    initial_data: ClassVar[dict[str, Any]] = {"drawings": {}, "used": {}}
    data_version = 1

    #: The drawing kind the current builder needs (set at ``builder-inited``; not
    #: pickled, since another builder may reuse this environment).
    output_kind: str | None = None

    @property
    def drawings(self) -> dict[str, str]:
        """``"kind:digest"`` -> drawing."""
        drawings: dict[str, str] = self.data["drawings"]
        return drawings

    @property
    def used(self) -> dict[str, list[str]]:
        """docname -> the drawing keys its diagrams use."""
        used: dict[str, list[str]] = self.data["used"]
        return used

    def lookup(self, kind: str, key: str) -> str | None:
        return self.drawings.get(f"{kind}:{key}")

    def store(self, docname: str, kind: str, key: str, drawing: str) -> None:
        cache_key = f"{kind}:{key}"
        self.drawings[cache_key] = drawing
        keys = self.used.setdefault(docname, [])
        if cache_key not in keys:
            keys.append(cache_key)

    def clear_doc(self, docname: str) -> None:
        # Forget which drawings the document used, but keep the drawings: the document
        # is usually read again right away and most of its diagrams are unchanged.
        # :func:`prune` drops the orphans once reading is over.
        self.used.pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        other_drawings: dict[str, str] = otherdata["drawings"]
        for docname in docnames:
            keys: list[str] = otherdata["used"].get(docname, [])
            if not keys:
                continue
            self.used[docname] = list(keys)
            for cache_key in keys:
                if cache_key in other_drawings:
                    self.drawings[cache_key] = other_drawings[cache_key]

    def prune(self) -> None:
        """Drop drawings no document uses any more (keeps the pickle small)."""
        live = {key for keys in self.used.values() for key in keys}
        for cache_key in [k for k in self.drawings if k not in live]:
            del self.drawings[cache_key]


def domain_of(env: BuildEnvironment) -> MlseqDomain:
    domain = env.get_domain(MlseqDomain.name)
    assert isinstance(domain, MlseqDomain)
    return domain
