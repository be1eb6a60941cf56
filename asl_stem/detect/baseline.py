"""The non-learned baseline: fingerspelling = changing handshape on a still forearm.

Like the heuristic of the published ASL STEM Wiki code, it scores each frame from a window
around it: the variance of the finger joint angles of a hand (letters follow one another, so
the handshape keeps changing) times the stillness of that forearm (fingerspelling happens in
one place, while other signs move the arm). The better of the two hands wins. The scores go
through the model's :func:`~asl_stem.detect.binarize.binarize`, with the heuristic's own
parameters: hand-set ones (:data:`DEFAULT_SETTINGS`) or ones fitted on training articles
(:mod:`asl_stem.detect.tuning`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.detect.binarize import BinarizeConfig, binarize
from asl_stem.detect.features import HANDS, body_frame, joint_angles
from asl_stem.layout import pose_index


@dataclass(frozen=True)
class HeuristicSettings:
    """The heuristic's knobs: its window and scales, and how its scores are decoded."""

    window: int = 15
    angle_scale: float = 0.02
    motion_scale: float = 0.03
    decoding: BinarizeConfig = field(default_factory=lambda: BinarizeConfig(0.5, 0.35, 9, 10, 8))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HeuristicSettings:
        return cls(**{**data, "decoding": BinarizeConfig(**data["decoding"])})


# The hand-set settings (frames at the corpus' ~30 fps); asl_stem.detect.tuning fits others.
DEFAULT_SETTINGS = HeuristicSettings()

FOREARM = {"right": ("right_elbow", "right_wrist"), "left": ("left_elbow", "left_wrist")}


@dataclass(frozen=True)
class HandParts:
    """What the heuristic's score is made of, for one hand of one recording (each (T,)).

    Kept apart from the scales so a search over scales reuses one pass over the keypoints.
    """

    variance: np.ndarray  # mean windowed variance of the finger joint angles
    motion: np.ndarray  # mean forearm speed in the window, shoulder widths a frame
    seen: np.ndarray  # the hand was found in half the window or more


def hand_parts(keypoints: np.ndarray, is_valid: np.ndarray, window: int) -> list[HandParts]:
    """The right and the left hand's :class:`HandParts` over a ``window``-frame window."""
    xy = keypoints[:, :, :2].astype(np.float64)
    valid = is_valid.astype(bool)
    _, scale = body_frame(xy, valid)
    parts = []
    for side, component in zip(("right", "left"), HANDS, strict=True):
        present = valid[:, component].all(axis=1)
        angles = joint_angles(xy[:, component])
        variance = _window_variance(angles, present, window).mean(axis=1)
        motion = _forearm_motion(xy, valid, side, scale, window)
        seen = _window_mean(present[:, None] * 1.0, np.ones((len(xy), 1), bool), window)[:, 0]
        parts.append(HandParts(variance, motion, seen > 0.5))
    return parts


def combine(parts: list[HandParts], angle_scale: float, motion_scale: float) -> np.ndarray:
    """Frame scores in [0, 1]: changing handshape x still forearm, the better hand."""
    sides = [
        np.where(
            p.seen, (1 - np.exp(-p.variance / angle_scale)) * np.exp(-p.motion / motion_scale), 0.0
        )
        for p in parts
    ]
    return np.max(sides, axis=0)


def heuristic_scores(
    keypoints: np.ndarray,
    is_valid: np.ndarray,
    window: int = 15,
    angle_scale: float = 0.02,
    motion_scale: float = 0.03,
) -> np.ndarray:
    """Frame scores in [0, 1] for one recording.

    Parameters
    ----------
    keypoints : (T, P, 3), is_valid : (T, P)
    window : frames in the sliding window (about half a second)
    angle_scale : joint-angle variance (cosine units) at which the handshape term is 0.63
    motion_scale : forearm speed (shoulder widths per frame) at which stillness falls to 0.37
    """
    return combine(hand_parts(keypoints, is_valid, window), angle_scale, motion_scale)


def heuristic_spans(
    keypoints: np.ndarray,
    is_valid: np.ndarray,
    recording_id: str = "",
    settings: HeuristicSettings | None = None,
) -> list[FingerspellingSpan]:
    """The heuristic's spans for one recording (hand-set :data:`DEFAULT_SETTINGS` by default)."""
    settings = settings or DEFAULT_SETTINGS
    scores = heuristic_scores(
        keypoints, is_valid, settings.window, settings.angle_scale, settings.motion_scale
    )
    return binarize(scores, **asdict(settings.decoding), recording_id=recording_id)


def _forearm_motion(
    xy: np.ndarray, valid: np.ndarray, side: str, scale: float, window: int
) -> np.ndarray:
    """Mean speed of the elbow and wrist over the window, in shoulder widths per frame."""
    points = [pose_index(name) for name in FOREARM[side]]
    speed = np.zeros((len(xy), len(points)))
    both = np.zeros((len(xy), len(points)), dtype=bool)
    speed[1:] = np.linalg.norm(xy[1:, points] - xy[:-1, points], axis=-1) / scale
    both[1:] = valid[1:, points] & valid[:-1, points]
    moving = _window_mean(speed, both, window).mean(axis=1)
    seen = _window_mean(both * 1.0, np.ones_like(both), window).mean(axis=1)
    return np.where(seen > 0, moving, np.inf)  # an unseen forearm is not evidence of stillness


def _window_mean(values: np.ndarray, valid: np.ndarray, window: int) -> np.ndarray:
    """Mean of the valid entries of (T, C) ``values`` in a centred window (0 where none)."""
    kernel = np.ones(window)
    weights = valid.astype(np.float64)
    sums = np.stack([np.convolve(c, kernel, mode="same") for c in (values * weights).T], axis=1)
    counts = np.stack([np.convolve(c, kernel, mode="same") for c in weights.T], axis=1)
    return np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)


def _window_variance(values: np.ndarray, present: np.ndarray, window: int) -> np.ndarray:
    """Variance of each column of (T, C) ``values`` over the frames where ``present``."""
    valid = np.repeat(present[:, None], values.shape[1], axis=1)
    mean = _window_mean(values, valid, window)
    mean_sq = _window_mean(values**2, valid, window)
    return np.maximum(mean_sq - mean**2, 0.0)
