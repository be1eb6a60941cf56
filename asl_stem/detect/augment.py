"""Augmentations that respect signing, applied to raw keypoints before features.

Mirroring swaps the hands (and the body's sides), so a right-handed signer becomes a
left-handed one; rotations and scales stay small (a camera a little off); time stretch changes
signing speed and stretches the labels with it; dropped hands imitate the detector losing a
hand for a few frames, as MediaPipe does during fast fingerspelling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from asl_stem.detect.features import body_frame
from asl_stem.layout import LEFT_HAND, NUM_BODY_POINTS, RIGHT_HAND

# MediaPipe pose: (left, right) landmark pairs, swapped by a mirror.
POSE_PAIRS = ((1, 4), (2, 5), (3, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16), (17, 18),
              (19, 20), (21, 22), (23, 24), (25, 26), (27, 28), (29, 30), (31, 32))  # fmt: skip


@dataclass(frozen=True)
class AugmentConfig:
    """Probabilities and ranges of each augmentation."""

    mirror: float = 0.5
    max_rotation_deg: float = 10.0
    scale_range: tuple[float, float] = (0.9, 1.1)
    stretch_range: tuple[float, float] = (0.8, 1.25)
    drop_hand: float = 0.3
    max_drop_frames: int = 15


def mirror_permutation(num_points: int) -> np.ndarray:
    """Point order after a left-right mirror: pose sides swapped, right and left hands swapped."""
    order = np.arange(num_points)
    for left, right in POSE_PAIRS:
        order[left], order[right] = right, left
    points = np.arange(num_points)
    order[RIGHT_HAND] = points[LEFT_HAND]
    order[LEFT_HAND] = points[RIGHT_HAND]
    return order  # face points (if any) keep their order: models use the first 75 points


def mirror(keypoints: np.ndarray, is_valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flip x and swap sides; missing points stay missing."""
    order = mirror_permutation(keypoints.shape[1])
    flipped = keypoints[:, order].copy()
    flipped[..., 0] = np.where(is_valid[:, order], 1.0 - flipped[..., 0], 0.0)
    return flipped, is_valid[:, order].copy()


def rotate_scale(
    keypoints: np.ndarray, is_valid: np.ndarray, angle_deg: float, scale_xy: tuple[float, float]
) -> np.ndarray:
    """Rotate and scale x, y about the shoulder centre (a tilted, zoomed or stretched camera)."""
    centre, _ = body_frame(keypoints[:, :, :2], is_valid)
    theta = np.deg2rad(angle_deg)
    rotation = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    out = keypoints.copy()
    xy = (keypoints[..., :2] - centre) @ rotation.T * np.asarray(scale_xy) + centre
    out[..., :2] = np.where(is_valid[..., None], xy, 0.0)
    return out


def time_stretch(arrays: tuple[np.ndarray, ...], factor: float) -> tuple[np.ndarray, ...]:
    """Resample every array along time by ``factor`` (> 1 is slower signing), nearest frame."""
    length = len(arrays[0])
    new_length = max(1, round(length * factor))
    index = np.minimum((np.arange(new_length) / factor).astype(int), length - 1)
    return tuple(array[index] for array in arrays)


def drop_hand(
    keypoints: np.ndarray, is_valid: np.ndarray, rng: np.random.Generator, max_frames: int
) -> tuple[np.ndarray, np.ndarray]:
    """Lose one hand for a random run of up to ``max_frames`` frames (values become 0)."""
    keypoints, is_valid = keypoints.copy(), is_valid.copy()
    hand = RIGHT_HAND if rng.random() < 0.5 else LEFT_HAND
    length = int(rng.integers(1, max_frames + 1))
    start = int(rng.integers(0, max(1, len(is_valid) - length + 1)))
    is_valid[start : start + length, hand] = False
    keypoints[start : start + length, hand] = 0.0
    return keypoints, is_valid


def augment(
    keypoints: np.ndarray,
    is_valid: np.ndarray,
    labels: np.ndarray,
    rng: np.random.Generator,
    config: AugmentConfig | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One random augmentation of a recording: keypoints (T, P, 3), is_valid (T, P), labels (T,)."""
    config = config if config is not None else AugmentConfig()
    if keypoints.shape[1] < NUM_BODY_POINTS:
        raise ValueError(f"augment needs >= {NUM_BODY_POINTS} points, got {keypoints.shape[1]}")
    if rng.random() < config.mirror:
        keypoints, is_valid = mirror(keypoints, is_valid)
    angle = rng.uniform(-config.max_rotation_deg, config.max_rotation_deg)
    scale = rng.uniform(*config.scale_range, size=2)
    keypoints = rotate_scale(keypoints, is_valid, angle, (float(scale[0]), float(scale[1])))
    factor = float(rng.uniform(*config.stretch_range))
    keypoints, is_valid, labels = time_stretch((keypoints, is_valid, labels), factor)
    while rng.random() < config.drop_hand:
        keypoints, is_valid = drop_hand(keypoints, is_valid, rng, config.max_drop_frames)
    return keypoints, is_valid, labels
