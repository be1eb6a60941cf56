"""The term index: spelled/signed counts, clips, lexicon, keypoints, read-only access."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from app_fixtures import ARTICLES, ASL_LEX_CSV, build_fixture_index, recording_id, write_corpus

from asl_stem.cli import main
from asl_stem.corpus import FingerspellingSpan
from asl_stem.corpus.spanfile import RecordingSpans, write_span_file
from asl_stem.termindex import IndexReader, NotFound, build_index
from asl_stem.termindex.keypoints import Payload, make_payload
from asl_stem.termindex.lexicon import lexicon_links
from asl_stem.termindex.query import OCCURRENCES, fts_query
from asl_stem.termindex.spanrows import DetectionThresholds
from asl_stem.termindex.text import find_term, normalise_term
from asl_stem.terms import load_default_scorer, read_lexicon
from asl_stem.terms.evidence import blend


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> IndexReader:
    return IndexReader(build_fixture_index(tmp_path_factory.mktemp("index")))


def ids(people: list[dict]) -> list[str]:
    return [who["id"] for who in people]


def term_of(reader: IndexReader, norm: str) -> dict:
    row = reader.terms_by_norm([norm])[norm]
    return reader.term(row["id"])


def test_normal_form_and_whole_word_search() -> None:
    assert normalise_term("Brønsted–Lowry") == "bronsted lowry"
    assert normalise_term("  NaCl, ") == "nacl"
    assert find_term("The Brønsted–Lowry theory", "BRONSTED") == (4, 12)
    assert find_term("ionic ion", "ion") == (6, 9)
    assert find_term("nothing here", "ion") is None


def test_spelled_and_signed_counts(reader: IndexReader) -> None:
    phenol = term_of(reader, "phenolphthalein")
    assert (phenol["n_spelled"], phenol["n_signed"]) == (2, 1)
    assert [who["id"] for who in phenol["spelled_interpreters"]] == ["alice", "carol"]
    assert [who["label"] for who in phenol["signed_interpreters"]] == ["Interpreter 2"]
    assert {who["basis"] for who in phenol["spelled_interpreters"]} == {"annotated"}
    spelled = {
        c["recording_id"]: (c["start_frame"], c["end_frame"]) for c in phenol["spelled_clips"]
    }
    assert spelled[recording_id("1001", 2, "alice")] == (60, 89)  # the second span of that row
    assert all(c["estimated"] == 1 for c in phenol["signed_clips"])


def test_the_prepare_view_names_the_first_interpreters_and_counts_the_rest(reader):
    from asl_stem.webapp.responses import TEMPLATES

    phenol = reader.terms_by_norm(["phenolphthalein"])["phenolphthalein"]
    handled = reader.handling([phenol["id"]], interpreters=1)[phenol["id"]]
    assert ids(handled["spelled_interpreters"]) == ["alice"]  # of alice and carol, by id
    assert phenol["n_spelled_interpreters"] == 2
    html = TEMPLATES.env.get_template("_interpreters.html").render(
        people=handled["spelled_interpreters"], total=phenol["n_spelled_interpreters"]
    )
    assert ">Interpreter 1</span> and 1 more" in html
    assert ids(reader.handling([phenol["id"]])[phenol["id"]]["spelled_interpreters"]) == [
        "alice", "carol"
    ]  # fmt: skip


def test_spelled_strings_in_other_spellings_join_one_term(reader: IndexReader) -> None:
    bronsted = term_of(reader, "bronsted")  # "Brønsted" (alice) and "Bronsted" (bob)
    assert ids(bronsted["spelled_interpreters"]) == ["alice", "bob"]
    assert ids(bronsted["signed_interpreters"]) == ["carol"]
    assert bronsted["occurrences"][0]["text"][
        bronsted["occurrences"][0]["char_start"] :
    ].startswith("Brønsted")


def test_partly_spelled_compound_is_not_counted_signed(reader: IndexReader) -> None:
    compound = term_of(reader, "bronsted lowry")  # alice spelled both parts, bob one
    assert compound["n_spelled"] == 0 and ids(compound["signed_interpreters"]) == ["carol"]
    lowry = term_of(reader, "lowry")  # found through alice's span (the scorer may score it too)
    assert ids(lowry["spelled_interpreters"]) == ["alice"]
    assert ids(lowry["signed_interpreters"]) == ["bob", "carol"]


def test_recording_spans_mark_the_words_they_spell(reader: IndexReader) -> None:
    rec = reader.recording(recording_id("1001", 2, "alice"))
    assert [s["text"] for s in rec["spans"]] == ["NaCl", "phenolphthalein"]
    assert {(s["source"], s["text_source"], s["counted"]) for s in rec["spans"]} == {
        ("annotated", "annotated", 1)
    }
    assert rec["interpreter"] == "Interpreter 1" and rec["interpreter_id"] == "alice"
    spelled = [rec["sentence"][s["char_start"] : s["char_end"]] for s in rec["spans"]]
    assert spelled == ["NaCl", "phenolphthalein"]
    assert rec["has_keypoints"] == 1
    with pytest.raises(NotFound):
        reader.recording("no-such-recording")


def test_keypoints_are_downsampled_and_keep_missing_points(reader: IndexReader) -> None:
    payload = reader.keypoints(recording_id("1001", 2, "alice"))
    assert payload.stride == 2 and payload.num_frames == 170
    assert payload.codes.shape == (85, 75, 2)
    data = payload.to_json()
    assert data["fps"] == 15.0 and len(data["frames"]) == 85 and len(data["frames"][0]) == 150


def test_payload_round_trip_and_shape_check() -> None:
    keypoints = np.random.default_rng(0).random((10, 543, 3)).astype(np.float32)
    keypoints[3, 40] = np.nan
    payload = make_payload(keypoints, fps=60.0, max_fps=15.0)
    back = Payload.from_blob(payload.to_blob())
    assert back.stride == 4 and back.codes.shape == (3, 75, 2)
    np.testing.assert_array_equal(back.codes, payload.codes)
    step = max(payload.box[2], payload.box[3]) / 126  # one quantisation step
    got = back.coordinates()[:, :25]
    want = keypoints[::4, :25, :2]
    assert np.nanmax(np.abs(got - want)) <= step / 2 + 1e-6
    assert make_payload(keypoints, 30.0, 30.0).to_json()["frames"][3][80] is None  # point 40, x
    assert np.isnan(back.coordinates()[:, 25:33]).all()  # the legs are never sent
    with pytest.raises(ValueError, match="not an asl-stem"):
        Payload.from_blob(gzip.compress(b"ASK2" + bytes(40)))
    with pytest.raises(ValueError, match="expected"):
        make_payload(np.zeros((5, 10, 2)), 30.0)


def test_occurrences_come_in_article_and_sentence_order_without_a_sort(reader: IndexReader):
    connection = sqlite3.connect(f"file:{reader.path}?mode=ro", uri=True)
    plan = " ".join(
        row[-1] for row in connection.execute(f"EXPLAIN QUERY PLAN {OCCURRENCES}", (1,))
    )
    assert "occurrences_term" in plan and "TEMP B-TREE" not in plan
    stored = connection.execute("SELECT sentence_id, sentence_num FROM occurrences").fetchall()
    numbers = dict(connection.execute("SELECT id, num FROM sentences"))
    assert stored and all(numbers[sentence] == num for sentence, num in stored)
    term = reader.term(1)
    order = [(o["article_id"], numbers[o["sentence_id"]]) for o in term["occurrences"]]
    assert order and order == sorted(order)


def test_search_terms_and_sentences(reader: IndexReader) -> None:
    found = reader.search("phenolphth")
    assert [t["norm"] for t in found["terms"]] == ["phenolphthalein"]
    assert found["sentences"][0]["article_title"] == "Acid–base reaction"
    assert reader.search('" OR * NEAR(') == {"terms": [], "sentences": []}
    assert fts_query('a" OR b*') == '"a"* "OR"* "b"*'
    assert fts_query("!!") == ""


def test_dictionary_links_follow_each_sites_url_scheme() -> None:
    links = {link["site"]: link["url"] for link in lexicon_links("Chlorophyll")}
    assert links == {
        "SignASL": "https://www.signasl.org/sign/chlorophyll",
        "ASLCore": "https://aslcore.org/search/?query=Chlorophyll",
        "ASL Signbank": "https://aslsignbank.haskins.yale.edu/signs/search/?keyword=Chlorophyll",
        "Lifeprint": "https://www.lifeprint.com/asl101/pages-signs/c/chlorophyll.htm",
        "Signing Savvy": "https://www.signingsavvy.com/search/Chlorophyll",
        "Spread the Sign": "https://www.spreadthesign.com/en.us/search/?q=Chlorophyll",
        "Handspeak (dictionary)": "https://www.handspeak.com/word/",
    }
    phrase = {link["site"]: link["url"] for link in lexicon_links("Brønsted–Lowry acid")}
    assert phrase["SignASL"] == "https://www.signasl.org/sign/bronsted-lowry-acid"
    assert phrase["ASLCore"].endswith("query=Br%C3%B8nsted%E2%80%93Lowry+acid")
    assert phrase["Signing Savvy"].endswith("/search/Br%C3%B8nsted%E2%80%93Lowry%20acid")
    assert "Lifeprint" not in phrase  # its pages name one word
    assert not any("deaftec" in url for url in phrase.values())
    assert lexicon_links("!!") == []


def test_local_lexicon_signs_are_stored(reader: IndexReader) -> None:
    chlorophyll = term_of(reader, "chlorophyll")
    assert [(s["entry_id"], s["video_url"]) for s in chlorophyll["signs"]] == [
        ("chlorophyll", "https://vimeo.com/1")
    ]
    assert chlorophyll["n_signs"] == 1


def test_index_is_opened_read_only(reader: IndexReader) -> None:
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader._connection().execute("DELETE FROM terms")


def detected(rid: str, n: int, start: int, end: int, score: float) -> FingerspellingSpan:
    return FingerspellingSpan(f"{rid}:{n}", rid, start, end, "detected", score=score)


def test_detections_are_kept_apart_and_count_only_when_strong_long_and_unannotated(
    tmp_path: Path,
) -> None:
    manifests = write_corpus(tmp_path, annotated=("1001",))
    annotated_rid = recording_id("1001", 2, "carol")  # annotated: spells phenolphthalein
    free_rid = recording_id("1002", 1, "bob")  # nobody annotated it
    huge_rid = recording_id("1002", 0, "alice")
    spans = tmp_path / "spans.jsonl"
    write_span_file(
        spans,
        [
            RecordingSpans(annotated_rid, 130, (detected(annotated_rid, 0, 20, 64, 0.9),), 30.0),
            RecordingSpans(
                free_rid,
                170,
                (
                    detected(free_rid, 0, 20, 49, 0.9),
                    detected(free_rid, 1, 60, 89, 0.95),
                    detected(free_rid, 2, 100, 104, 0.95),  # 5 frames: too short
                    detected(free_rid, 3, 110, 139, 0.2),  # too weak
                ),
                30.0,
            ),
            RecordingSpans(huge_rid, 2**71, (detected(huge_rid, 0, 2**70 - 9, 2**70, 0.9),)),
            RecordingSpans("not-in-manifests", 10),
        ],
    )
    thresholds = DetectionThresholds(min_score=0.5, min_frames=8)
    out = tmp_path / "i.sqlite"
    reader = IndexReader(build_index(manifests, out=out, spans=spans, thresholds=thresholds))
    shown = reader.recording(annotated_rid)
    by_source = {s["source"]: s for s in shown["spans"]}
    assert by_source["annotated"]["text"] == "phenolphthalein" and by_source["annotated"]["counted"]
    assert by_source["detected"]["score"] == 0.9 and not by_source["detected"]["counted"]
    assert term_of(reader, "phenolphthalein")["n_spelled"] == 2  # the detection changed nothing
    free = reader.recording(free_rid)
    counted = [s for s in free["spans"] if s["counted"]]
    assert [(s["start_frame"], s["text_source"]) for s in counted] == [
        (20, "aligned"),
        (60, "aligned"),
    ]
    assert all(s["term_id"] is None for s in free["spans"] if not s["counted"])
    for span in counted:
        term = reader.term(span["term_id"])
        assert span["text"] in free["sentence"]
        assert term["n_spelled_detected"] >= 1
        assert {c["basis"] for c in term["spelled_clips"]} >= {"detected"}
    meta = reader.meta()
    assert meta["detection_thresholds"] == {"min_score": 0.5, "min_frames": 8}
    assert meta["counts"]["problems"]["bad_frames"] == 1
    assert meta["counts"]["detected_recordings"] == 2
    assert reader.recording(huge_rid)["spans"] == []


def test_a_detection_that_ran_two_words_together_is_kept_as_two(tmp_path: Path) -> None:
    manifests = write_corpus(tmp_path, annotated=("1001",))
    rid = recording_id("1002", 1, "bob")  # "Chlorophyll absorbs light, and RuBisCO fixes ..."
    spans = tmp_path / "spans.jsonl"
    found = (detected(rid, 0, 20, 75, 0.9), detected(rid, 1, 90, 169, 0.9))  # 56 and 80 frames
    write_span_file(spans, [RecordingSpans(rid, 170, found, 30.0)])
    # each word of the split counts as the 80-frame detection does, though shorter than 50
    thresholds = DetectionThresholds(min_score=0.5, min_frames=50)
    out = tmp_path / "i.sqlite"
    reader = IndexReader(build_index(manifests, out=out, spans=spans, thresholds=thresholds))
    shown = reader.recording(rid)["spans"]
    assert [(s["start_frame"], s["end_frame"], s["text"], s["counted"]) for s in shown] == [
        (20, 75, "Chlorophyll", 1),
        (90, 136, "RuBisCO", 1),  # 7 of the 12 letters: 47 of the 80 frames
        (137, 169, "fixes", 1),
    ]
    assert {s["source"] for s in shown} == {"detected"}
    assert all(reader.term(s["term_id"])["n_spelled_detected"] >= 1 for s in shown)


def test_cli_build_and_atomic_failure(tmp_path: Path) -> None:
    manifests = write_corpus(tmp_path)
    out = tmp_path / "cli.sqlite"
    assert main(["index", "build", str(manifests), "--out", str(out)]) == 0
    assert IndexReader(out).meta()["span_files"] == []
    missing = tmp_path / "missing.sqlite"
    assert main(["index", "build", str(tmp_path / "nowhere"), "--out", str(missing)]) == 1
    assert not missing.exists() and not list(tmp_path.glob(".missing.sqlite*"))


def test_keypoints_from_shards_match_reference_files(tmp_path: Path, reader: IndexReader) -> None:
    manifests = write_corpus(tmp_path)
    shards = tmp_path / "shards"
    argv = ["extract", str(manifests), "--out", str(shards), "--source", "keypoints"]
    assert main([*argv, "--workers", "1"]) == 0
    from_shards = IndexReader(build_index(manifests, out=tmp_path / "s.sqlite", shards_dir=shards))
    rid = recording_id("1002", 1, "bob")
    a, b = from_shards.keypoints(rid), reader.keypoints(rid)
    assert a.codes.shape == b.codes.shape and a.stride == b.stride
    np.testing.assert_allclose(a.coordinates(), b.coordinates(), atol=2e-2)
    assert from_shards.meta()["counts"]["recordings_with_keypoints"] == 15


def test_unprobed_recordings_take_frame_counts_from_keypoint_files(tmp_path: Path) -> None:
    from asl_stem.corpus import Corpus
    from asl_stem.termindex.store_keypoints import frame_count

    recordings = list(Corpus.from_dir(write_corpus(tmp_path)).recordings)
    assert [frame_count(r.replace(num_frames=None), None) for r in recordings] == [
        r.num_frames for r in recordings
    ]


def test_a_corpus_sentence_shows_likelihoods_blended_with_its_recordings(
    reader: IndexReader, tmp_path: Path
) -> None:
    lexicon_csv = tmp_path / "asl-lex.csv"
    lexicon_csv.write_text(ASL_LEX_CSV, encoding="utf-8")
    scorer = load_default_scorer(read_lexicon(lexicon_csv))
    title, texts = ARTICLES["1001"]
    found, scores = scorer.score_candidates(texts[2], article=title)
    shown = reader.article_candidates("1001")["1001_0_2"]
    assert [t.score for t in shown] == sorted((t.score for t in shown), reverse=True)
    by_place = {(t.char_start, t.char_end): t.score for t in shown}
    # three annotated recordings: alice spelled NaCl and phenolphthalein, carol the latter
    counts = {"NaCl": (1, 3), "phenolphthalein": (2, 3)}
    for candidate, score in zip(found, scores, strict=True):
        expected = blend(float(score), counts.get(candidate.text, (0, 3)), scorer.evidence_strength)
        assert by_place[candidate.char_start, candidate.char_end] == round(expected, 4)
    phenol = next(t for t in shown if t.text == "phenolphthalein")
    assert phenol.score > 0.5  # two of three interpreters spelled it
    # alice spelled "Brønsted", bob "Bronsted": one term, as the index counts it
    found, scores = scorer.score_candidates(texts[1], article=title)
    shown = reader.article_candidates("1001")["1001_0_1"]
    (bronsted,) = [t for t in shown if t.text == "Brønsted"]
    (score,) = [s for c, s in zip(found, scores, strict=True) if c.text == "Brønsted"]
    assert bronsted.score == round(blend(float(score), (2, 3), scorer.evidence_strength), 4)
