"""Writing shards: a deterministic plan and one atomic, reproducible tar per shard.

Recordings are sorted by id and cut into shards of ``shard_size`` planned recordings, so the
same manifest and size always give the same shards, whichever engine or worker writes them.
A shard's tar is written by the standard library's ``tarfile`` as webdataset's ``TarWriter``
writes one (a stream, members ``<key>.<suffix>`` sorted by suffix, a fixed owner, mode and
mtime; ``tests/test_shards.py`` pins the bytes), under a temporary name renamed when complete:
the same input gives the same bytes, so a resumed run ends equal to one that never stopped
(see :mod:`asl_stem.shards.record`). Not through ``TarWriter`` itself: importing webdataset
imports torch, which an extraction worker never uses and which costs each worker process
about a second and a half and most of its memory at start.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from asl_stem.atomic import atomic_path
from asl_stem.shards.catalog import SampleRow, ShardEntry
from asl_stem.shards.errors import write_errors
from asl_stem.shards.sample import check_key, encode_sample


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
    with write_errors(final), atomic_path(final) as tmp, open(tmp, "wb") as handle:
        counted = _DigestWriter(handle)
        with tarfile.open(fileobj=counted, mode="w|") as tar:
            for key, sample_members in members():
                for suffix in sorted(sample_members):
                    _add_member(tar, f"{key}.{suffix}", sample_members[suffix])
    return ShardEntry(
        name=plan.name,
        frames=frames,
        bytes=counted.count,
        sha256=counted.digest.hexdigest(),
        rows=tuple(rows),
        failures=tuple(failures),
    )


def _add_member(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    """One member with the fixed metadata that makes a shard's bytes reproducible."""
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode, info.uname, info.gname = len(data), 0, 0o644, "", ""
    tar.addfile(info, io.BytesIO(data))


class _DigestWriter:
    """Passes writes on, counting their bytes and hashing them (no second read of the tar)."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle, self.count, self.digest = handle, 0, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.count += len(data)
        self.digest.update(data)
        return self.handle.write(data)
