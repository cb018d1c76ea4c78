"""Rendering from several threads, several processes and under different hash seeds
gives the same bytes as rendering serially (Sphinx ``-j``, MkDocs/Zensical workers)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import mlseq
import pytest
from conftest import shared_path

CALLS = ["template: ml-workflow\n", "template: training-pipeline\ntheme: dark\n"]


def _blocks() -> list[str]:
    folder = shared_path("corpus", "ml-real")
    blocks = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.mmd"))]
    blocks.append(shared_path("peers", "diagrams", "b_ml.mmd").read_text(encoding="utf-8"))
    return blocks + CALLS


def _digest(block: str) -> str:
    return hashlib.sha256(mlseq.render(block).encode("utf-8")).hexdigest()


def test_threads_give_serial_bytes() -> None:
    blocks = _blocks() * 3
    serial = [_digest(b) for b in blocks]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(_digest, blocks)) == serial


def test_processes_give_serial_bytes() -> None:
    blocks = _blocks()
    serial = [_digest(b) for b in blocks]
    with ProcessPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(_digest, blocks)) == serial


_SEEDED = """
import hashlib, json, sys
import mlseq
blocks = json.loads(sys.stdin.read())
print(json.dumps([hashlib.sha256(mlseq.render(b).encode()).hexdigest() for b in blocks]))
"""


def test_hash_seed_does_not_change_bytes() -> None:
    blocks = _blocks()
    results = []
    for seed in ("0", "1", "12345", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([sys.executable, "-c", _SEEDED], input=json.dumps(blocks),
                              capture_output=True, text=True, env=env, timeout=300,
                              check=True)
        results.append(json.loads(proc.stdout))
    assert all(r == results[0] for r in results)
    assert results[0] == [_digest(b) for b in blocks]


def test_render_leaves_the_garbage_collector_as_it_found_it() -> None:
    """Rendering switches the cyclic GC off while it works; it must come back on after
    success, after an error, and after many threads rendering at once."""
    import gc

    assert gc.isenabled()
    mlseq.render("sequenceDiagram\nA->>B: hi\n")
    assert gc.isenabled()
    for bad in ("sequenceDiagram\nA->>: hi\n", "sequenceDiagram\nloop x\n"):
        with pytest.raises(mlseq.MlseqError):
            mlseq.render(bad)
        assert gc.isenabled()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(_digest, CALLS * 8))
    assert gc.isenabled()
    gc.disable()
    try:
        mlseq.render("sequenceDiagram\nA->>B: hi\n")
        assert not gc.isenabled()  # a caller's own choice is kept too
    finally:
        gc.enable()
