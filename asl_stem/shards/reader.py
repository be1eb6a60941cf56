"""Reading shards: WebDataset pipelines for training, plain iteration, and one-sample lookup.

Every reader yields the dicts of docs/ARCHITECTURE.md "Shards": ``key``, ``keypoints`` float32
``(T, P, 3)`` with missing points set to 0, ``is_valid`` bool ``(T, P)`` and ``meta``.
"""

from __future__ import annotations

import json
import math
import random
import tarfile
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

import webdataset as wds

from asl_stem.shards.catalog import (
    CATALOG_NAME,
    KeypointHeader,
    SampleRow,
    ShardCatalog,
    ShardCatalogError,
    read_catalog,
)
from asl_stem.shards.sample import KEYPOINTS_MEMBER, META_MEMBER, decode_sample, stored_frames

Source = str | Path | Sequence[str]


def source_catalog(source: Source) -> ShardCatalog | None:
    """The catalog of a shards folder or of an ``index.json`` URL; None for tar patterns."""
    if isinstance(source, Path) or (isinstance(source, str) and Path(source).is_dir()):
        return read_catalog(Path(source))
    if isinstance(source, str) and source.endswith(CATALOG_NAME):
        with wds.gopen(source, "rb") as stream:
            return ShardCatalog.from_dict(json.load(stream), source)
    return None


def shard_urls(source: Source, keys: Collection[str] | None = None) -> list[str]:
    """Shard paths or URLs: from a shards folder's catalog, an ``index.json`` URL, a brace
    pattern (``.../shard-{000000..000009}.tar``) or an explicit list. With ``keys`` and a
    catalog, only the shards holding those samples."""
    catalog = source_catalog(source)
    if catalog is not None:
        names = [e.name for e in catalog.shards] if keys is None else catalog.shards_holding(keys)
        if str(source).endswith(CATALOG_NAME):  # an index.json URL: the shards lie beside it
            base = str(source)[: -len(CATALOG_NAME)]
            return [base + name for name in names]
        return [str(Path(source) / name) for name in names]
    if isinstance(source, str):
        return list(wds.shardlists.expand_urls(source))
    return list(source)


def _decoder(
    num_points: int | None, header: KeypointHeader | None
) -> Callable[[Iterator[dict[str, Any]]], Iterator[dict]]:
    """Decode samples, checking each array against the catalog's header when there is one."""
    stored = header.points if header is not None else None

    def decode(samples: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for sample in samples:
            members = {k: v for k, v in sample.items() if not k.startswith("__")}
            yield decode_sample(sample["__key__"], members, num_points, stored)

    return decode


def _keep(keys: Collection[str] | None) -> list[Any]:
    """A stage that drops unwanted samples before they are decoded (none when all are)."""
    if keys is None:
        return []
    wanted = set(keys)
    return [wds.select(lambda sample: sample["__key__"] in wanted)]


def _take_per_worker(total: int, num_shards: int) -> Callable[[Iterator[dict]], Iterator[dict]]:
    """Stop after this worker's share of ``total`` samples (ranks × workers share an epoch)."""

    def take(samples: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        _, world_size, _, num_workers = wds.utils.pytorch_worker_info()
        readers = world_size * num_workers
        if num_shards < readers:
            raise ValueError(
                f"{num_shards} shards cannot feed {world_size} ranks × {num_workers} workers: "
                "use fewer loader workers or extract with a smaller --shard-size"
            )
        share = math.ceil(total / readers)
        for count, sample in enumerate(samples):
            if count >= share:
                return
            yield sample

    return take


class TrainStream(wds.DataPipeline):
    """Endless shuffled shards cut into epochs of a fixed sample count; ``set_epoch`` reseeds.

    The shard order depends only on ``seed`` and the epoch, so every rank and worker sees the
    same order before splitting, and no two of them read the same shard at once.
    """

    def __init__(self, urls: list[str], stages: list[Any], seed: int) -> None:
        self.urls = urls
        self.seed = seed
        self.epoch = 0
        super().__init__(self._shards, *stages)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def _shards(self) -> Iterator[dict[str, str]]:
        rng = random.Random(f"{self.seed}:{self.epoch}")
        while True:
            order = list(self.urls)
            rng.shuffle(order)
            for url in order:
                yield {"url": url}


def make_train_pipeline(
    source: Source,
    *,
    samples_per_epoch: int,
    shuffle_buffer: int = 256,
    seed: int = 0,
    num_points: int | None = None,
    keys: Collection[str] | None = None,
) -> TrainStream:
    """shards → split_by_node → split_by_worker → tar samples → shuffle → decode → epoch cut."""
    catalog = source_catalog(source)
    urls = shard_urls(source, keys)
    if not urls:
        raise ShardCatalogError(f"no shards found in {source}; run `asl-stem extract` first")
    if samples_per_epoch < 1:
        raise ValueError(f"samples_per_epoch must be positive, got {samples_per_epoch}")
    stages = [
        wds.split_by_node,
        wds.split_by_worker,
        wds.tarfile_to_samples(),
        *_keep(keys),
        wds.shuffle(shuffle_buffer, initial=min(shuffle_buffer, 64), seed=seed),
        _decoder(num_points, catalog.header if catalog is not None else None),
        _take_per_worker(samples_per_epoch, len(urls)),
    ]
    return TrainStream(urls, stages, seed)


def iter_samples(
    source: Source, num_points: int | None = None, keys: Collection[str] | None = None
) -> Iterator[dict[str, Any]]:
    """Every sample once (only those of ``keys`` when given), in shard and key order.

    With a catalog, shards holding none of ``keys`` are never opened, and unwanted samples of
    the others are skipped before their keypoints are decoded.
    """
    catalog = source_catalog(source)
    header = catalog.header if catalog is not None else None
    pipeline = wds.DataPipeline(
        wds.SimpleShardList(shard_urls(source, keys)),
        wds.tarfile_to_samples(),
        *_keep(keys),
        _decoder(num_points, header),
    )
    yield from pipeline


def read_sample(
    shards_dir: str | Path, recording_id: str, num_points: int | None = None
) -> dict[str, Any]:
    """One recording's sample, found through index.json (for the app); KeyError if absent."""
    for entry in read_catalog(shards_dir).shards:
        if recording_id in entry.recordings:
            with tarfile.open(Path(shards_dir) / entry.name, "r:") as tar:
                members = {}
                for suffix in (KEYPOINTS_MEMBER, META_MEMBER):
                    handle = tar.extractfile(f"{recording_id}.{suffix}")
                    members[suffix] = handle.read() if handle else b""
            return decode_sample(recording_id, members, num_points)
    raise KeyError(f"recording {recording_id} is in no shard of {shards_dir}")


def sample_rows(source: Source) -> tuple[list[SampleRow], KeypointHeader | None]:
    """The sample table: the catalog's, or (for tar patterns without one) read from the JSON
    members alone, never decoding a keypoint array."""
    catalog = source_catalog(source)
    if catalog is not None:
        return [row for _, row in catalog.rows()], catalog.header
    rows = []
    for sample in wds.DataPipeline(
        wds.SimpleShardList(shard_urls(source)), wds.tarfile_to_samples()
    ):
        meta = json.loads(sample[META_MEMBER])
        rows.append(SampleRow.of(sample["__key__"], stored_frames(sample[KEYPOINTS_MEMBER]), meta))
    return rows, None
