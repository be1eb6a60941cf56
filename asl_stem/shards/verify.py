"""Checking shards against their catalog (`shards verify`) and summarising them (`shards info`).

Any source with a catalog can be verified (a folder, an ``index.json`` URL, a pattern of tars
beside one): each shard is read once, its size and sha256 compared with the catalog and every
sample read with webdataset's tar iteration and decoded. A local folder is also searched for
tars the catalog does not list.
"""

from __future__ import annotations

import http.client
import tarfile
from typing import Any

from asl_stem.problems import Problem
from asl_stem.shards.catalog import ShardEntry
from asl_stem.shards.errors import SampleError, ShardCatalogError
from asl_stem.shards.sample import decode_sample
from asl_stem.shards.sources import (
    ShardSource,
    Source,
    describe,
    iter_tar,
    local_path,
    open_url,
    resolve,
    spool_hashed,
)

FIX = "rerun the same `asl-stem extract` command to write it again"


def verify_shard(url: str, entry: ShardEntry, points: int) -> list[Problem]:
    """Problems with one shard: missing, a folder, other size or sha256, unreadable tar,
    samples other than the catalog lists."""
    path = local_path(url)
    if path is not None and path.is_dir():
        return [Problem(url, None, f"is a folder, not a shard: remove it, then {FIX}", "folder")]
    if path is not None and not path.exists():
        return [Problem(url, None, f"shard is missing; {FIX}", "missing")]
    try:
        with open_url(url) as stream:
            spool, digest = spool_hashed(stream)
    except (OSError, http.client.HTTPException) as error:
        return [Problem(url, None, f"cannot be read ({describe(error)}); {FIX}", "unreadable")]
    with spool:
        problems = []
        size = spool.seek(0, 2)
        if size != entry.bytes:
            reason = f"has {size} bytes, index says {entry.bytes} (truncated?); {FIX}"
            problems.append(Problem(url, None, reason, "size"))
        elif digest != entry.sha256:
            problems.append(Problem(url, None, f"sha256 differs from the index; {FIX}", "sha256"))
        spool.seek(0)
        keys, frames = [], 0
        try:
            for sample in iter_tar(spool, url):  # type: ignore[arg-type]
                members = {k: v for k, v in sample.items() if not k.startswith("__")}
                decoded = decode_sample(sample["__key__"], members, None, points, url)
                frames += len(decoded["keypoints"])
                keys.append(sample["__key__"])
        except (tarfile.TarError, SampleError, ValueError, EOFError) as error:
            reason = f"cannot be read after sample {len(keys)} ({describe(error)}); {FIX}"
            return [*problems, Problem(url, None, reason, "unreadable")]
    if keys != entry.recordings or frames != entry.frames:
        reason = (
            f"holds {len(keys)} samples / {frames} frames, index says "
            f"{entry.samples} / {entry.frames}; {FIX}"
        )
        problems.append(Problem(url, None, reason, "contents"))
    return problems


def verify_shards(source: Source | ShardSource) -> tuple[int, list[Problem]]:
    """Check every shard of a source against its catalog; return how many were checked and
    every problem found."""
    shards = resolve(source)
    catalog = shards.catalog
    if catalog is None:
        raise ShardCatalogError(
            f"{source} has no index.json beside its tars, so there is nothing to verify "
            "against; pass the shards folder (or its index.json) made by `asl-stem extract`"
        )
    entries = {entry.name: entry for entry in catalog.shards}
    problems = []
    for url, name in zip(shards.urls, shards.names, strict=True):
        problems += verify_shard(url, entries[name], catalog.header.points)
    first = local_path(shards.urls[0]) if shards.urls else None
    if first is not None:  # a local folder: tars it holds that the catalog does not list
        for stray in sorted(first.parent.glob("shard-*.tar")):
            if stray.name not in entries:
                reason = "shard is not in index.json (left by an interrupted run?); rerun extract"
                problems.append(Problem(str(stray), None, reason, "unindexed", "warning"))
    if not catalog.complete:
        reason = (
            f"{len(catalog.shards)} of {catalog.planned} planned shards are done; "
            "rerun the same extract command to finish"
        )
        problems.append(Problem(shards.where, None, reason, "incomplete", "warning"))
    return len(shards.urls), problems


def shards_info(source: Source | ShardSource) -> dict[str, Any]:
    """A summary: shards, samples, frames, bytes, bytes per frame, failures, settings."""
    catalog = resolve(source).catalog
    if catalog is None:
        raise ShardCatalogError(f"{source} has no index.json beside its tars to summarise")
    data = catalog.to_dict()
    total_bytes = sum(entry.bytes for entry in catalog.shards)
    return {
        "shards": len(catalog.shards),
        "planned": catalog.planned,
        "complete": catalog.complete,
        "samples": data["samples"],
        "frames": data["frames"],
        "bytes": total_bytes,
        "bytes_per_frame": round(total_bytes / data["frames"], 1) if data["frames"] else None,
        "failures": data["failures"],
        "settings": catalog.settings,
    }
