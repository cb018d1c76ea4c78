"""The distribution installs `mlseq`, `sphinx_mlseq` and `mkdocs_mlseq`, never `core`."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT


def _run(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_import_core_fails_and_mlseq_works(tmp_path: Path) -> None:
    assert _run("import core", tmp_path).returncode != 0
    done = _run("import mlseq, sphinx_mlseq, mkdocs_mlseq; print(mlseq.__version__)", tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_console_script_runs(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("mlseq")
    done = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stdout.startswith("mlseq ")


@pytest.mark.slow
def test_wheel_contents(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        pytest.fail(done.stderr[-2000:])
    wheel = next(tmp_path.glob("mlseq-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert not any(n.startswith("core/") for n in names)
    for required in ("mlseq/__init__.py", "mlseq/py.typed", "sphinx_mlseq/__init__.py",
                     "mkdocs_mlseq/__init__.py"):
        assert required in names
    assert any(n.startswith("mlseq/templates/") and n.endswith(".yaml") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "mlseq = mlseq.cli:main" in text
    assert "mkdocs_mlseq.plugin:MlseqPlugin" in text
    # the licence travels with the wheel, declared as an SPDX expression (PEP 639)
    assert any(n.endswith("licenses/LICENSE") for n in names)
    metadata = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: MIT" in metadata
