"""The recognizer's inputs: the detector's per-frame features with the spelling hand as the right.

Letters are formed by one hand, so each span is read from its dominant hand: the hand that is
seen most and changes shape most inside the span. When that is the signer's left hand, the
recording is mirrored first (:func:`asl_stem.detect.augment.mirror` swaps the hands and the
body's sides), so the model always sees a right hand spelling and left-handed signers need no
data of their own. The features are then :func:`asl_stem.detect.features.compute_features`:
the body centred and scaled by the shoulders, each hand relative to its wrist in palm units
with its joint angles, the wrists in body units, all with velocities and validity flags.
"""

from __future__ import annotations

import numpy as np

from asl_stem.detect.augment import mirror
from asl_stem.detect.features import FEATURE_DIM, compute_features, hand_local
from asl_stem.layout import LEFT_HAND, RIGHT_HAND

__all__ = ["FEATURE_DIM", "dominant_is_left", "span_keypoints", "span_window"]
# Frames of context kept on each side of a span (a letter may start just before the mark).
MARGIN = 4


def _activity(keypoints: np.ndarray, is_valid: np.ndarray, hand: slice) -> float:
    """How much a hand spells in these frames: seen fraction x (1 + mean handshape change)."""
    present = is_valid[:, hand].all(axis=1)
    if not present.any():
        return 0.0
    local, _ = hand_local(keypoints[:, hand, :2])
    both = present[1:] & present[:-1]
    change = np.abs(np.diff(local, axis=0)).mean(axis=(1, 2))[both]
    return float(present.mean() * (1.0 + (change.mean() if len(change) else 0.0)))


def dominant_is_left(keypoints: np.ndarray, is_valid: np.ndarray) -> bool:
    """Whether the signer's left hand spells in these frames (ties go to the right)."""
    left = _activity(keypoints, is_valid, LEFT_HAND)
    return left > _activity(keypoints, is_valid, RIGHT_HAND)


def span_window(num_frames: int, start: int, end: int, margin: int = MARGIN) -> slice:
    """The frames read for an inclusive span, with ``margin`` frames of context, clipped."""
    return slice(max(0, start - margin), min(num_frames, end + 1 + margin))


def span_keypoints(
    keypoints: np.ndarray, is_valid: np.ndarray, start: int, end: int, margin: int = MARGIN
) -> tuple[np.ndarray, np.ndarray]:
    """A span's keypoints with context, mirrored when the left hand spells."""
    window = span_window(len(keypoints), start, end, margin)
    points, valid = keypoints[window], is_valid[window]
    if dominant_is_left(points, valid):
        points, valid = mirror(points, valid)
    return points, valid


def span_features(keypoints: np.ndarray, is_valid: np.ndarray) -> np.ndarray:
    """(T, FEATURE_DIM) model inputs of a span's (mirrored, augmented) keypoints."""
    return compute_features(keypoints, is_valid)
