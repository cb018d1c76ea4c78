"""Turn a block of text into located statements.

Grammar handled here (everything below the statement level is :mod:`mlseq.parser`'s):

- ``---`` YAML front matter before the first statement, and ``%%{...}%%`` directives
  (which may span lines) become :class:`Statement` objects of kind ``frontmatter`` and
  ``directive``;
- ``%%`` starts a comment anywhere on a line, and so does ``#`` unless it begins an
  entity code such as ``#59;`` (Mermaid's lexer treats a bare ``#`` as a comment too);
- ``;`` separates statements on one line, except inside ``accTitle:``/``accDescr:``
  values, which run to the end of the line;
- ``accDescr { ... }`` spans lines up to the closing brace.

Every pass is a single left-to-right scan, so the cost is linear in the input.
"""

from __future__ import annotations

import html.entities
import re

from ._records import maker
from .errors import ErrorCode, MlseqError
from .model import Span

_ENTITY = re.compile(r"#(\w+);")
_ACC_LINE = re.compile(r"[ \t]*acc(title|descr)[ \t]*:", re.IGNORECASE)
_ACC_BLOCK = re.compile(r"[ \t]*accdescr[ \t]*\{", re.IGNORECASE)
# ``rect #fef`` / ``box #fef Team``: Mermaid would read ``#fef`` as a comment and drop
# the colour; keeping it as a colour is the only reading a user can have meant.
_HEX_AFTER_KEYWORD = re.compile(r"[ \t]*(?:rect|box)[ \t]+#[0-9a-fA-F]{3,8}(?![\w])", re.I)
_STOP = re.compile(r"[;#]|%%")
"""What can end a statement early: ``;``, a comment, or ``#`` starting an entity code."""
_make_span = maker(Span)
"""The span of every statement, built as a plain function (see mlseq._records.maker)."""


class Statement:
    """One statement: its text with comments removed, its kind, and where it is.

    Internal to the lexer and the parser, and built once per line of every diagram: a
    plain class with slots, not a record, so it costs half of a frozen dataclass. The
    parser never changes one. ``span`` is the :class:`~mlseq.model.Span` that the
    events made from this statement carry.
    """

    __slots__ = ("column", "kind", "line", "span", "text")

    def __init__(self, text: str, line: int, column: int, kind: str = "line",
                 end_line: int = 0, end_column: int = 0) -> None:
        self.text = text
        self.line = line
        self.column = column
        self.kind = kind
        """``line`` (ordinary), ``acc_title``, ``acc_descr``, ``directive``, ``frontmatter``."""
        self.span = _make_span(line, column, end_line or line, end_column or column)

    def __repr__(self) -> str:
        return (f"Statement({self.text!r}, {self.line}, {self.column}, {self.kind!r}, "
                f"{self.span.end_line}, {self.span.end_column})")


def decode_entities(text: str) -> str:
    """Decode ``#59;`` / ``#9829;`` / ``#quot;`` codes; unknown codes stay as written."""
    if "#" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.isdigit():
            number = int(name) if len(name) <= 7 else -1
            if 0 < number <= 0x10FFFF and not 0xD800 <= number <= 0xDFFF:
                return chr(number)
            return match.group(0)
        decoded = html.entities.html5.get(name + ";")
        return decoded if decoded is not None else match.group(0)

    return _ENTITY.sub(one, text)


def split(text: str) -> list[Statement]:
    """The statements of a block, in order, with 1-based line and column."""
    lines = text.split("\n")
    out: list[Statement] = []
    index = _front_matter(lines, out)
    while index < len(lines):
        line = lines[index]
        lineno = index + 1
        if "#" not in line and ";" not in line and "%" not in line:
            # Most lines: one statement, no comment, nothing to scan for (string tests
            # cost a fifth of a regular expression's match here).
            body = line.strip()
            if body[:1] not in "aA" or body[:3].lower() != "acc":
                if body:
                    lead = len(line) - len(line.lstrip())
                    out.append(Statement(body, lineno, lead + 1, "line", lineno,
                                         lead + len(body)))
                index += 1
                continue
        stripped = line.lstrip()
        if stripped.startswith("%%{"):
            index = _directive(lines, index, out)
            continue
        pos = 0
        n = len(line)
        while pos <= n:
            acc = _ACC_LINE.match(line, pos)
            if acc:
                value = line[acc.end() :]
                kind = "acc_title" if acc.group(1).lower() == "title" else "acc_descr"
                col = pos + len(acc.group(0)) - len(acc.group(0).lstrip()) + 1
                out.append(Statement(value.strip(), lineno, col, kind, lineno, n))
                break
            block = _ACC_BLOCK.match(line, pos)
            if block:
                col = pos + len(block.group(0)) - len(block.group(0).lstrip()) + 1
                index = _acc_block(lines, index, block.end(), col, out)
                break
            end, stop = _segment_end(line, pos)
            segment = line[pos:end]
            body = segment.strip()
            if body:
                lead = len(segment) - len(segment.lstrip())
                out.append(
                    Statement(body, lineno, pos + lead + 1, "line", lineno, pos + lead + len(body))
                )
            if stop:
                break
            pos = end + 1
        index += 1
    return out


def _segment_end(line: str, pos: int) -> tuple[int, bool]:
    """Where the statement starting at ``pos`` ends, and whether the line ends there.

    Stops at ``;`` (another statement follows) or at a comment (the line ends).
    """
    n = len(line)
    i = pos
    keyword_colour = _HEX_AFTER_KEYWORD.match(line, pos)
    if keyword_colour:
        i = keyword_colour.end()
    while True:
        stop = _STOP.search(line, i)
        if stop is None:
            return n, True
        at = stop.start()
        if line[at] == ";":
            return at, False
        if line[at] == "#":
            entity = _ENTITY.match(line, at)
            if entity:
                i = entity.end()
                continue
        return at, True


def _front_matter(lines: list[str], out: list[Statement]) -> int:
    """Consume ``---`` front matter at the top; return the index of the next line."""
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first >= len(lines) or lines[first].strip() != "---":
        return 0
    for close in range(first + 1, len(lines)):
        if lines[close].strip() == "---":
            body = "\n".join(lines[first + 1 : close])
            out.append(Statement(body, first + 1, 1, "frontmatter", close + 1, 3))
            return close + 1
    raise MlseqError(
        "front matter starting with '---' is never closed",
        line=first + 1,
        column=1,
        code=ErrorCode.DIRECTIVE,
        hint="end it with a line '---'",
    )


def _directive(lines: list[str], index: int, out: list[Statement]) -> int:
    """Consume a ``%%{...}%%`` directive starting on ``lines[index]``."""
    line = lines[index]
    col = len(line) - len(line.lstrip()) + 1
    start = col - 1 + 3
    parts: list[str] = []
    i = index
    offset = start
    while i < len(lines):
        end = lines[i].find("}%%", offset)
        if end >= 0:
            parts.append(lines[i][offset:end])
            out.append(Statement("\n".join(parts), index + 1, col, "directive", i + 1, end + 3))
            return i + 1
        parts.append(lines[i][offset:])
        i += 1
        offset = 0
    raise MlseqError(
        "directive '%%{' is never closed",
        line=index + 1,
        column=col,
        code=ErrorCode.DIRECTIVE,
        hint="end it with '}%%'",
    )


def _acc_block(lines: list[str], index: int, start: int, col: int, out: list[Statement]) -> int:
    """Consume ``accDescr { ... }``; return the index of the line holding ``}``."""
    parts: list[str] = []
    i = index
    offset = start
    while i < len(lines):
        end = lines[i].find("}", offset)
        if end >= 0:
            parts.append(lines[i][offset:end])
            text = "\n".join(p.strip() for p in parts).strip()
            out.append(Statement(text, index + 1, col, "acc_descr", i + 1, end + 1))
            rest = lines[i][end + 1 :].strip()
            if rest and not rest.startswith("%%"):
                raise MlseqError(
                    f"unexpected text after 'accDescr {{...}}': {rest!r}",
                    line=i + 1,
                    column=end + 2 + (len(lines[i][end + 1 :]) - len(lines[i][end + 1 :].lstrip())),
                )
            return i
        parts.append(lines[i][offset:])
        i += 1
        offset = 0
    raise MlseqError(
        "'accDescr {' is never closed",
        line=index + 1,
        column=col,
        code=ErrorCode.BLOCK,
        hint="end it with '}'",
    )
