"""Key poses of one hand over time, and their smooth interpolation to every frame.

A hand's motion is a list of key poses (frame, wrist position, handshape, roll angle), in body
units (shoulder widths, origin at the shoulders' midpoint, x towards image right, y down).
Between keys the hand eases in and out (cosine easing), the way a hand settles into a shape.
Keys at the same place with different frames are holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class HandTrack:
    """Key poses of one hand, appended in time order."""

    frames: list[float] = field(default_factory=list)
    wrists: list[np.ndarray] = field(default_factory=list)
    shapes: list[np.ndarray] = field(default_factory=list)
    angles: list[float] = field(default_factory=list)

    def add(self, frame: float, wrist: np.ndarray, shape: np.ndarray, angle: float = 0.0) -> None:
        """Append a key pose; one not after the last key goes just after it (time order holds)."""
        if self.frames and frame <= self.frames[-1]:
            frame = self.frames[-1] + 1e-3
        self.frames.append(float(frame))
        self.wrists.append(np.asarray(wrist, dtype=np.float64))
        self.shapes.append(np.asarray(shape, dtype=np.float64))
        self.angles.append(float(angle))

    @property
    def last_frame(self) -> float:
        """Frame of the last key (-inf when empty)."""
        return self.frames[-1] if self.frames else float("-inf")

    def sample(self, num_frames: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Wrist (T, 2), handshape (T, 21, 3) and roll (T,) at every frame, eased between keys."""
        if not self.frames:
            raise ValueError("a hand track needs at least one key pose")
        keys = np.asarray(self.frames)
        t = np.arange(num_frames, dtype=np.float64)
        after = np.clip(np.searchsorted(keys, t, side="right"), 1, max(1, len(keys) - 1))
        before = after - 1
        if len(keys) == 1:
            after = before
        span = np.maximum(keys[after] - keys[before], 1e-6)
        weight = np.clip((t - keys[before]) / span, 0.0, 1.0)
        weight[t < keys[0]] = 0.0
        eased = 0.5 - 0.5 * np.cos(np.pi * weight)
        wrists, shapes, angles = (
            np.asarray(self.wrists),
            np.asarray(self.shapes),
            np.array(self.angles),
        )
        last = t >= keys[-1]
        before[last] = after[last] = len(keys) - 1
        w2 = eased[:, None]
        wrist = wrists[before] * (1 - w2) + wrists[after] * w2
        shape = shapes[before] * (1 - w2[:, None]) + shapes[after] * w2[:, None]
        angle = angles[before] * (1 - eased) + angles[after] * eased
        return wrist, shape, angle


def rotate_shape(shape: np.ndarray, angle: np.ndarray) -> np.ndarray:
    """Roll handshapes (T, 21, 3) about the wrist by ``angle`` (T,) radians in the image plane."""
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    rolled = shape.copy()
    rolled[..., 0] = cos * shape[..., 0] - sin * shape[..., 1]
    rolled[..., 1] = sin * shape[..., 0] + cos * shape[..., 1]
    return rolled


def elbows(
    shoulder: np.ndarray, wrist: np.ndarray, upper: float, fore: float, side: float
) -> np.ndarray:
    """Elbow positions (T, 2) for shoulders and wrists (T, 2), as the camera sees the arm.

    With the arm extended the elbow is the two-link solution that hangs lower; with the hand
    near the body the forearm points at the camera (foreshortened) and the elbow hangs down
    beside the torso. ``side`` is -1 for the arm on the image's left, +1 on its right.
    """
    delta = wrist - shoulder
    reach = np.linalg.norm(delta, axis=1, keepdims=True)
    unit = delta / np.maximum(reach, 1e-6)
    reach_c = np.clip(reach, 1e-6, upper + fore - 1e-6)
    along = (upper**2 - fore**2 + reach_c**2) / (2 * reach_c)
    height = np.sqrt(np.maximum(upper**2 - along**2, 0.0))
    normal = np.stack([-unit[:, 1], unit[:, 0]], axis=1)
    choose = np.where((normal[:, 1:] + 0.3 * side * normal[:, :1]) >= 0, 1.0, -1.0)
    extended = shoulder + unit * along + normal * height * choose
    hanging = np.array([0.2 * side, 1.0]) + 0.7 * unit
    hanging = shoulder + 0.85 * upper * hanging / np.linalg.norm(hanging, axis=1, keepdims=True)
    weight = np.clip((reach - 0.6 * (upper + fore)) / (0.3 * (upper + fore)), 0.0, 1.0)
    elbow = hanging * (1 - weight) + extended * weight
    forearm = elbow - wrist
    length = np.linalg.norm(forearm, axis=1, keepdims=True)
    too_long = length > fore
    return np.where(too_long, wrist + forearm * fore / np.maximum(length, 1e-6), elbow)


def smooth_noise(rng: np.random.Generator, num_frames: int, dims: int, period: float) -> np.ndarray:
    """Slowly varying noise (T, dims) of unit scale: random keys every ``period`` frames, eased."""
    count = int(np.ceil(num_frames / period)) + 2
    keys = rng.normal(0.0, 1.0, size=(count, dims))
    t = np.arange(num_frames) / period
    low = np.floor(t).astype(int)
    weight = (0.5 - 0.5 * np.cos(np.pi * (t - low)))[:, None]
    return keys[low] * (1 - weight) + keys[low + 1] * weight
