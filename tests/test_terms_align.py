"""The DP aligner: length, order, repeated words, a term spelled twice, empty inputs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from terms_fixtures import annotated, frames, write_csv

from asl_stem.corpus.readings import Reading
from asl_stem.terms.align import AlignerParams, align_spans, fit_aligner_params
from asl_stem.terms.candidates import candidates
from asl_stem.terms.costs import LogLinear


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


def test_common_words_are_spelled_faster_than_rare_ones_of_as_many_letters() -> None:
    # "there" and "xenon" both have five letters; interpreters spell a common word faster
    found, scores = scored("xenon is there", {"xenon": 0.5, "there": 0.5})
    (fast,) = align_spans(frames((40, 60)), found, scores)
    (slow,) = align_spans(frames((40, 73)), found, scores)
    assert (fast.text, slow.text) == ("there", "xenon")
    letters_only = AlignerParams(length=LogLinear(1.68, 1.0, 0.47))
    assert {
        align_spans(frames((40, 60)), found, scores, letters_only)[0].text,
        align_spans(frames((40, 73)), found, scores, letters_only)[0].text,
    } == {"xenon"}


def test_length_model_fits_a_second_predictor() -> None:
    rng = np.random.default_rng(0)
    log_letters, zipfs = rng.uniform(0, 3, 200), rng.uniform(1, 7, 200)
    log_frames = 2.7 + 0.75 * log_letters - 0.14 * zipfs + rng.normal(0, 0.01, 200)
    model = LogLinear.fit(zip(log_letters, log_frames, strict=True), zipfs)
    assert (model.intercept, model.slope, model.covariate) == pytest.approx(
        (2.7, 0.75, -0.14), abs=0.01
    )
    # a predictor that does not vary keeps coefficient 0
    assert LogLinear.fit(zip(log_letters, log_frames, strict=True), [3.0] * 200).covariate == 0


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
    assert params.length.covariate == pytest.approx(0.0, abs=1e-6)  # common words no faster
    assert params.gap.slope > 0
    assert AlignerParams.from_dict(params.to_dict()) == params


def read(*alternatives: tuple[str, float]) -> Reading:
    return Reading(tuple(alternatives))


def test_letters_pick_the_word_that_was_spelled() -> None:
    """Two words of the same length: text alone takes the likelier one, letters the right one."""
    found, scores = scored("the acid and the base", {"acid": 0.9, "base": 0.3})
    spans = frames((40, 62))
    (alone,) = align_spans(spans, found, scores)
    assert alone.text == "acid" and alone.text_source == "aligned"
    readings = {spans[0].id: read(("bace", 0.7), ("base", 0.3))}
    (with_letters,) = align_spans(spans, found, scores, readings=readings)
    assert with_letters.text == "base" and with_letters.char_start == 17
    assert with_letters.text_score > 0.5  # the letters outweigh the term scores


def test_letters_that_match_no_word_are_kept_as_read() -> None:
    found, scores = scored("sodium chloride dissolves", {"sodium": 0.5, "chloride": 0.5})
    spans = frames((40, 60))
    readings = {spans[0].id: read(("nacl", 0.9), ("nacy", 0.1))}
    (span,) = align_spans(spans, found, scores, readings=readings)
    assert (span.text, span.text_source, span.char_start) == ("nacl", "read", None)
    assert 0 < span.text_score <= 1


def test_a_name_of_the_article_when_the_sentence_lacks_it() -> None:
    found, scores = scored("he wrote it in 1915", {})
    spans = frames((40, 80))
    names = [("Einstein", 0.5), ("relativity", 0.5)]
    readings = {spans[0].id: read(("einstein", 1.0))}
    (span,) = align_spans(spans, found, scores, names=names, readings=readings)
    assert (span.text, span.text_source, span.char_start) == ("Einstein", "aligned", None)


def test_a_name_is_no_free_way_past_likely_words() -> None:
    """Words the scorer is sure are spelled cost as much to pass over with a name as without:
    one span whose length fits the name as well goes to a word of the sentence."""
    found, scores = scored("alpha beta gamma", {"alpha": 0.99, "beta": 0.99, "gamma": 0.99})
    spans = frames((40, 72), source="annotated")
    (span,) = align_spans(spans, found, scores, names=[("Kelvin", 1.0)])
    assert span.text in {"alpha", "beta", "gamma"} and span.char_start is not None


def test_a_name_between_two_words_keeps_the_place_in_the_sentence() -> None:
    """alpha, then a name, then gamma: the name does not reset the sentence's order."""
    found, scores = scored("alpha beta gamma", {"alpha": 0.9, "gamma": 0.9})
    spans = frames((40, 67), (100, 140), (180, 207))
    readings = {spans[1].id: read(("einstein", 1.0))}
    names = [("Einstein", 1.0)]
    aligned = align_spans(spans, found, scores, names=names, readings=readings)
    assert [a.text for a in aligned] == ["alpha", "Einstein", "gamma"]


def test_asl_order_is_tolerated_not_forbidden() -> None:
    """Spelled in the reverse of the sentence's order: letters make the backward move win."""
    found, scores = scored("the SAT and the ACT", {"SAT": 0.5, "ACT": 0.5})
    spans = frames((40, 56), (90, 106))
    readings = {spans[0].id: read(("act", 1.0)), spans[1].id: read(("sat", 1.0))}
    aligned = align_spans(spans, found, scores, readings=readings)
    assert [a.text for a in aligned] == ["ACT", "SAT"]


def test_posteriors_are_probabilities() -> None:
    found, scores = scored("alpha beta gamma", {"alpha": 0.5, "beta": 0.5, "gamma": 0.5})
    aligned = align_spans(frames((40, 69), (200, 229)), found, scores)
    assert all(0 < a.text_score <= 1 for a in aligned)


def test_old_saved_params_load_with_defaults_for_new_keys() -> None:
    old = {
        "length": {"intercept": 1.68, "slope": 1.0, "sigma": 0.47},
        "gap": {"intercept": 2.52, "slope": 1.13, "sigma": 0.69},
        "start": {"intercept": 3.43, "slope": 0.78, "sigma": 0.9},
        "score_weight": 1.0,
        "repeat_penalty": 3.0,
    }
    params = AlignerParams.from_dict(old)
    assert (
        params.repeat_penalty == 3.0 and params.backward_penalty == AlignerParams().backward_penalty
    )


def test_without_pair_states_a_span_takes_one_word() -> None:
    found, scores = scored("The acid base pair", {"acid base": 0.9, "acid": 0.3, "base": 0.3})
    spans = frames((30, 30 + 8 * 6), source="annotated")  # eight letters: both words
    (paired,) = align_spans(spans, found, scores, AlignerParams())
    (single,) = align_spans(spans, found, scores, AlignerParams(phrases=False))
    assert paired.text == "acid base" and single.text in {"acid", "base"}
    params = AlignerParams(phrases=False)
    assert AlignerParams.from_dict(params.to_dict()) == params
    assert AlignerParams.from_dict({k: v for k, v in params.to_dict().items() if k != "phrases"})
    with pytest.raises(ValueError, match="phrases"):
        AlignerParams.from_dict({**params.to_dict(), "phrases": "false"})


def test_usage_counts_every_candidate_given_and_zero_for_a_pair_left_out() -> None:
    from asl_stem.terms.align import build_lattice, sentence_order

    found, scores = scored("The acid base pair", {"acid base": 0.9, "acid": 0.3, "base": 0.3})
    order = sentence_order(found)
    found, scores = [found[i] for i in order], scores[order]
    spans = frames((30, 78), source="annotated")
    lattice = build_lattice(spans, found, scores, AlignerParams(phrases=False))
    assert lattice is not None
    usage = dict(zip((c.text for c in found), lattice.usage(), strict=True))
    assert usage["acid base"] == 0.0 and usage["acid"] + usage["base"] > 0.9


def test_a_detected_span_may_run_two_adjacent_words_together_and_is_split() -> None:
    """A detector merges words spelled with a short pause: one detected span of both words'
    letters is named by the pair (as likely as both words) and split where the letters
    divide; the same span annotated spells one word."""
    found, scores = scored("The acid base pair", {"acid": 0.9, "base": 0.9})
    params = AlignerParams(phrases=False)
    first, second = align_spans(frames((30, 78)), found, scores, params)
    assert [(s.id, s.text, s.char_start, s.char_end) for s in (first, second)] == [
        ("rec:0.1", "acid", 4, 8),
        ("rec:0.2", "base", 9, 13),
    ]
    assert (first.start_frame, first.end_frame, second.start_frame, second.end_frame) == (
        30, 53, 54, 78,
    )  # fmt: skip
    assert first.text_source == second.text_source == "aligned" and first.text_score > 0.5
    (one,) = align_spans(frames((30, 78), source="annotated"), found, scores, params)
    assert one.text in {"acid", "base"}
    # a pair whose words are unlikely stays unlikely: the span takes one word
    found, scores = scored("The acid base pair", {"acid": 0.9, "base": 0.05})
    (alone,) = align_spans(frames((30, 78)), found, scores, params)
    assert alone.text == "acid"


def test_a_pair_under_min_pair_is_no_state_of_a_detected_span() -> None:
    from asl_stem.terms.align import MIN_PAIR, build_lattice

    found, scores = scored("The acid base pair", {"acid": 0.3, "base": 0.3, "pair": 0.02}, 0.001)
    lattice = build_lattice(frames((30, 78)), found, scores, AlignerParams(phrases=False))
    assert lattice is not None
    offered = {c.text for c in lattice.states.found if c.kind == "phrase"}
    assert offered == {"acid base"}  # 0.09; "The acid" and "base pair" are under MIN_PAIR
    assert 0.3 * 0.02 < MIN_PAIR < 0.3 * 0.3
