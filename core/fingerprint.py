"""Content hashes for the integrations' drawing caches.

A cached drawing may be served only if everything its bytes depend on is unchanged: its
block and options (the caller hashes those), the code that draws, and the team template
files a template call reads. These two functions give the last two as hex digests.
Both hash *contents*, never sizes and modification times: an edit that keeps both (a
``git checkout``, a file restored with ``touch -d``) still changes the digest.
"""

from __future__ import annotations

import functools
import hashlib
import os
from typing import Any


def feed(digest: Any, *parts: str | bytes) -> None:
    """Add ``parts`` to a hashlib object, each length-prefixed, so that no two different
    tuples of parts feed the same bytes."""
    for part in parts:
        data = part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass")
        digest.update(b"%d\0" % len(data))
        digest.update(data)


def _files(root: str) -> list[str]:
    """Every file under ``root`` in a fixed order (sorted, ``__pycache__`` skipped)."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found.extend(os.path.join(folder, name) for name in sorted(files)
                     if not name.endswith((".pyc", ".pyo")))
    return found


def _feed_files(digest: Any, root: str) -> None:
    for path in _files(root):
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            # Not readable now: nothing will draw from it either, but the key must still
            # differ from any readable content.
            data = f"<unreadable: {type(exc).__name__}>".encode()
        feed(digest, os.path.relpath(path, root).replace(os.sep, "/"), data)


@functools.cache
def code() -> str:
    """The installed mlseq package: every file of it (code, font metrics, built-in
    templates), so a checkout that changes code without changing ``__version__`` still
    changes keys (callers add the version themselves). Once per process, about 2 ms."""
    digest = hashlib.sha256()
    _feed_files(digest, os.path.dirname(os.path.abspath(__file__)))
    return digest.hexdigest()


def templates(folders: tuple[str, ...]) -> str:
    """The names and contents of every file in the team template folders, in search
    order; ``""`` when there are none. Callers compute it once per build."""
    if not folders:
        return ""
    digest = hashlib.sha256()
    for index, folder in enumerate(folders):
        feed(digest, f"folder {index}")
        _feed_files(digest, folder)
    return digest.hexdigest()


def template_files(folders: tuple[str, ...]) -> list[str]:
    """Every file in the template folders (what a build depends on), sorted."""
    return [path for folder in folders for path in _files(folder)]
