"""Reading shards: WebDataset pipelines for training, plain iteration, and one-sample lookup.

Every reader yields the dicts of docs/ARCHITECTURE.md "Shards": ``key``, ``keypoints`` float32
``(T, P, 3)`` with missing points set to 0, ``is_valid`` bool ``(T, P)`` and ``meta``. A source
is any form :func:`asl_stem.shards.sources.resolve` takes (folder, ``index.json`` path or URL,
brace pattern, list of tars; local, ``file://``, ``http(s)://`` or a gopen URL). With a catalog,
each shard's sha256 is checked before its samples are used (``verify=True``, the default) or
its size and sample count after it is read (``verify=False``).
"""

from __future__ import annotations

import functools
import json
import math
import random
from collections.abc import Callable, Collection, Iterator
from typing import Any

import webdataset as wds

from asl_stem.shards.catalog import KeypointHeader, SampleRow, ShardCatalog
from asl_stem.shards.errors import SampleError, ShardCatalogError
from asl_stem.shards.sample import KEYPOINTS_MEMBER, META_MEMBER, decode_sample, stored_frames
from asl_stem.shards.sources import ShardSource, Source, reader_stage, resolve


class SampleNotFound(KeyError):
    """No shard of the source holds the recording asked for."""

    def __str__(self) -> str:  # KeyError's own would print the message quoted
        return str(self.args[0])


def source_catalog(source: Source | ShardSource) -> ShardCatalog | None:
    """The catalog of a source (also the one beside a pattern's tars); None without one."""
    return resolve(source).catalog


def shard_urls(source: Source | ShardSource, keys: Collection[str] | None = None) -> list[str]:
    """Shard paths or URLs of a source (only those holding ``keys``, when given and the source
    has a catalog)."""
    return resolve(source).urls_holding(keys)


def _reader(shards: ShardSource, verify: bool) -> Callable[[Iterator[dict]], Iterator[dict]]:
    """The stage reading each shard, checked against the catalog when there is one."""
    return functools.partial(reader_stage, checks=shards.checks, verify=verify)


def _decoder(
    num_points: int | None, header: KeypointHeader | None
) -> Callable[[Iterator[dict[str, Any]]], Iterator[dict]]:
    """Decode samples, checking each array against the catalog's header when there is one."""
    stored = header.points if header is not None else None

    def decode(samples: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for sample in samples:
            members = {k: v for k, v in sample.items() if not k.startswith("__")}
            yield decode_sample(sample["__key__"], members, num_points, stored, sample["__url__"])

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
    source: Source | ShardSource,
    *,
    samples_per_epoch: int,
    shuffle_buffer: int = 256,
    seed: int = 0,
    num_points: int | None = None,
    keys: Collection[str] | None = None,
    verify: bool = True,
) -> TrainStream:
    """shards → split_by_node → split_by_worker → checked tar samples → shuffle → decode →
    epoch cut."""
    shards = resolve(source)
    urls = shards.urls_holding(keys)
    if not urls:
        raise ShardCatalogError(f"no shards found in {source}; run `asl-stem extract` first")
    if samples_per_epoch < 1:
        raise ValueError(f"samples_per_epoch must be positive, got {samples_per_epoch}")
    header = shards.catalog.header if shards.catalog is not None else None
    stages = [
        wds.split_by_node,
        wds.split_by_worker,
        _reader(shards, verify),
        *_keep(keys),
        wds.shuffle(shuffle_buffer, initial=min(shuffle_buffer, 64), seed=seed),
        _decoder(num_points, header),
        _take_per_worker(samples_per_epoch, len(urls)),
    ]
    return TrainStream(urls, stages, seed)


def iter_samples(
    source: Source | ShardSource,
    num_points: int | None = None,
    keys: Collection[str] | None = None,
    verify: bool = True,
) -> Iterator[dict[str, Any]]:
    """Every sample once (only those of ``keys`` when given), in shard and key order.

    With a catalog, shards holding none of ``keys`` are never opened, and unwanted samples of
    the others are skipped before their keypoints are decoded.
    """
    shards = resolve(source)
    urls = shards.urls_holding(keys)
    if not urls:  # no shard holds any of the keys
        return
    header = shards.catalog.header if shards.catalog is not None else None
    pipeline = wds.DataPipeline(
        wds.SimpleShardList(urls),
        _reader(shards, verify),
        *_keep(keys),
        _decoder(num_points, header),
    )
    yield from pipeline


def read_sample(
    source: Source | ShardSource,
    recording_id: str,
    num_points: int | None = None,
    verify: bool = True,
) -> dict[str, Any]:
    """One recording's sample (only its shard is read when the source has a catalog);
    :class:`SampleNotFound` when no shard holds it."""
    for sample in iter_samples(source, num_points, keys={recording_id}, verify=verify):
        return sample
    raise SampleNotFound(
        f"recording {recording_id} is in no shard of {source}; `asl-stem shards info` "
        "summarises what the shards hold"
    )


def sample_rows(source: Source | ShardSource) -> tuple[list[SampleRow], KeypointHeader | None]:
    """The sample table: the catalog's, or (for tars without one) read from the JSON members
    alone, never decoding a keypoint array."""
    shards = resolve(source)
    if shards.catalog is not None:
        return [row for _, row in shards.catalog.rows()], shards.catalog.header
    rows = []
    for sample in wds.DataPipeline(wds.SimpleShardList(list(shards.urls)), _reader(shards, True)):
        key = sample["__key__"]
        try:
            meta = json.loads(sample[META_MEMBER])
            rows.append(SampleRow.of(key, stored_frames(sample[KEYPOINTS_MEMBER]), meta))
        except (KeyError, ValueError, EOFError) as error:
            raise SampleError(
                f"{sample['__url__']}: sample {key} cannot be read ({error!r}): the shard is "
                "damaged; run `asl-stem shards verify` on it and extract it again"
            ) from error
    return rows, None
