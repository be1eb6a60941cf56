"""The LightningModule: network, masked loss with class imbalance handled, frame metrics.

Fingerspelling covers a minority of frames, so the loss weighs positive frames by
``pos_weight`` and can focus on hard frames (``focal_gamma`` > 0). Padded frames never count;
frames of weak labels (pseudo-labels) count with the weight the data module gives them.
``init_from`` starts the network's encoder from a pretrained checkpoint (``asl-stem
pretrain``); checkpoints carry a digest of their weights, checked whenever they are read.
The decoding parameters are hyperparameters too, so a checkpoint carries everything
``asl-stem detect`` needs. Validation decodes spans with them and logs ``val/ap@0.1``,
``val/ap@0.3`` and ``val/ap@0.5`` (span AP@IoU, as ``asl-stem evaluate`` reports it) beside
frame F1 and binned frame AP (``val/frame_ap``).
"""

from __future__ import annotations

from typing import Any

import lightning as L
import torch
from torch import nn
from torchmetrics.classification import BinaryAveragePrecision, BinaryF1Score

from asl_stem.detect.binarize import BinarizeConfig
from asl_stem.detect.checkpoint import load_encoder, stamp
from asl_stem.detect.features import FEATURE_DIM
from asl_stem.detect.model import DebugTagger, FrameTagger
from asl_stem.detect.span_metric import SpanAveragePrecision


class FingerspellingDetector(L.LightningModule):
    """Frame tagger for fingerspelling; ``debug=True`` swaps in the tiny network."""

    def __init__(
        self,
        hidden: int = 128,
        dilations: tuple[int, ...] = (1, 2, 4, 8, 16),
        kernel_size: int = 5,
        heads: int = 4,
        attention_layers: int = 1,
        dropout: float = 0.1,
        debug: bool = False,
        lr: float = 2e-3,
        weight_decay: float = 1e-2,
        pos_weight: float = 2.0,
        focal_gamma: float = 0.0,
        onset: float = 0.5,
        offset: float = 0.35,
        median: int = 5,
        min_duration_on: int = 6,
        min_duration_off: int = 6,
        init_from: str | None = None,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.network = build_network(
            debug, hidden, tuple(dilations), kernel_size, heads, attention_layers, dropout
        )
        self.val_f1 = BinaryF1Score()
        self.val_frame_ap = BinaryAveragePrecision(thresholds=101)
        self.val_span_ap = SpanAveragePrecision(self.decoding)

    @property
    def decoding(self) -> BinarizeConfig:
        """The span decoding this model was trained with."""
        h = self.hparams
        return BinarizeConfig(h.onset, h.offset, h.median, h.min_duration_on, h.min_duration_off)

    def forward(self, features: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """Logits (batch, frame)."""
        return self.network(features, valid)

    def loss(
        self,
        logits: torch.Tensor,
        labels: torch.Tensor,
        valid: torch.Tensor,
        weights: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Weighted (optionally focal) binary cross-entropy over valid frames; ``weights``
        (batch, frame) scale each frame (a weighted mean)."""
        logits, labels = logits[valid].float(), labels[valid]
        weight = torch.tensor(self.hparams.pos_weight, device=logits.device)
        bce = nn.functional.binary_cross_entropy_with_logits(
            logits, labels, pos_weight=weight, reduction="none"
        )
        if self.hparams.focal_gamma > 0:
            prob = torch.sigmoid(logits)
            p_true = prob * labels + (1 - prob) * (1 - labels)
            bce = bce * (1 - p_true) ** self.hparams.focal_gamma
        if weights is None:
            return bce.mean()
        frame_weights = weights[valid].float()
        return (bce * frame_weights).sum() / frame_weights.sum().clamp_min(1e-6)

    def training_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> torch.Tensor:
        logits = self(batch["features"], batch["valid"])
        loss = self.loss(logits, batch["labels"], batch["valid"], batch.get("weights"))
        frames = int(batch["valid"].sum())
        self.log("train/loss", loss, prog_bar=True, batch_size=frames)
        return loss

    def validation_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> None:
        valid = batch["valid"]
        logits = self(batch["features"], valid)
        frames = int(valid.sum())
        self.log(
            "val/loss", self.loss(logits, batch["labels"], valid), batch_size=frames, sync_dist=True
        )
        probabilities = torch.sigmoid(logits.float())
        probs, labels = probabilities[valid], batch["labels"][valid].long()
        self.val_f1.update(probs, labels)
        self.val_frame_ap.update(probs, labels)
        self.val_span_ap.update(probabilities, valid, batch["truths"])
        self.log("val/f1", self.val_f1, batch_size=frames)
        self.log("val/frame_ap", self.val_frame_ap, batch_size=frames)

    def on_validation_epoch_end(self) -> None:
        """Span AP@IoU over the whole validation set (what checkpoints are chosen by)."""
        scores = self.val_span_ap.compute()
        self.log_dict({f"val/{name}": value for name, value in scores.items()}, prog_bar=True)
        self.val_span_ap.reset()

    def setup(self, stage: str) -> None:
        """Start from the pretrained encoder when fitting anew (a resumed run restores its
        own weights, and inference never needs the pretrained file)."""
        resuming = self._trainer is not None and self.trainer.ckpt_path is not None
        if stage == "fit" and self.hparams.init_from and not resuming:
            load_encoder(self.network, self.hparams.init_from)

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        stamp(checkpoint)

    def on_train_epoch_start(self) -> None:
        reseed_data(self)

    def configure_optimizers(self) -> dict[str, Any]:
        return adamw_cosine(self)


def reseed_data(model: L.LightningModule) -> None:
    """Reseed the data stream: each epoch shuffles shards and augments differently."""
    datamodule = getattr(model.trainer, "datamodule", None)
    if datamodule is not None and hasattr(datamodule, "set_epoch"):
        datamodule.set_epoch(model.current_epoch)


def adamw_cosine(model: L.LightningModule) -> dict[str, Any]:
    """AdamW (``lr``, ``weight_decay`` hyperparameters), cosine-annealed over the epochs."""
    h = model.hparams
    optimizer = torch.optim.AdamW(model.parameters(), lr=h.lr, weight_decay=h.weight_decay)
    epochs = max(1, model.trainer.max_epochs or 1)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    return {"optimizer": optimizer, "lr_scheduler": scheduler}


def build_network(
    debug: bool,
    hidden: int,
    dilations: tuple[int, ...],
    kernel_size: int,
    heads: int,
    attention_layers: int,
    dropout: float,
) -> nn.Module:
    """The tiny debug network or the full frame tagger, over :data:`FEATURE_DIM` inputs."""
    if debug:
        return DebugTagger(FEATURE_DIM)
    return FrameTagger(
        FEATURE_DIM, hidden, dilations, kernel_size, heads, attention_layers, dropout
    )
