"""Self-supervised pretraining of the detector's encoder on every recording, with no spans.

Two objectives, weighted by ``mask_weight`` and ``text_weight`` (0 turns one off):

- masked keypoint modelling (:mod:`.masking`): hide runs of frames and of handshapes and
  reconstruct the hidden feature values from the encoder's frame states (smooth L1);
- recording-sentence matching: a symmetric InfoNCE loss between the pooled frame states of a
  window and a small encoder of the recording's English sentence (:mod:`.text_encoder`); other
  windows of the batch are the negatives, except those of the same sentence (other
  interpreters signing it), which are neither.

The network is the detector's own (:func:`~asl_stem.detect.module.build_network`, same
settings), without its head, so ``asl-stem train --model.init_from`` copies it by name.
Contrastive negatives are those of each rank's batch (no gathering across DDP ranks).
"""

from __future__ import annotations

from typing import Any

import lightning as L
import torch
from torch import nn

from asl_stem.detect.checkpoint import stamp
from asl_stem.detect.features import FEATURE_DIM
from asl_stem.detect.masking import MaskConfig, Masker
from asl_stem.detect.module import adamw_cosine, build_network, reseed_data
from asl_stem.detect.text_encoder import DEFAULT_BUCKETS, TextEncoder

VAL_SEED = 1234  # validation hides the same frames every epoch, so its losses compare


class EncoderPretraining(L.LightningModule):
    """The detector's encoder trained by masked modelling and sentence matching."""

    def __init__(
        self,
        hidden: int = 128,
        dilations: tuple[int, ...] = (1, 2, 4, 8, 16),
        kernel_size: int = 5,
        heads: int = 4,
        attention_layers: int = 1,
        dropout: float = 0.1,
        debug: bool = False,
        mask_weight: float = 1.0,
        text_weight: float = 1.0,
        frame_mask_ratio: float = 0.25,
        hand_mask_ratio: float = 0.15,
        mask_span: int = 8,
        text_buckets: int = DEFAULT_BUCKETS,
        text_dim: int = 64,
        embed_dim: int = 64,
        temperature: float = 0.1,
        lr: float = 2e-3,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__()
        if mask_weight <= 0 and text_weight <= 0:
            raise ValueError("--model.mask_weight and --model.text_weight are both 0: no task")
        self.save_hyperparameters()
        self.network = build_network(
            debug, hidden, tuple(dilations), kernel_size, heads, attention_layers, dropout
        )
        setattr(self.network, self.network.HEAD, nn.Identity())  # trained by fine-tuning only
        width = self.network.hidden
        if mask_weight > 0:
            self.masker = Masker(MaskConfig(frame_mask_ratio, hand_mask_ratio, mask_span))
            self.reconstruct = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, FEATURE_DIM))
        if text_weight > 0:
            self.text = TextEncoder(text_buckets, text_dim, embed_dim)
            self.project = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, embed_dim))

    def losses(
        self, batch: dict[str, Any], generator: torch.Generator | None = None
    ) -> dict[str, torch.Tensor]:
        """Each objective's loss (and the sentence-matching accuracy) on one batch."""
        features, valid = batch["features"], batch["valid"]
        h = self.hparams
        inputs, hidden = (
            self.masker(features, valid, generator) if h.mask_weight > 0 else (features, None)
        )
        states = self.network.encode(inputs, valid)
        out: dict[str, torch.Tensor] = {}
        total = states.new_zeros((), dtype=torch.float32)
        if hidden is not None and bool(hidden.any()):
            guess = self.reconstruct(states).float()
            out["mask"] = nn.functional.smooth_l1_loss(guess[hidden], features[hidden].float())
            total = total + h.mask_weight * out["mask"]
        if h.text_weight > 0:
            matching = self.sentence_matching(states, valid, batch)
            if matching is not None:
                out["text"], out["text_acc"] = matching
                total = total + h.text_weight * out["text"]
        out["loss"] = total
        return out

    def sentence_matching(
        self, states: torch.Tensor, valid: torch.Tensor, batch: dict[str, Any]
    ) -> tuple[torch.Tensor, torch.Tensor] | None:
        """InfoNCE loss and top-1 accuracy between windows and sentences (None under two)."""
        has_text = batch["has_text"]
        if int(has_text.sum()) < 2:
            return None
        weights = valid.unsqueeze(-1).float()
        pooled = (states.float() * weights).sum(1) / weights.sum(1).clamp_min(1.0)
        video = nn.functional.normalize(self.project(pooled).float(), dim=-1)
        text = nn.functional.normalize(
            self.text(batch["text_ids"], batch["text_offsets"]).float(), dim=-1
        )
        video, text, keys = video[has_text], text[has_text], batch["sentence_keys"][has_text]
        logits = video @ text.T / self.hparams.temperature
        same = keys[:, None] == keys[None, :]
        eye = torch.eye(len(keys), dtype=torch.bool, device=logits.device)
        logits = logits.masked_fill(same & ~eye, float("-inf"))
        target = torch.arange(len(keys), device=logits.device)
        loss = (
            nn.functional.cross_entropy(logits, target)
            + nn.functional.cross_entropy(logits.T, target)
        ) / 2
        accuracy = (logits.argmax(1) == target).float().mean()
        return loss, accuracy

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> torch.Tensor:
        out = self.losses(batch)
        size = len(batch["valid"])
        self.log_dict({f"train/{k}": v for k, v in out.items()}, prog_bar=True, batch_size=size)
        return out["loss"]

    def validation_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        generator = torch.Generator(device=batch["valid"].device).manual_seed(VAL_SEED + batch_idx)
        out = self.losses(batch, generator)
        size = len(batch["valid"])
        self.log_dict(
            {f"val/{k}": v for k, v in out.items()}, batch_size=size, sync_dist=True, prog_bar=True
        )

    def on_train_epoch_start(self) -> None:
        reseed_data(self)

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        stamp(checkpoint)

    def configure_optimizers(self) -> dict[str, Any]:
        return adamw_cosine(self)
