"""Find mlseq blocks inside documentation sources (Markdown, MyST, reStructuredText).

Used by ``mlseq check`` and ``mlseq lint`` so problems are reported at the line of the
page, the same place a Sphinx or MkDocs build would report them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)$")
_MD_LANGS = ("mlseq", "{mlseq}")
_RST_DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)\.\.[ \t]+mlseq::[ \t]*(?P<arg>.*)$")
_RST_OPTION = re.compile(r"^:[\w-]+:")


@dataclass(frozen=True)
class Block:
    """One diagram block: its text and where its first line sits in the file."""

    source: str
    first_line: int
    """1-based line in the file of the block's line 1 (error line ``n`` is at
    ``first_line + n - 1``)."""
    path: str | None = None
    """The path argument of a directive that names a file instead of inline text."""
    options: dict[str, str] = field(default_factory=dict)
    language: str = "mlseq"


def find_blocks(text: str, suffix: str, *, include_mermaid: bool = False) -> list[Block]:
    """All mlseq blocks in a page; ``suffix`` is ``.md``, ``.markdown`` or ``.rst``."""
    if suffix == ".rst":
        return _rst_blocks(text)
    return _md_blocks(text, include_mermaid=include_mermaid)


def _md_blocks(text: str, *, include_mermaid: bool) -> list[Block]:
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        match = _FENCE_OPEN.match(lines[i])
        if not match:
            i += 1
            continue
        fence, indent = match["fence"], len(match["indent"].expandtabs(4))
        info = match["info"].strip()
        words = info.split(None, 1)
        lang = words[0].lower() if words else ""
        close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            body.append(_dedent(lines[j], indent))
            j += 1
        wanted = lang in _MD_LANGS or (
            include_mermaid
            and lang == "mermaid"
            and next((b.strip() for b in body if b.strip()), "").startswith("sequenceDiagram")
        )
        if wanted:
            options: dict[str, str] = {}
            if lang == "{mlseq}":
                body, options, skipped = _myst_options(body)
            else:
                skipped = 0
            blocks.append(
                Block(
                    "\n".join(body),
                    first_line=i + 2 + skipped,
                    options=options,
                    language="mermaid" if lang == "mermaid" else "mlseq",
                )
            )
        i = j + 1
    return blocks


def _myst_options(body: list[str]) -> tuple[list[str], dict[str, str], int]:
    """Strip MyST ``:key: value`` option lines (and a following blank line)."""
    options: dict[str, str] = {}
    n = 0
    while n < len(body) and _RST_OPTION.match(body[n]):
        key, _, value = body[n][1:].partition(":")
        options[key.strip()] = value.strip()
        n += 1
    if options and n < len(body) and not body[n].strip():
        n += 1
    return body[n:], options, n


def _dedent(line: str, indent: int) -> str:
    expanded = line.expandtabs(4)
    strip = min(indent, len(expanded) - len(expanded.lstrip(" ")))
    return expanded[strip:]


def _rst_blocks(text: str) -> list[Block]:
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        match = _RST_DIRECTIVE.match(lines[i])
        if not match:
            i += 1
            continue
        base = len(match["indent"].expandtabs(4))
        arg = match["arg"].strip() or None
        j = i + 1
        options: dict[str, str] = {}
        # Options: indented field lines right after the directive line.
        while j < len(lines) and lines[j].strip() and _indent(lines[j]) > base:
            stripped = lines[j].strip()
            if not _RST_OPTION.match(stripped):
                break
            key, _, value = stripped[1:].partition(":")
            options[key.strip()] = value.strip()
            j += 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        start = j
        content_indent: int | None = None
        body: list[str] = []
        while j < len(lines):
            line = lines[j]
            if line.strip():
                ind = _indent(line)
                if ind <= base:
                    break
                content_indent = ind if content_indent is None else min(content_indent, ind)
            body.append(line)
            j += 1
        while body and not body[-1].strip():
            body.pop()
        cut = content_indent or 0
        source = "\n".join(_dedent(b, cut) for b in body)
        if body or arg:
            first = start + 1 if body else i + 1
            blocks.append(Block(source, first_line=first, path=arg, options=options))
        i = max(j, i + 1)
    return blocks


def _indent(line: str) -> int:
    expanded = line.expandtabs(4)
    return len(expanded) - len(expanded.lstrip(" "))
