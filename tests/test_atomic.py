"""Atomic writes: a failed write leaves the old file and no temporary behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from asl_stem.atomic import atomic_open, read_jsonl, write_jsonl


def test_failed_write_keeps_previous_content(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_open(target) as handle:
        handle.write("new")
        raise RuntimeError("crash mid-write")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize("name", ["rows.jsonl", "rows.jsonl.gz"])
def test_jsonl_round_trip_and_reproducible_bytes(tmp_path: Path, name: str) -> None:
    rows = [{"text": "Brønsted–Lowry", "n": 1}, {"text": "acid", "n": 2}]
    assert write_jsonl(tmp_path / name, rows) == 2
    first = (tmp_path / name).read_bytes()
    write_jsonl(tmp_path / name, rows)
    assert (tmp_path / name).read_bytes() == first
    assert list(read_jsonl(tmp_path / name)) == rows


def test_truncated_jsonl_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"a": 1}\n{"a": ')
    with pytest.raises(ValueError, match=r"rows.jsonl:2"):
        list(read_jsonl(path))
