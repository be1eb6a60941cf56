"""The LightningDataModule: shards -> (augmented) features, frame labels, windows, batches.

The recordings to use are chosen from the shard catalog's sample table (annotated, of the
chosen articles) before any tar is opened; the shard reader's pipeline then streams them
(split by rank and by loader worker, shuffled), skipping every other sample before it is
decoded. Each recording is augmented, turned into features and frame labels, and cut into
random windows. Validation reads whole recordings (cut into chunks of ``max_frames``) with
their annotated spans, so that the model is chosen by the span metric that is reported.
A label budget and weak extra spans (pseudo-labels) are chosen in :mod:`.weak_labels`.
"""

from __future__ import annotations

import hashlib
import logging
import math
import sys
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import torch
import webdataset as wds
from torch.utils.data import DataLoader, IterableDataset

from asl_stem.detect.augment import AugmentConfig, augment
from asl_stem.detect.features import compute_features, frame_labels
from asl_stem.detect.weak_labels import empty_share, label_subset, load_extra_labels
from asl_stem.layout import NUM_BODY_POINTS
from asl_stem.shards.catalog import SampleRow
from asl_stem.shards.datamodule import ShardData
from asl_stem.shards.reader import iter_samples, make_train_pipeline, sample_rows
from asl_stem.shards.sample import sample_spans

log = logging.getLogger(__name__)

ENDLESS = sys.maxsize // 2  # the reader's epoch cut is replaced by ours (see TrainWindows)


def choose_samples(
    rows: Iterable[SampleRow],
    include: Collection[str] | None = None,
    exclude: Collection[str] = (),
    with_spans: bool = False,
) -> list[str]:
    """Ids of the annotated samples of the articles wanted (and with a span, if asked)."""
    return [
        row.id
        for row in rows
        if row.annotated
        and (row.spans > 0 or not with_spans)
        and row.article not in exclude
        and (include is None or row.article in include)
    ]


def split_validation(keys: list[str], fraction: float, seed: int) -> tuple[list[str], list[str]]:
    """``(train, validation)``: about ``fraction`` of ``keys``, chosen by a stable hash.

    The choice depends only on each id and the seed, so it is the same on every rank, in every
    run, and whatever other recordings the shards hold.
    """
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"val_fraction must be in [0, 1), got {fraction}")

    def draw(key: str) -> float:
        digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    held = [key for key in keys if draw(key) < fraction]
    if fraction > 0 and not held and len(keys) > 1:
        held = [min(keys, key=draw)]
    chosen = set(held)
    return [key for key in keys if key not in chosen], held


class TrainWindows(IterableDataset):
    """Random windows of augmented recordings; reseeded per epoch, rank and loader worker.

    The shard stream is endless; each reader (rank × loader worker) stops after its equal
    share of ``recordings_per_epoch`` recordings, so every rank runs the same number of
    batches (uneven ranks would hang DDP). Only the samples of ``keys`` are decoded.
    Recordings of ``extra`` take their spans from it (weak labels), their frames weighted by
    ``extra_weight`` in the loss.
    """

    def __init__(
        self,
        source: str | Sequence[str],
        keys: Collection[str],
        recordings_per_epoch: int,
        window_frames: int,
        crops_per_recording: int,
        augmentation: AugmentConfig | None,
        seed: int,
        extra: Mapping[str, list[dict[str, int]]] | None = None,
        extra_weight: float = 1.0,
    ) -> None:
        self.keys = frozenset(keys)
        self.extra = dict(extra or {})
        self.extra_weight = extra_weight
        self.stream = make_train_pipeline(
            source,
            samples_per_epoch=ENDLESS,
            seed=seed,
            num_points=NUM_BODY_POINTS,
            keys=self.keys,
        )
        self.recordings_per_epoch = recordings_per_epoch
        self.window_frames = window_frames
        self.crops = crops_per_recording
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
        buffer: list[dict[str, Any]] = []
        for kept, sample in enumerate(self.stream, start=1):
            buffer.extend(self.windows(sample, rng))
            while len(buffer) > 4 * self.crops:  # mixes windows of a few recordings
                yield buffer.pop(int(rng.integers(len(buffer))))
            if kept >= share:
                break
        rng.shuffle(buffer)
        yield from buffer

    def windows(self, sample: dict[str, Any], rng: np.random.Generator) -> list[dict[str, Any]]:
        """The random windows of one (augmented) recording, with their loss weight."""
        key = sample["key"]
        spans = self.extra[key] if key in self.extra else sample["meta"]["spans"]
        labels = frame_labels(spans, len(sample["keypoints"]))
        features, labels = augmented_features(sample, labels, rng, self.augmentation)
        weight = self.extra_weight if key in self.extra else 1.0
        crops = [random_crop(features, labels, self.window_frames, rng) for _ in range(self.crops)]
        return [dict(crop, weight=weight) for crop in crops]


class WholeRecordings(IterableDataset):
    """Every recording of ``keys`` once, cut into consecutive chunks of at most ``max_frames``,
    each with its annotated spans (frames relative to the chunk)."""

    def __init__(self, source: str | Sequence[str], keys: Collection[str], max_frames: int):
        self.source = source
        self.keys = frozenset(keys)
        self.max_frames = max_frames

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for sample in iter_samples(self.source, num_points=NUM_BODY_POINTS, keys=self.keys):
            spans = sample_spans(sample) or []
            labels = frame_labels(sample["meta"]["spans"], len(sample["keypoints"]))
            features = compute_features(sample["keypoints"], sample["is_valid"])
            for start in range(0, len(features), self.max_frames):
                end = min(len(features), start + self.max_frames) - 1
                truths = [
                    (max(s.start_frame, start) - start, min(s.end_frame, end) - start)
                    for s in spans
                    if s.start_frame <= end and s.end_frame >= start
                ]
                chunk = slice(start, end + 1)
                yield {"features": features[chunk], "labels": labels[chunk], "truths": truths}


def augmented_features(
    sample: dict[str, Any],
    labels: np.ndarray,
    rng: np.random.Generator,
    augmentation: AugmentConfig | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Features of a sample after augmentation, and its frame labels transformed alike."""
    keypoints, is_valid = sample["keypoints"], sample["is_valid"]
    if augmentation is not None:
        keypoints, is_valid, labels = augment(keypoints, is_valid, labels, rng, augmentation)
    return compute_features(keypoints, is_valid), labels


def random_crop(
    features: np.ndarray, labels: np.ndarray, window: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """A window of ``window`` frames (the whole recording when shorter)."""
    start = int(rng.integers(0, max(1, len(features) - window + 1)))
    return {"features": features[start : start + window], "labels": labels[start : start + window]}


def collate(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Pad to the longest item: features (B, T, F), labels (B, T), valid (B, T) bool, (for
    weighted windows) frame weights (B, T), and (for validation) each item's true spans as
    ``(start, end)`` lists."""
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
    batch: dict[str, Any] = {"features": features, "labels": labels, "valid": valid}
    if "weight" in items[0]:
        weight = torch.tensor([float(item["weight"]) for item in items])
        batch["weights"] = valid * weight[:, None]
    if "truths" in items[0]:
        batch["truths"] = [item["truths"] for item in items]
    return batch


class FingerspellingData(ShardData):
    """Shards in, padded batches of windows out.

    Samples are chosen from the shard catalog's table before any tar is opened: annotated
    recordings of the chosen articles. Validation reads ``val_shards`` (its ``val_articles``),
    or, without them, ``val_fraction`` of the training recordings (chosen by a stable hash, and
    then never trained on), so that epochs and checkpoints can be chosen inside the training
    articles and never on a held-out one.

    Parameters
    ----------
    shards : training shards (a folder made by ``asl-stem extract``, an index.json URL, a
        brace pattern)
    val_shards : validation shards (None: ``val_fraction`` of the training recordings)
    articles, exclude_articles : keep only / leave out these articles (training and the
        validation drawn from it)
    val_articles : keep only these articles of ``val_shards``
    val_fraction : share of the training recordings held out for validation (0: none)
    label_fraction, label_seed : train on this share of the annotated training recordings
        (after validation is set apart), chosen by recording; the others count as unlabeled
    extra_spans : a span file of weak labels for unannotated recordings of ``shards`` (e.g.
        ``asl-stem pseudo-label`` output); their frames weigh ``extra_weight`` in the loss
    extra_empty_share : the most that extra recordings without a span may make of the extra
        ones (None: the share among the labelled training recordings; 1: keep them all)
    window_frames : frames per training window (about 8.5 s at 30 fps for 256)
    crops_per_recording : windows cut from each augmented recording per epoch
    samples_per_epoch : recordings per epoch, over all ranks (None: each training one once)
    """

    collate = staticmethod(collate)

    def __init__(
        self,
        shards: str,
        val_shards: str | None = None,
        articles: list[str] | None = None,
        exclude_articles: list[str] | None = None,
        val_articles: list[str] | None = None,
        val_fraction: float = 0.0,
        window_frames: int = 256,
        crops_per_recording: int = 4,
        samples_per_epoch: int | None = None,
        batch_size: int = 32,
        num_workers: int = 0,
        augment: bool = True,
        max_val_frames: int = 2048,
        seed: int = 0,
        label_fraction: float = 1.0,
        label_seed: int = 0,
        extra_spans: str | None = None,
        extra_weight: float = 1.0,
        extra_empty_share: float | None = None,
    ) -> None:
        super().__init__()
        sizes = {
            "window_frames": window_frames,
            "crops_per_recording": crops_per_recording,
            "batch_size": batch_size,
            "max_val_frames": max_val_frames,
        }
        for name, value in sizes.items():
            if value < 1:
                raise ValueError(f"--data.{name} must be at least 1, got {value}")
        if not 0.0 < label_fraction <= 1.0:
            raise ValueError(f"--data.label_fraction must be in (0, 1], got {label_fraction}")
        if extra_weight <= 0:
            raise ValueError(f"--data.extra_weight must be positive, got {extra_weight}")
        if extra_empty_share is not None and not 0.0 <= extra_empty_share <= 1.0:
            raise ValueError(f"--data.extra_empty_share must be in [0, 1], got {extra_empty_share}")
        self.save_hyperparameters()
        self.val_chunks = 0
        self.extra_keys: list[str] = []

    def setup(self, stage: str | None = None) -> None:
        """Choose the samples from the catalog, check the shards feed every reader, build sets."""
        h = self.hparams
        rows, include = self.training_rows()
        exclude = h.exclude_articles or ()
        chosen = choose_samples(rows, include, exclude)
        if not chosen:
            wanted = f"articles {sorted(include)}" if include else "the shards"
            raise ValueError(
                f"no annotated recording of {h.shards} matches {wanted} "
                f"(without {h.exclude_articles or []}): check the article names"
            )
        val_source = rows
        if h.val_shards is None:
            self.train_keys, self.val_keys = split_validation(chosen, h.val_fraction, h.seed)
        else:
            self.train_keys = chosen
            val_rows, _ = sample_rows(h.val_shards)
            keep = set(h.val_articles) if h.val_articles else None
            self.val_keys = choose_samples(val_rows, keep)
            val_source = val_rows
        frames = {row.id: row.frames for row in val_source}
        self.val_chunks = sum(
            max(1, math.ceil(frames.get(key, 0) / h.max_val_frames)) for key in self.val_keys
        )
        if not self.val_keys:
            log.info("no validation set (--data.val_fraction 0 and no --data.val_shards)")
        self.train_keys = label_subset(self.train_keys, h.label_fraction, h.label_seed)
        extra = {}
        if h.extra_spans is not None:
            held = set(self.val_keys) if h.val_shards is None else set()
            usable = {
                row.id
                for row in rows
                if row.id not in held
                and row.article not in exclude
                and (include is None or row.article in include)
            }
            by_id = {row.id: row for row in rows}
            share = h.extra_empty_share
            if share is None:
                share = empty_share(by_id, self.train_keys)
            labelled = set(self.train_keys)
            extra = load_extra_labels(h.extra_spans, by_id, usable, labelled, share).spans
        self.extra_keys = sorted(extra)
        log.info(
            "training on %d annotated and %d weakly labelled recordings, validating on %d",
            len(self.train_keys), len(self.extra_keys), len(self.val_keys),
        )  # fmt: skip
        keys = self.train_keys + self.extra_keys
        augmentation = AugmentConfig() if h.augment else None
        self.train_set = TrainWindows(
            h.shards,
            keys,
            h.samples_per_epoch or len(keys),
            h.window_frames,
            h.crops_per_recording,
            augmentation,
            h.seed,
            extra,
            h.extra_weight,
        )

    def train_batches_per_epoch(self) -> int:
        """Batches each rank runs in an epoch (the stream has no length; the progress bar's
        total): every loader worker stops after its share of recordings (see TrainWindows)."""
        h = self.hparams
        readers = max(1, h.num_workers)
        recordings = h.samples_per_epoch or len(self.train_keys) + len(self.extra_keys)
        share = math.ceil(recordings / (self.world_size * readers))
        return readers * math.ceil(share * h.crops_per_recording / h.batch_size)

    def val_batches(self) -> int:
        """Validation batches: whole recordings cut into chunks of ``max_val_frames``."""
        return math.ceil(self.val_chunks / self.hparams.batch_size)

    def val_dataloader(self) -> DataLoader | list:
        if not self.val_keys:
            return []
        source = self.hparams.val_shards or self.hparams.shards
        dataset = WholeRecordings(source, self.val_keys, self.hparams.max_val_frames)
        return self._loader(dataset, 0)
