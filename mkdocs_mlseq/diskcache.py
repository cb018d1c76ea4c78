"""Drawings kept on disk between builds (the plugin's ``cache_dir``), and cache keys.

A drawing's key is a SHA-256 over everything its bytes depend on (see :func:`drawing_key`):
the block's text, ``repr`` of its :class:`mlseq.RenderOptions` (every field, the id salt
included), the contents of the team template folders, and the code that draws (the mlseq
version and a hash of the files of the installed package, so a checkout that changes
the code without changing the version number still changes every key).

One file per drawing, ``<cache_dir>/<key>.mlseq``::

    mlseq-drawing-cache 1        <- format and version: anything else is ignored
    key <the key, 64 hex digits>
    sha256 <64 hex digits: the hash of the body's bytes>
    <empty line>
    <the SVG, UTF-8>

An entry serves a drawing only when every line checks out: the header, the key (an entry
copied or renamed to another key's name is refused), and the body's hash (a truncated or
damaged file is refused). Anything else is a miss: the block is drawn again and the entry
rewritten. Entries are written to a temporary file in the same folder and moved into
place with :func:`os.replace`, so another build reading at the same moment sees the old
entry or the new one, never part of either.

Nothing about the cache can fail a build: a damaged entry, an unreadable file or a folder
that cannot be written is a miss, summed up in one ``INFO`` line at the end of the build
(an ``INFO``, not a warning, so ``--strict`` builds still pass: the pages are correct).
Broken diagrams are never stored on disk; their warnings come from drawing them again.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import tempfile
import time
from pathlib import Path

import mlseq
from mlseq import fingerprint
from mlseq.template import is_template_call

MAGIC = b"mlseq-drawing-cache 1"
"""First line of every entry; bump the number when the format changes."""
SUFFIX = ".mlseq"
_TEMP_PREFIX = ".tmp-"
_KEY = re.compile(r"[0-9a-f]{64}")
_SLACK_S = 2.0
"""Entries touched this close to the start of a build count as touched by it (coarse
file-system clocks)."""
_TEMP_MAX_AGE_S = 3600.0
"""A temporary file this old belongs to a writer that died; younger ones may be live."""
_MARKERS = {
    ".gitignore": "# Created by mlseq (mkdocs_mlseq): drawings cached between builds.\n*\n",
    "CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n"
                    "# This file is a cache directory tag created by mlseq.\n"
                    "# For information about cache directory tags, see https://bford.info/cachedir/\n",
}


# -- keys ----------------------------------------------------------------------------------


code_fingerprint = fingerprint.code
templates_fingerprint = fingerprint.templates


def drawing_key(source: str, options: mlseq.RenderOptions, templates: str) -> str:
    """The key of one SVG drawing: equal keys draw equal bytes.

    ``templates`` is :func:`templates_fingerprint` of ``options.template_dirs``; only
    template calls depend on it, so a template edit leaves other diagrams' keys alone.
    """
    if not (templates and options.template_dirs and is_template_call(source)):
        templates = ""
    digest = hashlib.sha256()
    for part in ("svg", mlseq.__version__, code_fingerprint(), repr(options), templates,
                 source):
        encoded = part.encode("utf-8", "surrogatepass")
        # Length-prefixed, so no two different tuples of parts hash the same bytes.
        digest.update(b"%d\0" % len(encoded))
        digest.update(encoded)
    return digest.hexdigest()


# -- the disk cache ------------------------------------------------------------------------


def _entry(key: str, drawing: bytes) -> bytes:
    return b"%s\nkey %s\nsha256 %s\n\n%s" % (
        MAGIC, key.encode("ascii"), hashlib.sha256(drawing).hexdigest().encode("ascii"),
        drawing,
    )


def parse_entry(data: bytes, key: str) -> str | None:
    """The drawing in an entry's bytes, or ``None`` unless every check passes."""
    head, sep, body = data.partition(b"\n\n")
    if not sep:
        return None
    lines = head.split(b"\n")
    if len(lines) != 3 or lines[0] != MAGIC or lines[1] != b"key " + key.encode("ascii"):
        return None
    if lines[2] != b"sha256 " + hashlib.sha256(body).hexdigest().encode("ascii"):
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:  # pragma: no cover - the hash matched what we wrote
        return None


class DiskCache:
    """One folder of drawings, shared by every build (and process) that points at it."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.hits = 0
        self.writes = 0
        self.damaged = 0
        """Entries found but refused (bad header, key or hash) this build."""
        self.unreadable = 0
        """Entries that exist but could not be read (permissions, a folder ...)."""
        self.write_error: str | None = None
        """Why writing failed this build (writing then stops until the next build)."""
        self._build_start = time.time()

    def path(self, key: str) -> Path:
        return self.folder / f"{key}{SUFFIX}"

    def begin_build(self) -> None:
        self.hits = self.writes = self.damaged = self.unreadable = 0
        self.write_error = None
        self._build_start = time.time()

    def get(self, key: str) -> str | None:
        """The cached drawing for ``key``, or ``None`` (a miss) for any problem."""
        if not _KEY.fullmatch(key):
            return None
        path = self.path(key)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            self.unreadable += 1
            return None
        drawing = parse_entry(data, key)
        if drawing is None:
            self.damaged += 1
            return None
        # Mark it used now, so a build running beside this one does not prune it.
        with contextlib.suppress(OSError):
            os.utime(path)
        self.hits += 1
        return drawing

    def put(self, key: str, drawing: str) -> None:
        """Store a drawing (atomically); a failure only stops writing for this build."""
        if self.write_error is not None or not _KEY.fullmatch(key):
            return
        try:
            body = drawing.encode("utf-8")
        except UnicodeEncodeError:  # pragma: no cover - SVGs are valid Unicode
            return
        try:
            self._make_folder()
            fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=SUFFIX, dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(_entry(key, body))
                os.replace(temp, self.path(key))
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
        except OSError as exc:
            self.write_error = exc.strerror or type(exc).__name__
            return
        self.writes += 1

    def _make_folder(self) -> None:
        if self.folder.is_dir():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        # Keep the cache out of version control and out of backups, as pytest does.
        for name, text in _MARKERS.items():
            with contextlib.suppress(OSError):
                (self.folder / name).write_text(text, encoding="utf-8")

    def prune(self, used: set[str]) -> int:
        """Delete entries this build did not use and no build touched since it began,
        and temporary files left by writers that died. Returns how many went."""
        removed = 0
        cutoff = self._build_start - _SLACK_S
        try:
            names = os.listdir(self.folder)
        except OSError:
            return 0
        for name in names:
            path = self.folder / name
            if name.startswith(_TEMP_PREFIX):
                too_old = self._build_start - _TEMP_MAX_AGE_S
            elif name.endswith(SUFFIX) and name[: -len(SUFFIX)] not in used:
                too_old = cutoff
            else:
                continue
            try:
                if path.stat().st_mtime < too_old:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        return removed

    def report(self, logger: logging.Logger) -> None:
        """At most one line per build about problems (``INFO``: they cost time only)."""
        problems = []
        if self.damaged:
            problems.append(f"{self.damaged} damaged or outdated entries were drawn again")
        if self.unreadable:
            problems.append(f"{self.unreadable} entries could not be read")
        if self.write_error is not None:
            problems.append(f"drawings could not be saved ({self.write_error})")
        if problems:
            logger.info("mlseq: cache folder %s: %s", self.folder, "; ".join(problems))
