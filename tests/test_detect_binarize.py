"""Decoding frame scores into spans."""

from __future__ import annotations

import numpy as np
import pytest

from asl_stem.detect.binarize import binarize, median_smooth

SCORES = np.array([0.0, 0.6, 0.4, 0.6, 0.0, 0.0, 0.9, 0.0, 0.0])


def test_threshold_alone_gives_runs_with_mean_scores():
    spans = binarize(SCORES, onset=0.5, recording_id="rec", fps=30.0)
    assert [(s.start_frame, s.end_frame, s.score) for s in spans] == [
        (1, 1, 0.6),
        (3, 3, 0.6),
        (6, 6, 0.9),
    ]
    assert [s.id for s in spans] == ["rec:0", "rec:1", "rec:2"]
    assert {s.source for s in spans} == {"detected"} and spans[0].fps == 30.0
    assert spans[0].num_frames == 1


def test_hysteresis_keeps_a_span_through_a_dip():
    spans = binarize(SCORES, onset=0.5, offset=0.3)
    assert [(s.start_frame, s.end_frame) for s in spans] == [(1, 3), (6, 6)]
    assert spans[0].score == pytest.approx((0.6 + 0.4 + 0.6) / 3)


def test_zero_offset_is_honoured_not_replaced_by_onset():
    spans = binarize(np.array([0.6, 0.1, 0.0]), onset=0.5, offset=0.0)
    assert [(s.start_frame, s.end_frame) for s in spans] == [(0, 2)]


def test_merge_short_gaps_then_drop_short_spans():
    merged = binarize(SCORES, onset=0.5, min_duration_off=2)  # gap of 1 frame between 1 and 3
    assert [(s.start_frame, s.end_frame) for s in merged] == [(1, 3), (6, 6)]
    kept = binarize(SCORES, onset=0.5, min_duration_off=2, min_duration_on=2)
    assert [(s.start_frame, s.end_frame) for s in kept] == [(1, 3)]


def test_median_removes_single_frame_spikes():
    assert median_smooth(SCORES, 3).tolist() == [0.0, 0.4, 0.6, 0.4, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert [(s.start_frame, s.end_frame) for s in binarize(SCORES, 0.5, median=3)] == [(2, 2)]


def test_span_running_to_the_end_and_empty_input():
    (span,) = binarize(np.array([0.0, 0.7, 0.8]))
    assert (span.start_frame, span.end_frame, span.score) == (1, 2, 0.75)
    assert binarize(np.array([])) == []


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="offset"):
        binarize(SCORES, onset=0.3, offset=0.5)
    with pytest.raises(ValueError, match="odd"):
        binarize(SCORES, median=4)
