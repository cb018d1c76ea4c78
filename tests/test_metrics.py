"""Text measurement: the committed width table against the font itself, and line wrapping."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mlseq.metrics import (
    FONT_FAMILY,
    ascent,
    cap_height,
    descent,
    line_height,
    text_width,
    wrap,
    wrap_measured,
)

ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = Path("/usr/share/fonts/truetype/liberation")
IN_CI = bool(os.environ.get("CI"))

SAMPLES = [
    "Hello, World",
    "The quick brown fox jumps over the lazy dog",
    "AVATAR Type Wave Yoyo LTA P. F, T. r, y.",
    "train(model, epochs=10, lr=3e-4) -> 0.92",
    "Ça va très bien, naïve façade, Straße, Øresund, Łódź, Dvořák",
    "«quoted» — en–dash… ‘single’ “double” €100 ©®™",
    "Αλφα Βήτα Γάμμα Δέλτα ΤΑΥΤΟΤΗΤΑ Ύψος",
    "Привет, мир! ГОСУДАРСТВЕННЫЙ Тест Обучение модели",
    "→ ← ↑ ↓ ≤ ≥ ≠ ∞ • ─│",
]


def _font(name: str) -> Any:
    """The font through fontTools; skipped when absent, a failure under CI."""
    path = FONT_DIR / name
    try:
        from fontTools.ttLib import TTFont
    except ImportError:
        if IN_CI:
            pytest.fail("fontTools is missing and CI is set")
        pytest.skip("fontTools is not installed")
    if not path.exists():
        if IN_CI:
            pytest.fail(f"{path} is missing and CI is set (install fonts-liberation)")
        pytest.skip(f"{path} is absent")
    return TTFont(path)


def _reference_width(font: Any, text: str, size: float) -> float:
    """Advance widths plus the legacy 'kern' table: a second source besides GPOS."""
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    kern = font["kern"].kernTables[0].kernTable
    glyphs = [cmap[ord(ch)] for ch in text]
    units = sum(hmtx[g][0] for g in glyphs)
    units += sum(kern.get((a, b), 0) for a, b in itertools.pairwise(glyphs))
    return units * size / font["head"].unitsPerEm


@pytest.mark.parametrize("bold", [False, True], ids=["regular", "bold"])
def test_widths_match_the_font(bold: bool) -> None:
    font = _font("LiberationSans-Bold.ttf" if bold else "LiberationSans-Regular.ttf")
    for text in SAMPLES:
        for size in (11.0, 14.0, 20.5):
            expected = _reference_width(font, text, size)
            assert text_width(text, size, bold=bold) == pytest.approx(expected, abs=1e-9), text


def test_vertical_metrics_match_the_font() -> None:
    font = _font("LiberationSans-Regular.ttf")
    upem = font["head"].unitsPerEm
    hhea = font["hhea"]
    assert ascent(20) == pytest.approx(hhea.ascent * 20 / upem)
    assert descent(20) == pytest.approx(-hhea.descent * 20 / upem)
    assert line_height(20) == pytest.approx((hhea.ascent - hhea.descent + hhea.lineGap) * 20 / upem)
    assert cap_height(20) == pytest.approx(font["OS/2"].sCapHeight * 20 / upem)


def test_generated_table_is_up_to_date() -> None:
    _font("LiberationSans-Regular.ttf")
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_metrics.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_core_does_not_import_fonttools() -> None:
    code = "import sys, mlseq.metrics; print('fontTools' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_generated_file_names_its_font_and_command() -> None:
    head = (ROOT / "core" / "_metrics_data.py").read_text(encoding="utf-8")[:600]
    assert "Liberation Sans" in head
    assert "Version 1.07.4" in head
    assert "tools/gen_metrics.py" in head
    assert FONT_FAMILY.startswith('"Liberation Sans"')


# --- properties of the measurements -----------------------------------------------------------


def test_known_widths_at_14px() -> None:
    # Liberation Sans advances: n = 1139/2048 em, i = 455/2048 em, space = 569/2048 em.
    assert text_width("n") == pytest.approx(1139 * 14 / 2048)
    assert text_width("nin n") == pytest.approx((3 * 1139 + 455 + 569) * 14 / 2048)
    assert text_width("") == 0


def test_kerning_tightens_pairs() -> None:
    assert text_width("AV") < text_width("A") + text_width("V")
    assert text_width("To") < text_width("T") + text_width("o")
    assert text_width("ΑΥ") < text_width("Α") + text_width("Υ")  # Greek takes the slow path


def test_bold_is_wider_than_regular() -> None:
    for text in ["Hello, World", "Feature Store", "model.fit()", "Обучение", "ΑΒΓ abc"]:
        assert text_width(text, bold=True) > text_width(text), text


def test_width_scales_with_size() -> None:
    for text in [*SAMPLES, "機械学習", "deploy 🚀"]:
        assert text_width(text, 28) == pytest.approx(2 * text_width(text, 14))
        assert text_width(text, 7, bold=True) == pytest.approx(text_width(text, 14, bold=True) / 2)


def test_fallback_widths() -> None:
    n = text_width("n")
    assert text_width("機械学習") == pytest.approx(4 * 14)  # East Asian wide: 1 em each
    assert text_width("ＡＢ") == pytest.approx(2 * 14)  # fullwidth forms
    assert text_width("e\u0301") == pytest.approx(text_width("e"))  # combining acute
    assert text_width("a\u200bb\u200dc\u200cd\ufe0f") == pytest.approx(text_width("abcd"))
    assert text_width("\u00ad") == 0  # soft hyphen is invisible
    assert text_width("a\tb") == pytest.approx(text_width("a b"))
    assert text_width("🚀") == pytest.approx(1.25 * 14)
    family = "👨\u200d👩\u200d👧\u200d👦"
    assert text_width(family) == pytest.approx(1.25 * 14)  # a ZWJ sequence is one glyph
    assert text_width("🇩🇪🇫🇷") == pytest.approx(2 * 1.25 * 14)  # two flags
    assert text_width("👍🏽") == pytest.approx(1.25 * 14)  # skin tone modifier
    assert text_width("1\ufe0f\u20e3") == pytest.approx(1.25 * 14)  # keycap
    assert text_width("\u2764\ufe0f") == pytest.approx(1.25 * 14)  # heart, emoji style
    assert text_width("\u2713") == pytest.approx(14)  # a symbol the font lacks: 1 em
    assert text_width("ש") == pytest.approx(n)  # not in the font: a typical glyph
    assert text_width("ש", bold=True) == pytest.approx(text_width("n", bold=True))


def test_characters_the_font_has_use_its_widths() -> None:
    assert text_width("©") != pytest.approx(1.25 * 14)  # text-style © is in the font
    assert text_width("→") == pytest.approx(2048 * 14 / 2048)


# --- wrapping ---------------------------------------------------------------------------------

PARAGRAPH = (
    "The training job reads the versioned feature snapshot, fits the gradient boosted "
    "model with early stopping and registers the candidate in the model registry"
)


@pytest.mark.parametrize("max_width", [60.0, 100.0, 150.0, 240.0])
def test_wrap_never_breaks_inside_a_word(max_width: float) -> None:
    lines = wrap(PARAGRAPH, max_width)
    assert "".join(lines).replace(" ", "") == PARAGRAPH.replace(" ", "")
    words_on_lines = {word for line in lines for word in line.split(" ")}
    for word in PARAGRAPH.split(" "):
        if text_width(word) <= max_width:  # only a word wider than the line may be broken
            assert word in words_on_lines, word
    for line in lines:
        assert line == line.strip()
        assert text_width(line) <= max_width + 1e-9
    assert_balanced(PARAGRAPH, max_width, lines)


def glued(words: list[str], max_width: float, bold: bool = False) -> list[str]:
    """The words as wrapping packs them: one without a letter or digit (``→``, ``+``)
    joins the word before it, if the two fit on a line."""
    units: list[str] = []
    for word in words:
        if (units and not any(c.isalnum() for c in word)
                and text_width(f"{units[-1]} {word}", bold=bold) <= max_width + 1e-9):
            units[-1] = f"{units[-1]} {word}"
        else:
            units.append(word)
    return units


def greedy_lines(words: list[str], max_width: float, bold: bool = False) -> int:
    """How many lines first-fit packing needs (every word narrower than the line)."""
    words = glued(words, max_width, bold)
    count, line = 1, words[0]
    for word in words[1:]:
        if text_width(f"{line} {word}", bold=bold) <= max_width + 1e-9:
            line = f"{line} {word}"
        else:
            count, line = count + 1, word
    return count


def assert_balanced(text: str, max_width: float, lines: tuple[str, ...],
                    bold: bool = False) -> None:
    """As many lines as greedy packing, and the narrowest such: any narrower and the
    text needs another line (``text-wrap: balance``)."""
    words = text.split()
    assert len(lines) == greedy_lines(words, max_width, bold)
    widest = max(text_width(line, bold=bold) for line in lines)
    assert widest <= max_width + 1e-9
    if len(lines) > 1:
        assert wrap(text, widest, bold=bold) == lines
        units = glued(words, max_width, bold)
        if widest - 0.01 >= max(text_width(w, bold=bold) for w in units):
            assert len(wrap(text, widest - 0.01, bold=bold)) > len(lines)


def test_wrap_balances_the_lines() -> None:
    """No word left alone under a long line: the label takes less width, not more lines."""
    assert wrap("Alert if distribution shift", 130) == ("Alert if", "distribution shift")
    assert wrap("check(pd.DataFrame(input_data)) then reply", 240) == (
        "check(pd.DataFrame(input_data))", "then reply")
    assert wrap("Ünïcode wörds ärë hérë ïn à längé lïné", 130) == (
        "Ünïcode wörds ärë", "hérë ïn à längé lïné")
    # An operator ends its line rather than starting the next.
    assert wrap("Inference metrics → OpenTelemetry", 130) == (
        "Inference metrics →", "OpenTelemetry")
    assert wrap("Multi-model training (Hydra-zen + Optuna)", 130) == (
        "Multi-model training", "(Hydra-zen +", "Optuna)")
    assert wrap("Multi-modèl training (Hydra-zen + Optuna)", 130) == (
        "Multi-modèl training", "(Hydra-zen +", "Optuna)")
    # A line that fits stays whole; explicit breaks are kept and each part balanced.
    assert wrap("short label", 240) == ("short label",)
    assert wrap("one two three four five six\nseven", 110) == (
        "one two three", "four five six", "seven")


_WORDS = st.lists(st.text(alphabet="AVTWYLPFRavwyrfe.,-:1éü→+", min_size=1, max_size=9),
                  min_size=1, max_size=14)


@settings(max_examples=300, deadline=None)
@given(_WORDS, st.floats(min_value=40, max_value=300), st.booleans())
def test_wrap_is_balanced(words: list[str], width: float, bold: bool) -> None:
    if max(text_width(w, bold=bold) for w in words) > width:
        return  # a word wider than the line is broken, and that packing is not balanced
    text = " ".join(words)
    assert_balanced(text, width, wrap(text, width, bold=bold), bold)


@pytest.mark.parametrize(("word", "width", "expected"), [
    ("get_embedding(neighbor_id)", 130, ("get_embedding", "(neighbor_id)")),
    ('search_documents(search_mode="hybrid")', 240,
     ("search_documents(search_mode=", '"hybrid")')),
    ("SpnegoAuthenticationProcessingFilter", 130,
     ("Spnego", "Authentication", "ProcessingFilter")),
    ("https://example.com/api/v1/models/registry/latest", 240,
     ("https://example.com/api/v1/models/", "registry/latest")),
    # A soft break that would leave less than a quarter of the line is not taken.
    ("x(" + "a" * 60 + ")", 240, None),
])
def test_a_word_wider_than_the_line_breaks_where_it_reads_best(
        word: str, width: float, expected: tuple[str, ...] | None) -> None:
    lines = wrap(word, width)
    assert "".join(lines) == word
    assert all(text_width(line) <= width + 1e-9 for line in lines)
    if expected is None:  # between characters: each line but the last full
        assert len(lines) > 1
        assert all(text_width(a + b[0]) > width for a, b in itertools.pairwise(lines))
    else:
        assert lines == expected


def test_wrap_breaks_a_word_wider_than_the_line() -> None:
    word = "Supercalifragilisticexpialidocious_feature_transform_v2"
    lines = wrap(f"run {word} now", 80)
    assert lines[0] == "run"
    assert lines[-1].endswith("now")
    assert "".join(lines[1:]).replace(" now", "") == word
    for line in lines:
        assert text_width(line) <= 80 + 1e-9


def test_wrap_keeps_short_text_on_one_line() -> None:
    assert wrap("Data Engineer", 200) == ("Data Engineer",)
    assert wrap("Data Engineer", text_width("Data Engineer")) == ("Data Engineer",)


def test_wrap_honours_newlines_and_trims_spaces() -> None:
    assert wrap("first<br/>second".replace("<br/>", "\n"), 500) == ("first", "second")
    assert wrap("  a   b  \n\n c ", 500) == ("a b", "", "c")
    assert wrap("", 100) == ("",)
    assert wrap("line\r\nnext", 500) == ("line", "next")


def test_wrap_breaks_east_asian_text_between_characters() -> None:
    text = "機械学習のパイプラインを設計する。モデルを訓練します。"
    lines = wrap(text, 60)
    assert "".join(lines) == text
    assert len(lines) > 1
    for line in lines:
        assert text_width(line) <= 60 + 1e-9
        assert not line.startswith(("。", "、"))  # closing punctuation never starts a line
    # mixed with spaces: Latin words stay whole
    mixed = wrap("モデル training pipeline を設計", 70)
    assert "training" in mixed or any("training" in line for line in mixed)


def test_wrap_never_splits_a_grapheme_cluster() -> None:
    accented = "e\u0301" * 40  # one long 'word' of decomposed é
    lines = wrap(accented, 50)
    assert "".join(lines) == accented
    assert all(not unicodedata.combining(line[0]) for line in lines)
    family = "👨\u200d👩\u200d👧"
    emoji_word = (family + "🇩🇪") * 6
    lines = wrap(emoji_word, 40)
    assert "".join(lines) == emoji_word
    for line in lines:
        assert not line.startswith(("\u200d", "👩", "👧", "🇪")), line


def test_wrap_with_zero_width_still_progresses() -> None:
    lines = wrap("abc de", 0)
    assert lines == ("a", "b", "c", "d", "e")


def test_wrap_bold_and_size_change_the_breaks() -> None:
    regular = wrap(PARAGRAPH, 200)
    assert len(wrap(PARAGRAPH, 200, 20)) > len(regular)
    assert len(wrap(PARAGRAPH, 200, bold=True)) >= len(regular)


def test_results_are_deterministic_across_hash_seeds() -> None:
    code = (
        "from mlseq.metrics import text_width, wrap\n"
        f"t = {PARAGRAPH + ' 機械学習 🚀 Привет'!r}\n"
        "print(repr(text_width(t)), repr(text_width(t, 13, bold=True)), wrap(t, 90))\n"
    )
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1


_KERNED_WORDS = st.lists(st.text(alphabet="AVTWYLPFRavwyrfe.,-:1", min_size=1, max_size=8),
                         min_size=1, max_size=8).map(" ".join)
"""Words rich in kerning pairs (``AV``, ``A `` ...), so line breaks fall next to them."""


@settings(max_examples=400, deadline=None)
@given(st.one_of(_KERNED_WORDS, st.text(max_size=40)),
       st.floats(min_value=5, max_value=300), st.booleans())
def test_wrap_measured_width_is_the_widest_line_measured_again(
        text: str, width: float, bold: bool) -> None:
    """The packing sums pieces and the kerning where they meet; that must equal
    measuring each finished line on its own (or the fallback measures them)."""
    lines, widest = wrap_measured(text, width, 14.0, bold=bold)
    assert lines == wrap(text, width, 14.0, bold=bold)
    assert widest == max(text_width(line, 14.0, bold=bold) for line in lines)


@given(st.text(alphabet="aEiWmT_-/.=(<[{|:0é漢\u0301", min_size=1, max_size=60),
       st.floats(min_value=20, max_value=200), st.booleans())
def test_a_long_word_breaks_into_lines_that_fit_and_lose_nothing(
        word: str, width: float, bold: bool) -> None:
    lines, widest = wrap_measured(word, width, 14.0, bold=bold)
    assert "".join(lines) == word
    assert all(lines)
    for line in lines:  # a line only overflows if it is one character (and its marks)
        assert text_width(line, bold=bold) <= width + 1e-9 or len(line.rstrip("\u0301")) == 1
    assert widest == max(text_width(line, bold=bold) for line in lines)


_LATIN_WORDS = st.text(alphabet="aeoryTVWYAL.,:;()'-0ÀÉçñ\u00a0\x0b\r", min_size=1, max_size=8)


@settings(max_examples=500)
@given(
    words=st.lists(_LATIN_WORDS, min_size=1, max_size=14),
    gaps=st.lists(st.sampled_from([" ", "  ", "\t", " \t ", "\n", " \n"]), max_size=14),
    cut=st.tuples(st.integers(0, 13), st.integers(1, 6), st.integers(-2, 2)),
    bold=st.booleans(),
)
def test_fast_wrap_packs_exactly_as_the_general_one(
    words: list[str], gaps: list[str], cut: tuple[int, int, int], bold: bool
) -> None:
    """The running-sum packing of Latin text (a docs build's first wraps) gives the lines
    and integer advances of the word-by-word packing, or hands over to it. The line is
    as wide as a run of the words give or take a unit, so that kerning, which the
    alphabet is full of, decides where lines break."""
    from mlseq import metrics

    text = "".join(w + (gaps[i] if i < len(gaps) else " ") for i, w in enumerate(words))
    first, count, delta = cut
    run = " ".join(words[first % len(words):][:count])
    limit = metrics._units(run, bold) + delta + 1e-6
    face = metrics._BOLD if bold else metrics._REGULAR
    general = metrics._wrap_general(text, limit, bold)
    fast = metrics._wrap_fast(text, limit, face)
    if fast is not None:
        assert fast == general
    else:  # only when a word is wider than the line
        words_seen = [w for raw in text.split("\n")
                      for w in raw.rstrip("\r").replace("\t", " ").split(" ")]
        assert any(metrics._units(w, bold) > limit for w in words_seen)
    assert metrics._wrap(text, limit, bold) == general
