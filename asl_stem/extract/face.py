"""The face crop: a box around the pose's head points.

The standalone face landmarker misses small faces in a full body frame; run on a crop around
the head that the pose already found, it finds them.
"""

from __future__ import annotations

import numpy as np

from asl_stem.extract.crops import Crop

HEAD_POINTS = tuple(range(11))  # pose nose, eyes, ears and mouth
CROP_SCALE = 2.2  # crop side / largest extent of the head points
MIN_SIDE_PX = 48


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
