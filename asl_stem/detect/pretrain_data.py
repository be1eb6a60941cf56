"""The pretraining LightningDataModule: every recording's windows with its English sentence.

Labelled or not, every recording of the chosen articles is used, and its span labels never
are. The recordings come from the shard catalog's table as for the detector (split by rank and
loader worker, each reader stopping at an equal share); validation holds out ``val_fraction``
of them by a stable hash and reads one centred window of each.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset

from asl_stem.detect.augment import AugmentConfig
from asl_stem.detect.data import (
    TrainWindows,
    augmented_features,
    collate,
    random_crop,
    split_validation,
)
from asl_stem.detect.features import compute_features
from asl_stem.detect.text_encoder import DEFAULT_BUCKETS, collate_tokens, sentence_key
from asl_stem.detect.text_encoder import sentence_tokens as tokens_of
from asl_stem.layout import NUM_BODY_POINTS
from asl_stem.shards.datamodule import ShardData
from asl_stem.shards.reader import iter_samples


def with_sentence(item: dict[str, Any], meta: dict[str, Any], buckets: int) -> dict[str, Any]:
    """A window with its recording's sentence as hashed tokens and a sentence key."""
    sentence = meta.get("sentence") or ""
    return dict(item, text=tokens_of(sentence, buckets), sentence=sentence_key(sentence))


class SentenceWindows(TrainWindows):
    """Random augmented windows of every recording of ``keys``, each with its sentence."""

    def __init__(self, *args: Any, buckets: int = DEFAULT_BUCKETS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.buckets = buckets

    def windows(self, sample: dict[str, Any], rng: np.random.Generator) -> list[dict[str, Any]]:
        frames = np.zeros(len(sample["keypoints"]), dtype=np.float32)  # spans are never read
        features, labels = augmented_features(sample, frames, rng, self.augmentation)
        return [
            with_sentence(random_crop(features, labels, self.window_frames, rng), sample["meta"],
                          self.buckets)
            for _ in range(self.crops)
        ]  # fmt: skip


class CentredWindows(IterableDataset):
    """One window from the middle of each recording of ``keys``, once, for validation."""

    def __init__(
        self, source: str, keys: Collection[str], window_frames: int, buckets: int
    ) -> None:
        self.source, self.keys = source, frozenset(keys)
        self.window_frames, self.buckets = window_frames, buckets

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for sample in iter_samples(self.source, num_points=NUM_BODY_POINTS, keys=self.keys):
            features = compute_features(sample["keypoints"], sample["is_valid"])
            start = max(0, (len(features) - self.window_frames) // 2)
            window = features[start : start + self.window_frames]
            item = {"features": window, "labels": np.zeros(len(window), dtype=np.float32)}
            yield with_sentence(item, sample["meta"], self.buckets)


def collate_sentences(items: list[dict[str, Any]]) -> dict[str, Any]:
    """:func:`~asl_stem.detect.data.collate` plus the sentences' tokens and keys."""
    batch = collate(items)
    batch["text_ids"], batch["text_offsets"] = collate_tokens([item["text"] for item in items])
    batch["has_text"] = torch.tensor([len(item["text"]) > 0 for item in items])
    batch["sentence_keys"] = torch.tensor([item["sentence"] for item in items])
    return batch


class PretrainData(ShardData):
    """Shards in, batches of windows with sentences out (no span labels).

    Parameters
    ----------
    shards : shards folder, index.json URL or brace pattern (every sample is used)
    articles, exclude_articles : keep only / leave out these articles (leave out held-out
        evaluation articles, so that pretraining never sees them)
    val_fraction : share of the recordings held out to report validation losses
    window_frames, crops_per_recording, samples_per_epoch, batch_size, num_workers, augment,
    seed : as for the detector's data module
    text_buckets : hash buckets of the sentence tokens (the model's ``text_buckets``)
    """

    collate = staticmethod(collate_sentences)

    def __init__(
        self,
        shards: str,
        articles: list[str] | None = None,
        exclude_articles: list[str] | None = None,
        val_fraction: float = 0.05,
        window_frames: int = 256,
        crops_per_recording: int = 1,
        samples_per_epoch: int | None = None,
        batch_size: int = 32,
        num_workers: int = 0,
        augment: bool = True,
        text_buckets: int = DEFAULT_BUCKETS,
        seed: int = 0,
    ) -> None:
        super().__init__()
        if min(window_frames, crops_per_recording, batch_size) < 1:
            raise ValueError("window_frames, crops_per_recording and batch_size must be >= 1")
        self.save_hyperparameters()

    def setup(self, stage: str | None = None) -> None:
        h = self.hparams
        rows, include = self.training_rows()
        keys = [
            row.id
            for row in rows
            if row.article not in (h.exclude_articles or ())
            and (include is None or row.article in include)
        ]
        if not keys:
            raise ValueError(f"no recording of {h.shards} is in the chosen articles")
        self.train_keys, self.val_keys = split_validation(keys, h.val_fraction, h.seed)
        self.train_set = SentenceWindows(
            h.shards,
            self.train_keys,
            h.samples_per_epoch or len(self.train_keys),
            h.window_frames,
            h.crops_per_recording,
            AugmentConfig() if h.augment else None,
            h.seed,
            buckets=h.text_buckets,
        )

    def val_dataloader(self) -> DataLoader | Sequence:
        if not self.val_keys:
            return []
        h = self.hparams
        return self._loader(
            CentredWindows(h.shards, self.val_keys, h.window_frames, h.text_buckets), 0
        )
