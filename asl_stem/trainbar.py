"""A training progress bar with a total and an ETA, although the data streams from shards.

The detector's training windows come from an endless shard stream cut per epoch, so the
loader has no length and Lightning's default bar shows ``7/--`` without an ETA. A data module
that knows its epoch (``train_batches_per_epoch()``, ``val_batches()``) tells the bar instead.
"""

from __future__ import annotations

import lightning as L
from lightning.pytorch.callbacks import RichProgressBar

INFINITE = float("inf")


class TotalsBar(RichProgressBar):
    """Lightning's Rich bar, with totals from the data module where the loaders have none."""

    @property
    def total_train_batches(self) -> int | float:
        total = super().total_train_batches
        known = getattr(self.trainer.datamodule, "train_batches_per_epoch", None)
        return known() if total == INFINITE and callable(known) else total

    @property
    def total_val_batches_current_dataloader(self) -> int | float:
        total = super().total_val_batches_current_dataloader
        known = getattr(self.trainer.datamodule, "val_batches", None)
        if total == INFINITE and callable(known) and not self.trainer.sanity_checking:
            return known()
        return total


def use_totals_bar(trainer: L.Trainer) -> None:
    """Put a :class:`TotalsBar` in place of Lightning's default bar (a chosen one stays)."""
    for index, callback in enumerate(trainer.callbacks):
        if type(callback) is RichProgressBar:
            trainer.callbacks[index] = TotalsBar()
