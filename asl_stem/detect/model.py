"""Networks that label every frame of a clip as fingerspelling or not.

:class:`FrameTagger`: a per-frame MLP over the keypoint features, dilated residual temporal
convolutions (receptive field of a few seconds: a letter sequence, its start and its end), and
self-attention over the whole clip (padding masked) so that distant context, such as the same
term spelled earlier, can count. :class:`DebugTagger` is a tiny one for smoke tests.
Both take features (batch, frame, feature) and a validity mask (batch, frame) and return
logits (batch, frame).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


class ConvBlock(nn.Module):
    """Pre-norm residual block: LayerNorm -> dilated depth-wise conv -> GELU -> point-wise."""

    def __init__(self, hidden: int, kernel_size: int, dilation: int, dropout: float) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(hidden)
        padding = dilation * (kernel_size - 1) // 2
        self.temporal = nn.Conv1d(
            hidden, hidden, kernel_size, padding=padding, dilation=dilation, groups=hidden
        )
        self.pointwise = nn.Sequential(nn.GELU(), nn.Linear(hidden, hidden), nn.Dropout(dropout))

    def forward(self, x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """x : (batch, frame, hidden); padded frames are zeroed so they leak nothing."""
        h = self.norm(x) * valid.unsqueeze(-1)
        h = self.temporal(h.transpose(1, 2)).transpose(1, 2)
        return x + self.pointwise(h)


class FrameTagger(nn.Module):
    """Frame encoder + dilated temporal convolutions + masked self-attention + a logit head."""

    HEAD = "head"  # the submodule that pretraining does not train

    def __init__(
        self,
        in_features: int,
        hidden: int = 128,
        dilations: Sequence[int] = (1, 2, 4, 8, 16),
        kernel_size: int = 5,
        heads: int = 4,
        attention_layers: int = 1,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        if kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd to keep frames aligned, got {kernel_size}")
        if hidden % heads:
            raise ValueError(f"hidden ({hidden}) must be a multiple of heads ({heads})")
        self.hidden = hidden
        self.encoder = nn.Sequential(
            nn.Linear(in_features, hidden),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, hidden),
        )
        self.blocks = nn.ModuleList(
            ConvBlock(hidden, kernel_size, dilation, dropout) for dilation in dilations
        )
        layer = nn.TransformerEncoderLayer(
            hidden,
            heads,
            dim_feedforward=2 * hidden,
            dropout=dropout,
            batch_first=True,
            norm_first=True,
        )
        self.attention = (
            nn.TransformerEncoder(layer, attention_layers, enable_nested_tensor=False)
            if attention_layers > 0
            else None
        )
        self.head = nn.Sequential(nn.LayerNorm(hidden), nn.Linear(hidden, 1))

    def encode(self, features: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """Frame states (batch, frame, hidden): everything but the head (what pretraining
        trains)."""
        x = self.encoder(features) * valid.unsqueeze(-1)
        for block in self.blocks:
            x = block(x, valid)
        if self.attention is not None:
            x = self.attention(x, src_key_padding_mask=~valid)
        return x

    def forward(self, features: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """features : (batch, frame, in_features), valid : (batch, frame) bool -> (batch, frame)."""
        return self.head(self.encode(features, valid)).squeeze(-1)


class DebugTagger(nn.Module):
    """A linear frame encoder and one temporal convolution: trains in seconds, for tests."""

    HEAD = "temporal"

    def __init__(self, in_features: int, hidden: int = 16) -> None:
        super().__init__()
        self.hidden = hidden
        self.encoder = nn.Linear(in_features, hidden)
        self.temporal = nn.Conv1d(hidden, 1, kernel_size=9, padding=4)

    def encode(self, features: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """Frame states (batch, frame, hidden)."""
        return torch.relu(self.encoder(features)) * valid.unsqueeze(-1)

    def forward(self, features: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        return self.temporal(self.encode(features, valid).transpose(1, 2)).squeeze(1)
