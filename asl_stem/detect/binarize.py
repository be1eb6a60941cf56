"""Frame scores -> scored spans: median smoothing, onset/offset hysteresis, duration rules.

A pure function, separate from the model, so scores can be stored once and decoded many ways.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from asl_stem.corpus.records import FingerspellingSpan


@dataclass(frozen=True)
class BinarizeConfig:
    """Decoding parameters; ``offset`` None means the same as ``onset`` (no hysteresis)."""

    onset: float = 0.5
    offset: float | None = None
    median: int = 1
    min_duration_on: int = 0
    min_duration_off: int = 0


def median_smooth(scores: np.ndarray, width: int) -> np.ndarray:
    """Running median over ``width`` frames (odd; edges padded by repetition)."""
    if width <= 1 or len(scores) == 0:
        return scores.astype(np.float64)
    if width % 2 == 0:
        raise ValueError(f"median width must be odd, got {width}; use {width + 1}")
    half = width // 2
    padded = np.pad(scores.astype(np.float64), half, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)
    return np.median(windows, axis=1)


def binarize(
    scores: np.ndarray,
    onset: float = 0.5,
    offset: float | None = None,
    median: int = 1,
    min_duration_on: int = 0,
    min_duration_off: int = 0,
    *,
    recording_id: str = "",
    fps: float | None = None,
) -> list[FingerspellingSpan]:
    """Decode per-frame scores (T,) of one recording into ``detected`` spans.

    A span starts at a frame whose (smoothed) score is >= ``onset`` and continues while the
    score stays >= ``offset``. Then gaps shorter than ``min_duration_off`` frames between two
    spans are filled (the spans merge), and spans shorter than ``min_duration_on`` frames are
    dropped. Each span's score is the mean raw score over its frames.
    """
    offset = onset if offset is None else offset
    if offset > onset:
        raise ValueError(f"offset ({offset}) must not exceed onset ({onset})")
    raw = np.asarray(scores, dtype=np.float64)
    smooth = median_smooth(raw, median)
    runs = _hysteresis_runs(smooth, onset, offset)
    runs = _merge_close(runs, min_duration_off)
    kept = [(start, end) for start, end in runs if end - start + 1 >= min_duration_on]
    return [
        FingerspellingSpan(
            id=f"{recording_id}:{number}",
            recording_id=recording_id,
            start_frame=start,
            end_frame=end,
            source="detected",
            score=round(float(raw[start : end + 1].mean()), 6),
            fps=fps,
        )
        for number, (start, end) in enumerate(kept)
    ]


def _hysteresis_runs(scores: np.ndarray, onset: float, offset: float) -> list[tuple[int, int]]:
    """Inclusive runs that start >= onset and last while >= offset."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for frame, value in enumerate(scores):
        if start is None and value >= onset:
            start = frame
        elif start is not None and value < offset:
            runs.append((start, frame - 1))
            start = None
    if start is not None:
        runs.append((start, len(scores) - 1))
    return runs


def _merge_close(runs: list[tuple[int, int]], min_gap: int) -> list[tuple[int, int]]:
    """Join consecutive runs separated by fewer than ``min_gap`` frames."""
    merged: list[tuple[int, int]] = []
    for start, end in runs:
        if merged and start - merged[-1][1] - 1 < min_gap:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged
