"""The term index: spelled/signed counts, clips, lexicon, keypoints, read-only access."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from app_fixtures import build_fixture_index, recording_id, write_corpus

from asl_stem.cli import main
from asl_stem.corpus import FingerspellingSpan
from asl_stem.corpus.spanfile import RecordingSpans, write_span_file
from asl_stem.termindex import IndexReader, NotFound, build_index
from asl_stem.termindex.keypoints import Payload, make_payload
from asl_stem.termindex.lexicon import lexicon_links, read_asl_lex
from asl_stem.termindex.query import fts_query
from asl_stem.termindex.text import find_term, normalise_term


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> IndexReader:
    return IndexReader(build_fixture_index(tmp_path_factory.mktemp("index")))


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
    assert phenol["spelled_interpreters"] == ["alice", "carol"]
    assert phenol["signed_interpreters"] == ["bob"]
    spelled = {
        c["recording_id"]: (c["start_frame"], c["end_frame"]) for c in phenol["spelled_clips"]
    }
    assert spelled[recording_id("1001", 2, "alice")] == (60, 89)  # the second span of that row
    assert all(c["estimated"] == 1 for c in phenol["signed_clips"])


def test_spelled_strings_in_other_spellings_join_one_term(reader: IndexReader) -> None:
    bronsted = term_of(reader, "bronsted")  # "Brønsted" (alice) and "Bronsted" (bob)
    assert bronsted["spelled_interpreters"] == ["alice", "bob"]
    assert bronsted["signed_interpreters"] == ["carol"]
    assert bronsted["occurrences"][0]["text"][
        bronsted["occurrences"][0]["char_start"] :
    ].startswith("Brønsted")


def test_partly_spelled_compound_is_not_counted_signed(reader: IndexReader) -> None:
    compound = term_of(reader, "bronsted lowry")  # alice spelled both parts, bob one
    assert compound["n_spelled"] == 0 and compound["signed_interpreters"] == ["carol"]
    lowry = term_of(reader, "lowry")  # found through alice's span (the scorer may score it too)
    assert lowry["spelled_interpreters"] == ["alice"]
    assert lowry["signed_interpreters"] == ["bob", "carol"]


def test_recording_spans_mark_the_words_they_spell(reader: IndexReader) -> None:
    rec = reader.recording(recording_id("1001", 2, "alice"))
    assert [s["text"] for s in rec["spans"]] == ["NaCl", "phenolphthalein"]
    spelled = [rec["sentence"][s["char_start"] : s["char_end"]] for s in rec["spans"]]
    assert spelled == ["NaCl", "phenolphthalein"]
    assert rec["has_keypoints"] == 1
    with pytest.raises(NotFound):
        reader.recording("no-such-recording")


def test_keypoints_are_downsampled_and_keep_missing_points(reader: IndexReader) -> None:
    payload = reader.keypoints(recording_id("1001", 2, "alice"))
    assert payload.stride == 2 and payload.num_frames == 170
    assert payload.data.shape == (85, 75, 2)
    data = payload.to_json()
    assert data["fps"] == 15.0 and len(data["frames"]) == 85 and len(data["frames"][0]) == 150


def test_payload_round_trip_and_shape_check() -> None:
    keypoints = np.random.default_rng(0).random((10, 543, 3)).astype(np.float32)
    keypoints[3, 40] = np.nan
    payload = make_payload(keypoints, fps=60.0, max_fps=15.0)
    back = Payload.from_blob(payload.to_blob(), payload.fps, payload.stride, payload.num_frames)
    assert back.stride == 4 and back.data.shape == (3, 75, 2)
    assert back.to_json()["frames"][0][0] == pytest.approx(float(keypoints[0, 0, 0]), abs=1e-3)
    assert make_payload(keypoints, 30.0, 30.0).to_json()["frames"][3][80] is None  # point 40, x
    with pytest.raises(ValueError, match="expected"):
        make_payload(np.zeros((5, 10, 2)), 30.0)


def test_search_terms_and_sentences(reader: IndexReader) -> None:
    found = reader.search("phenolphth")
    assert [t["norm"] for t in found["terms"]] == ["phenolphthalein"]
    assert found["sentences"][0]["article_title"] == "Acid–base reaction"
    assert reader.search('" OR * NEAR(') == {"terms": [], "sentences": []}
    assert fts_query('a" OR b*') == '"a"* "OR"* "b"*'
    assert fts_query("!!") == ""


def test_lexicon_links_and_local_lexicon(reader: IndexReader) -> None:
    chlorophyll = term_of(reader, "chlorophyll")
    assert [link["site"] for link in chlorophyll["links"]] == [
        "ASLCore",
        "ASL Signbank",
        "SignASL",
        "Handspeak",
        "DeafTEC STEM dictionary",
    ]
    assert chlorophyll["lexicon"] == [
        {
            "source": "asl-lex.csv",
            "entry_id": "A_01_001",
            "gloss": "chlorophyll",
            "video_url": "https://vimeo.com/1",
        }
    ]
    links = {link["site"]: link["url"] for link in lexicon_links("Brønsted–Lowry acid")}
    assert links["SignASL"] == "https://www.signasl.org/sign/bronsted-lowry-acid"
    assert links["ASLCore"].endswith("query=Br%C3%B8nsted%E2%80%93Lowry+acid")


def test_asl_lex_reader_is_tolerant(tmp_path: Path) -> None:
    from app_fixtures import ASL_LEX_CSV

    path = tmp_path / "lex.csv"
    path.write_text(ASL_LEX_CSV, encoding="utf-8")
    entries, problems = read_asl_lex(path)
    assert [e.entry_id for e in entries] == ["A_01_001", "A_01_002", "A_01_004"]
    assert entries[1].glosses == ("acid", "sour")
    assert entries[2].video_url is None  # a javascript: link is never kept
    assert [(p.line, p.kind) for p in problems] == [(4, "no_gloss")]
    bad = tmp_path / "bad.csv"
    bad.write_text("Foo,Bar\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no gloss column"):
        read_asl_lex(bad)


def test_index_is_opened_read_only(reader: IndexReader) -> None:
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader._connection().execute("DELETE FROM terms")


def test_detected_spans_are_named_by_the_aligner(tmp_path: Path) -> None:
    manifests = write_corpus(tmp_path)
    rid = recording_id("1001", 2, "carol")
    spans = tmp_path / "spans.jsonl"
    detected = FingerspellingSpan(f"{rid}:0", rid, 20, 64, "detected", score=0.9)
    write_span_file(
        spans,
        [RecordingSpans(rid, 130, (detected,), 30.0), RecordingSpans("not-in-manifests", 10)],
    )
    reader = IndexReader(build_index(manifests, out=tmp_path / "i.sqlite", spans=spans))
    rec = reader.recording(rid)
    assert len(rec["spans"]) == 1 and rec["spans"][0]["score"] == 0.9
    assert rec["spans"][0]["text"]  # the aligner gave it a word of the sentence
    assert rec["spans"][0]["text"] in rec["sentence"]
    assert reader.recording(recording_id("1001", 2, "alice"))["annotated"] == 0


def test_cli_build_and_atomic_failure(tmp_path: Path) -> None:
    manifests = write_corpus(tmp_path)
    out = tmp_path / "cli.sqlite"
    assert main(["index", "build", str(manifests), "--out", str(out)]) == 0
    assert IndexReader(out).meta()["spans_source"] == "annotations"
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
    assert a.data.shape == b.data.shape and a.stride == b.stride
    np.testing.assert_allclose(a.data.astype(float), b.data.astype(float), atol=2e-3)
    assert from_shards.meta()["counts"].count('"recordings_without_keypoints": 0') == 1


def test_unprobed_recordings_take_frame_counts_from_keypoint_files(tmp_path: Path) -> None:
    from asl_stem.corpus import Corpus
    from asl_stem.termindex.store_keypoints import fill_frame_counts

    recordings = {r.id: r for r in Corpus.from_dir(write_corpus(tmp_path)).recordings}
    unprobed = {rid: r.replace(num_frames=None) for rid, r in recordings.items()}
    filled = fill_frame_counts(unprobed, None)
    assert {rid: r.num_frames for rid, r in filled.items()} == {
        rid: r.num_frames for rid, r in recordings.items()
    }
