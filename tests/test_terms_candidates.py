"""Candidate words and phrases: offsets into the original string, Unicode compounds."""

from __future__ import annotations

from asl_stem.terms.candidates import candidates, words
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
