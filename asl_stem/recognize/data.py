"""The LightningDataModule: shards -> the annotated spans with text -> features, CTC targets.

Every span whose record gives a text (``spans`` of a sample's JSON, see docs/ARCHITECTURE.md)
is one example: its frames with a few of context, read from the spelling hand
(:mod:`~asl_stem.recognize.features`), augmented in training, with the text's characters as
the target. Training streams the shards as the detector does (split by rank and loader worker,
shuffled, reseeded per epoch); a validation split can be taken inside the training shards by
a hash of the recording id (``val_fraction``), so that settings are chosen without the
held-out articles. The recordings are chosen from the shard catalog's sample table (annotated,
with spans, of the articles wanted) as the detector's are, and the validation split is the
detector's too (:func:`asl_stem.detect.data.split_validation`). Spans whose text has no
spellable character, and spans too short for their letters under CTC, are skipped and counted.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import torch
import webdataset as wds
from torch.utils.data import DataLoader, IterableDataset

from asl_stem.detect.data import ENDLESS, choose_samples, split_validation
from asl_stem.layout import NUM_BODY_POINTS
from asl_stem.recognize.alphabet import encode
from asl_stem.recognize.augment import SpanAugment, augment_span
from asl_stem.recognize.features import span_features, span_keypoints
from asl_stem.shards.datamodule import ShardData
from asl_stem.shards.reader import iter_samples, make_train_pipeline, sample_rows

log = logging.getLogger(__name__)
# Batches' worth of examples pooled before they are sorted by length and handed out.
POOL_BATCHES = 8


def ctc_length(target: Sequence[int]) -> int:
    """Frames CTC needs for a target: one per character, plus a blank between repeats."""
    return len(target) + sum(1 for a, b in pairwise(target) if a == b)


def span_examples(
    sample: dict[str, Any],
    skipped: Counter,
    rng: np.random.Generator | None = None,
    augmentation: SpanAugment | None = None,
) -> Iterator[dict[str, Any]]:
    """The examples of one decoded sample: features, target, text, recording and frames."""
    for span in sample["meta"].get("spans") or ():
        text = span.get("text")
        target = encode(text) if text else []
        if not target:
            skipped["no spellable text"] += 1
            continue
        keypoints, is_valid = span_keypoints(
            sample["keypoints"],
            sample["is_valid"],
            int(span["start_frame"]),
            int(span["end_frame"]),
        )
        if augmentation is not None and rng is not None:
            keypoints, is_valid = augment_span(keypoints, is_valid, rng, augmentation)
        if len(keypoints) < ctc_length(target):
            skipped["too short for its letters"] += 1
            continue
        yield {
            "features": span_features(keypoints, is_valid),
            "target": np.asarray(target, dtype=np.int64),
            "text": text,
            "recording_id": sample["key"],
            "frames": (int(span["start_frame"]), int(span["end_frame"])),
        }


def by_length(
    items: list[dict[str, Any]], batch_size: int, rng: np.random.Generator
) -> Iterator[dict[str, Any]]:
    """The items in runs of ``batch_size`` of similar length (less padding per batch), the runs
    in random order."""
    items = sorted(items, key=lambda item: len(item["features"]))
    runs = [items[i : i + batch_size] for i in range(0, len(items), batch_size)]
    for number in rng.permutation(len(runs)):
        yield from runs[int(number)]


class TrainSpans(IterableDataset):
    """Augmented span examples of the recordings of ``keys``; each reader (rank x loader
    worker) stops after its share of ``recordings_per_epoch``, so every rank runs as many
    batches. Examples are pooled and handed out in runs of a batch of similar length."""

    def __init__(
        self,
        source: str | Sequence[str],
        keys: Collection[str],
        recordings_per_epoch: int,
        augmentation: SpanAugment | None,
        seed: int,
        batch_size: int = 32,
    ) -> None:
        self.batch_size = batch_size
        self.stream = make_train_pipeline(
            source,
            samples_per_epoch=ENDLESS,
            seed=seed,
            num_points=NUM_BODY_POINTS,
            keys=frozenset(keys),
        )
        self.recordings_per_epoch = recordings_per_epoch
        self.augmentation = augmentation
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        self.stream.set_epoch(epoch)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        rank, world_size, worker, workers = wds.utils.pytorch_worker_info()
        share = math.ceil(self.recordings_per_epoch / (world_size * workers))
        rng = np.random.default_rng([self.seed, self.epoch, rank, worker])
        skipped: Counter = Counter()
        buffer: list[dict[str, Any]] = []
        for kept, sample in enumerate(self.stream, start=1):
            buffer += span_examples(sample, skipped, rng, self.augmentation)
            if len(buffer) >= POOL_BATCHES * self.batch_size:
                yield from by_length(buffer, self.batch_size, rng)
                buffer = []
            if kept >= share:
                break
        yield from by_length(buffer, self.batch_size, rng)
        if skipped:
            log.info("training skipped spans: %s", dict(skipped))


class ValidationSpans(IterableDataset):
    """Every span example of the recordings of ``keys``, once, unaugmented."""

    def __init__(self, source: str | Sequence[str], keys: Collection[str]) -> None:
        self.source = source
        self.keys = frozenset(keys)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        skipped: Counter = Counter()
        for sample in iter_samples(self.source, num_points=NUM_BODY_POINTS, keys=self.keys):
            yield from span_examples(sample, skipped)
        if skipped:
            log.info("validation skipped spans: %s", dict(skipped))


def collate(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Pad to the longest: features (B, T, F), valid (B, T), targets (B, L), their lengths."""
    length = max(len(item["features"]) for item in items)
    letters = max(len(item["target"]) for item in items)
    features = torch.zeros(len(items), length, items[0]["features"].shape[1])
    valid = torch.zeros(len(items), length, dtype=torch.bool)
    targets = torch.zeros(len(items), letters, dtype=torch.long)
    for row, item in enumerate(items):
        n = len(item["features"])
        features[row, :n] = torch.from_numpy(item["features"])
        valid[row, :n] = True
        targets[row, : len(item["target"])] = torch.from_numpy(item["target"])
    return {
        "features": features,
        "valid": valid,
        "targets": targets,
        "target_lengths": torch.tensor([len(item["target"]) for item in items]),
        "texts": [item["text"] for item in items],
    }


class LetterData(ShardData):
    """Shards in, padded batches of span examples out.

    Parameters
    ----------
    shards : training shards (``asl-stem extract`` or ``asl-stem recipes`` output)
    val_shards : validation shards (None: the ``val_fraction`` split of ``shards``, if any)
    articles, exclude_articles : keep only / leave out these articles in training
    val_articles : keep only these articles in validation
    val_fraction : share of the training recordings (by a hash of their id) held out for
        validation when ``val_shards`` is None
    samples_per_epoch : kept recordings per epoch over all ranks (None: each kept one once)
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
        samples_per_epoch: int | None = None,
        batch_size: int = 32,
        num_workers: int = 0,
        augment: bool = True,
        seed: int = 0,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()

    def setup(self, stage: str | None = None) -> None:
        """Choose the recordings from the catalog, check the shards feed every reader."""
        h = self.hparams
        rows, include = self.training_rows()
        chosen = choose_samples(rows, include, h.exclude_articles or (), with_spans=True)
        if not chosen:
            raise ValueError(
                f"no recording of {h.shards} has spans with text for training "
                "(check --data.articles and the shards' span texts)"
            )
        if h.val_shards is None:
            self.train_keys, self.val_keys = split_validation(chosen, h.val_fraction, h.seed)
        else:
            self.train_keys = chosen
            val_rows, _ = sample_rows(h.val_shards)
            keep = set(h.val_articles) if h.val_articles else None
            self.val_keys = choose_samples(val_rows, keep, with_spans=True)
        self.train_set = TrainSpans(
            h.shards,
            self.train_keys,
            h.samples_per_epoch or len(self.train_keys),
            SpanAugment() if h.augment else None,
            h.seed,
            h.batch_size,
        )

    def val_dataloader(self) -> DataLoader | list:
        if not self.val_keys:
            return []
        source = self.hparams.val_shards or self.hparams.shards
        return self._loader(ValidationSpans(source, self.val_keys), 0)
