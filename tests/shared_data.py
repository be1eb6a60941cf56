"""Where the real shared data lives (annotation rows, ASL-LEX), for tests that read it.

``$ASL_STEM_SHARED_DATA`` when set, else the first ``shared/data`` folder beside the checkout
or above it (``../shared/data`` next to a clone; ``/work/shared/data`` from a worktree at
``/work/wt/NAME``). Tests that need a file skip, naming what they looked for, only when it is
in none of those places.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path | None:
    """The shared data folder, or None when there is none."""
    explicit = os.environ.get("ASL_STEM_SHARED_DATA")
    if explicit:
        return Path(explicit)
    for parent in REPO.parents:
        candidate = parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return None


SHARED_DATA = shared_data_dir() or REPO.parent / "shared" / "data"
"""The folder module-level paths of the tests are built from (missing files fail loudly)."""


def shared_file(relative: str) -> Path:
    """A file under the shared data folder; skips the test when it cannot be found."""
    base = shared_data_dir()
    path = base / relative if base is not None else None
    if path is None or not path.is_file():
        looked = f"$ASL_STEM_SHARED_DATA or shared/data above {REPO}"
        pytest.skip(f"real data {relative} not found ({looked}); set ASL_STEM_SHARED_DATA")
    return path
