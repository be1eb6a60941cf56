"""The LightningModule: the letter encoder trained with CTC, validated by character error rate.

The decoding settings (beam width, n best) are hyperparameters, so a checkpoint carries all
that ``asl-stem recognize`` needs. ``init_from`` starts from another run's weights, to
fine-tune a model trained on a public corpus (``asl-stem recipes``) on one's own spans.
Validation decodes greedily (fast) and reports the character error rate of the letters and
digits (torchmetrics' CharErrorRate).
"""

from __future__ import annotations

from typing import Any

import lightning as L
import torch
from torch import nn
from torchmetrics.text import CharErrorRate

from asl_stem.recognize.alphabet import BLANK, VOCAB_SIZE, spelled
from asl_stem.recognize.ctc import greedy_decode
from asl_stem.recognize.features import FEATURE_DIM
from asl_stem.recognize.model import LetterEncoder


class LetterRecognizer(L.LightningModule):
    """Reads the letters of fingerspelled spans (CTC over :mod:`~asl_stem.recognize.alphabet`)."""

    def __init__(
        self,
        hidden: int = 128,
        layers: int = 4,
        heads: int = 4,
        kernel_size: int = 15,
        dropout: float = 0.1,
        lr: float = 2e-3,
        weight_decay: float = 1e-2,
        warmup_epochs: int = 1,
        beam: int = 8,
        nbest: int = 5,
        init_from: str | None = None,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.network = LetterEncoder(
            FEATURE_DIM, VOCAB_SIZE, hidden, layers, heads, kernel_size, dropout
        )
        self.val_cer = CharErrorRate()
        if init_from is not None:
            self._load_weights(init_from)

    def _load_weights(self, checkpoint: str) -> None:
        """Start from another run's weights (e.g. trained on a public corpus, then fine-tuned
        here); the optimiser and schedule start afresh."""
        state = torch.load(checkpoint, map_location="cpu", weights_only=False)["state_dict"]
        weights = {k[len("network.") :]: v for k, v in state.items() if k.startswith("network.")}
        try:
            self.network.load_state_dict(weights)
        except RuntimeError as error:
            raise ValueError(
                f"{checkpoint}: its network does not fit this config ({str(error)[:200]}); "
                "use the same hidden, layers, heads and kernel_size"
            ) from error

    def forward(self, features: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """Log probabilities (batch, frame, classes)."""
        return torch.log_softmax(self.network(features, valid).float(), dim=-1)

    def loss(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        log_probs = self(batch["features"], batch["valid"])
        return nn.functional.ctc_loss(
            log_probs.transpose(0, 1),
            batch["targets"],
            batch["valid"].sum(dim=1),
            batch["target_lengths"],
            blank=BLANK,
            reduction="mean",
            zero_infinity=True,
        )

    def training_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> torch.Tensor:
        loss = self.loss(batch)
        self.log("train/loss", loss, prog_bar=True, batch_size=len(batch["valid"]))
        return loss

    def validation_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        size = len(batch["valid"])
        self.log("val/loss", self.loss(batch), batch_size=size, sync_dist=True)
        log_probs = self(batch["features"], batch["valid"]).cpu().numpy()
        lengths = batch["valid"].sum(dim=1).tolist()
        predictions = [
            spelled(greedy_decode(lp[:n])) for lp, n in zip(log_probs, lengths, strict=True)
        ]
        self.val_cer.update(predictions, [spelled(text) or " " for text in batch["texts"]])
        self.log("val/cer", self.val_cer, prog_bar=True, batch_size=size)

    def on_train_epoch_start(self) -> None:
        """Reseed the data stream: each epoch shuffles shards and augments differently."""
        datamodule = getattr(self.trainer, "datamodule", None)
        if datamodule is not None and hasattr(datamodule, "set_epoch"):
            datamodule.set_epoch(self.current_epoch)

    def configure_optimizers(self) -> dict[str, Any]:
        optimizer = torch.optim.AdamW(
            self.parameters(), lr=self.hparams.lr, weight_decay=self.hparams.weight_decay
        )
        epochs = max(1, self.trainer.max_epochs or 1)
        warmup = min(self.hparams.warmup_epochs, epochs - 1)
        schedules = [torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs - warmup)]
        if warmup > 0:
            start = torch.optim.lr_scheduler.LinearLR(optimizer, 0.1, 1.0, total_iters=warmup)
            schedules = [start, *schedules]
            scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, schedules, [warmup])
        else:
            scheduler = schedules[0]
        return {"optimizer": optimizer, "lr_scheduler": scheduler}
