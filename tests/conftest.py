"""Shared test helpers: where ../shared is, and whether we must not skip."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
IN_CI = bool(os.environ.get("CI"))


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skips the test when it is absent (fails under CI)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if IN_CI:
            pytest.fail(f"{path} is missing and CI is set")
        pytest.skip(f"{path} is absent")
    return path


@pytest.fixture
def shared() -> Path:
    return shared_path()


# One browser for the whole session, shared by every module that asks for it (a second
# sync Playwright instance cannot start while the first one runs).
from browser import browser  # noqa: E402,F401
