"""Bad environments end in one line naming the file and what to do, a non-zero exit, no trace."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

import asl_stem.atomic as atomic
from asl_stem.cli import main

TRAIN_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "fs-annotations" / "train.csv"


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
