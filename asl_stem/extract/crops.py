"""Pixel boxes cut out of a frame, and mapping landmarks found in a box back to the frame.

A box may reach past the frame's edges (a hand at the border keeps its square box); the part
outside the frame is cut as black pixels, so the landmarker always sees the same geometry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Crop:
    """A pixel box ``[x0, x1) × [y0, y1)`` of a frame of size ``width × height``."""

    x0: int
    y0: int
    x1: int
    y1: int
    width: int
    height: int


def square_crop(center: np.ndarray, side: float, width: int, height: int) -> Crop:
    """The ``side``-pixel square centred on pixel ``center`` (it may reach past the frame)."""
    size = max(round(float(side)), 1)
    x0 = round(float(center[0]) - size / 2)
    y0 = round(float(center[1]) - size / 2)
    return Crop(x0, y0, x0 + size, y0 + size, width, height)


def cut(frame: np.ndarray, crop: Crop) -> np.ndarray:
    """The box's pixels as a new C-contiguous array, black where the box leaves the frame."""
    out = np.zeros((crop.y1 - crop.y0, crop.x1 - crop.x0, frame.shape[2]), dtype=frame.dtype)
    x0, y0 = max(crop.x0, 0), max(crop.y0, 0)
    x1, y1 = min(crop.x1, crop.width), min(crop.y1, crop.height)
    if x1 > x0 and y1 > y0:
        out[y0 - crop.y0 : y1 - crop.y0, x0 - crop.x0 : x1 - crop.x0] = frame[y0:y1, x0:x1]
    return out


def to_frame(points: np.ndarray, crop: Crop) -> np.ndarray:
    """Map (N, 3) crop-normalised x, y, z to frame-normalised ones (z scales with x)."""
    crop_w, crop_h = crop.x1 - crop.x0, crop.y1 - crop.y0
    mapped = np.empty_like(points)
    mapped[:, 0] = (points[:, 0] * crop_w + crop.x0) / crop.width
    mapped[:, 1] = (points[:, 1] * crop_h + crop.y0) / crop.height
    mapped[:, 2] = points[:, 2] * crop_w / crop.width
    return mapped
