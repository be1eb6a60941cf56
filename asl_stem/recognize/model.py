"""The letter encoder: Conformer blocks over a span's frames, a CTC head over the characters.

In the family of the public fingerspelling competition's winners (Squeezeformer/Conformer
encoders trained with CTC): each block is a half feed-forward, masked multi-head
self-attention (where in the span a letter sits, and what came before and after), a
depth-wise convolution module (the local shape of a letter over a few frames), another half
feed-forward and a final LayerNorm. A convolution before the first block gives the attention
its sense of order. Padded frames are masked everywhere.
"""

from __future__ import annotations

import torch
from torch import nn


class FeedForward(nn.Module):
    """LayerNorm -> Linear (x expansion) -> SiLU -> Linear; used at half weight."""

    def __init__(self, hidden: int, expansion: int, dropout: float) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.LayerNorm(hidden),
            nn.Linear(hidden, expansion * hidden),
            nn.SiLU(),
            nn.Dropout(dropout),
            nn.Linear(expansion * hidden, hidden),
            nn.Dropout(dropout),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class ConvModule(nn.Module):
    """LayerNorm -> point-wise GLU -> depth-wise conv -> LayerNorm -> SiLU -> point-wise.

    A per-frame LayerNorm stands where Conformer has BatchNorm, so padding never enters it.
    """

    def __init__(self, hidden: int, kernel_size: int, dropout: float) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(hidden)
        self.expand = nn.Linear(hidden, 2 * hidden)
        self.depthwise = nn.Conv1d(
            hidden, hidden, kernel_size, padding=kernel_size // 2, groups=hidden
        )
        self.conv_norm = nn.LayerNorm(hidden)
        self.project = nn.Sequential(nn.SiLU(), nn.Linear(hidden, hidden), nn.Dropout(dropout))

    def forward(self, x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        h = nn.functional.glu(self.expand(self.norm(x)), dim=-1) * valid.unsqueeze(-1)
        h = self.conv_norm(self.depthwise(h.transpose(1, 2)).transpose(1, 2))
        return self.project(h)


class ConformerBlock(nn.Module):
    """x + FF/2 -> x + MHSA -> x + Conv -> x + FF/2 -> LayerNorm."""

    def __init__(
        self, hidden: int, heads: int, kernel_size: int, dropout: float, expansion: int = 4
    ) -> None:
        super().__init__()
        self.ff1 = FeedForward(hidden, expansion, dropout)
        self.attention_norm = nn.LayerNorm(hidden)
        self.attention = nn.MultiheadAttention(hidden, heads, dropout=dropout, batch_first=True)
        self.attention_dropout = nn.Dropout(dropout)
        self.conv = ConvModule(hidden, kernel_size, dropout)
        self.ff2 = FeedForward(hidden, expansion, dropout)
        self.out_norm = nn.LayerNorm(hidden)

    def forward(self, x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        x = x + 0.5 * self.ff1(x)
        h = self.attention_norm(x)
        h, _ = self.attention(h, h, h, key_padding_mask=~valid, need_weights=False)
        x = x + self.attention_dropout(h)
        x = x + self.conv(x, valid)
        x = x + 0.5 * self.ff2(x)
        return self.out_norm(x) * valid.unsqueeze(-1)


class LetterEncoder(nn.Module):
    """Features (batch, frame, in_features) + validity (batch, frame) -> logits over classes."""

    def __init__(
        self,
        in_features: int,
        num_classes: int,
        hidden: int = 128,
        layers: int = 4,
        heads: int = 4,
        kernel_size: int = 15,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        if hidden % heads:
            raise ValueError(f"hidden ({hidden}) must be a multiple of heads ({heads})")
        if kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd to keep frames aligned, got {kernel_size}")
        self.stem = nn.Sequential(nn.Linear(in_features, hidden), nn.LayerNorm(hidden), nn.SiLU())
        self.position = nn.Conv1d(
            hidden, hidden, kernel_size, padding=kernel_size // 2, groups=hidden
        )
        self.blocks = nn.ModuleList(
            ConformerBlock(hidden, heads, kernel_size, dropout) for _ in range(layers)
        )
        self.head = nn.Linear(hidden, num_classes)

    def forward(self, features: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        x = self.stem(features) * valid.unsqueeze(-1)
        x = x + self.position(x.transpose(1, 2)).transpose(1, 2)
        for block in self.blocks:
            x = block(x, valid)
        return self.head(x)
