"""Engines that run shard jobs: in this process, on a local process pool, or as Ray tasks.

Each yields the index entries of finished shards as they complete (in any order) and reports
frames done through ``progress``. Every job writes its own shard, so an engine only moves
jobs and entries around; the result does not depend on the engine.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

from asl_stem.extract.work import ExtractSettings, ShardJob, run_shard_job
from asl_stem.shards.catalog import ShardEntry

Progress = Callable[[int], object]


def run_local(
    shards_dir: str | Path, jobs: list[ShardJob], settings: ExtractSettings, progress: Progress
) -> Iterator[ShardEntry]:
    """One job after another in this process."""
    for job in jobs:
        yield run_shard_job(shards_dir, job, settings, progress)


def _pool_job(
    shards_dir: str, job: ShardJob, settings: ExtractSettings, frames_done: queue.Queue
) -> ShardEntry:
    return run_shard_job(shards_dir, job, settings, frames_done.put)


def run_pool(
    shards_dir: str | Path,
    jobs: list[ShardJob],
    settings: ExtractSettings,
    workers: int,
    progress: Progress,
) -> Iterator[ShardEntry]:
    """Jobs on ``workers`` spawned processes (each loads its own landmarkers)."""
    context = multiprocessing.get_context("spawn")  # MediaPipe's threads do not survive fork
    with context.Manager() as manager, ProcessPoolExecutor(workers, mp_context=context) as pool:
        frames_done = manager.Queue()
        running = {
            pool.submit(_pool_job, str(shards_dir), job, settings, frames_done) for job in jobs
        }
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
    task = ray.remote(num_cpus=1)(run_shard_job)
    running = [task.remote(str(shards_dir), job, settings) for job in jobs]
    while running:
        finished, running = ray.wait(running, num_returns=1)
        for ref in finished:
            entry = ray.get(ref)
            progress(entry.frames)
            yield entry
