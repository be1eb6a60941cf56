"""What other recordings of an article spelled, blended into its term scores."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from terms_fixtures import annotated, write_csv

from asl_stem.terms.candidates import candidates
from asl_stem.terms.evaluate import _other_interpreters, cross_validate, format_report
from asl_stem.terms.evidence import RecordingCounts, blend
from asl_stem.terms.fitting import fit_scorer

LOGISTIC = partial(fit_scorer, model="logistic")
SENTENCE = "The substrate binds the lysozyme quickly."


def test_blend_moves_a_score_towards_the_rate_as_recordings_grow() -> None:
    assert blend(0.2, (0, 0)) == pytest.approx(0.2)  # no recording: the score itself
    assert blend(0.2, (2, 2)) == pytest.approx((2 * 0.2 + 2) / 4)
    assert blend(0.2, (200, 200)) == pytest.approx(1.0, abs=0.01)
    assert blend(0.9, (0, 200)) == pytest.approx(0.0, abs=0.01)


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
