"""The term scorer: fitting on hand-made rows, JSON round trip, the packaged default."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from shared_data import shared_file
from terms_fixtures import annotated, write_csv

from asl_stem.terms import (
    ArticleContext,
    Lexicon,
    LexiconRequired,
    Term,
    TermScorer,
    fit_scorer,
    load_default_scorer,
    read_lexicon,
)
from asl_stem.terms.candidates import candidates
from asl_stem.terms.features import (
    LEXICON_FEATURES,
    TEXT_FEATURES,
    CorpusStats,
    sentence_features,
    term_key,
)
from asl_stem.terms.fitting import examples


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


def test_aligned_recordings_add_to_the_corpus_counts_not_to_the_labels(tmp_path: Path) -> None:
    rows = annotated(write_csv(tmp_path / "fs.csv"))
    labelled = [row for row in rows if row.recording.interpreter == "u0"]
    aligned = [row for row in rows if row.recording.interpreter == "u1"]
    alone = fit_scorer(labelled, model="logistic")
    both = fit_scorer(labelled, model="logistic", aligned=aligned)
    assert alone.corpus.counts[term_key("Eratosthenes")] == (1, 1)
    assert both.corpus.counts[term_key("Eratosthenes")] == (2, 2)
    assert both.fit_info["aligned_recordings"] == len(aligned)
    assert both.fit_info["candidates"] == alone.fit_info["candidates"]  # no new labels
    # a labelled recording handed in as aligned too counts once: its labels win
    again = fit_scorer(labelled, model="logistic", aligned=labelled + aligned)
    assert again.corpus.counts == both.corpus.counts
    assert again.fit_info["aligned_recordings"] == len(aligned)


def test_an_article_only_aligned_counts_in_every_inner_fold(tmp_path: Path) -> None:
    rows = annotated(write_csv(tmp_path / "fs.csv"))
    labelled = [r for r in rows if r.recording.interpreter == "u0" and r.article != "Prime numbers"]
    aligned = [r for r in rows if r.article == "Prime numbers"]
    ex = examples(labelled, aligned=aligned)
    assert ex.unlabelled == {"Prime numbers"}
    assert "Prime numbers" not in set(ex.articles.tolist())  # no example, no label from it
    seen = ex.design(set()).T[-2]  # log times seen, counting no labelled article
    keys = np.array(ex.keys)
    # "the" of two Prime numbers sentences ("... has the form", "The sieve ..."), both recorded
    # by two interpreters
    assert np.all(seen[keys == "the"] == np.log1p(4))
    assert np.all(seen[keys == term_key("lysozyme")] == 0)


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


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return read_lexicon(shared_file("asl-lex/signdata.csv"))


@pytest.fixture(scope="module")
def lexicon_scorer(tmp_path_factory: pytest.TempPathFactory, lexicon: Lexicon) -> TermScorer:
    rows = annotated(write_csv(tmp_path_factory.mktemp("fit") / "fs.csv"))
    return fit_scorer(rows, lexicon=lexicon, model="logistic")


def test_lexicon_features_say_whether_asl_has_a_sign(lexicon: Lexicon) -> None:
    sentence = "The dogs ate a zymogen at the bank."
    found = [c for c in candidates(sentence) if c.kind == "word"]
    rows = sentence_features(sentence, found, lexicon=lexicon)
    names = TEXT_FEATURES + LEXICON_FEATURES
    by_word = {
        c.text: dict(zip(names, row, strict=True)) for c, row in zip(found, rows, strict=True)
    }
    assert by_word["dogs"]["lex_own_name"] == 1.0 and by_word["dogs"]["lex_lemmatised"] == 1.0
    assert by_word["dogs"]["lex_sign_frequency"] > 1.0
    assert by_word["zymogen"]["lex_own_name"] == by_word["zymogen"]["lex_translation"] == 0.0
    assert by_word["bank"]["lex_loan_sign"] == 1.0
    assert len(sentence_features(sentence, found)[0]) == len(TEXT_FEATURES)


def test_lexicon_scorer_needs_the_lexicon_and_never_stores_it(
    lexicon_scorer: TermScorer, lexicon: Lexicon, tmp_path: Path
) -> None:
    path = tmp_path / "scorer.json"
    lexicon_scorer.save(path)
    text = path.read_text("utf-8")
    assert json.loads(text)["lexicon_features"] is True
    assert "vimeo" not in text and "canine" not in text  # no ASL-LEX data in the file
    with pytest.raises(LexiconRequired, match="lexicon"):
        TermScorer.load(path).score_sentence("The dog barks.")
    loaded = TermScorer.load(path, lexicon)
    sentence = "Subduction of Pangaea, said Wegener."
    assert loaded.score_sentence(sentence) == lexicon_scorer.score_sentence(sentence)


def test_without_a_lexicon_the_packaged_scorer_is_the_one_fitted_without(
    lexicon: Lexicon,
) -> None:
    plain, with_lexicon = load_default_scorer(), load_default_scorer(lexicon)
    assert not plain.uses_lexicon and plain.lexicon is None
    assert with_lexicon.uses_lexicon and with_lexicon.lexicon is lexicon
    sentence = "The dog ate a zymogen."
    for scorer in (plain, with_lexicon):
        scores = {t.text: t.score for t in scorer.score_sentence(sentence)}
        assert scores["zymogen"] > scores["dog"]
    # a plain scorer given a lexicon ignores it
    assert plain.with_lexicon(lexicon).lexicon is None


def test_an_article_context_weighs_terms_the_article_repeats(fitted: TermScorer) -> None:
    sentences = ["The tensor is symmetric.", "A tensor has rank two.", "Each tensor transforms."]
    by_article = fitted.score_article(sentences, article="Tensors")
    context = ArticleContext.from_sentences(sentences)
    assert context.counts["tensor"] == 3
    assert by_article[1] == fitted.score_sentence(sentences[1], article="Tensors", context=context)
    alone = ArticleContext.from_sentences(sentences[:1])
    assert context.features("tensor", 3.0)[0] > alone.features("tensor", 3.0)[0]


def test_a_sentence_without_its_article_is_one_sentence_of_a_typical_article(
    fitted: TermScorer,
) -> None:
    # the fixture's articles have 4 sentences of 5 to 8 words
    assert 20 <= fitted.article_words <= 30
    sentence = "The tensor is symmetric."
    typical = ArticleContext.alone(sentence, fitted.article_words)
    assert typical.n_words == fitted.article_words and typical.counts["tensor"] == 1
    assert fitted.score_sentence(sentence) == fitted.score_sentence(sentence, context=typical)


def test_the_aligner_keeps_pair_states_only_where_the_fitting_rows_spell_pairs(
    tmp_path: Path,
) -> None:
    from terms_fixtures import spans_for

    from asl_stem.terms.fitting import fit_scorer

    pairs = [  # each spelled as one span; either word alone is under half of the pair
        ("Acids", "Acid base.", "Acid base"),
        ("Acids", "Heat sink.", "Heat sink"),
        ("Waves", "Wave form.", "Wave form"),
        ("Waves", "Mass flow.", "Mass flow"),
    ]
    body = [
        [f"u{u}", article, "0", str(i), f"{u}{i:04d}-{2000 + i // 2}_0_{i}.mp4", sentence,
         repr(spans_for(sentence, [pair])), repr([pair])]
        for u in range(2)
        for i, (article, sentence, pair) in enumerate(pairs)
    ]  # fmt: skip
    spelled_pairs = fit_scorer(annotated(write_csv(tmp_path / "pairs.csv", body)), model="logistic")
    choice = spelled_pairs.fit_info["aligner_right_word"]
    assert spelled_pairs.aligner.phrases and choice["with_pairs"] > choice["without"]
    words = fit_scorer(annotated(write_csv(tmp_path / "fs.csv")), model="logistic")
    choice = words.fit_info["aligner_right_word"]
    assert words.aligner.phrases == (choice["with_pairs"] >= choice["without"])
