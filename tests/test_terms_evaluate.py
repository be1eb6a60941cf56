"""Evaluation: the rarest-k baseline, top-k selection and leave-one-article-out figures."""

from __future__ import annotations

import ast
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from terms_fixtures import annotated, frames, rows, write_csv

from asl_stem.terms.candidates import candidates
from asl_stem.terms.evaluate import (
    cross_validate,
    expected_calibration_error,
    format_report,
    rarest_in_order,
    rarest_k,
    reliability,
    top_k,
)
from asl_stem.terms.fitting import fit_scorer
from asl_stem.terms.labels import char_iou, char_mask
from asl_stem.terms.learning import learning_curve

LOGISTIC = partial(fit_scorer, model="logistic")  # quick to fit; the model is not the point


def test_rarest_k_takes_the_k_rarest_distinct_words() -> None:
    sentence = "The the enzyme lysozyme and the enzyme"
    assert [w.text for w in rarest_k(sentence, 2)] == ["lysozyme", "enzyme"]
    assert rarest_k(sentence, 0) == []
    assert len(rarest_k(sentence, 10)) == 4  # distinct words only


def test_rarest_k_char_iou_hand_computed() -> None:
    sentence = "the lysozyme binds sugar"
    label = char_mask(sentence, ["binds"])
    (chosen,) = rarest_k(sentence, 1)
    assert chosen.text == "lysozyme"
    assert char_iou(label, char_mask(sentence, [chosen.text])) == 0.0
    both = char_mask(sentence, [w.text for w in rarest_k(sentence, 2)])
    # predicted: lysozyme (8) + binds (5); label: binds (5) -> 5 / 13
    assert [w.text for w in rarest_k(sentence, 2)] == ["lysozyme", "binds"]
    assert char_iou(label, both) == 5 / 13


def test_top_k_skips_overlapping_candidates() -> None:
    found = candidates("acid–base theory")
    scores = np.array(
        [{"acid–base": 0.9, "acid": 0.8, "base": 0.7}.get(c.text, 0.1) for c in found]
    )
    assert [c.text for c in top_k(found, scores, 2)] == ["acid–base", "theory"]


def test_cross_validation_reports_scorer_baseline_and_aligner(tmp_path: Path) -> None:
    rows = annotated(write_csv(tmp_path / "fs.csv"))
    report = cross_validate(rows, fit=LOGISTIC)
    assert report["articles"] == 3 and report["rows"] == len(rows)
    with_spans = sum(1 for row in rows if row.spans)
    assert report["scorer_top_k"]["rows"] == report["rarest_k"]["rows"] == with_spans
    for section in ("scorer_top_k", "rarest_k", "aligner_oracle_spans"):
        assert 0.0 <= report[section]["char_iou"] <= 1.0
    aligner = report["aligner_oracle_spans"]
    assert aligner["spans"] == sum(len(row.spans) for row in rows)
    # the fixture's spans are regular and its spelled words rare: the aligner finds them
    assert aligner["span_accuracy"] > 0.8
    baseline = report["aligner_baseline_oracle_spans"]
    assert baseline["spans"] == aligner["spans"]
    for section, key in (
        ("scorer_top_k", "char_iou"),
        ("scorer_threshold", "word_f1"),
        ("aligner_oracle_spans", "span_accuracy"),
        ("aligner_oracle_spans", "span_accuracy_exact"),
    ):
        low, high = report[section][f"{key}_interval"]
        assert low <= report[section][key] <= high
    assert aligner["span_accuracy"] >= baseline["span_accuracy"]
    assert "rarest-k" in format_report(report)


def test_rarest_in_order_gives_each_span_a_word_in_sentence_order() -> None:
    aligned = rarest_in_order("the lysozyme binds chitin", frames((90, 120), (10, 50), (200, 220)))
    assert [a.start_frame for a in aligned] == [10, 90, 200]
    assert [a.text for a in aligned] == ["lysozyme", "binds", "chitin"]
    assert rarest_in_order("", frames((1, 2)))[0].text is None


def test_a_recording_on_two_rows_is_scored_once(tmp_path: Path) -> None:
    body = rows()
    first = list(body[1])  # "The substrate binds the lysozyme quickly.": two spans
    spans, texts = ast.literal_eval(first[6]), ast.literal_eval(first[7])
    body[1] = [*first[:6], repr(spans[:1]), repr(texts[:1])]
    body.append([*first[:6], repr(spans[1:]), repr(texts[1:])])  # the continuation row
    recordings = annotated(write_csv(tmp_path / "fs.csv", body))
    assert len(recordings) == len(body) - 1
    (merged,) = [r for r in recordings if r.filename == first[4]]
    assert [s.text for s in merged.spans] == ["substrate", "lysozyme"]
    assert cross_validate(recordings, fit=LOGISTIC)["rows"] == len(body) - 1


def test_reliability_table_and_ece_hand_computed() -> None:
    scores = np.array([0.05, 0.05, 0.15, 0.95, 0.95])
    labels = np.array([0, 0, 1, 1, 0])
    table = reliability(scores, labels)
    assert [(row["n"], row["spelled"]) for row in table] == [(2, 0.0), (1, 1.0), (2, 0.5)]
    # |0.05 - 0| * 2 + |0.15 - 1| * 1 + |0.95 - 0.5| * 2, over 5
    assert expected_calibration_error(table) == pytest.approx((0.1 + 0.85 + 0.9) / 5)


def test_cross_validation_reports_calibration_of_held_out_candidates(tmp_path: Path) -> None:
    rows = annotated(write_csv(tmp_path / "fs.csv"))
    report = cross_validate(rows, fit=LOGISTIC)
    section = report["scorer_threshold"]
    n_candidates = sum(len(candidates(row.sentence)) for row in rows)
    assert sum(row["n"] for row in section["reliability"]) == n_candidates
    assert 0.0 <= section["ece"] <= 1.0
    assert all(fold["fit"]["model"] == "logistic" for fold in report["per_article"].values())
    assert "expected calibration error" in format_report(report)


def test_learning_curve_has_a_point_per_number_of_training_articles(tmp_path: Path) -> None:
    rows = annotated(write_csv(tmp_path / "fs.csv"))
    points = learning_curve(rows, fit=LOGISTIC)
    assert [p["train_articles"] for p in points] == [1, 2]
    assert [p["fits"] for p in points] == [6, 3]  # 3 held out x 2 subsets, then 3 x 1
    assert all(0.0 <= p["char_iou"] <= 1.0 and 0.0 <= p["ece"] <= 1.0 for p in points)


def test_a_span_is_right_when_its_term_overlaps_and_exact_when_it_is_the_labelled_one() -> None:
    from asl_stem.corpus import AnnotatedRecording, FingerspellingSpan, Recording
    from asl_stem.terms.rightword import judge

    sentence = "Maxwell's equations unify them."
    recording = Recording("r", "r.mp4", "u0", "EM", "1", 0, 0, "1_0_0", "missing")
    spelled = FingerspellingSpan("r:0", "r", 10, 60, "annotated", text="Maxwell's")
    row = AnnotatedRecording(recording, sentence, "EM", (spelled,))

    def named(start: int, end: int) -> FingerspellingSpan:
        text = sentence[start:end]
        return spelled.replace(text=text, text_source="aligned", char_start=start, char_end=end)

    whole, name, other = named(0, 9), named(0, 7), named(10, 19)  # Maxwell's, Maxwell, equations
    assert (judge(row, [whole]).right, judge(row, [whole]).exact) == (1, 1)
    assert (judge(row, [name]).right, judge(row, [name]).exact) == (1, 0)  # IoU 7/9, not labelled
    assert (judge(row, [other]).right, judge(row, [other]).exact) == (0, 0)
