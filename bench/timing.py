"""Helpers for reading render timings taken on a shared machine."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

QUIET_SPAN_S = 0.05
"""How long a stretch :func:`quietest_median` looks at: the shared machine changes speed
every tenth of a second or so (a render's time runs 0.9 ms in one stretch of b_ml's
renders, 1.6 ms in the next)."""


def quietest_median(times: Sequence[float], span_s: float = QUIET_SPAN_S) -> float:
    """The lowest median of consecutive renders over about ``span_s`` seconds (at least
    five renders, at most all): what the median is while the machine runs at full speed.

    Reported beside a run's median, never instead of it.
    """
    if not times:
        raise ValueError("no timings")
    block = min(len(times), max(5, round(span_s / statistics.median(times))))
    return min(statistics.median(times[i : i + block])
               for i in range(0, len(times) - block + 1, block))
