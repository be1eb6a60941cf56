"""Compact keypoints for clip playback, stored in the index so the app needs only that file.

A recording's payload is the (x, y) of the 75 body points (pose + hands), every ``stride``-th
frame so that playback runs at most ``max_fps``, quantised to 7 bits inside the box that holds
the recording's upper body (127 = missing; the legs, which the player never draws, are always
missing). What the player needs decided the 7 bits: the large player draws that box in at most
324 px, so one step is 2.6 px and the worst rounding error 1.3 px, under the 2 px width of its
lines (benchmarks/bench_index.py prints the measured error and bytes a frame). Each point's x
and y series is stored as frame-to-frame differences (mod 256), which deflate packs tightly
because signing moves little between frames. The blob is gzip, so the app sends
it as it is with ``Content-Encoding: gzip`` and the browser unpacks it for free.

Binary layout after gunzip (little endian): ``ASK2``, version u8, points u8, stride u16, fps
f32 (source), num_frames u32 (source), stored frames u32, box x0 y0 width height f32 x 4, then
``points * 2`` series of ``stored`` u8 differences (point 0 x, point 0 y, point 1 x, ...).
"""

from __future__ import annotations

import gzip
import logging
import math
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from asl_stem.layout import NUM_BODY_POINTS

log = logging.getLogger(__name__)

DEFAULT_MAX_FPS = 15.0
MAGIC = b"ASK2"
HEADER = struct.Struct("<4sBBHfII4f")
MISSING = 127
LEVELS = 126  # codes 0..126 are positions
LEGS = range(25, 33)  # knees, ankles, feet: never drawn, left out of the box


@dataclass(frozen=True)
class Payload:
    """Downsampled, quantised keypoints of one recording: ``codes`` is uint8 (frames, 75, 2)."""

    fps: float
    stride: int
    num_frames: int
    box: tuple[float, float, float, float]
    codes: np.ndarray

    def to_blob(self) -> bytes:
        """The gzip bytes the app stores and serves (header + difference series)."""
        header = HEADER.pack(
            MAGIC, 1, NUM_BODY_POINTS, self.stride, self.fps, self.num_frames, len(self.codes),
            *self.box,
        )  # fmt: skip
        series = np.ascontiguousarray(self.codes.transpose(1, 2, 0))  # (points, 2, frames)
        deltas = np.diff(series.astype(np.int16), axis=-1, prepend=0).astype(np.uint8)
        return gzip.compress(header + deltas.tobytes(), compresslevel=6, mtime=0)

    @classmethod
    def from_blob(cls, blob: bytes) -> Payload:
        """Read a blob back; ``ValueError`` when it is not one."""
        raw = gzip.decompress(blob)
        magic, _, points, stride, fps, num_frames, stored, *box = HEADER.unpack_from(raw)
        if magic != MAGIC or len(raw) != HEADER.size + points * 2 * stored:
            raise ValueError("not an asl-stem keypoint payload (bad header or length)")
        deltas = np.frombuffer(raw, np.uint8, offset=HEADER.size).reshape(points, 2, stored)
        series = np.cumsum(deltas, axis=-1, dtype=np.int64) % 256
        codes = series.astype(np.uint8).transpose(2, 0, 1)
        return cls(float(fps), int(stride), int(num_frames), tuple(box), codes)  # type: ignore[arg-type]

    def coordinates(self) -> np.ndarray:
        """float32 (frames, 75, 2) normalised image coordinates, NaN where missing."""
        x0, y0, width, height = self.box
        scale = np.array([width, height], np.float32) / LEVELS
        out = self.codes.astype(np.float32) * scale + np.array([x0, y0], np.float32)
        out[self.codes == MISSING] = np.nan
        return out

    def to_json(self) -> dict[str, Any]:
        """Frames as flat ``[x0, y0, x1, y1, ...]`` lists, 3 decimals, ``null`` where missing."""
        rounded = np.round(self.coordinates(), 3).reshape(len(self.codes), -1)
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
    if not math.isfinite(fps) or fps <= 0 or not max_fps > 0:
        raise ValueError(f"frame rate {fps} (max {max_fps}) is not a positive number")
    stride = max(1, math.ceil(fps / max_fps - 1e-9))
    body = keypoints[::stride, :NUM_BODY_POINTS, :2].astype(np.float32)
    valid = np.isfinite(body).all(axis=-1)
    box = _box(body, valid)
    x0, y0, width, height = box
    scaled = (body - np.array([x0, y0], np.float32)) / np.array([width, height], np.float32)
    codes = np.clip(np.rint(np.nan_to_num(scaled) * LEVELS), 0, LEVELS).astype(np.uint8)
    codes[~valid] = MISSING
    codes[:, LEGS] = MISSING
    return Payload(float(fps), stride, int(keypoints.shape[0]), box, codes)


def _box(body: np.ndarray, valid: np.ndarray) -> tuple[float, float, float, float]:
    """(x0, y0, width, height) holding every valid point above the hips."""
    upper = valid.copy()
    upper[:, LEGS] = False
    points = body[upper] if upper.any() else body[valid]
    if not len(points):
        return (0.0, 0.0, 1.0, 1.0)
    low, high = points.min(axis=0), points.max(axis=0)
    size = np.maximum(high - low, 1e-3)
    return (float(low[0]), float(low[1]), float(size[0]), float(size[1]))


def from_reference_npy(path: Path) -> np.ndarray:
    """A reference-format ``(T, 543, 2)`` file; exact (0, 0) points count as missing."""
    array = np.load(path, allow_pickle=False).astype(np.float32)
    missing = np.all(array[..., :2] == 0.0, axis=-1)
    array[missing] = np.nan
    return array


def iter_shard_keypoints(shards_dir: Path) -> Iterator[tuple[str, np.ndarray, float]]:
    """``(recording_id, keypoints with NaN where missing, fps)`` for every sample of the shards."""
    from asl_stem.shards.reader import iter_samples

    for sample in iter_samples(shards_dir, num_points=NUM_BODY_POINTS):
        keypoints = np.array(sample["keypoints"], dtype=np.float32)
        keypoints[~np.asarray(sample["is_valid"], dtype=bool)] = np.nan
        yield sample["key"], keypoints, float(sample["meta"].get("fps") or 0.0)
