"""``asl-stem extract``: manifests to keypoint shards, resumable, on a process pool or Ray.

The driver plans the shards, skips those already finished and intact, hands the rest to an
engine (in-process, a local process pool, or Ray tasks), records each finished shard in
index.json as it arrives, and at the end writes ``failures.jsonl`` and a summary.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from asl_stem.atomic import write_jsonl
from asl_stem.extract.engines import run_local, run_pool, run_ray
from asl_stem.extract.items import build_items
from asl_stem.extract.work import ExtractSettings, ShardJob
from asl_stem.layout import NUM_BODY_POINTS, NUM_POINTS
from asl_stem.shards.catalog import KeypointHeader, ShardCatalog, ShardEntry, write_catalog
from asl_stem.shards.writer import plan_shards, remove_stale_temporaries, resume_index

log = logging.getLogger(__name__)
FAILURES_NAME = "failures.jsonl"


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
    Path(shards_dir).mkdir(parents=True, exist_ok=True)
    if removed := remove_stale_temporaries(shards_dir):
        log.info("removed %d half-written shards of an interrupted run", removed)
    header = KeypointHeader(NUM_POINTS if settings.face else NUM_BODY_POINTS)
    index = resume_index(shards_dir, [job.plan for job in jobs], settings.to_dict(), header)
    kept = len(index.shards)
    done = {entry.name for entry in index.shards}
    pending = [job for job in jobs if job.plan.name not in done]
    log.info("%d shards planned, %d already done, %d to write", len(jobs), kept, len(pending))
    entries = list(index.shards)
    if pending:
        total = _expected_frames(pending, settings.max_frames)
        with tqdm(total=total or None, unit="frame", desc="extract", dynamic_ncols=True) as bar:
            finished = _run_engine(
                shards_dir, pending, settings, engine, workers, address, bar.update
            )
            for entry in finished:
                entries.append(entry)
                index = ShardCatalog(
                    index.settings, index.planned, sorted(entries, key=lambda e: e.name), header
                )
                write_catalog(shards_dir, index)
    else:
        write_catalog(shards_dir, index)
    failures = [failure for entry in index.shards for failure in entry.failures]
    write_jsonl(Path(shards_dir) / FAILURES_NAME, failures)
    return ExtractSummary(
        shards_written=len(pending),
        shards_kept=kept,
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
