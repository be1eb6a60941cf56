"""Augmentations that respect fingerspelling, on a span's keypoints (spelling hand = right).

A letter is a handshape, so the hand is turned in 3-D about its wrist (the same shape seen
from a slightly different angle: z is MediaPipe's depth, 0 where unknown) and the whole frame
is tilted and zoomed a little (:func:`asl_stem.detect.augment.rotate_scale`). Signers spell
faster or slower: time is resampled by interpolation. The tracker loses a finger now and then
(it hides behind the palm in A, S, T, M, N) and whole frames during fast motion: fingers and
frames are dropped. Mirroring is not random: left-handed spans are mirrored before this
(:mod:`asl_stem.recognize.features`), which is what mirroring is for here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from asl_stem.detect.augment import rotate_scale
from asl_stem.layout import HAND_POINTS, LEFT_HAND, RIGHT_HAND

# Each finger's points after its base: thumb 1-4, index 5-8, middle 9-12, ring 13-16, pinky 17-20.
FINGERS = tuple(tuple(range(base, base + 4)) for base in (1, 5, 9, 13, 17))


@dataclass(frozen=True)
class SpanAugment:
    """Ranges and probabilities of each augmentation."""

    max_hand_rotation_deg: float = 20.0
    max_rotation_deg: float = 8.0
    scale_range: tuple[float, float] = (0.9, 1.1)
    speed_range: tuple[float, float] = (0.75, 1.35)
    drop_finger: float = 0.25
    drop_frame: float = 0.05


def _rotation(angles: np.ndarray) -> np.ndarray:
    """3-D rotation matrix from angles (radians) about x, y and z."""
    ax, ay, az = angles
    rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    return rz @ ry @ rx


def turn_hand(
    keypoints: np.ndarray, is_valid: np.ndarray, hand: slice, rotation: np.ndarray
) -> np.ndarray:
    """Rotate a hand's points in 3-D about its wrist, frame by frame; missing points stay 0."""
    out = keypoints.copy()
    points = keypoints[:, hand].astype(np.float64)
    wrist = points[:, HAND_POINTS["wrist"] : HAND_POINTS["wrist"] + 1]
    turned = (points - wrist) @ rotation.T + wrist
    out[:, hand] = np.where(is_valid[:, hand, None], turned, 0.0)
    return out


def resample(
    keypoints: np.ndarray, is_valid: np.ndarray, factor: float
) -> tuple[np.ndarray, np.ndarray]:
    """Stretch time by ``factor`` (> 1 slower): points interpolated between the two nearest
    frames when both are valid, else taken from the nearer one."""
    length = len(keypoints)
    new_length = max(2, round(length * factor))
    source = np.linspace(0, length - 1, new_length)
    low = np.floor(source).astype(int)
    high = np.minimum(low + 1, length - 1)
    weight = (source - low)[:, None, None]
    both = is_valid[low] & is_valid[high]
    mixed = keypoints[low] * (1 - weight) + keypoints[high] * weight
    nearest = np.where(weight[..., 0] < 0.5, low[:, None], high[:, None])
    points = np.where(both[..., None], mixed, keypoints[nearest, np.arange(keypoints.shape[1])])
    valid = np.where(both, True, is_valid[nearest, np.arange(keypoints.shape[1])])
    return points.astype(keypoints.dtype), valid


def drop_finger(
    keypoints: np.ndarray, is_valid: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Lose one finger of the spelling hand for a run of frames (as a hidden finger is lost)."""
    keypoints, is_valid = keypoints.copy(), is_valid.copy()
    finger = [RIGHT_HAND.start + i for i in FINGERS[int(rng.integers(len(FINGERS)))]]
    length = int(rng.integers(1, len(keypoints) + 1))
    start = int(rng.integers(0, len(keypoints) - length + 1))
    is_valid[start : start + length, finger] = False
    keypoints[start : start + length, finger] = 0.0
    return keypoints, is_valid


def augment_span(
    keypoints: np.ndarray,
    is_valid: np.ndarray,
    rng: np.random.Generator,
    config: SpanAugment | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One random augmentation of a span's keypoints (T, P, 3) and validity (T, P)."""
    config = config if config is not None else SpanAugment()
    limit = np.deg2rad(config.max_hand_rotation_deg)
    for hand in (RIGHT_HAND, LEFT_HAND):
        keypoints = turn_hand(keypoints, is_valid, hand, _rotation(rng.uniform(-limit, limit, 3)))
    angle = rng.uniform(-config.max_rotation_deg, config.max_rotation_deg)
    scale = rng.uniform(*config.scale_range, size=2)
    keypoints = rotate_scale(keypoints, is_valid, angle, (float(scale[0]), float(scale[1])))
    keypoints, is_valid = resample(keypoints, is_valid, float(rng.uniform(*config.speed_range)))
    if rng.random() < config.drop_finger:
        keypoints, is_valid = drop_finger(keypoints, is_valid, rng)
    lost = rng.random(len(keypoints)) < config.drop_frame
    is_valid = is_valid & ~lost[:, None]
    keypoints = np.where(is_valid[..., None], keypoints, 0.0).astype(keypoints.dtype)
    return keypoints, is_valid
