"""Make clean keypoints look like MediaPipe output: jitter, camera drift and dropouts.

What MediaPipe does to real signing, and what this imitates: every landmark jitters a little
from frame to frame (hands more than the body, the face less); the camera drifts; a hand goes
missing for a run of frames, more often when it moves fast (motion blur) and always when it
leaves the image; now and then no person is found and the whole frame is missing. Missing is
NaN, as the toolkit stores it.
"""

from __future__ import annotations

import numpy as np

from asl_stem.layout import FACE, LEFT_HAND, RIGHT_HAND
from asl_stem.synth.motion import smooth_noise
from asl_stem.synth.style import SignerStyle

MEAN_DROPOUT_RUN = 4.0  # frames a lost hand stays lost, on average
FAST_HAND = 0.02  # normalised units per frame at which dropouts become twice as likely


def add_tracker_noise(
    points: np.ndarray, style: SignerStyle, rng: np.random.Generator
) -> np.ndarray:
    """A noisy float32 copy of ``points`` (T, 543, 3) with NaN where the tracker lost things."""
    num_frames = len(points)
    noisy = points.copy()
    noisy[..., :2] += style.camera_jitter * smooth_noise(rng, num_frames, 2, period=30.0)[:, None]
    sigma = np.full(points.shape[1], style.point_noise)
    sigma[FACE] *= 0.4
    for component in (RIGHT_HAND, LEFT_HAND):
        sigma[component] *= 1.3
        shift = 0.6 * style.point_noise * rng.normal(size=(num_frames, 1, 2))
        noisy[:, component, :2] += shift
    noisy[..., :2] += rng.normal(size=(num_frames, points.shape[1], 2)) * sigma[None, :, None]
    noisy[..., 2] += rng.normal(size=noisy.shape[:2]) * sigma[None, :] * 0.5
    for component in (RIGHT_HAND, LEFT_HAND):
        lost = _hand_lost(points[:, component], style.hand_dropout, rng)
        noisy[lost, component] = np.nan
    frame_lost = rng.random(num_frames) < style.frame_dropout
    noisy[frame_lost] = np.nan
    return noisy.astype(np.float32)


def _hand_lost(hand: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Frames (T,) where a hand (T, 21, 3) is not detected: random runs, and outside the image."""
    num_frames = len(hand)
    wrist = hand[:, 0, :2]
    speed = np.zeros(num_frames)
    speed[1:] = np.linalg.norm(np.diff(wrist, axis=0), axis=1)
    chance = rate * (1.0 + speed / FAST_HAND)
    lost = np.zeros(num_frames, dtype=bool)
    starts = np.flatnonzero(rng.random(num_frames) < chance)
    lengths = rng.geometric(1.0 / MEAN_DROPOUT_RUN, size=len(starts))
    for start, length in zip(starts, lengths, strict=True):
        lost[start : start + length] = True
    xy = hand[..., :2]
    outside = ((xy < -0.02) | (xy > 1.02)).any(axis=(1, 2)) | (wrist[:, 1] > 0.98)
    return lost | outside
