"""The face crop: a box around the pose's head points, and mapping face landmarks back.

The standalone face landmarker misses small faces in a full body frame; run on a crop around
the head that the pose already found, it finds them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HEAD_POINTS = tuple(range(11))  # pose nose, eyes, ears and mouth
CROP_SCALE = 2.2  # crop side / largest extent of the head points
MIN_SIDE_PX = 48


@dataclass(frozen=True)
class Crop:
    """A pixel box ``[x0, x1) × [y0, y1)`` of a frame of size ``width × height``."""

    x0: int
    y0: int
    x1: int
    y1: int
    width: int
    height: int


def head_crop(pose: np.ndarray, width: int, height: int) -> Crop | None:
    """A square-ish box around the head points, clipped to the frame; None without a head."""
    head = pose[list(HEAD_POINTS), :2]
    if np.isnan(head).any():
        return None
    pixels = head * np.array([width, height])
    center = pixels.mean(axis=0)
    extent = np.ptp(pixels, axis=0).max()
    half = max(extent * CROP_SCALE, MIN_SIDE_PX) / 2
    x0, y0 = np.floor(np.maximum(center - half, 0)).astype(int)
    x1 = int(min(np.ceil(center[0] + half), width))
    y1 = int(min(np.ceil(center[1] + half), height))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    return Crop(int(x0), int(y0), x1, y1, width, height)


def to_frame(points: np.ndarray, crop: Crop) -> np.ndarray:
    """Map (N, 3) crop-normalised x, y, z to frame-normalised ones (z scales with x)."""
    crop_w, crop_h = crop.x1 - crop.x0, crop.y1 - crop.y0
    mapped = np.empty_like(points)
    mapped[:, 0] = (points[:, 0] * crop_w + crop.x0) / crop.width
    mapped[:, 1] = (points[:, 1] * crop_h + crop.y0) / crop.height
    mapped[:, 2] = points[:, 2] * crop_w / crop.width
    return mapped
