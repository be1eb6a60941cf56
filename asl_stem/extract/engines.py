"""Engines that run shard jobs: in this process, on a local process pool, or as Ray tasks.

Each yields the index entries of finished shards as they complete (in any order) and reports
frames done through ``progress``. Every job writes its own shard, so an engine only moves
jobs and entries around; the result does not depend on the engine. Pool workers die with the
run (a kill -9 of ``asl-stem extract`` leaves nothing writing) and, like Ray tasks, hold the
folder's workers' lock while they live, so the next run sees them.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

from asl_stem.extract.work import ExtractSettings, ShardJob, run_shard_job
from asl_stem.shards.catalog import ShardEntry
from asl_stem.shards.lock import hold_workers_lock

Progress = Callable[[int], object]
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_frames_done: queue.Queue | None = None  # a pool worker's progress queue


def run_local(
    shards_dir: str | Path, jobs: list[ShardJob], settings: ExtractSettings, progress: Progress
) -> Iterator[ShardEntry]:
    """One job after another in this process."""
    for job in jobs:
        yield run_shard_job(shards_dir, job, settings, progress)


def die_with_parent(parent_pid: int) -> None:
    """End this process as soon as ``parent_pid`` (its parent) ends: the kernel's parent-death
    signal on Linux, a watchdog thread elsewhere."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    else:
        threading.Thread(target=watch_parent, args=(parent_pid,), daemon=True).start()
    if os.getppid() != parent_pid:  # the parent ended before the signal was armed
        os._exit(1)


def watch_parent(parent_pid: int, interval_s: float = 0.5) -> None:
    """Exit the process once its parent is no longer ``parent_pid`` (it was orphaned)."""
    while os.getppid() == parent_pid:
        time.sleep(interval_s)
    os._exit(1)


def _init_worker(shards_dir: str, frames_done: queue.Queue, parent_pid: int) -> None:
    global _frames_done
    die_with_parent(parent_pid)
    hold_workers_lock(shards_dir)  # never let go: released when this process ends
    _frames_done = frames_done


def _pool_job(shards_dir: str, job: ShardJob, settings: ExtractSettings) -> ShardEntry:
    progress = _frames_done.put if _frames_done is not None else None
    return run_shard_job(shards_dir, job, settings, progress)


def run_pool(
    shards_dir: str | Path,
    jobs: list[ShardJob],
    settings: ExtractSettings,
    workers: int,
    progress: Progress,
) -> Iterator[ShardEntry]:
    """Jobs on ``workers`` spawned processes (each loads its own landmarkers)."""
    context = multiprocessing.get_context("spawn")  # MediaPipe's threads do not survive fork
    frames_done = context.Queue()
    setup = (str(shards_dir), frames_done, os.getpid())
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=setup
    ) as pool:
        running = {pool.submit(_pool_job, str(shards_dir), job, settings) for job in jobs}
        while running:
            finished, running = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
            _drain(frames_done, progress)
            for future in finished:
                yield future.result()
        _drain(frames_done, progress)


def _drain(frames_done: queue.Queue, progress: Progress) -> None:
    while True:
        try:
            progress(frames_done.get_nowait())
        except queue.Empty:
            return


def run_ray(
    shards_dir: str | Path,
    jobs: list[ShardJob],
    settings: ExtractSettings,
    address: str | None,
    progress: Progress,
) -> Iterator[ShardEntry]:
    """Each job as a Ray task writing its shard to ``shards_dir`` (shared storage on a cluster).

    Joins the cluster at ``address``, or starts a local Ray when none is running.
    """
    try:
        import ray
    except ImportError as error:
        raise RuntimeError(
            "--engine ray needs Ray: pip install 'asl-stem[ray]' (or run with --engine local)"
        ) from error

    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    task = ray.remote(num_cpus=1)(_ray_job)
    running = [task.remote(str(shards_dir), job, settings) for job in jobs]
    while running:
        finished, running = ray.wait(running, num_returns=1)
        for ref in finished:
            entry = ray.get(ref)
            progress(entry.frames)
            yield entry


def _ray_job(shards_dir: str, job: ShardJob, settings: ExtractSettings) -> ShardEntry:
    """A Ray task: one shard, written while holding the folder's workers' lock."""
    lock = hold_workers_lock(shards_dir)
    try:
        return run_shard_job(shards_dir, job, settings)
    finally:
        os.close(lock)
