"""Compact keypoints for clip playback, stored in the index so the app needs only that file.

A recording's payload is float16 (x, y) of the 75 body points (pose + hands), every
``stride``-th frame so that playback runs at most ``max_fps``, zlib-compressed: about 300 bytes
a frame before compression. Missing points stay NaN and travel to the browser as ``null``.
"""

from __future__ import annotations

import logging
import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from asl_stem.layout import NUM_BODY_POINTS

log = logging.getLogger(__name__)

DEFAULT_MAX_FPS = 15.0


@dataclass(frozen=True)
class Payload:
    """Downsampled keypoints of one recording: ``data`` is float16 (frames, 75, 2)."""

    fps: float
    stride: int
    num_frames: int
    data: np.ndarray

    def to_blob(self) -> bytes:
        return zlib.compress(np.ascontiguousarray(self.data, dtype="<f2").tobytes(), 6)

    @classmethod
    def from_blob(cls, blob: bytes, fps: float, stride: int, num_frames: int) -> Payload:
        flat = np.frombuffer(zlib.decompress(blob), dtype="<f2")
        return cls(fps, stride, num_frames, flat.reshape(-1, NUM_BODY_POINTS, 2))

    def to_json(self) -> dict[str, Any]:
        """Frames as flat ``[x0, y0, x1, y1, ...]`` lists, 4 decimals, ``null`` where missing."""
        rounded = np.round(self.data.astype(np.float32), 4).reshape(len(self.data), -1)
        frames = [[None if math.isnan(v) else v for v in row] for row in rounded.tolist()]
        return {
            "fps": self.fps / self.stride,
            "stride": self.stride,
            "num_frames": self.num_frames,
            "num_points": NUM_BODY_POINTS,
            "frames": frames,
        }


def make_payload(keypoints: np.ndarray, fps: float, max_fps: float = DEFAULT_MAX_FPS) -> Payload:
    """Payload of a ``(T, P, >=2)`` array (P >= 75), NaN where missing."""
    if keypoints.ndim != 3 or keypoints.shape[1] < NUM_BODY_POINTS or keypoints.shape[2] < 2:
        raise ValueError(
            f"keypoints of shape {keypoints.shape}; expected (frames, >= {NUM_BODY_POINTS}, >= 2)"
        )
    stride = max(1, math.ceil(fps / max_fps)) if fps > 0 else 1
    body = keypoints[::stride, :NUM_BODY_POINTS, :2].astype(np.float32)
    return Payload(float(fps), stride, int(keypoints.shape[0]), body.astype(np.float16))


def from_reference_npy(path: Path) -> np.ndarray:
    """A reference-format ``(T, 543, 2)`` file; exact (0, 0) points count as missing."""
    array = np.load(path, allow_pickle=False).astype(np.float32)
    missing = np.all(array[..., :2] == 0.0, axis=-1)
    array[missing] = np.nan
    return array


def iter_shard_keypoints(shards_dir: Path) -> Iterator[tuple[str, np.ndarray, float]]:
    """``(recording_id, keypoints with NaN where missing, fps)`` for every sample of the shards."""
    from asl_stem.shards.reader import iter_samples

    for sample in iter_samples(shards_dir):
        keypoints = np.array(sample["keypoints"], dtype=np.float32)
        keypoints[~np.asarray(sample["is_valid"], dtype=bool)] = np.nan
        yield sample["key"], keypoints, float(sample["meta"].get("fps") or 0.0)
