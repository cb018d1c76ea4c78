"""Median parse time for 100, 1,000 and 10,000 statements, and how it grows.

Run: ``.venv/bin/python bench/bench_parse.py``. The statements are a realistic mix
(messages of every kind, notes, nested blocks, activations, dividers); the target is
under 50 ms for 1,000 statements, and a growth ratio near 10x per 10x statements.
"""

from __future__ import annotations

import statistics
import time

from mlseq import parser

_UNIT = """\
== Stage {i} ==
loop epoch {i}
  Data->>+Trainer: batch {i} wrap:with a longer label<br/>on two lines
  Trainer-)Registry: log metrics #59; step {i}
  alt loss improved
    Trainer->>Registry: save checkpoint
  else
    Note over Trainer,Registry: keep the best one
  end
  Trainer-->>-Data: ack
end
"""  # 11 statements


def diagram(statements: int) -> str:
    head = (
        "sequenceDiagram\nautonumber\nactor Data as Data engineer\n"
        "job Trainer as Training job\nregistry Registry\n"
    )
    body = []
    count = 5
    i = 0
    while count + 11 <= statements:
        body.append(_UNIT.format(i=i))
        count += 11
        i += 1
    body.extend("Data->>Trainer: filler\n" for _ in range(statements - count))
    return head + "".join(body)


def median_ms(text: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        parser.parse(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    previous: float | None = None
    for n, repeat in ((100, 200), (1_000, 40), (10_000, 7)):
        ms = median_ms(diagram(n), repeat)
        growth = f"  growth x{ms / previous:.1f}" if previous else ""
        print(f"{n:>6} statements: {ms:8.2f} ms median{growth}")
        previous = ms


if __name__ == "__main__":
    main()
