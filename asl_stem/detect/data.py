"""The LightningDataModule: shards -> (augmented) features, frame labels, windows, batches.

Training streams shards through the shard reader's pipeline (split by rank and by loader
worker, shuffled), keeps the recordings of the chosen articles, augments each recording,
computes its features and frame labels, and cuts random windows from it. Validation reads
whole recordings (cut into chunks of ``max_frames``). Labels come from the ``spans`` of each
sample's JSON record; samples without that key (unannotated) are skipped and counted.
"""

from __future__ import annotations

import logging
import math
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import lightning as L
import numpy as np
import torch
import webdataset as wds
from torch.utils.data import DataLoader, IterableDataset

from asl_stem.detect.augment import AugmentConfig, augment
from asl_stem.detect.features import compute_features, frame_labels
from asl_stem.layout import NUM_BODY_POINTS
from asl_stem.shards.catalog import read_catalog
from asl_stem.shards.reader import iter_samples, make_train_pipeline, shard_urls

log = logging.getLogger(__name__)

ENDLESS = sys.maxsize // 2  # the reader's epoch cut is replaced by ours (see TrainWindows)


@dataclass(frozen=True)
class ArticleFilter:
    """Which recordings to use, by the ``article`` field of their record (None = all)."""

    include: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()

    def keeps(self, meta: dict[str, Any]) -> bool:
        article = meta.get("article")
        if article in self.exclude:
            return False
        return self.include is None or article in self.include


def labelled(sample: dict[str, Any], skipped: Counter) -> np.ndarray | None:
    """Frame labels of a sample, or None (counted) when its record has no ``spans`` key."""
    spans = sample["meta"].get("spans")
    if spans is None:
        skipped["unannotated"] += 1
        return None
    return frame_labels(spans, len(sample["keypoints"]))


class TrainWindows(IterableDataset):
    """Random windows of augmented recordings; reseeded per epoch, rank and loader worker.

    The shard stream is endless; each reader (rank × loader worker) stops after its equal
    share of ``recordings_per_epoch`` kept recordings, so every rank runs the same number of
    batches (uneven ranks would hang DDP), whatever the article filter drops.
    """

    def __init__(
        self,
        source: str | Sequence[str],
        recordings_per_epoch: int,
        total_samples: int,
        window_frames: int,
        crops_per_recording: int,
        articles: ArticleFilter,
        augmentation: AugmentConfig | None,
        seed: int,
    ) -> None:
        self.stream = make_train_pipeline(
            source, samples_per_epoch=ENDLESS, seed=seed, num_points=NUM_BODY_POINTS
        )
        self.recordings_per_epoch = recordings_per_epoch
        self.total_samples = total_samples
        self.window_frames = window_frames
        self.crops = crops_per_recording
        self.articles = articles
        self.augmentation = augmentation
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        self.stream.set_epoch(epoch)

    def __iter__(self) -> Iterator[dict[str, np.ndarray]]:
        rank, world_size, worker, workers = wds.utils.pytorch_worker_info()
        share = math.ceil(self.recordings_per_epoch / (world_size * workers))
        rng = np.random.default_rng([self.seed, self.epoch, rank, worker])
        skipped: Counter = Counter()
        buffer: list[dict[str, np.ndarray]] = []
        kept = passed = 0
        for sample in self.stream:
            labels = labelled(sample, skipped) if self.articles.keeps(sample["meta"]) else None
            if labels is None:
                passed += 1
                if passed > self.total_samples:  # a whole cycle of shards without one to keep
                    raise ValueError(f"no annotated training recording matches {self.articles}")
                continue
            kept, passed = kept + 1, 0
            keypoints, is_valid = sample["keypoints"], sample["is_valid"]
            if self.augmentation is not None:
                keypoints, is_valid, labels = augment(
                    keypoints, is_valid, labels, rng, self.augmentation
                )
            features = compute_features(keypoints, is_valid)
            for _ in range(self.crops):
                buffer.append(random_crop(features, labels, self.window_frames, rng))
            while len(buffer) > 4 * self.crops:  # mixes windows of a few recordings
                yield buffer.pop(int(rng.integers(len(buffer))))
            if kept >= share:
                break
        rng.shuffle(buffer)
        yield from buffer
        if skipped:
            log.warning("training skipped %s (records without a 'spans' key)", dict(skipped))


class WholeRecordings(IterableDataset):
    """Every annotated recording once, cut into consecutive chunks of at most ``max_frames``."""

    def __init__(self, source: str | Sequence[str], articles: ArticleFilter, max_frames: int):
        self.source = source
        self.articles = articles
        self.max_frames = max_frames

    def __iter__(self) -> Iterator[dict[str, np.ndarray]]:
        skipped: Counter = Counter()
        for sample in iter_samples(self.source, num_points=NUM_BODY_POINTS):
            if not self.articles.keeps(sample["meta"]):
                continue
            labels = labelled(sample, skipped)
            if labels is None:
                continue
            features = compute_features(sample["keypoints"], sample["is_valid"])
            for start in range(0, len(features), self.max_frames):
                chunk = slice(start, start + self.max_frames)
                yield {"features": features[chunk], "labels": labels[chunk]}
        if skipped:
            log.warning("validation skipped %s (records without a 'spans' key)", dict(skipped))


def random_crop(
    features: np.ndarray, labels: np.ndarray, window: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """A window of ``window`` frames (the whole recording when shorter)."""
    start = int(rng.integers(0, max(1, len(features) - window + 1)))
    return {"features": features[start : start + window], "labels": labels[start : start + window]}


def collate(items: list[dict[str, np.ndarray]]) -> dict[str, torch.Tensor]:
    """Pad to the longest item: features (B, T, F), labels (B, T), valid (B, T) bool."""
    length = max(len(item["labels"]) for item in items)
    dim = items[0]["features"].shape[1]
    features = torch.zeros(len(items), length, dim)
    labels = torch.zeros(len(items), length)
    valid = torch.zeros(len(items), length, dtype=torch.bool)
    for row, item in enumerate(items):
        n = len(item["labels"])
        features[row, :n] = torch.from_numpy(item["features"])
        labels[row, :n] = torch.from_numpy(item["labels"])
        valid[row, :n] = True
    return {"features": features, "labels": labels, "valid": valid}


class FingerspellingData(L.LightningDataModule):
    """Shards in, padded batches of windows out.

    Parameters
    ----------
    shards : training shards (a folder made by ``asl-stem extract``, a brace pattern or URL)
    val_shards : validation shards (None: no validation)
    articles, exclude_articles : keep only / leave out these articles in training
    val_articles : keep only these articles in validation
    window_frames : frames per training window (about 8.5 s at 30 fps for 256)
    crops_per_recording : windows cut from each augmented recording per epoch
    samples_per_epoch : kept recordings per epoch, over all ranks (None: each kept one once)
    """

    def __init__(
        self,
        shards: str,
        val_shards: str | None = None,
        articles: list[str] | None = None,
        exclude_articles: list[str] | None = None,
        val_articles: list[str] | None = None,
        window_frames: int = 256,
        crops_per_recording: int = 4,
        samples_per_epoch: int | None = None,
        batch_size: int = 32,
        num_workers: int = 0,
        augment: bool = True,
        max_val_frames: int = 2048,
        seed: int = 0,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.train_filter = ArticleFilter(
            tuple(articles) if articles else None, tuple(exclude_articles or ())
        )
        self.val_filter = ArticleFilter(tuple(val_articles) if val_articles else None)
        self.train_set: TrainWindows | None = None

    def setup(self, stage: str | None = None) -> None:
        """Check the shards feed every rank and worker, then build the datasets."""
        world_size = self.trainer.world_size if self.trainer is not None else 1
        check_shard_count(self.hparams.shards, world_size, self.hparams.num_workers)
        total = sum(entry.samples for entry in read_catalog(self.hparams.shards).shards)
        recordings = self.hparams.samples_per_epoch
        if recordings is None:
            recordings = count_training_recordings(self.hparams.shards, self.train_filter, total)
        augmentation = AugmentConfig() if self.hparams.augment else None
        self.train_set = TrainWindows(
            self.hparams.shards,
            recordings,
            total,
            self.hparams.window_frames,
            self.hparams.crops_per_recording,
            self.train_filter,
            augmentation,
            self.hparams.seed,
        )

    def set_epoch(self, epoch: int) -> None:
        if self.train_set is not None:
            self.train_set.set_epoch(epoch)

    def train_dataloader(self) -> DataLoader:
        return self._loader(self.train_set, self.hparams.num_workers)

    def val_dataloader(self) -> DataLoader | list:
        if self.hparams.val_shards is None:
            return []
        dataset = WholeRecordings(
            self.hparams.val_shards, self.val_filter, self.hparams.max_val_frames
        )
        return self._loader(dataset, 0)

    def _loader(self, dataset: IterableDataset, workers: int) -> DataLoader:
        return DataLoader(
            dataset,
            batch_size=self.hparams.batch_size,
            num_workers=workers,
            collate_fn=collate,
            persistent_workers=False,
        )


def count_training_recordings(shards: str, articles: ArticleFilter, total: int) -> int:
    """Annotated recordings the filter keeps (one pass over the records when it filters)."""
    if articles == ArticleFilter():
        return total
    count = sum(
        1
        for sample in iter_samples(shards, num_points=NUM_BODY_POINTS)
        if articles.keeps(sample["meta"]) and sample["meta"].get("spans") is not None
    )
    if count == 0:
        raise ValueError(f"no annotated recording of {shards} matches {articles}")
    return count


def check_shard_count(source: str, world_size: int, num_workers: int) -> None:
    """Fail at startup, not mid-epoch, when ranks × workers exceed the shards (they would hang)."""
    count = len(shard_urls(source))
    readers = world_size * max(1, num_workers)
    if count < readers:
        raise ValueError(
            f"{source} has {count} shards but training reads with {world_size} ranks × "
            f"{max(1, num_workers)} workers = {readers} readers; each reader needs a shard: "
            "use fewer --data.num_workers or extract with a smaller --shard-size"
        )
