"""The recognizer's inputs: the spelling hand as the right, and augmentations that keep a span."""

from __future__ import annotations

import numpy as np
from synth_fixtures import QUIET

from asl_stem.layout import NUM_BODY_POINTS, RIGHT_HAND
from asl_stem.recognize.augment import SpanAugment, augment_span, resample, turn_hand
from asl_stem.recognize.features import FEATURE_DIM, dominant_is_left, span_features, span_keypoints
from asl_stem.shards.sample import to_training
from asl_stem.synth import synthesize


def signed(handedness: str) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    style = QUIET.__class__(**{**QUIET.__dict__, "handedness": handedness})
    signing = synthesize("a catalysis by acid", ["catalysis"], signer=style, seed=4)
    keypoints, is_valid = to_training(signing.keypoints.astype(np.float16), NUM_BODY_POINTS)
    span = signing.spans[0]
    return keypoints, is_valid, (span.start_frame, span.end_frame)


def test_the_spelling_hand_is_found_and_made_the_right() -> None:
    for handedness in ("right", "left"):
        keypoints, is_valid, (start, end) = signed(handedness)
        window = slice(start, end + 1)
        assert dominant_is_left(keypoints[window], is_valid[window]) == (handedness == "left")
        points, valid = span_keypoints(keypoints, is_valid, start, end)
        # after mirroring a left-handed span, the spelling hand sits in the right hand's slots
        assert not dominant_is_left(points, valid)
        features = span_features(points, valid)
        assert features.shape == (len(points), FEATURE_DIM) and np.isfinite(features).all()


def test_mirrored_left_spans_look_like_right_ones() -> None:
    right = span_features(*span_keypoints(*signed("right")[:2], *signed("right")[2]))
    left = span_features(*span_keypoints(*signed("left")[:2], *signed("left")[2]))
    length = min(len(right), len(left))
    # the handshape block (right hand, wrist-relative) is the same signing in both
    hand = slice(50, 92)
    assert np.abs(right[:length, hand] - left[:length, hand]).mean() < 0.2


def test_augmentations_keep_missing_points_missing_and_shapes() -> None:
    keypoints, is_valid, (start, end) = signed("right")
    points, valid = span_keypoints(keypoints, is_valid, start, end)
    rng = np.random.default_rng(0)
    out, out_valid = augment_span(points, valid, rng, SpanAugment(speed_range=(1.5, 1.5)))
    assert out.shape[1:] == points.shape[1:] and len(out) == round(1.5 * len(points))
    assert (out[~out_valid] == 0).all()
    stretched, stretched_valid = resample(points, valid, 0.5)
    assert len(stretched) == round(0.5 * len(points)) and stretched_valid.dtype == bool


def test_turning_a_hand_keeps_its_bone_lengths() -> None:
    keypoints, is_valid, (start, end) = signed("right")
    points, valid = span_keypoints(keypoints, is_valid, start, end)
    frame = int(np.argmax(valid[:, RIGHT_HAND].all(axis=1)))
    angle = np.deg2rad(30)
    rotation = np.array(
        [[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0], [0, 0, 1]]
    )
    turned = turn_hand(points, valid, RIGHT_HAND, rotation)
    before = np.linalg.norm(np.diff(points[frame, RIGHT_HAND], axis=0), axis=1)
    after = np.linalg.norm(np.diff(turned[frame, RIGHT_HAND], axis=0), axis=1)
    np.testing.assert_allclose(before, after, rtol=1e-4, atol=1e-6)
