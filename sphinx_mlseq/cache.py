"""Drawings cached by content hash, kept in the build environment.

The key of a drawing is a hash of everything its bytes depend on: the block's text,
``repr`` of its render options (every field, the id salt included), the names and
contents of the files in the configured template folders (template calls only), the
code that draws (mlseq's version, a hash of its installed files, Sphinx's version and
``latex_engine`` for TikZ escaping) and the output kind (``svg``, ``tikz`` or
``transcript``). The parts that are the same for every diagram are computed once per
build (:class:`BuildInputs`), not per diagram.

Drawings live in this domain's data, so they are pickled with the environment: a
document that is read again (because it or one of its neighbours changed) reuses every
diagram whose key is unchanged, even in a new ``sphinx-build`` process. Drawings are
made while documents are *read* (the environment is pickled after reading, before
writing), so ``-j N`` readers each add theirs and :meth:`MlseqDomain.merge_domaindata`
brings them home. A cache entry is only ever a function of its key, so which process
made it never changes the output.

Sphinx reads a document again when it or a file it depends on has a newer time, which
misses two things that change drawings: a new mlseq (the pickled doctrees keep the keys
of the old one) and a template edit that kept the file's time. So the domain remembers
the code and template hashes of the last build, and ``env-get-outdated`` sends the
documents with diagrams (or with template calls) back to be read when they differ.

The environment pickle is Sphinx's cache file: when it cannot be loaded (truncated,
damaged, another ``data_version``) Sphinx starts a fresh environment and reads every
document. When it loads but this domain's data is malformed, the bad parts are dropped
(:meth:`MlseqDomain._sanitize`), and every drawing is checked against a hash bound to
its key before use, so a damaged entry is drawn again rather than shown.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import mlseq
from mlseq import fingerprint
from mlseq.template import is_template_call
from sphinx.domains import Domain

from .nodes import mlseq_diagram

if TYPE_CHECKING:
    from collections.abc import Set

    from docutils import nodes
    from mlseq import RenderOptions
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

KINDS = {
    "html": "svg",
    "latex": "tikz",
    "text": "transcript",
    "man": "transcript",
    "texinfo": "transcript",
}
"""Which drawing each builder format needs; other builders only check the diagrams."""


SINGLE_PAGE_BUILDERS = frozenset({"singlehtml"})
"""Builders that put every document into one HTML page."""


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


def code_fingerprint(latex_engine: str) -> str:
    """A hash of what draws: mlseq's version and files (:func:`mlseq.fingerprint.code`),
    Sphinx's version (TikZ escaping) and the LaTeX engine."""
    import sphinx

    digest = hashlib.sha256()
    fingerprint.feed(digest, mlseq.__version__, fingerprint.code(), sphinx.__version__,
                     latex_engine)
    return digest.hexdigest()


@dataclass(frozen=True)
class BuildInputs:
    """What every drawing of one build depends on besides its own block and options."""

    code: str
    """:func:`code_fingerprint`."""
    template_files: tuple[str, ...]
    """Every file in the template folders (template calls depend on all of them)."""
    templates: str
    """:func:`mlseq.fingerprint.templates` of the folders."""
    ids_per_document: bool = False
    """Every document's pages end up in one HTML page (``singlehtml``): the same diagram
    in two documents must get different ids, so each drawing is salted with its
    document's name."""

    @classmethod
    def collect(cls, config: Config, builder_name: str = "") -> BuildInputs:
        dirs = tuple(config.mlseq_template_dirs)
        per_document = builder_name in SINGLE_PAGE_BUILDERS
        code = code_fingerprint(config.latex_engine)
        if per_document:
            # Switching to or from singlehtml changes every salt: read the documents again.
            code += ":ids-per-document"
        return cls(
            code=code,
            template_files=tuple(fingerprint.template_files(dirs)),
            templates=fingerprint.templates(dirs),
            ids_per_document=per_document,
        )


def digest(source: str, options: RenderOptions, inputs: BuildInputs, *, templates: bool
           ) -> str:
    """The content hash of a block: equal digests draw equal bytes. ``templates`` says
    whether the block is a template call (only those depend on the template files)."""
    h = hashlib.sha256()
    fingerprint.feed(h, mlseq.__version__, inputs.code, repr(options),
          inputs.templates if templates else "", source)
    return h.hexdigest()[:32]


def _check(cache_key: str, drawing: str) -> str:
    """A hash of a drawing bound to its key: a damaged drawing, or one moved to another
    key, no longer matches."""
    h = hashlib.blake2b(digest_size=16)
    fingerprint.feed(h, cache_key, drawing)
    return h.hexdigest()


class MlseqDomain(Domain):
    """Holds the drawing cache; it defines no directives or roles of its own."""

    name = "mlseq"
    label = "mlseq diagrams"
    initial_data: ClassVar[dict[str, Any]] = {
        "drawings": {}, "checks": {}, "used": {}, "docs": {}, "code": "", "templates": "",
    }
    data_version = 2

    #: The drawing kind the current builder needs (set at ``builder-inited``; not
    #: pickled, since another builder may reuse this environment).
    output_kind: str | None = None
    #: What this build's drawings depend on (set at ``builder-inited``; not pickled).
    _inputs: BuildInputs | None = None

    def __init__(self, env: BuildEnvironment) -> None:
        super().__init__(env)
        self._sanitize()

    def _sanitize(self) -> None:
        """Drop whatever in the loaded data has the wrong type (a damaged pickle that
        still loads): a dropped drawing is drawn again, a dropped record read again."""
        data = self.data
        for name, empty in self.initial_data.items():
            if not isinstance(data.get(name), type(empty)):
                data[name] = type(empty)()
        for name in ("drawings", "checks"):
            table = data[name]
            for key in [k for k, v in table.items()
                        if not (isinstance(k, str) and isinstance(v, str))]:
                del table[key]
        used = data["used"]
        for docname in [d for d, keys in used.items() if not (
                isinstance(d, str) and isinstance(keys, list)
                and all(isinstance(k, str) for k in keys))]:
            del used[docname]
        docs = data["docs"]
        for docname in [d for d, v in docs.items()
                        if not (isinstance(d, str) and isinstance(v, bool))]:
            del docs[docname]

    @property
    def inputs(self) -> BuildInputs:
        if self._inputs is None:
            self._inputs = BuildInputs.collect(self.env.config)
        return self._inputs

    @inputs.setter
    def inputs(self, value: BuildInputs) -> None:
        self._inputs = value

    @property
    def drawings(self) -> dict[str, str]:
        """``"kind:digest"`` -> drawing."""
        drawings: dict[str, str] = self.data["drawings"]
        return drawings

    @property
    def checks(self) -> dict[str, str]:
        """``"kind:digest"`` -> :func:`_check` of its drawing."""
        checks: dict[str, str] = self.data["checks"]
        return checks

    @property
    def used(self) -> dict[str, list[str]]:
        """docname -> the drawing keys its diagrams use."""
        used: dict[str, list[str]] = self.data["used"]
        return used

    @property
    def docs(self) -> dict[str, bool]:
        """docname -> whether it calls templates, for every document with a diagram."""
        docs: dict[str, bool] = self.data["docs"]
        return docs

    def digest(self, source: str, options: RenderOptions) -> str:
        """The key of a block in this build."""
        return digest(source, options, self.inputs,
                      templates=bool(options.template_dirs) and is_template_call(source))

    def lookup(self, kind: str, key: str) -> str | None:
        """The cached drawing, or ``None`` when absent or when it fails its check."""
        return self._checked(f"{kind}:{key}")

    def _checked(self, cache_key: str) -> str | None:
        drawing = self.drawings.get(cache_key)
        if not isinstance(drawing, str):
            return None
        if self.checks.get(cache_key) != _check(cache_key, drawing):
            return None
        return drawing

    def store(self, docname: str, kind: str, key: str, drawing: str) -> None:
        cache_key = f"{kind}:{key}"
        self.drawings[cache_key] = drawing
        self.checks[cache_key] = _check(cache_key, drawing)
        keys = self.used.setdefault(docname, [])
        if cache_key not in keys:
            keys.append(cache_key)

    def stale_docs(self) -> list[str]:
        """Documents to read again because what draws changed since the last build
        (every document with a diagram) or the template files did (those calling
        templates), or because a drawing they use is missing or fails its check (the
        environment then heals: the drawings are made and stored again). Records this
        build's inputs."""
        inputs = self.inputs
        if self.data["code"] != inputs.code:
            stale = list(self.docs)
        elif self.data["templates"] != inputs.templates:
            stale = [docname for docname, calls in self.docs.items() if calls]
        else:
            stale = []
        stale += [docname for docname, keys in self.used.items()
                  if any(self._checked(cache_key) is None for cache_key in keys)]
        self.data["code"] = inputs.code
        self.data["templates"] = inputs.templates
        return sorted({docname for docname in stale if docname in self.env.found_docs})

    def process_doc(self, env: BuildEnvironment, docname: str, document: nodes.document
                    ) -> None:
        diagrams = list(document.findall(mlseq_diagram))
        if diagrams:
            self.docs[docname] = any(
                is_template_call(node.get("code", "")) for node in diagrams)

    def clear_doc(self, docname: str) -> None:
        # Forget which drawings the document used, but keep the drawings: the document
        # is usually read again right away and most of its diagrams are unchanged.
        # :func:`prune` drops the orphans once reading is over.
        self.used.pop(docname, None)
        self.docs.pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        other_drawings: dict[str, str] = otherdata["drawings"]
        other_checks: dict[str, str] = otherdata["checks"]
        for docname in docnames:
            if docname in otherdata["docs"]:
                self.docs[docname] = otherdata["docs"][docname]
            keys: list[str] = otherdata["used"].get(docname, [])
            if not keys:
                continue
            self.used[docname] = list(keys)
            for cache_key in keys:
                if cache_key in other_drawings:
                    self.drawings[cache_key] = other_drawings[cache_key]
                    self.checks[cache_key] = other_checks.get(cache_key, "")

    def prune(self) -> None:
        """Drop drawings no document uses any more (keeps the pickle small)."""
        live = {key for keys in self.used.values() for key in keys}
        for cache_key in [k for k in self.drawings if k not in live]:
            del self.drawings[cache_key]
        for cache_key in [k for k in self.checks if k not in self.drawings]:
            del self.checks[cache_key]


def domain_of(env: BuildEnvironment) -> MlseqDomain:
    domain = env.get_domain(MlseqDomain.name)
    assert isinstance(domain, MlseqDomain)
    return domain
