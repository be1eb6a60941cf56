"""What the toolkit's data modules over keypoint shards share (detector, encoder
pretraining, recognizer): the shard check at setup, the epoch hand-off to the training
stream and the loaders. Imported by training only; it brings in Lightning and torch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import lightning as L
from torch.utils.data import DataLoader, IterableDataset

from asl_stem.shards.catalog import SampleRow
from asl_stem.shards.reader import sample_rows, shard_urls


class ShardData(L.LightningDataModule):
    """Base of a data module whose hyperparameters include ``shards``, ``articles``,
    ``num_workers`` and ``batch_size``. A subclass sets ``collate``, builds ``train_set`` in
    ``setup`` from :meth:`training_rows` and makes its own ``val_dataloader``."""

    collate: ClassVar[Callable[[list[dict[str, Any]]], dict[str, Any]]]

    def __init__(self) -> None:
        super().__init__()
        self.train_keys: list[str] = []
        self.val_keys: list[str] = []
        self.train_set: Any = None

    @property
    def world_size(self) -> int:
        return self.trainer.world_size if self.trainer is not None else 1

    def training_rows(self) -> tuple[list[SampleRow], set[str] | None]:
        """The training shards' catalog rows and the articles to keep (None: all), after
        checking that every reader (ranks × workers) gets a shard."""
        h = self.hparams
        check_shard_count(h.shards, self.world_size, h.num_workers)
        rows, _ = sample_rows(h.shards)
        return rows, set(h.articles) if h.articles else None

    def set_epoch(self, epoch: int) -> None:
        if self.train_set is not None:
            self.train_set.set_epoch(epoch)

    def train_dataloader(self) -> DataLoader:
        return self._loader(self.train_set, self.hparams.num_workers)

    def _loader(self, dataset: IterableDataset | None, workers: int) -> DataLoader:
        return DataLoader(
            dataset,
            batch_size=self.hparams.batch_size,
            num_workers=workers,
            collate_fn=self.collate,
            persistent_workers=False,
        )


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
