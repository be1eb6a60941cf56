"""Writing shards: a deterministic plan, one atomic tar per shard, and resuming a stopped run.

Recordings are sorted by id and cut into shards of ``shard_size`` planned recordings, so the
same manifest and size always give the same shards, whichever engine or worker writes them.
A shard's tar is written under a temporary name and renamed when complete; the index records
it after the rename. A rerun keeps shards whose tar still matches its index entry and writes
the others again; since tars are reproducible, the result equals an uninterrupted run.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from asl_stem.assets import sha256_file
from asl_stem.atomic import atomic_path
from asl_stem.shards.catalog import (
    KeypointHeader,
    SampleRow,
    ShardCatalog,
    ShardCatalogError,
    ShardEntry,
    catalog_path,
    read_catalog,
)
from asl_stem.shards.sample import check_key, encode_sample
from asl_stem.shards.tario import write_tar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShardPlan:
    """The recordings planned for one shard, in the order they are written."""

    number: int
    recording_ids: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"shard-{self.number:06d}.tar"


@dataclass(frozen=True)
class Sample:
    """A recording's keypoints, float16 ``(T, P, 3)`` with NaN where missing, and its record."""

    key: str
    keypoints: np.ndarray
    meta: dict[str, Any]


@dataclass(frozen=True)
class Failure:
    """A planned recording that could not be turned into a sample, and why."""

    key: str
    reason: str


def plan_shards(recording_ids: Iterable[str], shard_size: int) -> list[ShardPlan]:
    """Sorted ids cut into consecutive shards of ``shard_size``; duplicate or bad ids refused."""
    if shard_size < 1:
        raise ValueError(f"shard size must be at least 1, got {shard_size}")
    ids = sorted(recording_ids)
    for key in ids:
        check_key(key)
    duplicates = sorted({a for a, b in itertools.pairwise(ids) if a == b})
    if duplicates:
        raise ValueError(f"recording ids appear more than once: {duplicates[:5]}; fix the manifest")
    return [
        ShardPlan(number, tuple(ids[start : start + shard_size]))
        for number, start in enumerate(range(0, len(ids), shard_size))
    ]


def write_shard(
    shards_dir: str | Path, plan: ShardPlan, results: Iterable[Sample | Failure]
) -> ShardEntry:
    """Write the samples of ``plan`` (one result per planned id, in order) as one atomic tar."""
    rows: list[SampleRow] = []
    failures: list[dict[str, str]] = []
    frames = 0

    def members() -> Iterator[tuple[str, dict[str, bytes]]]:
        nonlocal frames
        expected = iter(plan.recording_ids)
        for result in results:
            planned = next(expected, None)
            if result.key != planned:
                raise ValueError(f"{plan.name}: got {result.key}, planned {planned}")
            if isinstance(result, Failure):
                failures.append({"recording_id": result.key, "reason": result.reason})
                continue
            frames += int(result.keypoints.shape[0])
            rows.append(SampleRow.of(result.key, int(result.keypoints.shape[0]), result.meta))
            yield result.key, encode_sample(result.key, result.keypoints, result.meta)
        missing = list(expected)
        if missing:
            raise ValueError(f"{plan.name}: no result for planned recordings {missing[:5]}")

    final = Path(shards_dir) / plan.name
    with atomic_path(final) as tmp:
        write_tar(tmp, members())
    return ShardEntry(
        name=plan.name,
        frames=frames,
        bytes=final.stat().st_size,
        sha256=sha256_file(final),
        rows=tuple(rows),
        failures=tuple(failures),
    )


def remove_stale_temporaries(shards_dir: str | Path) -> int:
    """Delete half-written shards left by a killed run (one run per folder at a time)."""
    stale = list(Path(shards_dir).glob(".shard-*.tar.*.tmp"))
    for path in stale:
        path.unlink()
    return len(stale)


def resume_index(
    shards_dir: str | Path,
    plans: Sequence[ShardPlan],
    settings: dict[str, Any],
    header: KeypointHeader,
) -> ShardCatalog:
    """The index of shards already finished and intact; a fresh one when there is none.

    Raises when the folder holds shards made with other settings or another plan, since
    mixing them would give a result no single run produces.
    """
    if not catalog_path(shards_dir).exists():
        return ShardCatalog(settings, len(plans), [], header)
    previous = read_catalog(shards_dir)
    if (previous.settings, previous.planned, previous.header) != (settings, len(plans), header):
        raise ShardCatalogError(
            f"{catalog_path(shards_dir)} was made with settings {previous.settings} "
            f"({previous.planned} shards); this run has {settings} ({len(plans)} shards). "
            "Use another --out folder or delete this one."
        )
    by_name = {plan.name: plan for plan in plans}
    kept = []
    for entry in previous.shards:
        plan = by_name.get(entry.name)
        done = set(entry.recordings) | {f["recording_id"] for f in entry.failures}
        if plan is None or done != set(plan.recording_ids):
            raise ShardCatalogError(
                f"{entry.name} in {catalog_path(shards_dir)} holds other recordings than this "
                "run plans (did the manifest change?); use another --out folder"
            )
        path = Path(shards_dir) / entry.name
        if path.exists() and sha256_file(path) == entry.sha256:
            kept.append(entry)
        else:
            log.warning("%s is missing or changed since it was indexed; writing it again", path)
    return ShardCatalog(settings, len(plans), kept, header)
