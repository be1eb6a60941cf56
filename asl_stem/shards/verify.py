"""Checking shards against their index (`shards verify`) and summarising them (`shards info`)."""

from __future__ import annotations

import tarfile
from pathlib import Path
from typing import Any

from asl_stem.assets import sha256_file
from asl_stem.problems import Problem
from asl_stem.shards.catalog import ShardEntry, catalog_path, read_catalog
from asl_stem.shards.sample import SampleError, decode_sample
from asl_stem.shards.tario import iter_tar_samples


def verify_shard(shards_dir: Path, entry: ShardEntry) -> list[Problem]:
    """Problems with one shard: missing, other size or sha256, unreadable tar, other samples."""
    path = shards_dir / entry.name
    fix = "rerun the same `asl-stem extract` command to write it again"
    if not path.exists():
        return [Problem(str(path), None, f"shard is missing; {fix}", "missing")]
    problems = []
    size = path.stat().st_size
    if size != entry.bytes:
        reason = f"has {size} bytes, index says {entry.bytes} (truncated?); {fix}"
        problems.append(Problem(str(path), None, reason, "size"))
    elif sha256_file(path) != entry.sha256:
        problems.append(Problem(str(path), None, f"sha256 differs from the index; {fix}", "sha256"))
    keys, frames = [], 0
    try:
        for key, members in iter_tar_samples(path):
            keys.append(key)
            frames += decode_sample(key, members)["keypoints"].shape[0]
    except (tarfile.TarError, SampleError, ValueError, EOFError) as error:
        reason = f"cannot be read after sample {len(keys)} ({error}); {fix}"
        return [*problems, Problem(str(path), None, reason, "unreadable")]
    if keys != entry.recordings or frames != entry.frames:
        reason = (
            f"holds {len(keys)} samples / {frames} frames, index says "
            f"{entry.samples} / {entry.frames}; {fix}"
        )
        problems.append(Problem(str(path), None, reason, "contents"))
    return problems


def verify_shards(shards_dir: str | Path) -> tuple[int, list[Problem]]:
    """Check every indexed shard; return how many were checked and every problem found."""
    folder = Path(shards_dir)
    index = read_catalog(folder)
    problems = [problem for entry in index.shards for problem in verify_shard(folder, entry)]
    indexed = {entry.name for entry in index.shards}
    for stray in sorted(folder.glob("shard-*.tar")):
        if stray.name not in indexed:
            reason = "shard is not in index.json (left by an interrupted run?); rerun extract"
            problems.append(Problem(str(stray), None, reason, "unindexed", "warning"))
    if not index.complete:
        reason = (
            f"{len(index.shards)} of {index.planned} planned shards are done; "
            "rerun the same extract command to finish"
        )
        problems.append(Problem(str(catalog_path(folder)), None, reason, "incomplete", "warning"))
    return len(index.shards), problems


def shards_info(shards_dir: str | Path) -> dict[str, Any]:
    """A summary: shards, samples, frames, bytes, bytes per frame, failures, settings."""
    index = read_catalog(shards_dir)
    data = index.to_dict()
    total_bytes = sum(entry.bytes for entry in index.shards)
    return {
        "shards": len(index.shards),
        "planned": index.planned,
        "complete": index.complete,
        "samples": data["samples"],
        "frames": data["frames"],
        "bytes": total_bytes,
        "bytes_per_frame": round(total_bytes / data["frames"], 1) if data["frames"] else None,
        "failures": data["failures"],
        "settings": index.settings,
    }
