"""Candidate words and phrases: offsets into the original string, Unicode compounds."""

from __future__ import annotations

from asl_stem.terms.candidates import article_names, candidates, words
from asl_stem.terms.labels import candidate_labels, char_iou, char_mask, occurrences


def test_offsets_slice_the_original_sentence() -> None:
    sentence = "By Brønsted–Lowry acid–base theory, Maxwell’s 4-space (R1H+) is “odd”."
    found = candidates(sentence)
    assert found
    for candidate in found:
        assert sentence[candidate.char_start : candidate.char_end] == candidate.text


def test_unicode_compounds_and_their_parts_are_candidates() -> None:
    sentence = "By Brønsted–Lowry acid–base theory."
    by_kind = {(c.text, c.kind) for c in candidates(sentence)}
    assert ("Brønsted–Lowry", "compound") in by_kind
    assert ("acid–base", "compound") in by_kind
    for part in ("Brønsted", "Lowry", "acid", "base"):
        assert (part, "word") in by_kind
    parts = [w for w in words(sentence) if w.in_compound]
    assert [w.text for w in parts] == ["Brønsted", "Lowry", "acid", "base"]


def test_apostrophes_digits_and_acronyms_stay_whole() -> None:
    texts = [w.text for w in words("Feynman’s and Maxwell's EDGE scores in 1960s, R2 too")]
    assert texts == ["Feynman’s", "and", "Maxwell's", "EDGE", "scores", "in", "1960s", "R2", "too"]


def test_pairs_only_across_a_single_space() -> None:
    phrases = [c.text for c in candidates("the Z value, a T-score") if c.kind == "phrase"]
    assert phrases == ["the Z", "Z value"]


def test_empty_and_punctuation_only_sentences() -> None:
    assert candidates("") == []
    assert candidates(" – … ") == []


def test_occurrences_are_case_insensitive_and_find_repeats() -> None:
    sentence = "Acid and acids: an ACID."
    assert occurrences(sentence, "acid") == [(0, 4), (9, 13), (19, 23)]
    assert occurrences(sentence, "  ") == []
    assert occurrences("Feynman’s book", "feynman's") == [(0, 9)]


def test_char_iou_hand_computed() -> None:
    sentence = "abc def ghi"
    label = char_mask(sentence, ["def"])  # 3 characters
    assert char_iou(label, char_mask(sentence, ["def"])) == 1.0
    assert char_iou(label, char_mask(sentence, ["ghi"])) == 0.0
    # "c def" covers 5 characters, 3 of them labelled: 3 / 5
    assert char_iou(label, char_mask(sentence, ["c def"])) == 3 / 5
    assert char_iou(char_mask(sentence, []), char_mask(sentence, [])) is None


def test_labels_pick_the_best_matching_candidate() -> None:
    sentence = "the Z value of solid acids"
    found = candidates(sentence)
    labels = candidate_labels(sentence, found, ["Z value", "acid"])
    positive = {c.text for c, label in zip(found, labels, strict=True) if label}
    assert positive == {"Z value", "acids"}


def test_possessives_give_the_name_without_its_s() -> None:
    sentence = "Maxwell's equations and Feynman’s book"
    found = {(c.text, c.char_start, c.char_end) for c in candidates(sentence)}
    assert ("Maxwell", 0, 7) in found and ("Maxwell's", 0, 9) in found
    assert ("Feynman", sentence.index("Feynman"), sentence.index("Feynman") + 7) in found


def test_dotted_initialisms_are_one_candidate() -> None:
    sentence = "Made in the U.S. by N.Y. firms, i.e. here"
    initialisms = [(c.text, c.n_words) for c in candidates(sentence) if c.kind == "initialism"]
    assert initialisms == [("U.S.", 2), ("N.Y.", 2), ("i.e.", 2)]
    for c in candidates(sentence):
        assert sentence[c.char_start : c.char_end] == c.text


def test_article_names_are_the_title_then_recent_names() -> None:
    earlier = ["Richard Feynman taught at Caltech.", "The QED theory of Feynman's grew."]
    names = article_names("Richard Feynman", earlier)
    assert names[:3] == ["Richard Feynman", "Richard", "Feynman"]
    assert "QED" in names and "Caltech" in names
    assert len(names) == len({n.lower() for n in names})  # each once ("Feynman's" folded)
    assert "The" not in names  # sentence-initial capitals are not names
    assert article_names(None) == []
