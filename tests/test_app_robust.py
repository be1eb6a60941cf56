"""Damage and disks: killed builds' temporaries, a damaged index, full and read-only disks."""

from __future__ import annotations

import fcntl
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from app_fixtures import build_fixture_index, write_corpus
from disk_fixtures import in_small_filesystem, needs_mount

from asl_stem.cli import main
from asl_stem.termindex import build_index
from asl_stem.termindex.integrity import DamagedIndex, check_index
from asl_stem.webapp import create_app


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_index(tmp_path_factory.mktemp("robust"))


def test_a_killed_builds_temporaries_are_removed_by_the_next(tmp_path: Path) -> None:
    manifests = write_corpus(tmp_path)
    out = tmp_path / "index.sqlite"
    stale = tmp_path / ".index.sqlite.k1ll3d.tmp"
    stale.write_bytes(b"x" * 4096)
    busy = tmp_path / ".index.sqlite.w0rk1ng.tmp"  # a build still writing holds its lock
    busy.write_bytes(b"y")
    with open(busy, "rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        build_index(manifests, out=out)
        assert busy.exists()
    assert not stale.exists() and out.is_file()
    assert sorted(p.name for p in tmp_path.glob(".index.sqlite.*")) == [busy.name]


def _flip_inside_a_keypoint_blob(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        blob = connection.execute("SELECT blob FROM keypoints LIMIT 1").fetchone()[0]
    data = bytearray(path.read_bytes())
    where = data.find(blob[20:60])
    assert where > 0
    data[where + 10] ^= 0xFF
    path.write_bytes(bytes(data))


def test_the_app_refuses_to_start_on_a_damaged_index(index: Path, tmp_path: Path, caplog) -> None:
    check_index(index)  # the intact one passes
    flipped = tmp_path / "flipped.sqlite"
    shutil.copy(index, flipped)
    _flip_inside_a_keypoint_blob(flipped)
    with pytest.raises(DamagedIndex, match="does not match the hash"):
        create_app(flipped, tmp_path / "notes.sqlite")
    truncated = tmp_path / "truncated.sqlite"
    truncated.write_bytes(index.read_bytes()[: index.stat().st_size // 2])
    with pytest.raises((DamagedIndex, ValueError)):
        create_app(truncated, tmp_path / "notes.sqlite")
    assert main(["app", "--index", str(flipped), "--port", "0"]) == 1
    assert "rebuild it with `asl-stem index build`" in caplog.text


@needs_mount
@pytest.mark.parametrize(("options", "reason"), [("size=64k", "full"), ("ro", "read-only")])
def test_a_full_or_read_only_disk_under_the_build_is_one_line(
    tmp_path: Path, options: str, reason: str
) -> None:
    manifests = write_corpus(tmp_path)
    cli = f"{sys.executable} -m asl_stem.cli"
    done = in_small_filesystem(f'{cli} index build {manifests} --out "$DISK/index.sqlite"', options)
    errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert (
        len(errors) == 1
        and "index.sqlite: cannot write" in errors[0]
        and reason in errors[0].lower()
    )


@needs_mount
def test_a_read_only_notes_disk_is_one_line(index: Path) -> None:
    cli = f"{sys.executable} -m asl_stem.cli"
    done = in_small_filesystem(
        f'{cli} app --index {index} --notes "$DISK/notes.sqlite" --port 0', "ro"
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "notes.sqlite: cannot write" in lines[0], lines
