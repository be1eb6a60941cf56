"""Masked keypoint modelling: hide runs of frames, or only the handshapes, and reconstruct them.

Fingerspelling is a fast sequence of handshapes with a still forearm, so two kinds of runs are
hidden: whole frames (the encoder must fill motion in from context) and handshapes only (the
encoder must predict the hand from the arm and from neighbouring handshapes). Hidden values
are replaced by a learned token, never by zeros that would read as "no hand seen".
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from asl_stem.detect.features import FEATURE_DIM, handshape_columns


@dataclass(frozen=True)
class MaskConfig:
    """Shares of valid frames hidden (about; runs overlap) and the run length in frames."""

    frame_ratio: float = 0.25
    hand_ratio: float = 0.15
    span: int = 8


def random_runs(
    valid: torch.Tensor, ratio: float, span: int, generator: torch.Generator | None = None
) -> torch.Tensor:
    """(batch, frame) bool: runs of ``span`` frames covering about ``ratio`` of each row,
    inside valid frames only."""
    if ratio <= 0:
        return torch.zeros_like(valid)
    starts = torch.rand(valid.shape, generator=generator, device=valid.device) < ratio / span
    kernel = torch.ones(1, 1, span, device=valid.device)
    covered = nn.functional.conv1d(starts.float().unsqueeze(1), kernel, padding=span - 1)
    return (covered[:, 0, : valid.shape[1]] > 0) & valid


class Masker(nn.Module):
    """Hides runs of frames and handshapes with a learned token; says what to reconstruct."""

    def __init__(self, config: MaskConfig) -> None:
        super().__init__()
        self.config = config
        self.token = nn.Parameter(torch.zeros(FEATURE_DIM))
        self.register_buffer("hand_columns", torch.from_numpy(handshape_columns()), False)

    def forward(
        self, features: torch.Tensor, valid: torch.Tensor, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Masked features (batch, frame, FEATURE_DIM) and the hidden entries (same shape,
        bool): every column of a hidden frame, the handshape columns of a hidden hand."""
        c = self.config
        frames = random_runs(valid, c.frame_ratio, c.span, generator)
        hands = random_runs(valid, c.hand_ratio, c.span, generator) & ~frames
        hidden = frames.unsqueeze(-1) | (hands.unsqueeze(-1) & self.hand_columns)
        masked = torch.where(hidden, self.token.to(features.dtype), features)
        return masked, hidden
