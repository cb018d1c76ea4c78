"""The one error type that leaves the core, and the codes users can name.

Every problem the core reports is an :class:`MlseqError` carrying a 1-based line and
column inside the diagram block, an :class:`ErrorCode` that integrations map to a
warning subtype (so ``suppress_warnings = ["mlseq.unknown-participant"]`` works), and an
optional hint such as ``did you mean 'Training'?``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from enum import Enum


class ErrorCode(str, Enum):
    """Kinds of problems; the value is the stable name users suppress or grep for."""

    SYNTAX = "syntax"
    """A line that is no statement of the language."""
    UNKNOWN_PARTICIPANT = "unknown-participant"
    """A name that no participant has (only when participants are declared)."""
    DUPLICATE_PARTICIPANT = "duplicate-participant"
    """The same participant declared twice in a way that conflicts."""
    BLOCK = "block"
    """Unbalanced ``loop``/``alt``/... blocks: ``end`` without a block, ``else`` outside
    ``alt``, a block never closed."""
    ACTIVATION = "activation"
    """Deactivating a participant that is not active."""
    NOTE = "note"
    """A note placed over more than two participants, or over none."""
    LIFECYCLE = "lifecycle"
    """``create``/``destroy`` misuse: created twice, used after being destroyed."""
    DIRECTIVE = "directive"
    """A malformed ``%%{init}%%`` directive or ``---`` front matter."""
    VALUE = "value"
    """A bad value: an autonumber step, a colour, a link URL, a participant type."""
    LIMIT = "limit"
    """An input limit was hit (size, statements, nesting, label length)."""
    TEMPLATE = "template"
    """A template call that cannot be expanded (unknown template or parameter)."""
    YAML = "yaml"
    """A template call whose YAML does not parse."""
    OPTION = "option"
    """A render option with a bad name or value."""
    IO = "io"
    """A file that cannot be read (CLI and integrations)."""
    LINT = "lint"
    """A lint finding (see ``mlseq lint``)."""


class MlseqError(Exception):
    """A problem in a diagram block, located within the block.

    ``line`` and ``column`` are 1-based; ``0`` means "the whole block" (for example an
    input limit). ``str(err)`` reads ``3:7: unknown participant 'Bob'``, or just the
    message when the error has no line.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int = 0,
        column: int = 0,
        code: ErrorCode = ErrorCode.SYNTAX,
        hint: str | None = None,
        end_line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.code = code
        self.hint = hint
        self.end_line = end_line if end_line is not None else line

    def __str__(self) -> str:
        # An error about the whole block (an input limit, a bad option) has no position.
        text = f"{self.line}:{self.column}: {self.message}" if self.line else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text

    def __repr__(self) -> str:
        return (
            f"MlseqError({self.message!r}, line={self.line}, column={self.column}, "
            f"code={self.code.value!r})"
        )

    def shifted(self, lines: int) -> MlseqError:
        """The same error moved down by ``lines`` (an included block's offset)."""
        return MlseqError(
            self.message,
            line=self.line + lines if self.line else self.line,
            column=self.column,
            code=self.code,
            hint=self.hint,
            end_line=self.end_line + lines if self.end_line else self.end_line,
        )


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A ``did you mean 'x'?`` hint for a misspelt name, or ``None``."""
    options = sorted(set(choices))
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in options}
        if word.lower() in lowered:
            matches = [lowered[word.lower()]]
    return f"did you mean '{matches[0]}'?" if matches else None
