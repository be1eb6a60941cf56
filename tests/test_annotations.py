"""The annotation reader: every quirk of the release is reported, nothing runs as code."""

from __future__ import annotations

from pathlib import Path

from shared_data import SHARED_DATA

from asl_stem.corpus.annotations import read_annotations

HEADER = "user,articleName,sectionIndex,sentenceIndex,filename,sentence,fs_span,fs_text\n"
SHARED = SHARED_DATA / "fs-annotations" / "train.csv"


def write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "fs.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_good_row_parses_spans_and_unicode(tmp_path: Path) -> None:
    body = (
        'u1,Acid catalysis,0,1,123-45_0_1.mp4,"By Brønsted–Lowry acid–base theory.",'
        "\"[(64, 199), (224, 295)]\",\"['Brønsted–Lowry', 'acid–base']\"\n"
    )
    rows, problems = read_annotations(write(tmp_path, body))
    assert problems == []
    (row,) = rows
    assert row.recording_id == "123-45_0_1"
    assert row.sentence == "By Brønsted–Lowry acid–base theory."
    assert [(s.start_frame, s.end_frame, s.text) for s in row.spans] == [
        (64, 199, "Brønsted–Lowry"),
        (224, 295, "acid–base"),
    ]
    assert row.line == 2


def test_code_in_fs_span_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = f"__import__('pathlib').Path('{marker}').touch()"
    body = f'u1,A,0,0,1-2_0_0.mp4,text,"{payload}","[]"\n'
    rows, problems = read_annotations(write(tmp_path, body))
    assert rows == []
    assert not marker.exists()
    assert [p.kind for p in problems] == ["bad_literal"]
    assert problems[0].line == 2


def test_bad_rows_are_reported_with_lines_and_good_rows_kept(tmp_path: Path) -> None:
    body = (
        'u1,A,0,0,1-2_0_0.mp4,ok,"[(1, 5)]","[\'x\']"\n'
        "u1,A,zero,1,1-2_0_1.mp4,bad index,[],[]\n"
        "u1,A,0,2\n"
        "u1,A,0,3,1-2_0_3.mp4,backwards,\"[(9, 3), (10, 12)]\",\"['a', 'b']\"\n"
        'u1,A,0,4,1-2_0_4.mp4,mismatch,"[(1, 2), (3, 4)]","[\'a\']"\n'
        'u1,A,0,5,1-2_0_5.mp4,literal true,"[(1, 2)]","[True]"\n'
    )
    rows, problems = read_annotations(write(tmp_path, body))
    assert [row.sentence_index for row in rows] == [0, 3, 4, 5]
    found = {(p.line, p.kind, p.severity) for p in problems}
    assert found == {
        (3, "non_numeric_index", "error"),
        (4, "too_few_columns", "error"),
        (5, "bad_span", "error"),
        (6, "span_text_mismatch", "warning"),
        (7, "non_string_text", "warning"),
    }
    assert [(s.start_frame, s.text) for s in rows[1].spans] == [(10, "b")]
    assert [s.text for s in rows[2].spans] == ["a", None]
    assert rows[3].spans[0].text == "True"


def test_non_utf8_bytes_are_read_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "fs.csv"
    good = 'u1,A,0,0,1-2_0_0.mp4,caf\u00e9,"[(1, 2)]","[\'x\']"\n'.encode()
    bad = b'u1,A,0,1,1-2_0_1.mp4,na\xefve,"[(1, 2)]","[\'y\']"\n'
    path.write_bytes(HEADER.encode() + good + bad)
    rows, problems = read_annotations(path)
    assert [row.sentence for row in rows] == ["café", "naïve"]
    assert [(p.line, p.kind) for p in problems] == [(3, "non_utf8")]


def test_header_aliases_and_positional_fallback(tmp_path: Path) -> None:
    aliased = "participant,article,section,sentence_index,video filename,text,span,texts\n"
    row = 'u1,A,0,0,1-2_0_0.mp4,hi,"[(1, 2)]","[\'x\']"\n'
    rows, _ = read_annotations(write(tmp_path, row, header=aliased))
    assert rows[0].user == "u1"
    rows, _ = read_annotations(write(tmp_path, row, header=""))
    assert rows[0].filename == "1-2_0_0.mp4"
    assert rows[0].line == 1


def test_shared_release_rows_keep_every_span() -> None:
    rows, problems = read_annotations(SHARED)
    assert len(rows) == 412
    assert sum(len(row.spans) for row in rows) == 1368
    assert all(p.severity == "warning" for p in problems)
    assert len(problems) == 4


def test_continuation_rows_of_one_recording_are_one_annotation() -> None:
    """The real train.csv annotates 8 recordings on two rows: each is one recording."""
    from asl_stem.corpus import open_corpus

    rows, _ = read_annotations(SHARED)
    recordings = open_corpus(SHARED).annotated_recordings()
    assert len(rows) == 412 and len(recordings) == 404 == len({r.filename for r in rows})
    by_name = {item.filename: item for item in recordings}
    # Two rows, one span each: both spans, in frame order.
    edge = [r for r in rows if r.article == "EDGE species" and r.user.startswith("62a1edef")]
    (name,) = {r.filename for r in edge if (r.section_index, r.sentence_index) == (1, 1)}
    assert [(s.start_frame, s.end_frame) for s in by_name[name].spans] == [(70, 84), (92, 112)]
    # Two rows whose spans overlap ("Maxwell" spelled twice): both kept, in frame order.
    maxwell = [
        r
        for r in rows
        if r.user.startswith("62a6a8a1") and (r.section_index, r.sentence_index) == (1, 1)
    ]
    (name,) = {r.filename for r in maxwell}
    spans = by_name[name].spans
    assert len(spans) == sum(len(r.spans) for r in maxwell) == 11
    assert [s.frames for s in spans] == sorted(s.frames for s in spans)
    assert [s.id for s in spans] == [f"{spans[0].recording_id}:{n}" for n in range(11)]
    # A row with no span still marks its recording as annotated.
    empty = [r for r in rows if r.article == "EDGE species" and r.user.startswith("62acd9b4")]
    (name,) = {r.filename for r in empty if (r.section_index, r.sentence_index) == (1, 1)}
    assert by_name[name].spans == () and by_name[name].recording.num_spans == 0
