"""Reference-format keypoint files (``keypoints/<stem>.npy``, ``(T, 543, 2)``) as shard arrays.

The reference code stores MediaPipe Holistic's normalised x, y with absent parts as zeros, so
a point at exactly (0, 0) is taken as missing (NaN); z is unknown (NaN).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from asl_stem.layout import NUM_BODY_POINTS, NUM_POINTS


class KeypointFileError(ValueError):
    """A keypoint file that is missing, unreadable or of the wrong shape."""


def load_reference_keypoints(path: str | Path, face: bool) -> np.ndarray:
    """float16 ``(T, 543 or 75, 3)`` with NaN for missing points and for z."""
    try:
        data = np.load(path, allow_pickle=False)
    except FileNotFoundError as error:
        raise KeypointFileError(f"keypoints file {path} not found") from error
    except (OSError, ValueError) as error:
        raise KeypointFileError(f"keypoints file {path} cannot be read: {error}") from error
    if data.ndim != 3 or data.shape[1] != NUM_POINTS or data.shape[2] not in (2, 3):
        raise KeypointFileError(
            f"keypoints file {path} has shape {data.shape}; expected (T, {NUM_POINTS}, 2)"
        )
    if data.shape[0] == 0:
        raise KeypointFileError(f"keypoints file {path} has zero frames")
    out = np.full((data.shape[0], NUM_POINTS, 3), np.nan, dtype=np.float32)
    out[..., : data.shape[2]] = data
    missing = (out[..., 0] == 0) & (out[..., 1] == 0)
    out[missing] = np.nan
    return out[:, : NUM_POINTS if face else NUM_BODY_POINTS].astype(np.float16)
