"""Text measurement with the real metrics of Liberation Sans (metric-compatible with Arial).

Widths come from ``_metrics_data`` (advance widths and GPOS kerning in font units, generated
from the font files by ``tools/gen_metrics.py``); the SVG names :data:`FONT_FAMILY`, whose
first family is that font, so what we measure is what the browser draws. Chromium applies the
font's kerning to SVG text, so :func:`text_width` does too (tools/measure_text_in_browser.py
compares the two).

Characters the font does not have are drawn by the browser from a fallback font; their widths
are estimated:

- combining marks (``unicodedata.combining`` or category Mn/Me), format characters (Cf: ZWJ,
  ZWNJ, U+200B, soft hyphen, tags, ...), variation selectors and control characters: 0
  (tab, CR and LF count as a space, as SVG turns them into spaces);
- emoji (Extended_Pictographic, regional indicators, keycaps, emoji-style VS16 sequences):
  1.25 em per grapheme cluster, so a ZWJ sequence, a flag pair or a skin-tone sequence is
  one glyph (Noto Color Emoji advances 1.245 em; Apple's and Segoe's emoji are as wide);
- East Asian Wide and Fullwidth characters: 1 em (CJK fonts draw them on a square grid),
  and so are other symbols (category So: dingbats such as U+2713 check mark, which fallback
  fonts draw 0.8 to 1 em wide);
- anything else (Arabic, Hebrew, Devanagari, Thai, ...): the advance of ``n`` of the same
  face, a typical lowercase glyph.

:func:`wrap` breaks lines at spaces (and between East Asian wide characters), into balanced
lines, never inside a word unless the word alone is wider than the line, and then never
inside a grapheme cluster.
All functions are pure; results are cached by ``functools.lru_cache``.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, repeat
from operator import add

from . import _metrics_data as _data

__all__ = [
    "FONT_FAMILY",
    "ascent",
    "cap_height",
    "descent",
    "line_height",
    "text_width",
    "wrap",
]

FONT_FAMILY = '"Liberation Sans", Arial, Helvetica, sans-serif'

_UPEM = _data.UNITS_PER_EM
_EM = _UPEM
_EMOJI = _UPEM * 5 // 4
# Code points below this are measured by a flat table (no clusters, no emoji, no marks).
_FAST_LIMIT = 0x250
_FAST_MAX = chr(_FAST_LIMIT)
_ZWJ = "\u200d"
_VS15 = "\ufe0e"
_VS16 = "\ufe0f"
_KEYCAP = "\u20e3"
_KEYCAP_BASES = frozenset("0123456789#*")
_WHITESPACE_AS_SPACE = frozenset("\t\n\r")

# Extended_Pictographic (Unicode emoji-data.txt), as inclusive ranges.
_PICTOGRAPHIC = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049),
    (0x2122, 0x2122), (0x2139, 0x2139), (0x2194, 0x2199), (0x21A9, 0x21AA),
    (0x231A, 0x231B), (0x2328, 0x2328), (0x2388, 0x2388), (0x23CF, 0x23CF),
    (0x23E9, 0x23F3), (0x23F8, 0x23FA), (0x24C2, 0x24C2), (0x25AA, 0x25AB),
    (0x25B6, 0x25B6), (0x25C0, 0x25C0), (0x25FB, 0x25FE), (0x2600, 0x2605),
    (0x2607, 0x2612), (0x2614, 0x2685), (0x2690, 0x2705), (0x2708, 0x2712),
    (0x2714, 0x2714), (0x2716, 0x2716), (0x271D, 0x271D), (0x2721, 0x2721),
    (0x2728, 0x2728), (0x2733, 0x2734), (0x2744, 0x2744), (0x2747, 0x2747),
    (0x274C, 0x274C), (0x274E, 0x274E), (0x2753, 0x2755), (0x2757, 0x2757),
    (0x2763, 0x2767), (0x2795, 0x2797), (0x27A1, 0x27A1), (0x27B0, 0x27B0),
    (0x27BF, 0x27BF), (0x2934, 0x2935), (0x2B05, 0x2B07), (0x2B1B, 0x2B1C),
    (0x2B50, 0x2B50), (0x2B55, 0x2B55), (0x3030, 0x3030), (0x303D, 0x303D),
    (0x3297, 0x3297), (0x3299, 0x3299), (0x1F000, 0x1F0FF), (0x1F10D, 0x1F10F),
    (0x1F12F, 0x1F12F), (0x1F16C, 0x1F171), (0x1F17E, 0x1F17F), (0x1F18E, 0x1F18E),
    (0x1F191, 0x1F19A), (0x1F1AD, 0x1F1E5), (0x1F201, 0x1F20F), (0x1F21A, 0x1F21A),
    (0x1F22F, 0x1F22F), (0x1F232, 0x1F23A), (0x1F23C, 0x1F23F), (0x1F249, 0x1F3FA),
    (0x1F400, 0x1F53D), (0x1F546, 0x1F64F), (0x1F680, 0x1F6FF), (0x1F774, 0x1F77F),
    (0x1F7D5, 0x1F7FF), (0x1F80C, 0x1F80F), (0x1F848, 0x1F84F), (0x1F85A, 0x1F85F),
    (0x1F888, 0x1F88F), (0x1F8AE, 0x1F8FF), (0x1F90C, 0x1F93A), (0x1F93C, 0x1F945),
    (0x1F947, 0x1FAFF), (0x1FC00, 0x1FFFD),
)  # fmt: skip
_PICTOGRAPHIC_STARTS = tuple(start for start, _ in _PICTOGRAPHIC)
_REGIONAL_INDICATORS = (0x1F1E6, 0x1F1FF)
_SKIN_TONES = (0x1F3FB, 0x1F3FF)
# East Asian punctuation that may not start a line / may not end one (a light kinsoku).
_NO_BREAK_BEFORE = frozenset(
    "、。，．：；？！）」』】〕〉》〙〗〟・ー々ゝゞヽヾ〜ぁぃぅぇぉっゃゅょァィゥェォッャュョ"
)
_NO_BREAK_AFTER = frozenset("（「『【〔〈《〘〖〝")
_SOFT_AFTER = frozenset("-/\\,.;:_&?=|+")
"""Where a word wider than the line breaks, by preference: after one of these (paths,
URLs, ``snake_case``, ``key=value``)..."""
_SOFT_BEFORE = frozenset("([{<")
"""... or before one of these (a call's arguments), or between a lower-case letter and an
upper-case one (``CamelCase``)."""
_SOFT_MIN = 0.25
"""A soft break is taken only if the line keeps at least this much of its width; else
the word is broken at the last cluster that fits."""
_WORDLIKE = re.compile(r"[^\W_]")
"""A letter or a digit: a word without one (``→``, ``+``, ``>=``, ``&``) stays on the line
of the word before it, as an operator ends a line rather than starting the next."""


@dataclass(frozen=True)
class _Face:
    """One face's metrics, in font units, ready for lookups."""

    fast: dict[str, int]  # context-free advance of every character below _FAST_LIMIT
    widths: Mapping[int, int]  # advances of every code point the font maps
    kerning: Mapping[str, int]  # two-character string -> adjustment
    typical: int  # estimate for glyphs of unknown scripts
    kerned: re.Pattern[str]
    """Finds, overlapping, every pair of fast-table characters that could be kerned: a
    superset of the kerned pairs (each character from the set that starts or ends one),
    so text is not cut into a two-letter string per pair to look each up."""


def _is_pictographic(cp: int) -> bool:
    i = bisect_right(_PICTOGRAPHIC_STARTS, cp) - 1
    return i >= 0 and cp <= _PICTOGRAPHIC[i][1]


def _is_regional(cp: int) -> bool:
    return _REGIONAL_INDICATORS[0] <= cp <= _REGIONAL_INDICATORS[1]


def _is_extender(ch: str) -> bool:
    """True if ``ch`` continues the grapheme cluster before it (simplified UAX #29)."""
    if unicodedata.combining(ch):
        return True
    category = unicodedata.category(ch)
    if category in ("Mn", "Me", "Mc"):
        return True
    cp = ord(ch)
    return (
        ch == _ZWJ
        or ch == "\u200c"
        or _SKIN_TONES[0] <= cp <= _SKIN_TONES[1]
        or 0xE0020 <= cp <= 0xE007F  # tags (subdivision flags)
    )


def _clusters(text: str) -> list[str]:
    """Split ``text`` into grapheme clusters (base + marks, ZWJ sequences, flag pairs)."""
    clusters: list[str] = []
    join_next = False
    for ch in text:
        extends = bool(clusters) and (
            join_next
            or _is_extender(ch)
            # a second regional indicator completes a flag
            or (
                _is_regional(ord(ch)) and len(clusters[-1]) == 1 and _is_regional(ord(clusters[-1]))
            )
        )
        if extends:
            clusters[-1] += ch
        else:
            clusters.append(ch)
        join_next = ch == _ZWJ
    return clusters


def _char_units(cp: int, widths: Mapping[int, int], typical: int) -> int:
    """Context-free advance of one code point (emoji clusters are handled by the caller)."""
    ch = chr(cp)
    if ch in _WHITESPACE_AS_SPACE:
        return widths[0x20]
    category = unicodedata.category(ch)
    if category in ("Mn", "Me", "Cf", "Cc") or unicodedata.combining(ch):
        return 0
    if _SKIN_TONES[0] <= cp <= _SKIN_TONES[1]:
        return 0  # only ever seen after a base; a lone one is a cluster of its own
    width = widths.get(cp)
    if width is not None:
        return width
    if _is_pictographic(cp) or _is_regional(cp):
        return _EMOJI
    if category == "So" or unicodedata.east_asian_width(ch) in ("W", "F"):
        return _EM
    return typical


def _face(widths_runs: tuple[tuple[int, tuple[int, ...]], ...],
          kerning_groups: tuple[tuple[int, str], ...]) -> _Face:  # fmt: skip
    widths = {
        start + offset: width for start, run in widths_runs for offset, width in enumerate(run)
    }
    kerning = {
        pairs[i : i + 2]: value for value, pairs in kerning_groups for i in range(0, len(pairs), 2)
    }
    typical = widths[ord("n")]
    fast = {chr(cp): _char_units(cp, widths, typical) for cp in range(_FAST_LIMIT)}
    # Plain dicts, not read-only proxies: a proxy's ``get`` is a Python-level method call,
    # and kerning is looked up for every pair of characters measured (it tripled the
    # cost of measuring a label).
    fast_pairs = [pair for pair in kerning if max(pair) < _FAST_MAX]
    lefts = "".join(sorted({pair[0] for pair in fast_pairs}))
    rights = "".join(sorted({pair[1] for pair in fast_pairs}))
    kerned = re.compile(f"(?=([{re.escape(lefts)}][{re.escape(rights)}]))")
    return _Face(fast, widths, kerning, typical, kerned)


_REGULAR = _face(_data.REGULAR_WIDTHS, _data.REGULAR_KERNING)
_BOLD = _face(_data.BOLD_WIDTHS, _data.BOLD_KERNING)


def _is_emoji_cluster(cluster: str, face: _Face) -> bool:
    cp = ord(cluster[0])
    if _is_regional(cp) or _SKIN_TONES[0] <= cp <= _SKIN_TONES[1]:
        return True
    if len(cluster) > 1:
        if _KEYCAP in cluster and cluster[0] in _KEYCAP_BASES:
            return True
        if _VS15 in cluster:
            return False
        if (_VS16 in cluster or _ZWJ in cluster) and _is_pictographic(cp):
            return True
    return cp not in face.widths and _is_pictographic(cp)


def _slow_units(text: str, face: _Face) -> int:
    total = 0
    previous = ""  # the last single-character cluster, for kerning
    for cluster in _clusters(text):
        if _is_emoji_cluster(cluster, face):
            total += _EMOJI
            previous = ""
            continue
        base = cluster[0]
        total += sum(_char_units(ord(ch), face.widths, face.typical) for ch in cluster)
        if previous and len(cluster) == 1:
            total += face.kerning.get(previous + base, 0)
        previous = base if len(cluster) == 1 else ""
    return total


def _on_fast_table(text: str) -> bool:
    """Whether every character of ``text`` is in the fast table (``isascii`` reads a
    flag; ``max`` walks the text)."""
    return text.isascii() or max(text) < _FAST_MAX


@lru_cache(maxsize=8192)
def _units(text: str, bold: bool) -> int:
    """Advance of ``text`` in font units (kerning included)."""
    face = _BOLD if bold else _REGULAR
    if not text:
        return 0
    if _on_fast_table(text):
        width = sum(map(face.fast.__getitem__, text))
        if len(text) > 1:
            width += sum(map(face.kerning.get, face.kerned.findall(text), repeat(0)))
        return width
    return _slow_units(text, face)


def text_width(text: str, size: float = 14.0, *, bold: bool = False) -> float:
    """Width in px of ``text`` drawn as ONE line in Liberation Sans at ``size`` px."""
    return _units(text, bold) * size / _UPEM


def line_height(size: float = 14.0) -> float:
    """Default line spacing (hhea ascent + descent + line gap) at ``size`` px."""
    return (_data.REGULAR_ASCENT + _data.REGULAR_DESCENT + _data.REGULAR_LINE_GAP) * size / _UPEM


def ascent(size: float = 14.0) -> float:
    """Distance from the baseline up to the top of the line box (hhea ascent) in px."""
    return _data.REGULAR_ASCENT * size / _UPEM


def descent(size: float = 14.0) -> float:
    """Distance from the baseline down to the bottom of the line box (positive) in px."""
    return _data.REGULAR_DESCENT * size / _UPEM


def cap_height(size: float = 14.0) -> float:
    """Height of capital letters above the baseline in px (to centre text optically)."""
    return _data.REGULAR_CAP_HEIGHT * size / _UPEM


# ---------------------------------------------------------------------------------------------
# Wrapping


def _is_wide(cluster: str) -> bool:
    """East Asian wide text, where a line may break between any two characters."""
    ch = cluster[0]
    return unicodedata.east_asian_width(ch) in ("W", "F") and not _is_pictographic(ord(ch))


def _tokens(paragraph: str) -> list[tuple[str, str]]:
    """(separator before, token) pairs: words split at spaces and between wide characters."""
    tokens: list[tuple[str, str]] = []
    for word in paragraph.replace("\t", " ").split(" "):
        if not word:
            continue
        separator = " "
        if word.isascii() or max(word) < "\u1100":  # nothing wide before Hangul Jamo: one token
            tokens.append((separator, word))
            continue
        current = ""
        previous = ""
        for cluster in _clusters(word):
            breakable = (
                current
                and (_is_wide(cluster) or _is_wide(previous))
                and cluster[0] not in _NO_BREAK_BEFORE
                and previous[-1] not in _NO_BREAK_AFTER
            )
            if breakable:
                tokens.append((separator, current))
                separator, current = "", ""
            current += cluster
            previous = cluster
        tokens.append((separator, current))
    return tokens


def _kern(left: str, right: str, face: _Face) -> int:
    return face.kerning.get(left[-1] + right[0], 0) if left and right else 0


@lru_cache(maxsize=4096)
def _wrap(text: str, limit: float, bold: bool) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The lines, and the advance of each as the packing summed it (pieces plus the
    kerning where they meet: exactly :func:`_units` of the line for text on the fast
    path, which has no multi-character clusters)."""
    face = _BOLD if bold else _REGULAR
    if text and _on_fast_table(text):
        packed = _wrap_fast(text, limit, face)
        if packed is not None:
            return packed
    return _wrap_general(text, limit, bold)


def _pack(first: list[int], join: list[int], limit: float) -> tuple[list[int], int]:
    """Greedy packing of words into lines no wider than ``limit``: where each line
    starts, and the widest line. ``first[i]`` is word ``i``'s advance at the start of a
    line, ``join[i]`` what it adds after the word before it (its separator, itself and
    the kerning between)."""
    starts = [0]
    units = widest = first[0]
    for i in range(1, len(first)):
        grown = units + join[i]
        if grown <= limit:
            units = grown
        else:
            if units > widest:
                widest = units
            starts.append(i)
            units = first[i]
    return starts, max(units, widest)


def _balance(first: list[int], join: list[int], limit: float) -> list[int]:
    """The greedy packing at ``limit`` (every word narrower than that) made even: the
    packing at the narrowest width that still needs no more lines, as CSS's
    ``text-wrap: balance`` does: ``Alert if`` / ``distribution shift`` rather than
    ``Alert if distribution`` / ``shift``. No line is left with a word or two under a
    long one, and the label takes less width for the same height."""
    best, hi = _pack(first, join, limit)
    count = len(best)
    if count < 2:
        return best
    if count == 2:
        # Most labels that wrap take two lines: try each break, keep the narrowest.
        second = sum(join) - join[0]  # all but the first word, as added after it
        line = first[0]
        narrowest = hi
        for i in range(1, len(first)):
            if line >= narrowest:  # the first line only grows from here
                break
            second -= join[i]
            wider = max(line, first[i] + second)
            if wider < narrowest:
                narrowest = wider
            line += join[i]
        return _pack(first, join, narrowest)[0]
    # No packing into ``count`` lines is narrower than its widest word, or than the
    # words' advances shared out evenly (a space between two words only adds to them).
    lo = max(max(first), -(-sum(first) // count))
    while lo < hi:
        mid = (lo + hi) // 2
        trial, widest = _pack(first, join, mid)
        if len(trial) <= count:
            best, hi = trial, widest  # the packing's own widest line: often well below mid
        else:
            lo = mid + 1
    return best


def _wrap_fast(text: str, limit: float, face: _Face
               ) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
    """:func:`_wrap_general` for text on the fast path (one character per cluster, no
    wide characters), from running sums over each paragraph instead of a measurement
    per word: the same lines and the same integer advances, at a fraction of the cost
    of a first wrap. ``None`` when a word is wider than the line (the general code
    breaks it between characters)."""
    lines: list[str] = []
    widths: list[int] = []
    get = face.kerning.get
    for raw in text.split("\n"):
        # The general code's tokens: words between spaces or tabs, joined by one space.
        line = " ".join(w for w in raw.rstrip("\r").replace("\t", " ").split(" ") if w)
        if not line:
            lines.append("")
            widths.append(0)
            continue
        # kern[i]: kerning of line[i] with the next character; before[k]: the advance of
        # line[:k] plus kern[k - 1]. So line[a:b] is before[b] - before[a] - kern[b - 1].
        kern = [0] * len(line)
        for pair in face.kerned.finditer(line):
            kern[pair.start()] = get(pair.group(1), 0)
        before = [0]
        before += accumulate(map(add, map(face.fast.__getitem__, line), kern))
        whole = before[-1] - kern[-1]
        if whole <= limit:  # most labels: one line
            lines.append(line)
            widths.append(whole)
            continue
        # Each word's span, its advance alone and what it adds after the word before
        # (the sums make line[a:c] = line[a:b] + that, whatever a is).
        bounds: list[tuple[int, int]] = []
        first: list[int] = []
        join: list[int] = []
        word_start = 0
        previous_end = 0
        for word in line.split(" "):
            word_end = word_start + len(word)
            alone = before[word_end] - before[word_start] - kern[word_end - 1]
            if alone > limit:
                return None
            added = (before[word_end] - before[previous_end] - kern[word_end - 1]
                     + kern[previous_end - 1]) if previous_end else alone
            if (previous_end and first[-1] + added <= limit and not word.isalnum()
                    and not _WORDLIKE.search(word)):
                bounds[-1] = (bounds[-1][0], word_end)  # an operator: one word with the last
                first[-1] += added
                join[-1] += added
            else:
                bounds.append((word_start, word_end))
                first.append(alone)
                join.append(added)
            previous_end = word_end
            word_start = word_end + 1
        starts = _balance(first, join, limit)
        for k, i in enumerate(starts):
            j = starts[k + 1] - 1 if k + 1 < len(starts) else len(bounds) - 1
            a, b = bounds[i][0], bounds[j][1]
            lines.append(line[a:b])
            widths.append(before[b] - before[a] - kern[b - 1])
    return tuple(lines), tuple(widths)


def _wrap_general(text: str, limit: float, bold: bool
                  ) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The packing token by token (any script, clusters): balanced where every word fits
    a line, else greedy, with each word wider than the line broken at a soft break or
    between clusters."""
    face = _BOLD if bold else _REGULAR
    lines: list[str] = []
    widths: list[int] = []
    for raw in text.split("\n"):
        tokens: list[tuple[str, str]] = []
        first: list[int] = []
        for separator, token in _tokens(raw.rstrip("\r")):
            if tokens and separator and not _WORDLIKE.search(token):
                merged = tokens[-1][1] + separator + token  # an operator: one word with
                units = _units(merged, bold)                # the one before, if they fit
                if units <= limit:
                    tokens[-1] = (tokens[-1][0], merged)
                    first[-1] = units
                    continue
            tokens.append((separator, token))
            first.append(_units(token, bold))
        if first and max(first) <= limit:
            # Every word fits a line: pack them as the fast path does, evenly.
            join = [first[0]]
            for k in range(1, len(tokens)):
                piece = tokens[k][0] + tokens[k][1]
                join.append(_units(piece, bold) + _kern(tokens[k - 1][1], piece, face))
            starts = _balance(first, join, limit)
            for k, i in enumerate(starts):
                j = starts[k + 1] if k + 1 < len(starts) else len(tokens)
                lines.append(tokens[i][1] + "".join(sep + tok for sep, tok in tokens[i + 1:j]))
                widths.append(first[i] + sum(join[i + 1:j]))
            continue
        current = ""
        current_units = 0
        for separator, token in tokens:
            if current:
                piece = separator + token
                units = current_units + _units(piece, bold) + _kern(current, piece, face)
                if units <= limit:
                    current, current_units = current + piece, units
                    continue
                lines.append(current)
                widths.append(current_units)
            token_units = _units(token, bold)
            if token_units <= limit:
                current, current_units = token, token_units
                continue
            # The word alone is wider than the line: break it at the last soft break that
            # fits (see _SOFT_AFTER), else between grapheme clusters.
            current, current_units = "", 0
            soft = 0  # where in ``current`` the last soft break is (0: none)
            previous = ""  # the last cluster if it is one character: kerned as _slow_units
            for cluster in _clusters(token):
                kern = face.kerning.get(previous + cluster, 0) if len(cluster) == 1 else 0
                alone = _units(cluster, bold)
                units = current_units + alone + kern
                if current and units > limit:
                    if soft and _units(current[:soft], bold) >= limit * _SOFT_MIN:
                        head, current = current[:soft], current[soft:]
                        lines.append(head)
                        widths.append(_units(head, bold))
                        current_units = _units(current, bold)
                        units = current_units + alone + kern
                    if units > limit:
                        lines.append(current)
                        widths.append(current_units)
                        current, units = "", alone
                    soft = 0
                if current and (
                    current[-1] in _SOFT_AFTER
                    or cluster[0] in _SOFT_BEFORE
                    or (current[-1].islower() and cluster[0].isupper())
                ):
                    soft = len(current)
                current, current_units = current + cluster, units
                previous = cluster if len(cluster) == 1 else ""
        lines.append(current)
        widths.append(current_units)
    return tuple(lines), tuple(widths)


def wrap(text: str, max_width: float, size: float = 14.0, *, bold: bool = False) -> tuple[str, ...]:
    """Lines of ``text`` no wider than ``max_width`` px where possible.

    ``"\\n"`` always breaks (Mermaid's ``<br/>``, once the parser turned it into a newline);
    then words are packed into as few lines as greedy packing needs, balanced (the
    narrowest width that needs no more lines), breaking at spaces and between East Asian
    wide characters; a word without a letter or digit (``→``, ``+``) stays with the word
    before it. A word wider than ``max_width`` on its own is broken (see
    :func:`_wrap_general`), and its paragraph is packed greedily. Lines carry no leading
    or trailing spaces and runs of spaces become one (as SVG draws them); an empty
    paragraph gives an empty line.
    """
    limit = max_width * _UPEM / size if size > 0 else float("inf")
    return _wrap(text, limit + 1e-6, bold)[0]


def wrap_measured(text: str, max_width: float, size: float = 14.0, *, bold: bool = False
                  ) -> tuple[tuple[str, ...], float]:
    """:func:`wrap`, and the width in px of the widest line (:func:`text_width` of it),
    without measuring the lines again where the packing already did."""
    limit = max_width * _UPEM / size if size > 0 else float("inf")
    lines, units = _wrap(text, limit + 1e-6, bold)
    if text and _on_fast_table(text):
        return lines, max(units) * size / _UPEM
    return lines, max(text_width(line, size, bold=bold) for line in lines)
