"""bench/timing.py: the quietest stretch of a timing run."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "bench_timing", Path(__file__).resolve().parent.parent / "bench" / "timing.py")
assert _spec is not None and _spec.loader is not None
timing = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(timing)


def test_quietest_stretch_is_the_lowest_block_median() -> None:
    # A slow stretch, a fast one, a middling one. At the median's 1.2 ms a block is 42
    # renders (50 ms), so the blocks straddle the stretches, as they do on the machine.
    times = [0.0016] * 50 + [0.0009] * 50 + [0.0012] * 50
    assert timing.quietest_median(times) == pytest.approx(0.0009)


def test_one_fast_render_is_not_a_quiet_stretch() -> None:
    times = [0.0016] * 99 + [0.0005]
    assert timing.quietest_median(times) == pytest.approx(0.0016)


def test_blocks_are_at_least_five_renders_and_at_most_all() -> None:
    # 100 ms renders: five to a block, whatever the span.
    slow = [0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.2, 0.2]
    assert timing.quietest_median(slow) == pytest.approx(0.1)
    assert timing.quietest_median([0.3, 0.1, 0.2]) == pytest.approx(0.2)
    # A trailing partial block is left out rather than judged on fewer renders.
    assert timing.quietest_median([0.2] * 5 + [0.1]) == pytest.approx(0.2)


def test_no_timings_is_an_error() -> None:
    with pytest.raises(ValueError):
        timing.quietest_median([])
