"""What other recordings of an article spelled, blended into its term scores."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from terms_fixtures import annotated, write_csv

from asl_stem.corpus import FingerspellingSpan
from asl_stem.terms.candidates import candidates
from asl_stem.terms.evaluate import _other_interpreters, cross_validate, format_report
from asl_stem.terms.evidence import STRENGTH, STRENGTHS, RecordingCounts, blend, choose_strength
from asl_stem.terms.fitting import fit_scorer
from asl_stem.terms.rightword import overlapping
from asl_stem.terms.scorer import TermScorer

LOGISTIC = partial(fit_scorer, model="logistic")
SENTENCE = "The substrate binds the lysozyme quickly."


def test_blend_moves_a_score_towards_the_rate_as_recordings_grow() -> None:
    assert blend(0.2, (0, 0)) == pytest.approx(0.2)  # no recording: the score itself
    assert blend(0.2, (2, 2)) == pytest.approx((2 * 0.2 + 2) / 4)
    assert blend(0.2, (200, 200)) == pytest.approx(1.0, abs=0.01)
    assert blend(0.9, (0, 200)) == pytest.approx(0.0, abs=0.01)


def test_the_strength_trusts_counts_as_far_as_they_predict_the_labels() -> None:
    rng = np.random.default_rng(0)
    labels = rng.random(2000) < 0.3
    scores = np.where(labels, 0.6, 0.2)  # an informative scorer
    seen = np.full(2000, 2.0)
    # the others did exactly what this interpreter did: the counts are worth more than the score
    agreeing, _ = choose_strength(scores, labels, 2.0 * labels, seen)
    # the others spelled at random: the score is worth more than their counts
    random, losses = choose_strength(scores, labels, rng.binomial(2, 0.3, 2000), seen)
    assert agreeing == min(STRENGTHS) and random == max(STRENGTHS)
    assert len(losses) == len(STRENGTHS) and min(losses) == losses[STRENGTHS.index(random)]


def test_a_fitted_scorer_blends_with_the_strength_it_chose(tmp_path: Path) -> None:
    rows = annotated(write_csv(tmp_path / "fs.csv"))
    scorer = LOGISTIC(rows)
    assert scorer.evidence_strength in STRENGTHS
    assert scorer.fit_info["evidence_strength"] == scorer.evidence_strength
    assert len(scorer.fit_info["evidence_log_loss"]) == len(STRENGTHS)
    data = scorer.to_dict()
    assert TermScorer.from_dict(data).evidence_strength == scorer.evidence_strength
    del data["evidence_strength"]  # a scorer file written before strengths were fitted
    assert TermScorer.from_dict(data).evidence_strength == STRENGTH
    bad_aligner = {**data, "aligner": {**data["aligner"], "phrases": "no"}}
    with pytest.raises(ValueError, match=r"scorer\.json: aligner phrases is 'no'"):
        TermScorer.from_dict(bad_aligner, "scorer.json")
    for bad in (0, -2.0, "8", None, float("nan")):
        with pytest.raises(ValueError, match=r"scorer\.json: evidence_strength is"):
            TermScorer.from_dict({**data, "evidence_strength": bad}, "scorer.json")
    evidence = RecordingCounts.from_rows(row for row in rows if row.sentence == SENTENCE)
    found, scores = scorer.score_candidates(SENTENCE)
    blended = evidence.blend(found, scores, scorer.evidence_strength)
    expected = {(c.char_start, c.char_end): b for c, b in zip(found, blended, strict=True)}
    for term in scorer.score_sentence(SENTENCE, evidence=evidence):
        assert term.score == pytest.approx(expected[term.char_start, term.char_end])


def test_counts_come_from_the_spans_texts_and_fold_case_and_plurals(tmp_path: Path) -> None:
    rows = annotated(write_csv(tmp_path / "fs.csv"))
    two = [row for row in rows if row.sentence == SENTENCE]  # both interpreters spelled both
    evidence = RecordingCounts.from_rows(two)
    assert evidence.counts("lysozyme") == evidence.counts("Lysozymes") == (2, 2)
    assert evidence.counts("binds") == (0, 2)  # seen, signed
    assert evidence.counts("zymogen") == (0, 0)
    found = candidates(SENTENCE)
    scores = np.full(len(found), 0.5)
    blended = dict(zip((c.text for c in found), evidence.blend(found, scores), strict=True))
    assert blended["lysozyme"] == pytest.approx(0.75) and blended["binds"] == pytest.approx(0.25)


def test_an_interpreter_gets_only_the_others_recordings(tmp_path: Path) -> None:
    rows = annotated(write_csv(tmp_path / "fs.csv"))
    # u1 signs every word of the lysozyme sentence: nothing spelled there
    rows = [
        replace(row, spans=())
        if row.recording.interpreter == "u1" and row.sentence == SENTENCE
        else row
        for row in rows
    ]
    enzyme = [row for row in rows if row.article == "Enzyme kinetics"]
    evidence = _other_interpreters(LOGISTIC(rows), enzyme)
    assert set(evidence) == {"u0", "u1"}
    assert evidence["u0"].counts("lysozyme") == (0, 1)  # what u1 did
    assert evidence["u1"].counts("lysozyme") == (1, 1)  # what u0 did, as the aligner named it
    alone = _other_interpreters(
        LOGISTIC(rows), [r for r in enzyme if r.recording.interpreter == "u0"]
    )
    assert alone["u0"].seen == {}  # no other interpreter: the scores stay as they are


def test_the_other_interpreters_spans_can_come_from_a_detector(tmp_path: Path) -> None:
    rows = annotated(write_csv(tmp_path / "fs.csv"))
    enzyme = [row for row in rows if row.article == "Enzyme kinetics"]
    scorer = LOGISTIC(rows)
    # the detector found nothing in u1's recordings and never saw u0's
    nothing = {row.recording_id: () for row in enzyme if row.recording.interpreter == "u1"}
    evidence = _other_interpreters(scorer, enzyme, nothing)
    assert evidence["u0"].counts("lysozyme") == (0, 1)  # u1's recording: seen, not spelled
    assert evidence["u1"].seen == {}  # u0's recordings have no line: left out
    # a detector that finds the annotated spans (no texts) gives what their positions give
    found = {
        row.recording_id: tuple(span.replace(text=None) for span in row.spans) for row in enzyme
    }
    assert _other_interpreters(scorer, enzyme, found) == _other_interpreters(scorer, enzyme)
    everywhere = {r.recording_id: tuple(s.replace(text=None) for s in r.spans) for r in rows}
    report = cross_validate(rows, fit=LOGISTIC, detections=everywhere)
    assert report["others_spans"] == "detected"
    assert report["aligner_detected_spans"] == report["aligner_oracle_spans"]


def test_detected_spans_pair_with_the_annotated_span_they_overlap_most() -> None:
    def span(start: int, end: int, text: str | None = None) -> FingerspellingSpan:
        return FingerspellingSpan(f"r:{start}", "r", start, end, "annotated", text=text)

    truths = [span(10, 40, "lysozyme"), span(60, 80, "NaOH"), span(100, 120, "pH")]
    detected = [span(12, 42), span(20, 30), span(95, 200)]  # NaOH missed; pH's too long
    pairs = overlapping(truths, detected)
    assert [(text, s and (s.start_frame, s.end_frame)) for text, s in pairs] == [
        ("lysozyme", (12, 42)),
        ("NaOH", None),
        ("pH", None),
    ]


def test_cross_validation_reports_the_scorer_with_the_other_interpreters(tmp_path: Path) -> None:
    rows = annotated(write_csv(tmp_path / "fs.csv"))
    report = cross_validate(rows, fit=LOGISTIC)
    plain, others = report["scorer_top_k"], report["scorer_others_top_k"]
    assert others["rows"] == plain["rows"]
    # both interpreters of the fixture spell the same words: the other one's tell them
    assert others["char_iou"] > plain["char_iou"]
    assert others["char_iou"] > 0.9
    assert 0.0 <= report["scorer_others_threshold"]["ece"] <= 1.0
    assert "other interpreters" in format_report(report)
