"""The one place where text becomes markup: escaping, and the visible error box."""

from __future__ import annotations

import re

from .errors import MlseqError

# Characters XML 1.0 forbids (C0 controls but tab/newline/return, lone surrogates,
# U+FFFE/U+FFFF). NUL is among them, which the SVG writer relies on: it uses NUL as a
# placeholder that no escaped text can contain.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPECIAL = re.compile("[&<>\"'\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Anything :func:`escape` changes; most labels contain none of it."""
_ASCII_FORBIDDEN = bytes(b for b in range(0x80) if _FORBIDDEN.match(chr(b)))
"""The ASCII characters XML forbids (the C0 controls but tab, newline and return)."""
_ASCII_ALLOWED = bytes(b for b in range(0x80) if b not in _ASCII_FORBIDDEN)
"""The ASCII characters XML allows: deleting them from ASCII text leaves what it forbids."""


def escape(text: str) -> str:
    """Escape text for XML/HTML character data and double-quoted attribute values.

    Control characters that XML 1.0 forbids are dropped, so no input can make the
    output ill-formed.
    """
    if text.isascii():
        if not text.isprintable():
            return _escape_ascii_lines(text)
        # Most labels: no control character can be in them, so only the five markup
        # characters matter (string tests cost a third of a regular expression's search).
        if ("&" not in text and "<" not in text and ">" not in text and '"' not in text
                and "'" not in text):
            return text
    elif _SPECIAL.search(text) is None:
        return text
    elif _FORBIDDEN.search(text):
        text = _FORBIDDEN.sub("", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _escape_ascii_lines(text: str) -> str:
    """:func:`escape` for ASCII text with a control character: most often newlines (the
    ``<desc>`` transcript, thousands of characters), rarely one that XML forbids.

    Done on bytes: a byte table finds and drops the forbidden controls, where the
    regular expressions cost ten times as much on the ML diagram's 2,300-character
    transcript (4 % of its render), and ``bytes.replace`` finds each markup character
    with ``memchr`` where ``str.replace`` counts it one character at a time.
    """
    data = text.encode("ascii")
    if data.translate(None, _ASCII_ALLOWED):
        data = data.translate(None, _ASCII_FORBIDDEN)
    return (
        data.replace(b"&", b"&amp;")
        .replace(b"<", b"&lt;")
        .replace(b">", b"&gt;")
        .replace(b'"', b"&quot;")
        .replace(b"'", b"&#39;")
        .decode("ascii")
    )


def error_box(error: MlseqError, *, where: str = "", source: str | None = None) -> str:
    """HTML shown in place of a diagram that could not be drawn.

    ``where`` is the location the user should look at (``docs/pipeline.md:42``).
    """
    location = f"{where}: " if where else ""
    parts = [
        '<div class="mlseq-error" role="alert">',
        f'<p class="mlseq-error-title">mlseq: {escape(location + str(error))}</p>',
    ]
    if source is not None and error.line:
        lines = source.splitlines()
        if 0 < error.line <= len(lines):
            parts.append(
                f'<pre class="mlseq-error-source">{escape(lines[error.line - 1])}</pre>'
            )
    parts.append("</div>")
    return "".join(parts)


_SAFE_SCHEMES = ("http", "https", "mailto")


def safe_url(url: str) -> str | None:
    """The URL if a diagram may link to it (http, https, mailto, relative), else ``None``.

    Browsers ignore ASCII whitespace and control characters inside a scheme
    (``java\\tscript:``), so they are removed before the scheme is judged.
    """
    stripped = "".join(ch for ch in url if ord(ch) > 0x20 and ord(ch) != 0x7F)
    if not stripped:
        return None
    head = stripped.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if ":" in head:
        scheme = head.split(":", 1)[0].lower()
        if scheme not in _SAFE_SCHEMES:
            return None
    elif stripped.startswith("\\"):
        return None
    return url.strip()
