"""Features, augmentations and the heuristic on toy recordings, with missing points."""

from __future__ import annotations

import numpy as np
import pytest
from detect_fixtures import toy_recording

from asl_stem.detect.augment import AugmentConfig, augment, mirror, time_stretch
from asl_stem.detect.baseline import heuristic_scores, heuristic_spans
from asl_stem.detect.features import FEATURE_DIM, MASK_DIM, compute_features, frame_labels
from asl_stem.layout import LEFT_HAND, RIGHT_HAND, pose_index
from asl_stem.shards.sample import to_training

SPANS = [(20, 49)]


@pytest.fixture
def recording():
    return to_training(toy_recording(np.random.default_rng(0), 90, SPANS))


def test_features_are_finite_with_missing_points(recording):
    keypoints, is_valid = recording
    is_valid = is_valid.copy()
    is_valid[10:15] = False  # whole frames lost
    is_valid[:, pose_index("left_shoulder")] = False  # no shoulder anywhere: fallback scale
    keypoints = keypoints.copy()
    keypoints[~is_valid] = np.nan  # a missing point's value must never leak
    features = compute_features(keypoints, is_valid)
    assert features.shape == (90, FEATURE_DIM)
    assert np.isfinite(features).all()
    masks = features[:, -MASK_DIM:]
    assert (masks[10:15] == 0).all()
    assert (masks[:, -1] == 0).all()  # the toy signer's left hand is never seen
    assert (features[10:15, :-MASK_DIM] == 0).all()  # values and velocities of lost frames


def test_features_ignore_where_the_signer_stands_and_their_size(recording):
    keypoints, is_valid = recording
    moved = keypoints.copy()
    moved[..., :2] = moved[..., :2] * 0.6 + np.array([0.2, -0.1])
    moved[~is_valid] = 0.0
    np.testing.assert_allclose(
        compute_features(moved, is_valid), compute_features(keypoints, is_valid), atol=2e-3
    )


def test_mirror_twice_is_identity_and_swaps_hands(recording):
    keypoints, is_valid = recording
    flipped, flipped_valid = mirror(keypoints, is_valid)
    assert flipped_valid[:, LEFT_HAND].sum() == is_valid[:, RIGHT_HAND].sum()
    assert not flipped_valid[:, RIGHT_HAND].any()
    back, back_valid = mirror(flipped, flipped_valid)
    np.testing.assert_allclose(back, keypoints, atol=1e-6)
    assert (back_valid == is_valid).all()


def test_time_stretch_moves_labels_with_frames():
    labels = frame_labels([{"start_frame": 10, "end_frame": 19}], 40)
    (stretched,) = time_stretch((labels,), 2.0)
    assert len(stretched) == 80
    assert np.flatnonzero(stretched).tolist() == list(range(20, 40))


def test_augment_keeps_shapes_and_missing_points_missing(recording):
    keypoints, is_valid = recording
    labels = frame_labels([{"start_frame": s, "end_frame": e} for s, e in SPANS], 90)
    rng = np.random.default_rng(1)
    config = AugmentConfig(drop_hand=0.9)
    out, valid, out_labels = augment(keypoints, is_valid, labels, rng, config)
    assert len(out) == len(valid) == len(out_labels)
    assert (out[~valid][..., :2] == 0).all()
    assert valid.sum() < is_valid.sum() * max(1.0, len(out) / 90)
    assert np.isfinite(compute_features(out, valid)).all()


def test_heuristic_scores_fingerspelling_above_other_signing(recording):
    keypoints, is_valid = recording
    scores = heuristic_scores(keypoints, is_valid)
    assert scores.shape == (90,) and np.all((scores >= 0) & (scores <= 1))
    assert scores[25:45].mean() > 5 * scores[60:].mean()
    assert all(0 <= s.start_frame <= s.end_frame < 90 for s in heuristic_spans(keypoints, is_valid))
