"""Assemble the 543 keypoints of a frame sequence from hand tracks and a signer's body.

Motion is planned in a canonical body frame: shoulder widths, origin at the shoulders'
midpoint, x towards the image's right, y down, the dominant hand being the signer's right
(image left, as a camera facing the signer sees it). The head, torso and face are the real mean
body and face of the letter lexicon (:mod:`asl_stem.synth.letters`); arms are solved from
shoulder to wrist. A left-handed signer is the same motion mirrored, the dominant track going
to the left hand. Finally the body is placed in the image (scale, position, camera roll) as
normalised coordinates.
"""

from __future__ import annotations

import numpy as np

from asl_stem.layout import FACE, LEFT_HAND, NUM_POINTS, POSE, RIGHT_HAND, pose_index
from asl_stem.synth.letters import Lexicon
from asl_stem.synth.motion import elbows, rotate_shape, smooth_noise
from asl_stem.synth.signing import Hands, mirror
from asl_stem.synth.style import SignerStyle

UPPER_ARM = 0.62
FOREARM = 0.58
HEAD_POINTS = list(range(0, 11))  # nose, eyes, ears, mouth: move with the head
# Pose points the hand carries: (wrist, pinky, index, thumb) -> hand landmark indices.
HAND_TO_POSE = {"wrist": 0, "pinky": 17, "index": 5, "thumb": 2}
# Offsets from a pose wrist index to its pinky, index and thumb points (MediaPipe pose order:
# wrists 15/16, pinkies 17/18, index 19/20, thumbs 21/22; left before right).
POSE_OFFSETS = {"wrist": 0, "pinky": 2, "index": 4, "thumb": 6}


def _arm(
    points: np.ndarray,
    side: str,
    wrist: np.ndarray,
    shape: np.ndarray,
    component: slice,
) -> None:
    """Write one arm (elbow, wrist, hand points) into ``points`` (T, 543, 3), in place."""
    shoulder = points[:, pose_index(f"{side}_shoulder"), :2]
    sign = -1.0 if shoulder[0, 0] < 0 else 1.0
    points[:, pose_index(f"{side}_elbow"), :2] = elbows(shoulder, wrist, UPPER_ARM, FOREARM, sign)
    hand = shape.copy()
    hand[..., :2] += wrist[:, None, :]
    raised = np.clip(1.1 - wrist[:, 1], 0.0, 1.5)[:, None]
    hand[..., 2] += -0.25 * raised  # raised hands come towards the camera
    points[:, component] = hand
    for name, landmark in HAND_TO_POSE.items():
        points[:, pose_index(f"{side}_wrist") + POSE_OFFSETS[name]] = hand[:, landmark]


def body_points(
    hands: Hands,
    num_frames: int,
    lexicon: Lexicon,
    style: SignerStyle,
    rng: np.random.Generator,
) -> np.ndarray:
    """Clean keypoints (T, 543, 3) in normalised image coordinates for the planned motion."""
    points = np.zeros((num_frames, NUM_POINTS, 3), dtype=np.float64)
    points[:, POSE] = lexicon.pose
    points[:, FACE] = lexicon.face
    sway = 0.025 * smooth_noise(rng, num_frames, 2, period=40.0)
    nod = 0.02 * smooth_noise(rng, num_frames, 2, period=12.0)
    head = sway + nod
    points[:, HEAD_POINTS, :2] += head[:, None]
    points[:, FACE, :2] += head[:, None]
    points[:, POSE, :2] += 0.4 * sway[:, None]  # the torso sways less than the head
    dominant = hands.dominant.sample(num_frames)
    other = hands.other.sample(num_frames)
    right, left = dominant, other
    if style.handedness == "left":  # the same signing mirrored: the left hand leads
        right, left = _mirrored(other), _mirrored(dominant)
    for side, (wrist, shape, angle), component in (
        ("right", right, RIGHT_HAND),
        ("left", left, LEFT_HAND),
    ):
        _arm(points, side, wrist, rotate_shape(shape, angle), component)
    return _place_in_image(points, style)


def _mirrored(
    sampled: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A sampled track as the other hand would make it: x mirrored, roll reversed."""
    wrist, shape, angle = sampled
    return mirror(wrist), mirror(shape), -angle


def _place_in_image(points: np.ndarray, style: SignerStyle) -> np.ndarray:
    """Body units to normalised image coordinates: scale, camera roll, position, aspect."""
    cos, sin = np.cos(style.tilt), np.sin(style.tilt)
    x, y = points[..., 0], points[..., 1]
    placed = np.empty_like(points)
    placed[..., 0] = style.center[0] + style.scale * (cos * x - sin * y)
    placed[..., 1] = style.center[1] + style.scale * style.aspect * (sin * x + cos * y)
    placed[..., 2] = style.scale * points[..., 2]
    return placed
