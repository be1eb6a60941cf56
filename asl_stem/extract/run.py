"""``asl-stem extract``: manifests to keypoint shards, resumable, on a process pool or Ray.

The driver locks the shards folder (one run at a time), plans the shards, skips those already
finished and intact, hands the rest to an engine (in-process, a local process pool, or Ray
tasks), appends each finished shard to the folder's record as it arrives, and at the end
writes ``failures.jsonl``, ``index.json`` and a summary.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from asl_stem.extract.engines import run_local, run_pool, run_ray
from asl_stem.extract.items import NO_KEYPOINTS_LOCATION, build_items
from asl_stem.extract.work import ExtractSettings, ShardJob
from asl_stem.layout import NUM_BODY_POINTS, NUM_POINTS
from asl_stem.shards.catalog import FAILURES_NAME, KeypointHeader, ShardEntry
from asl_stem.shards.session import shard_session
from asl_stem.shards.writer import plan_shards

log = logging.getLogger(__name__)
__all__ = ["FAILURES_NAME", "ExtractSummary", "extract", "plan_jobs"]


@dataclass(frozen=True)
class ExtractSummary:
    """What a run did: shards written now and kept from before, samples, frames, failures."""

    shards_written: int
    shards_kept: int
    samples: int
    frames: int
    failures: int

    def __str__(self) -> str:
        return (
            f"{self.shards_written} shards written, {self.shards_kept} kept from an earlier run; "
            f"{self.samples} samples, {self.frames} frames; {self.failures} recordings failed"
        )


def plan_jobs(
    manifest_dir: str | Path, settings: ExtractSettings, keypoints_dir: str | Path | None
) -> list[ShardJob]:
    """The shard jobs of a manifest: sorted ids in chunks of ``shard_size``."""
    items = {item.key: item for item in build_items(manifest_dir, settings.source, keypoints_dir)}
    if (
        settings.source == "keypoints"
        and items
        and not any(i.keypoints_file for i in items.values())
    ):
        raise ValueError(
            f"--source keypoints with the manifests {manifest_dir}: {NO_KEYPOINTS_LOCATION}"
        )
    plans = plan_shards(items, settings.shard_size)
    return [ShardJob(plan, tuple(items[key] for key in plan.recording_ids)) for plan in plans]


def extract(
    manifest_dir: str | Path,
    shards_dir: str | Path,
    settings: ExtractSettings,
    *,
    workers: int = 1,
    engine: str = "local",
    address: str | None = None,
    keypoints_dir: str | Path | None = None,
) -> ExtractSummary:
    """Extract every recording of ``manifest_dir`` into shards in ``shards_dir``; resumable."""
    jobs = plan_jobs(manifest_dir, settings, keypoints_dir)
    header = KeypointHeader(NUM_POINTS if settings.face else NUM_BODY_POINTS)
    by_name = {job.plan.name: job for job in jobs}
    plans = [job.plan for job in jobs]
    with shard_session(shards_dir, plans, settings.to_dict(), header) as session:
        pending = [by_name[plan.name] for plan in session.pending]
        if pending:
            total = _expected_frames(pending, settings.max_frames)
            with tqdm(total=total or None, unit="frame", desc="extract", dynamic_ncols=True) as bar:
                for entry in _run_engine(
                    shards_dir, pending, settings, engine, workers, address, bar.update
                ):
                    session.finished(entry)
    index = session.result()
    failures = [failure for entry in index.shards for failure in entry.failures]
    return ExtractSummary(
        shards_written=len(pending),
        shards_kept=session.kept,
        samples=sum(entry.samples for entry in index.shards),
        frames=sum(entry.frames for entry in index.shards),
        failures=len(failures),
    )


def _expected_frames(jobs: list[ShardJob], max_frames: int | None) -> int:
    """Frames the progress bar expects (manifest counts, capped by --max-frames)."""
    counts = (item.expected_frames for job in jobs for item in job.items)
    return sum(min(count, max_frames) if max_frames else count for count in counts)


def _run_engine(
    shards_dir: str | Path,
    jobs: list[ShardJob],
    settings: ExtractSettings,
    engine: str,
    workers: int,
    address: str | None,
    progress: Callable[[int], object],
) -> Iterator[ShardEntry]:
    if engine == "ray":
        return run_ray(shards_dir, jobs, settings, address, progress)
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r}; use 'local' or 'ray'")
    if workers <= 1:
        return run_local(shards_dir, jobs, settings, progress)
    return run_pool(shards_dir, jobs, settings, workers, progress)
