"""Manifest records and sets: round trips, type and schema, lazy and eager sets, the marker."""

from __future__ import annotations

import gzip
import json
import types
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_stem.corpus import Corpus, SpanSet
from asl_stem.corpus.manifests import ManifestError, iter_records, manifest_path, write_records
from asl_stem.corpus.records import (
    SCHEMA_VERSION,
    Article,
    FingerspellingSpan,
    Recording,
    Sentence,
)
from asl_stem.corpus.schema import manifest_schema
from asl_stem.corpus.sets import ArticleSet, RecordingSet, SentenceSet

RECORDS = {
    "articles": Article(
        id="2053312",
        title="Acid catalysis",
        page_id=2053312,
        sections=(("2053312_0_0",), ("2053312_1_0", "2053312_1_1")),
        text="Acids.\n\nBrønsted acids\nThey donate.",
    ),
    "sentences": Sentence(
        id="2053312_1_0",
        article="Acid catalysis",
        article_id="2053312",
        section_index=1,
        sentence_index=0,
        text="Brønsted acids",
        page_id=2053312,
        is_section_title=True,
        recording_ids=("01-2053312_1_0", "02-2053312_1_0"),
    ),
    "recordings": Recording(
        id="01-2053312_1_0",
        filename="01-2053312_1_0.mp4",
        interpreter="interp-a",
        article="Acid catalysis",
        article_id="2053312",
        section_index=1,
        sentence_index=0,
        sentence_id="2053312_1_0",
        status="ok",
        page_id=2053312,
        path="/data/videos/01-2053312_1_0.mp4",
        duration_s=0.8,
        fps=25.0,
        num_frames=20,
        width=64,
        height=48,
        num_bytes=1898,
    ),
    "spans": FingerspellingSpan(
        id="01-2053312_1_0:0",
        recording_id="01-2053312_1_0",
        start_frame=3,
        end_frame=9,
        text="Brønsted–Lowry",
    ),
}


SETS = {"articles": ArticleSet, "sentences": SentenceSet, "recordings": RecordingSet}
SETS["spans"] = SpanSet


@pytest.mark.parametrize("kind", sorted(RECORDS))
def test_round_trip_through_file(tmp_path, kind):
    record = RECORDS[kind]
    path = manifest_path(tmp_path, kind)
    assert write_records(path, kind, [record, record.replace(id="other")]) == 2
    loaded = list(iter_records(path, kind))
    assert loaded == [record, record.replace(id="other")]
    assert isinstance(loaded[0], type(record))
    lazy = SETS[kind].from_file(path)
    assert lazy.is_lazy and list(lazy) == loaded and len(lazy) == 2
    assert lazy.to_eager()["other"] == record.replace(id="other")


def test_dict_has_type_and_schema_and_omits_none():
    data = RECORDS["recordings"].to_dict()
    assert data["type"] == "recording"
    assert data["schema"] == SCHEMA_VERSION
    assert "zip_member" not in data and "listed_duration_s" not in data
    assert Recording.from_dict(data) == RECORDS["recordings"]


def test_lists_become_tuples_so_records_stay_hashable():
    data = json.loads(json.dumps(RECORDS["articles"].to_dict()))
    article = Article.from_dict(data)
    assert article.sections == RECORDS["articles"].sections
    assert hash(article) == hash(RECORDS["articles"])


def test_wrong_type_other_schema_and_unknown_fields_are_refused():
    data = RECORDS["spans"].to_dict()
    with pytest.raises(ValueError, match="expected a 'recording' record"):
        Recording.from_dict(data)
    with pytest.raises(ValueError, match="upgrade asl-stem"):
        FingerspellingSpan.from_dict({**data, "schema": SCHEMA_VERSION + 1})
    with pytest.raises(ValueError, match="re-run `asl-stem ingest`"):
        FingerspellingSpan.from_dict({**data, "schema": SCHEMA_VERSION - 1})
    with pytest.raises(ValueError, match="unknown fields"):
        FingerspellingSpan.from_dict({**data, "colour": "red"})


def test_records_are_frozen_and_spans_checked():
    with pytest.raises(AttributeError):
        RECORDS["spans"].start_frame = 0  # type: ignore[misc]
    with pytest.raises(ValueError, match="end before they start"):
        RECORDS["spans"].replace(end_frame=1)
    with pytest.raises(ValueError, match="source 'guessed'"):
        RECORDS["spans"].replace(source="guessed")


def test_lazy_set_reads_on_each_pass_and_names_bad_lines(tmp_path):
    path = manifest_path(tmp_path, "spans")
    write_records(path, "spans", [RECORDS["spans"]] * 3)
    records = iter_records(path, "spans")
    assert isinstance(records, types.GeneratorType)
    assert next(records) == RECORDS["spans"]
    spans = SpanSet.from_file(path)
    long_ones = spans.filter(lambda s: s.num_frames > 5)
    assert long_ones.is_lazy and len(long_ones) == 3
    with gzip.open(path, "at", encoding="utf-8") as handle:
        handle.write(json.dumps(RECORDS["articles"].to_dict()) + "\n")
    with pytest.raises(ValueError, match="record 4: expected a 'span' record"):
        list(spans)


def test_eager_sets_index_by_id_and_refuse_twins():
    sentences = SentenceSet.from_records([RECORDS["sentences"]])
    assert sentences["2053312_1_0"] == RECORDS["sentences"] and "x" not in sentences
    with pytest.raises(ValueError, match="two spans records have the id"):
        SpanSet.from_records([RECORDS["spans"], RECORDS["spans"]])
    assert RECORDS["spans"].num_frames == 7
    assert RECORDS["recordings"].has_video
    assert not RECORDS["recordings"].replace(status="missing").has_video


def test_unknown_kind_and_missing_folder_say_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="asl-stem ingest"):
        Corpus.from_dir(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="unknown manifest kind"):
        manifest_path(tmp_path, "videos")


def test_failed_write_leaves_previous_file_and_no_temporary(tmp_path):
    path = manifest_path(tmp_path, "spans")
    write_records(path, "spans", [RECORDS["spans"]])
    with pytest.raises(TypeError, match="takes FingerspellingSpan"):
        write_records(path, "spans", [RECORDS["spans"], RECORDS["articles"]])
    assert list(iter_records(path, "spans")) == [RECORDS["spans"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spans.jsonl.gz"]


def test_the_folder_is_one_unit_with_a_marker_written_last(tmp_path):
    corpus = Corpus.from_records(
        [RECORDS["articles"]], [RECORDS["sentences"]], [RECORDS["recordings"]], [RECORDS["spans"]]
    )
    marker = corpus.to_dir(tmp_path)
    assert marker["files"]["spans"]["records"] == 1
    again = Corpus.from_dir(tmp_path)
    assert list(again.spans) == [RECORDS["spans"]]
    # A crash between two kinds leaves no marker: the folder is refused, not half-read.
    (tmp_path / "manifest.json").unlink()
    with pytest.raises(ManifestError, match="incomplete"):
        Corpus.from_dir(tmp_path)
    corpus.to_dir(tmp_path)
    write_records(manifest_path(tmp_path, "spans"), "spans", [])
    with pytest.raises(ManifestError, match="changed since"):
        Corpus.from_dir(tmp_path)


def test_split_by_article_keeps_each_articles_records():
    other = RECORDS["recordings"].replace(id="09-77_0_0", article="Other", article_id="77")
    corpus = Corpus.from_records(
        [RECORDS["articles"]],
        [RECORDS["sentences"]],
        [RECORDS["recordings"], other],
        [RECORDS["spans"]],
    )
    parts = corpus.split_by_article()
    assert sorted(parts) == ["Acid catalysis"]  # articles come from the article records
    assert parts["Acid catalysis"].recordings.ids() == {"01-2053312_1_0"}
    assert len(corpus.filter_articles(exclude={"Acid catalysis"}).recordings) == 1


@settings(max_examples=60, deadline=None)
@given(
    text=st.one_of(st.none(), st.text()),
    start=st.integers(0, 10**6),
    length=st.integers(1, 10**4),
    recording=st.from_regex(r"[0-9]{1,17}-[0-9&a-z]{1,12}_[0-9]{1,2}_[0-9]{1,3}", fullmatch=True),
)
def test_any_span_survives_json(text, start, length, recording):
    span = FingerspellingSpan(
        id=f"{recording}:0",
        recording_id=recording,
        start_frame=start,
        end_frame=start + length - 1,
        text=text,
    )
    assert FingerspellingSpan.from_dict(json.loads(json.dumps(span.to_dict()))) == span
    assert span.num_frames == length


def test_schema_file_matches_the_record_classes_and_validates_records():
    schema_file = Path(__file__).resolve().parents[1] / "manifests" / "schema.json"
    schema = manifest_schema()
    assert json.loads(schema_file.read_text(encoding="utf-8")) == schema, (
        "manifests/schema.json is stale: run python -m asl_stem.corpus.schema manifests/schema.json"
    )
    for kind, record in RECORDS.items():
        definition = {**schema["$defs"][f"{kind}.jsonl.gz"], "$defs": schema["$defs"]}
        jsonschema.validate(json.loads(json.dumps(record.to_dict())), definition)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**record.to_dict(), "id": 7}, definition)
