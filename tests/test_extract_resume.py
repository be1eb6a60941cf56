"""Kill -9 in the middle of a shard, rerun, and get the bytes of an uninterrupted run; one run
per shards folder, and no worker outlives a killed run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from extract_fixtures import recording, write_manifest

from asl_stem.assets import fetch
from asl_stem.shards.errors import ShardsBusyError
from asl_stem.shards.lock import lock_shards_dir
from asl_stem.shards.verify import verify_shards

ENV = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))


def extract_command(manifest: Path, out: Path, *extra: str) -> list[str]:
    args = ["extract", str(manifest), "--out", str(out), "--shard-size", "2", "--max-frames", "3"]
    return [sys.executable, "-m", "asl_stem.cli", *args, *extra]


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def children_of(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting to be reaped has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_resume_after_sigkill_mid_shard_gives_identical_bytes(tmp_path):
    video = str(fetch("single_face.mp4"))
    # two shards of two recordings: shard 1 takes long enough (fresh landmarkers per recording)
    # for the kill to land while it is written, however fast the machine
    recordings = [recording(f"rec_{n}", path=video) for n in range(4)]
    manifest = write_manifest(tmp_path / "m", recordings, annotated="rec_1")
    env = ENV

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


def test_a_second_run_is_refused_and_a_killed_runs_workers_die_with_it(tmp_path):
    video = str(fetch("single_face.mp4"))
    manifest = write_manifest(tmp_path / "m", [recording(f"r_{n}", path=video) for n in range(4)])
    out = tmp_path / "s"
    command = extract_command(manifest, out, "--workers", "2")
    first = subprocess.Popen(
        command, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_for(lambda: list(out.glob(".shard-*.tar.*.tmp")), 300, "a worker writing a shard")
        os.killpg(first.pid, signal.SIGSTOP)  # hold the run and its workers still
        before = {p.name: p.stat().st_size for p in out.iterdir()}
        second = subprocess.run(command, env=ENV, capture_output=True, text=True)
        assert second.returncode == 2
        assert f"being written by another `asl-stem extract` (pid {first.pid}" in second.stderr
        assert {p.name: p.stat().st_size for p in out.iterdir()} == before  # nothing touched
        helpers = children_of(first.pid)  # the pool's workers and multiprocessing's tracker
        assert len(helpers) >= 2
        os.killpg(first.pid, signal.SIGCONT)
        first.send_signal(signal.SIGKILL)
        first.wait()
        wait_for(lambda: not any(alive(pid) for pid in helpers), 30, "the workers to end")
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    third = subprocess.run(extract_command(manifest, out), env=ENV, capture_output=True, text=True)
    assert third.returncode == 0, third.stderr[-2000:]
    assert verify_shards(out) == (2, [])


def test_the_lock_sees_a_worker_that_outlives_its_run(tmp_path):
    worker = (
        "import time; from asl_stem.shards.lock import hold_workers_lock; "
        f"hold_workers_lock({str(tmp_path)!r}); print(flush=True); time.sleep(120)"
    )
    run = (
        "import subprocess, sys, time; from asl_stem.shards.lock import lock_shards_dir\n"
        f"with lock_shards_dir({str(tmp_path)!r}):\n"
        f"    worker = subprocess.Popen([sys.executable, '-c', {worker!r}], stdout=-1)\n"
        "    worker.stdout.readline()\n"
        "    print(worker.pid, flush=True)\n"
        "    time.sleep(120)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", run], env=ENV, stdout=subprocess.PIPE)
    worker_pid = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    busy = pytest.raises(ShardsBusyError, match=f"workers? .*pid {parent.pid}.*still write")
    try:
        with busy, lock_shards_dir(tmp_path, wait_for_workers_s=0.5):
            pass
    finally:
        os.kill(worker_pid, signal.SIGKILL)
    wait_for(lambda: not alive(worker_pid), 30, "the worker to end")
    with lock_shards_dir(tmp_path):
        pass
    assert list(tmp_path.iterdir()) == []  # a run that finishes leaves no lock files


def test_the_watchdog_ends_a_process_whose_parent_died():
    child = (
        "import sys; from asl_stem.extract.engines import watch_parent; "
        "watch_parent(int(sys.argv[1]), 0.05)"
    )
    middle = (
        "import os, subprocess, sys, time\n"
        f"child = subprocess.Popen([sys.executable, '-c', {child!r}, str(os.getpid())])\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", middle], env=ENV, stdout=subprocess.PIPE)
    child_pid = int(parent.stdout.readline())
    time.sleep(0.5)
    assert alive(child_pid)
    parent.kill()
    parent.wait()
    wait_for(lambda: not alive(child_pid), 60, "the orphan to end")
