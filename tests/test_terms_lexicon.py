"""ASL-LEX 2.0 read as published: real rows, gloss matching, lemmas, and bad rows reported."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from shared_data import shared_file

from asl_stem.terms.lexicon import Lexicon, id_gloss, read_lexicon


@pytest.fixture(scope="module")
def signdata() -> Path:
    return shared_file("asl-lex/signdata.csv")


@pytest.fixture(scope="module")
def lexicon(signdata: Path) -> Lexicon:
    return read_lexicon(signdata)


def test_every_sign_is_read_with_its_ratings_flags_and_links(lexicon: Lexicon) -> None:
    assert len(lexicon) == 2723
    assert all(p.severity == "warning" for p in lexicon.problems)  # four repeated entry ids
    assert {p.kind for p in lexicon.problems} == {"duplicate_entry"}
    sign = lexicon.by_entry_id("1_dollar")
    assert sign is not None and sign.line == 2
    assert sign.translations == ("bill", "cash", "dollar", "money")
    assert sign.sign_frequency == pytest.approx(3.034)
    assert sign.iconicity == pytest.approx(1.074)
    assert sign.video_url == "https://player.vimeo.com/video/345587917"
    assert sign.youtube_url is not None and sign.youtube_url.startswith("https://www.youtube")
    assert (sign.signbank_lemma_id, sign.signbank_reference_id) == ("1_DOLLAR", "1268")
    assert sum(s.fingerspelled_loan for s in lexicon) == 38
    assert sum(s.initialized for s in lexicon) == 363


def test_a_translation_list_with_several_glosses_matches_each_gloss(lexicon: Lexicon) -> None:
    for gloss in ("bill", "cash", "money"):
        entries = {m.sign.entry_id: m for m in lexicon.lookup(gloss)}
        assert "1_dollar" in entries
        assert entries["1_dollar"].kind == "translation"
    # the sign's own name ranks before signs that only list it as a translation
    money = lexicon.lookup("money")
    assert money[0].kind == "entry" and id_gloss(money[0].sign.lemma_id) == "money"
    assert [m.kind for m in money].index("translation") > 0


def test_an_entry_id_with_a_numeric_suffix_is_the_word(lexicon: Lexicon) -> None:
    assert id_gloss("cancer_1") == "cancer"
    assert id_gloss("hard_of_hearing") == "hard of hearing"
    found = [m.sign.entry_id for m in lexicon.lookup("Cancer")]
    assert set(found) >= {"cancer_1", "cancer_2"}
    (match,) = lexicon.lookup("hard of hearing")[:1]
    assert match.sign.entry_id == "hard_of_hearing" and match.kind == "entry"


def test_fingerspelled_loan_signs_and_initialized_signs(lexicon: Lexicon) -> None:
    (bank, *_) = lexicon.lookup("bank")
    assert bank.sign.entry_id == "bank" and bank.sign.fingerspelled_loan
    cancer = lexicon.by_entry_id("cancer_1")
    assert cancer is not None and cancer.fingerspelled_loan and cancer.initialized
    dog = lexicon.by_entry_id("dog")
    assert dog is not None and not dog.fingerspelled_loan


def test_plural_inflected_and_possessive_terms_match_by_lemma(lexicon: Lexicon) -> None:
    hours = lexicon.lookup("hours")[0]
    assert hours.sign.entry_id == "hour" and hours.lemmatised
    assert lexicon.lookup("dogs")[0].sign.lemma_id == "dog"
    australia = lexicon.lookup("Australia’s")[0]
    assert australia.sign.entry_id == "australia" and not australia.lemmatised
    assert any(m.lemmatised for m in lexicon.lookup("babysitters"))
    assert lexicon.lookup("catalysis") == []
    assert lexicon.lookup("") == []


def _copy(signdata: Path, path: Path, edit: dict[int, dict[str, str]], n: int = 4) -> Path:
    """The header and the first ``n`` real rows, with some cells edited (by row index)."""
    with open(signdata, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [next(reader) for _ in range(n)]
    for index, cells in edit.items():
        for name, value in cells.items():
            rows[index][header.index(name)] = value
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
        handle.write("short,row\n")
    return path


def test_bad_rows_are_reported_with_line_numbers_and_never_fatal(
    signdata: Path, tmp_path: Path
) -> None:
    edits = {
        0: {"EntryID": ""},
        1: {"SignFrequency(M)": "often"},
        2: {"FingerspelledLoanSign.2.0": "yes"},
    }
    lexicon = read_lexicon(_copy(signdata, tmp_path / "signs.csv", edits))
    assert [s.entry_id for s in lexicon] == ["5_dollars", "8_hour", lexicon.signs[2].entry_id]
    by_kind = {p.kind: p for p in lexicon.problems}
    assert set(by_kind) == {"no_entry_id", "bad_number", "bad_flag", "bad_row"}
    assert (by_kind["no_entry_id"].line, by_kind["bad_number"].line) == (2, 3)
    assert by_kind["bad_flag"].line == 4 and by_kind["bad_row"].line == 6
    assert lexicon.signs[0].sign_frequency is None
    assert "often" in by_kind["bad_number"].reason


def test_a_file_that_is_not_asl_lex_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("word,count\napple,3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="EntryID"):
        read_lexicon(path)
