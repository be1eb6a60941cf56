"""The demo runs every stage on a corpus it makes itself (here a tiny one, one epoch)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from asl_stem.atomic import read_jsonl
from asl_stem.demo import DemoPaths, run_demo


def test_demo_runs_every_stage(tmp_path: Path) -> None:
    table = run_demo(tmp_path, articles=2, interpreters=1, seed=3, workers=1, epochs=1)
    paths = DemoPaths(tmp_path)
    assert "| model |" in table and "| heuristic |" in table
    detected = list(read_jsonl(paths.spans))
    held_out = list(read_jsonl(paths.held_out_spans))
    assert 0 < len(held_out) < len(detected)
    assert len(list(read_jsonl(paths.aligned))) == len(detected)
    with sqlite3.connect(f"file:{paths.index}?mode=ro", uri=True) as connection:
        (recordings,) = connection.execute("SELECT count(*) FROM recordings").fetchone()
    assert recordings == len(detected)
