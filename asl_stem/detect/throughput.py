"""A callback that measures training frames per second (valid frames), loader waits included."""

from __future__ import annotations

import time
from typing import Any

import lightning as L
import torch


class FrameThroughput(L.Callback):
    """Wall-clock training frames per second, from the end of warm-up to the last batch.

    The first ``skip_batches`` batches of each epoch (loader start-up, kernel selection) are
    left out; the time between batches, where the loader may stall training, is counted.
    """

    def __init__(self, skip_batches: int = 5) -> None:
        self.skip_batches = skip_batches
        self.frames = 0
        self.seconds = 0.0
        self._last: float | None = None

    def on_train_epoch_start(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        self._last = None

    def on_train_batch_end(
        self,
        trainer: L.Trainer,
        module: L.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
    ) -> None:
        if batch_idx + 1 < self.skip_batches:
            return
        _sync()
        now = time.perf_counter()
        if self._last is not None:  # this batch's time: loader wait + step
            self.frames += int(batch["valid"].sum()) * trainer.world_size
            self.seconds += now - self._last
        self._last = now

    def on_train_epoch_end(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        if self.seconds:
            module.log("train/frames_per_s", self.frames_per_second, rank_zero_only=True)

    @property
    def frames_per_second(self) -> float:
        """Training frames per second over all measured batches, all ranks together."""
        return self.frames / self.seconds if self.seconds else 0.0


def _sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()
