"""Bootstrap intervals over sentences: sums per group, and intervals that resample groups."""

from __future__ import annotations

import numpy as np

from asl_stem.terms.intervals import group_sums, ratio_interval


def test_group_sums_add_each_column_per_group_in_first_seen_order() -> None:
    hits, spans = group_sums(["b", "a", "b"], [1, 0, 1], [2, 3, 1])
    assert hits.tolist() == [2.0, 0.0] and spans.tolist() == [3.0, 3.0]


def test_interval_brackets_the_ratio_and_is_reproducible() -> None:
    rng = np.random.default_rng(3)
    spans = rng.integers(1, 6, size=60).astype(float)
    right = np.minimum(spans, rng.integers(0, 6, size=60))
    low, high = ratio_interval(right, spans)
    assert low < right.sum() / spans.sum() < high
    assert ratio_interval(right, spans) == [low, high]


def test_alike_groups_give_a_point_and_one_group_gives_none() -> None:
    assert ratio_interval(np.full(8, 3.0), np.full(8, 4.0)) == [0.75, 0.75]
    assert ratio_interval(np.array([1.0]), np.array([2.0])) is None
    # a group with nothing to count is left out, not divided by
    assert ratio_interval(np.array([1.0, 0.0]), np.array([2.0, 0.0])) is None


def test_resampling_whole_sentences_is_wider_when_their_recordings_agree() -> None:
    # 20 sentences of 5 recordings each; every recording of a sentence is right or wrong alike
    right = np.repeat(np.arange(20) % 2, 5).astype(float)
    sentences = [str(i) for i in np.repeat(np.arange(20), 5)]
    as_sentences = ratio_interval(*group_sums(sentences, right, np.ones(100)))
    as_recordings = ratio_interval(right, np.ones(100))
    assert as_sentences[1] - as_sentences[0] > 1.5 * (as_recordings[1] - as_recordings[0])
