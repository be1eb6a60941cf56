"""Detection metrics on cases computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from asl_stem.corpus import FingerspellingSpan
from asl_stem.corpus.records import frame_iou
from asl_stem.detect.metrics import (
    average_precision,
    frame_mask,
    frame_prf,
    mean_frame_iou,
)


def span(recording: str, start: int, end: int, score: float | None = None) -> FingerspellingSpan:
    source = "annotated" if score is None else "detected"
    return FingerspellingSpan(f"{recording}:{start}", recording, start, end, source, score=score)


def spans(*frames: tuple[int, int]) -> list[FingerspellingSpan]:
    return [span("x", start, end) for start, end in frames]


TRUTHS = {"a": spans((0, 9)), "b": spans((0, 9), (20, 29))}
PREDICTIONS = [
    span("b", 25, 34, 0.6),  # IoU 5/15 with b(20, 29)
    span("a", 0, 9, 0.9),  # exact
    span("b", 0, 9, 0.7),  # duplicate of b(0, 9), already matched by the 0.8 one
    span("b", 0, 4, 0.8),  # IoU 5/10 with b(0, 9)
]


def test_frame_iou_uses_inclusive_frames():
    assert frame_iou((0, 9), (0, 4)) == 0.5
    assert frame_iou((20, 29), (25, 34)) == pytest.approx(5 / 15)
    assert frame_iou((0, 0), (0, 0)) == 1.0
    assert frame_iou((0, 4), (5, 9)) == 0.0


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [
        # ranked hits: a TP, b(0,4) TP, b(0,9) FP (its truth is taken), b(25,34) FP; 3 truths
        (0.5, 2 / 3),
        # b(25,34) becomes a TP: precision 1, 1, 2/3, 3/4 -> envelope 1, 1, 3/4, 3/4
        (0.3, 1 / 3 + 1 / 3 + 1 / 3 * 3 / 4),
        (0.1, 11 / 12),
        # exact overlap only: a TP, b(0,4) FP, b(0,9) TP (its truth is still free), b(25,34) FP
        (1.0, 1 / 3 + 1 / 3 * 2 / 3),
    ],
)
def test_average_precision_by_hand(threshold, expected):
    assert average_precision(PREDICTIONS, TRUTHS, threshold) == pytest.approx(expected)


def test_each_true_span_is_matched_once():
    twice = [span("a", 0, 9, 0.9), span("a", 0, 9, 0.8)]
    # hits 1, 0 over one truth: AP = 1 (recall reaches 1 at precision 1)
    assert average_precision(twice, {"a": spans((0, 9))}, 0.5) == 1.0
    # the false positive ranked first halves the precision at full recall
    ranked_badly = [span("a", 50, 60, 0.95), span("a", 0, 9, 0.5)]
    assert average_precision(ranked_badly, {"a": spans((0, 9))}, 0.5) == 0.5


def test_average_precision_edge_cases():
    assert average_precision([], {"a": spans((0, 9))}, 0.5) == 0.0
    assert average_precision([span("a", 0, 9, 1.0)], {"a": spans()}, 0.5) == 0.0
    # predictions on recordings without annotation are false positives
    preds = [span("zzz", 0, 9, 0.9), span("a", 0, 9, 0.5)]
    assert average_precision(preds, {"a": spans((0, 9))}, 0.5) == 0.5


def test_frame_iou_and_prf_by_hand():
    true = {
        "a": frame_mask(spans((5, 14)), 20),
        "b": frame_mask(spans((0, 9)), 20),
        "c": frame_mask([], 20),
    }
    pred = {"a": frame_mask(spans((0, 9)), 20), "b": frame_mask([], 20), "c": frame_mask([], 20)}
    iou, both_empty = mean_frame_iou(pred, true)
    assert iou == pytest.approx((5 / 15 + 0.0) / 2)
    assert both_empty == 1
    precision, recall, f1 = frame_prf(pred, true)  # tp 5, fp 5, fn 15
    assert (precision, recall) == (0.5, 0.25)
    assert f1 == pytest.approx(1 / 3)


def test_frame_mask_clips_to_the_recording():
    mask = frame_mask(spans((8, 30), (0, 0)), 10)
    assert mask.tolist() == [True] + [False] * 7 + [True, True]
    assert frame_prf({"a": np.zeros(3, bool)}, {"a": np.zeros(3, bool)}) == (0.0, 0.0, 0.0)
