"""Bad environments end in one line naming the file and what to do, a non-zero exit, no trace."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from shared_data import SHARED_DATA

import asl_stem.atomic as atomic
from asl_stem.cli import main

TRAIN_CSV = SHARED_DATA / "fs-annotations" / "train.csv"


def test_unwritable_output_folder(capsys: pytest.CaptureFixture[str]) -> None:
    # /sys refuses new files even to root, as a read-only disk would.
    code = main(["ingest", "--annotations", str(TRAIN_CSV), "--out", "/sys/asl-stem-test"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0].startswith("asl-stem ingest: /sys/asl-stem-test") and "write elsewhere" in err[0]
    assert "Traceback" not in err[0]


def test_full_disk_keeps_no_half_written_manifests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_replace = os.replace
    calls = []

    def full_after_two(source, target):
        calls.append(target)
        if len(calls) > 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        return real_replace(source, target)

    monkeypatch.setattr(atomic.os, "replace", full_after_two)
    out = tmp_path / "out"
    assert main(["ingest", "--annotations", str(TRAIN_CSV), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "the disk is full: free some space or write elsewhere" in err
    assert not (out / "manifest.json").exists()  # readers refuse the folder as incomplete
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The single line a command printed, with no traceback and no usage text."""
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0] and "usage:" not in lines[0]
    return lines[0]


def test_detect_with_an_empty_checkpoint(tmp_path: Path, capsys) -> None:
    (tmp_path / "empty.ckpt").touch()
    (tmp_path / "shards").mkdir()
    argv = ["detect", str(tmp_path / "empty.ckpt"), str(tmp_path / "shards"), "--out", "x.jsonl"]
    assert main(argv) == 2
    line = one_error_line(capsys)
    assert line.startswith(f"asl-stem detect: {tmp_path / 'empty.ckpt'}: the checkpoint is empty")
    assert "train again" in line


def test_render_an_empty_file(tmp_path: Path, capsys) -> None:
    (tmp_path / "empty.npy").touch()
    assert main(["render", str(tmp_path / "empty.npy"), "--out", str(tmp_path / "x.png")]) == 2
    line = one_error_line(capsys)
    assert line.startswith(f"asl-stem render: {tmp_path / 'empty.npy'}: cannot read it")
    assert "give a .npy keypoints file" in line and not (tmp_path / "x.png").exists()


def test_ingest_a_folder_without_videos_csv(tmp_path: Path, caplog) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["ingest", str(tmp_path / "empty"), "--out", str(tmp_path / "m")]) == 2
    (error,) = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert error.startswith(f"{tmp_path / 'empty'} has no videos.csv and no fs-annotations")
    assert not (tmp_path / "m" / "manifest.json").exists()


def test_train_with_a_missing_config(capsys) -> None:
    assert main(["train", "--config", "/nonexistent.yaml"]) == 2
    line = one_error_line(capsys)
    assert (
        line == "asl-stem train: /nonexistent.yaml: no such config; see models/*.yaml for examples"
    )
