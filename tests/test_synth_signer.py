"""The synthetic signer: determinism, spans, letters where the spans say, twins, variation."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from synth_fixtures import QUIET, collapse, nearest_letters, timed_spans

from asl_stem.layout import LEFT_HAND, NUM_POINTS, RIGHT_HAND, pose_index
from asl_stem.synth import SignerStyle, synthesize, synthesize_timed

SENTENCE = "By Brønsted–Lowry acid–base theory, the acid is the proton donor."


def test_same_seed_same_signing_other_seed_other_signing() -> None:
    first = synthesize(SENTENCE, ["Brønsted–Lowry", "acid"], seed=7)
    again = synthesize(SENTENCE, ["Brønsted–Lowry", "acid"], seed=7)
    other = synthesize(SENTENCE, ["Brønsted–Lowry", "acid"], seed=8)
    assert np.array_equal(first.keypoints, again.keypoints, equal_nan=True)
    assert first.spans == again.spans
    assert first.keypoints.shape != other.keypoints.shape or not np.array_equal(
        first.keypoints, other.keypoints, equal_nan=True
    )


def test_output_layout_and_spans() -> None:
    signing = synthesize(SENTENCE, ["Brønsted–Lowry", "acid"], seed=3)
    assert signing.keypoints.dtype == np.float32
    assert signing.keypoints.shape == (signing.num_frames, NUM_POINTS, 3)
    assert [span.text for span in signing.spans] == ["Brønsted–Lowry", "acid"]
    (s1, e1), (s2, e2) = [span.frames for span in signing.spans]
    assert 0 < s1 <= e1 < s2 <= e2 < signing.num_frames - 1
    xy = signing.keypoints[..., :2]
    finite = xy[np.isfinite(xy)]
    assert np.median(finite) == pytest.approx(0.5, abs=0.25)  # normalised image coordinates
    # Longer words take longer: 13 letters against 4.
    assert e1 - s1 > e2 - s2


@pytest.mark.parametrize("handedness", ["right", "left"])
def test_span_frames_show_the_letters_written(handedness: str) -> None:
    style = dataclasses.replace(QUIET, handedness=handedness, frames_per_letter=9.0)
    signing = synthesize("We measured the BLY value.", ["BLY"], signer=style, seed=2)
    ((start, end),) = [span.frames for span in signing.spans]
    letters = nearest_letters(signing.keypoints, style, range(start, end + 1))
    assert collapse(letters, min_run=3) == "BLY"  # transitions pass other shapes briefly
    # Before the span the dominant hand is not spelling B-L-Y.
    before = collapse(nearest_letters(signing.keypoints, style, range(0, start - 8)))
    assert "BLY" not in before


def test_dominant_hand_spells_beside_its_shoulder() -> None:
    for handedness, hand, shoulder in (
        ("right", RIGHT_HAND, pose_index("right_shoulder")),
        ("left", LEFT_HAND, pose_index("left_shoulder")),
    ):
        style = dataclasses.replace(QUIET, handedness=handedness)
        signing = synthesize("The catalysis works.", ["catalysis"], signer=style, seed=4)
        ((start, end),) = [span.frames for span in signing.spans]
        wrist = signing.keypoints[start : end + 1, hand.start, :2]
        near = signing.keypoints[start : end + 1, shoulder, :2]
        distance = np.linalg.norm(wrist - near, axis=1) / style.scale
        assert np.median(distance) < 0.7, (handedness, np.median(distance))


def test_double_letters_slide_and_z_moves() -> None:
    style = dataclasses.replace(QUIET, frames_per_letter=10.0)
    double = synthesize("LL", ["LL"], signer=style, seed=1)
    ((start, end),) = [span.frames for span in double.spans]
    wrist_x = double.keypoints[start : end + 1, RIGHT_HAND.start, 0]
    assert np.ptp(wrist_x) > 0.05 * style.scale  # the second L slides sideways
    zed = synthesize("Z", ["Z"], signer=style, seed=1)
    ((start, end),) = [span.frames for span in zed.spans]
    path = zed.keypoints[start : end + 1, RIGHT_HAND.start, :2]
    assert np.linalg.norm(np.diff(path, axis=0), axis=1).sum() > 0.3 * style.scale


def test_twin_keeps_the_given_span_frames() -> None:
    spans = timed_spans((120, 150, "acid"), (30, 90, "catalysis"), (151, 160, "base"))
    signing = synthesize_timed(spans, 200, seed=5)
    assert signing.spans == sorted(spans, key=lambda span: span.frames)
    assert signing.num_frames == 200
    with pytest.raises(ValueError, match="do not fit"):
        synthesize_timed(timed_spans((150, 210, "acid")), 200)


def test_signers_vary_and_tracking_drops_things() -> None:
    rng = np.random.default_rng(0)
    styles = [SignerStyle.random(rng) for _ in range(40)]
    assert {style.handedness for style in styles} == {"right", "left"}
    assert np.ptp([style.scale for style in styles]) > 0.05
    assert np.ptp([style.frames_per_letter for style in styles]) > 1.0
    noisy = dataclasses.replace(QUIET, hand_dropout=0.05, frame_dropout=0.05, point_noise=0.003)
    signing = synthesize(SENTENCE, ["acid"], signer=noisy, seed=9)
    hand_missing = np.isnan(signing.keypoints[:, RIGHT_HAND, 0]).all(axis=1)
    frame_missing = np.isnan(signing.keypoints[..., 0]).all(axis=1)
    assert hand_missing.sum() > frame_missing.sum() > 0
    runs = np.diff(np.flatnonzero(np.diff(np.r_[0, hand_missing & ~frame_missing, 0])))[::2]
    assert runs.max() > 1  # hands go missing for runs of frames, not single frames only


def test_signing_between_spans_moves_both_hands() -> None:
    signing = synthesize(
        "Typical reactions catalyzed by proton transfer are esterfications and aldol reactions.",
        ["aldol"],
        signer=QUIET,
        seed=11,
    )
    ((start, _end),) = [span.frames for span in signing.spans]
    signing_part = signing.keypoints[20 : start - 10]
    for hand in (RIGHT_HAND, LEFT_HAND):
        wrist = signing_part[:, hand.start, :2]
        assert np.ptp(wrist, axis=0).max() > 0.05, hand
