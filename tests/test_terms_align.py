"""The DP aligner: length, order, repeated words, a term spelled twice, empty inputs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from terms_fixtures import annotated, frames, write_csv

from asl_stem.terms.align import AlignerParams, align_spans, fit_aligner_params
from asl_stem.terms.candidates import candidates


def scored(sentence: str, high: dict[str, float], low: float = 0.01):
    """Candidates of ``sentence`` with the given scores by text (others get ``low``)."""
    found = candidates(sentence)
    return found, np.array([high.get(c.text, low) for c in found])


def texts(aligned) -> list[tuple[str | None, int | None]]:
    return [(a.text, a.char_start) for a in aligned]


def test_span_length_picks_the_word_with_that_many_letters() -> None:
    found, scores = scored("chromatography measures pH", {"chromatography": 0.5, "pH": 0.5})
    (long,) = align_spans(frames((30, 30 + 14 * 6)), found, scores)
    (short,) = align_spans(frames((30, 41)), found, scores)
    assert long.text == "chromatography"
    assert short.text == "pH"


def test_repeated_word_spelled_twice_goes_to_each_occurrence_in_order() -> None:
    sentence = "the acid and the base and the acid again"
    found, scores = scored(sentence, {"acid": 0.9, "base": 0.9})
    aligned = align_spans(frames((40, 62), (100, 122), (160, 182)), found, scores)
    assert texts(aligned) == [("acid", 4), ("base", 17), ("acid", 30)]


def test_one_term_spelled_twice_takes_both_spans() -> None:
    found, scores = scored("a catalyst works", {"catalyst": 0.9, "works": 0.01})
    aligned = align_spans(frames((40, 87), (95, 142)), found, scores)
    assert texts(aligned) == [("catalyst", 2), ("catalyst", 2)]


def test_spans_follow_sentence_order_and_time_order() -> None:
    found, scores = scored("alpha beta gamma", {"alpha": 0.5, "beta": 0.5, "gamma": 0.5})
    aligned = align_spans(frames((200, 229), (40, 69)), found, scores)  # given out of time order
    assert [a.start_frame for a in aligned] == [40, 200]
    assert aligned[0].char_start < aligned[1].char_start


def test_start_frame_tells_which_of_two_identical_words() -> None:
    sentence = "acid one two three four five six seven eight nine acid"
    found, scores = scored(sentence, {"acid": 0.9})
    (early,) = align_spans(frames((10, 32)), found, scores)
    (late,) = align_spans(frames((400, 422)), found, scores)
    assert early.char_start == 0
    assert late.char_start == sentence.rindex("acid")


def test_no_spans_and_no_candidates() -> None:
    found, scores = scored("nothing spelled here", {})
    assert align_spans([], found, scores) == []
    (span,) = align_spans(frames((5, 20)), [], np.zeros(0))
    assert (span.text, span.char_start, span.char_end) == (None, None, None)


def test_params_fit_the_span_length_model(tmp_path: Path) -> None:
    params = fit_aligner_params(annotated(write_csv(tmp_path / "fs.csv")))
    # the fixture spells 6 frames per letter: log frames = log 6 + 1 * log letters
    assert params.length.slope == pytest.approx(1.0, abs=1e-6)
    assert params.length.intercept == pytest.approx(math.log(6), abs=1e-6)
    assert params.gap.slope > 0
    assert AlignerParams.from_dict(params.to_dict()) == params
