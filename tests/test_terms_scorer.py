"""The term scorer: fitting on hand-made rows, JSON round trip, the packaged default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from terms_fixtures import annotated, write_csv

from asl_stem.terms import Term, TermScorer, fit_scorer, load_default_scorer
from asl_stem.terms.features import CorpusStats, term_key


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> TermScorer:
    return fit_scorer(annotated(write_csv(tmp_path_factory.mktemp("fit") / "fs.csv")))


def test_every_candidate_is_scored_sorted_and_offsets_index_the_sentence(
    fitted: TermScorer,
) -> None:
    sentence = "By Brønsted–Lowry acid–base theory, the acid is a donor."
    terms = fitted.score_sentence(sentence, article="Acid catalysis")
    assert all(isinstance(t, Term) and 0.0 <= t.score <= 1.0 for t in terms)
    assert [t.score for t in terms] == sorted((t.score for t in terms), reverse=True)
    assert all(sentence[t.char_start : t.char_end] == t.text for t in terms)
    assert {"Brønsted–Lowry", "acid–base", "Lowry"} <= {t.text for t in terms}


def test_rare_terms_outscore_function_words(fitted: TermScorer) -> None:
    terms = {t.text: t.score for t in fitted.score_sentence("The zymogen is in the cell.")}
    assert terms["zymogen"] > terms["The"]
    assert terms["zymogen"] > terms["is"]


def test_corpus_rate_is_left_out_per_article_and_kept_for_prediction(fitted: TermScorer) -> None:
    # the fitting rows spell "Eratosthenes" every time it occurs
    spelled, seen = fitted.corpus.counts[term_key("Eratosthenes")]
    assert spelled == seen == 2
    assert fitted.corpus.rate(term_key("Eratosthenes"))[0] is True
    assert CorpusStats().rate("anything") == (False, 0.0, 0.0)


def test_save_and_load_give_the_same_scores(fitted: TermScorer, tmp_path: Path) -> None:
    path = tmp_path / "scorer.json"
    fitted.save(path)
    loaded = TermScorer.load(path)
    sentence = "Subduction of Pangaea, said Wegener."
    assert loaded.score_sentence(sentence) == fitted.score_sentence(sentence)
    assert loaded.threshold == fitted.threshold
    assert loaded.aligner == fitted.aligner


def test_a_file_that_is_not_a_scorer_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "something-else"}), encoding="utf-8")
    with pytest.raises(ValueError, match="terms fit"):
        TermScorer.load(path)


def test_rows_without_any_spelling_cannot_fit(tmp_path: Path) -> None:
    body = [["u", "A", "0", "0", "1-2_0_0.mp4", "Nothing spelled here.", "[]", "[]"]]
    with pytest.raises(ValueError, match="both kinds"):
        fit_scorer(annotated(write_csv(tmp_path / "fs.csv", body)))


def test_default_scorer_loads_and_scores_unseen_text() -> None:
    scorer = load_default_scorer()
    sentence = "Acetyl-CoA enters the Krebs cycle."
    terms = scorer.score_sentence(sentence)
    assert terms[0].score >= terms[-1].score
    assert all(sentence[t.char_start : t.char_end] == t.text for t in terms)
    best = {t.text for t in terms[:3]}
    assert "the" not in best
    assert scorer.score_sentence("") == []
