"""Kill -9 in the middle of a shard, rerun, and get the bytes of an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from extract_fixtures import recording, write_manifest

from asl_stem.assets import fetch


def extract_command(manifest: Path, out: Path) -> list[str]:
    args = ["extract", str(manifest), "--out", str(out), "--shard-size", "2", "--max-frames", "3"]
    return [sys.executable, "-m", "asl_stem.cli", *args]


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_resume_after_sigkill_mid_shard_gives_identical_bytes(tmp_path):
    video = str(fetch("single_face.mp4"))
    # two shards of two recordings: shard 1 takes long enough (fresh landmarkers per recording)
    # for the kill to land while it is written, however fast the machine
    recordings = [recording(f"rec_{n}", path=video) for n in range(4)]
    manifest = write_manifest(tmp_path / "m", recordings, annotated="rec_1")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))

    whole = tmp_path / "whole"
    subprocess.run(extract_command(manifest, whole), env=env, check=True, capture_output=True)

    killed = tmp_path / "killed"
    process = subprocess.Popen(
        extract_command(manifest, killed),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    # wait until shard 0 is done and shard 1 is being written under its temporary name
    while time.monotonic() < deadline and process.poll() is None:
        if (killed / "shard-000000.tar").exists() and list(killed.glob(".shard-000001.tar.*")):
            break
        time.sleep(0.01)
    assert process.poll() is None, "the run ended before it could be killed mid-shard"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not (killed / "shard-000001.tar").exists()
    assert list(killed.glob(".shard-000001.tar.*"))  # the half-written shard was left behind

    rerun = subprocess.run(extract_command(manifest, killed), env=env, capture_output=True)
    assert rerun.returncode == 0, rerun.stderr.decode()[-2000:]
    assert b"1 kept from an earlier run" in rerun.stderr
    assert folder_bytes(killed) == folder_bytes(whole)
