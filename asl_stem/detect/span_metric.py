"""Validation AP@IoU on decoded spans, the metric ``asl-stem evaluate`` reports, under DDP.

Each validation chunk's frame probabilities are decoded into spans with the model's own
decoding (:func:`~asl_stem.detect.binarize.binarize`); predictions and true spans are kept as
tensors of rows ``(chunk, start, end[, score])`` so that torchmetrics can gather them across
ranks, and AP is computed once over the whole validation set by
:func:`~asl_stem.detect.metrics.average_precision`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

import torch
from torchmetrics import Metric
from torchmetrics.utilities import dim_zero_cat

from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.detect.binarize import BinarizeConfig, binarize
from asl_stem.detect.metrics import average_precision

IOU_THRESHOLDS = (0.1, 0.3, 0.5)
_CHUNKS_PER_RANK = 1 << 40  # chunk numbers of rank r start at r * this: unique after gathering


class SpanAveragePrecision(Metric):
    """AP@IoU of decoded spans over every validation chunk seen since the last reset."""

    full_state_update = False

    def __init__(self, decoding: BinarizeConfig, thresholds: Sequence[float] = IOU_THRESHOLDS):
        super().__init__()
        self.decoding = decoding
        self.thresholds = tuple(thresholds)
        self.add_state("predictions", default=[], dist_reduce_fx="cat")
        self.add_state("truths", default=[], dist_reduce_fx="cat")
        self.chunks = 0

    def update(
        self,
        probabilities: torch.Tensor,
        valid: torch.Tensor,
        truths: Sequence[Sequence[tuple[int, int]]],
    ) -> None:
        """probabilities, valid : (batch, frame); truths : each chunk's true spans."""
        rank = torch.distributed.get_rank() if torch.distributed.is_initialized() else 0
        for row, spans in enumerate(truths):
            chunk = rank * _CHUNKS_PER_RANK + self.chunks
            self.chunks += 1
            scores = probabilities[row][valid[row]].float().cpu().numpy()
            found = binarize(scores, **asdict(self.decoding))
            self.predictions.append(
                torch.tensor(
                    [[chunk, s.start_frame, s.end_frame, s.score or 0.0] for s in found],
                    dtype=torch.float64,
                    device=self.device,
                ).reshape(-1, 4)
            )
            self.truths.append(
                torch.tensor(
                    [[chunk, start, end] for start, end in spans],
                    dtype=torch.float64,
                    device=self.device,
                ).reshape(-1, 3)
            )

    def compute(self) -> dict[str, torch.Tensor]:
        predictions = _rows(self.predictions, 4)
        truths: dict[str, list[FingerspellingSpan]] = {}
        for chunk, start, end in _rows(self.truths, 3):
            key = str(int(chunk))
            truths.setdefault(key, []).append(_span(key, start, end))
        found = [_span(str(int(c)), s, e, score) for c, s, e, score in predictions]
        return {
            f"ap@{t:.1f}": torch.tensor(average_precision(found, truths, t))
            for t in self.thresholds
        }


def _rows(state: list[torch.Tensor] | torch.Tensor, width: int) -> list[list[float]]:
    """A list state (or its gathered tensor) as plain rows."""
    if isinstance(state, list) and not state:
        return []
    return dim_zero_cat(state).reshape(-1, width).tolist()


def _span(chunk: str, start: float, end: float, score: float | None = None) -> FingerspellingSpan:
    source = "annotated" if score is None else "detected"
    return FingerspellingSpan(
        f"{chunk}:{int(start)}", chunk, int(start), int(end), source, score=score
    )
