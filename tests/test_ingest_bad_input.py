"""Each bad input of the release is reported with file, line and reason; good rows are kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_fixtures import (
    ANNOTATION_HEADER,
    FRAMES,
    HEADER,
    INTERPRETERS,
    PAGE,
    annotation_rows,
    build_release,
    filename,
    truncated_faststart,
    video_rows,
    write_csv,
    write_mp4,
)

from asl_stem.cli import main
from asl_stem.corpus import Corpus
from asl_stem.corpus.recipe import prepare_asl_stem

ROWS = len(video_rows())


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return write_mp4(tmp_path_factory.mktemp("template") / "template.mp4")


def run(tmp_path: Path, template: Path, rows=None, annotations=None, probe=True):
    """Build a release from ``rows``/``annotations`` and ingest it; return (result, release)."""
    release = build_release(tmp_path / "release", template, rows=rows, annotations=annotations)
    return prepare_asl_stem(release, out=tmp_path / "out", probe=probe, progress=False), release


def problems_of(result, kind):
    return [p for p in result.problems if p.kind == kind]


def test_missing_video_is_listed_and_its_sentence_kept(tmp_path, template):
    release = build_release(tmp_path / "release", template)
    gone = filename(INTERPRETERS[1], 0, 1)
    (release / "videos" / gone).unlink()
    result = prepare_asl_stem(release, out=tmp_path / "out", progress=False)
    (problem,) = result.problems
    assert (problem.kind, problem.line) == ("missing_video", 7)
    assert problem.file.endswith("videos.csv") and gone in problem.reason
    assert result.report["missing_videos"] == [gone]
    assert result.report["recordings"] == ROWS
    recording = Corpus.from_dir(tmp_path / "out").recordings[Path(gone).stem]
    assert recording.status == "missing" and not recording.has_video
    assert f"{PAGE}_0_1" not in result.report["sentences_without_video"]


@pytest.mark.parametrize("damage", ["zero_byte", "cut_in_half", "cut_frame_data", "not_video"])
def test_damaged_mp4_is_unreadable(tmp_path, template, damage):
    release = build_release(tmp_path / "release", template)
    target = release / "videos" / filename(INTERPRETERS[0], 1, 1)
    data = template.read_bytes()
    if damage == "zero_byte":
        target.write_bytes(b"")
    elif damage == "cut_in_half":
        target.write_bytes(data[: len(data) // 2])
    elif damage == "cut_frame_data":
        truncated_faststart(template, target)
    else:
        target.write_text("this is not a video\n")
    result = prepare_asl_stem(release, out=tmp_path / "out", progress=False)
    (problem,) = result.problems
    assert problem.kind == "unreadable_video" and problem.line == 5
    (entry,) = result.report["unreadable_videos"]
    assert entry["filename"] == target.name
    if damage == "cut_frame_data":
        assert f"frame {FRAMES - 1}" in entry["reason"]
    recording = Corpus.from_dir(tmp_path / "out").recordings[target.stem]
    assert recording.status == "unreadable" and recording.num_frames is None
    assert result.report["recordings_with_video"] == ROWS - 1


def test_row_with_too_few_columns_is_counted_and_others_kept(tmp_path, template):
    rows = video_rows()
    rows[6] = rows[6][:4]
    result, _ = run(tmp_path, template, rows=rows, probe=False)
    (problem,) = result.problems
    assert (problem.kind, problem.line) == ("too_few_columns", 8)
    assert "4 columns" in problem.reason
    assert result.report["recordings"] == ROWS - 1
    assert result.report["bad_rows"][0]["line"] == 8


def test_non_numeric_index(tmp_path, template):
    rows = video_rows()
    rows[5][3] = "one"
    result, _ = run(tmp_path, template, rows=rows, probe=False)
    (problem,) = result.problems
    assert (problem.kind, problem.line) == ("non_numeric_index", 7)
    assert "'one'" in problem.reason
    assert result.report["recordings"] == ROWS - 1


def test_duplicated_filename_keeps_the_first_row(tmp_path, template):
    rows = video_rows()
    duplicate = list(rows[0])
    duplicate[0] = "someone-else"
    rows.append(duplicate)
    result, _ = run(tmp_path, template, rows=rows, probe=False)
    (problem,) = result.problems
    assert (problem.kind, problem.line) == ("duplicate_filename", ROWS + 2)
    assert ":2" in problem.reason
    recording = Corpus.from_dir(tmp_path / "out").recordings[Path(rows[0][4]).stem]
    assert recording.interpreter == INTERPRETERS[0]


def test_same_sentence_with_different_text_keeps_the_first(tmp_path, template):
    rows = video_rows()
    rows[4][6] = "A different wording."
    result, _ = run(tmp_path, template, rows=rows, probe=False)
    (problem,) = problems_of(result, "conflicting_text")
    assert problem.line == 6 and problem.severity == "warning"
    assert "A different wording." in problem.reason and "videos.csv:2" in problem.reason
    sentence = Corpus.from_dir(tmp_path / "out").sentences[f"{PAGE}_0_0"]
    assert sentence.text == video_rows()[0][6]
    assert len(sentence.recording_ids) == 2


def test_span_ending_before_it_starts_is_left_out_and_reported(tmp_path, template):
    annotations = annotation_rows()
    annotations[0][6] = "[(2, 6), (14, 10)]"
    result, _ = run(tmp_path, template, annotations=annotations, probe=False)
    (problem,) = problems_of(result, "bad_span")
    assert problem.line == 2 and "(14, 10)" in problem.reason
    assert problem.file.endswith("fs-annotations/train.csv")
    assert result.report["spans"] == 3


def test_span_past_the_last_frame_is_clipped_or_left_out(tmp_path, template):
    annotations = annotation_rows()
    annotations[0][6] = f"[(2, 6), (10, {FRAMES + 5}), ({FRAMES}, {FRAMES + 3})]"
    annotations[0][7] = "['acid', 'catalysis', 'extra']"
    result, _ = run(tmp_path, template, annotations=annotations)
    clipped, dropped = problems_of(result, "span_past_end")
    assert clipped.severity == "warning" and f"clipped to {FRAMES - 1}" in clipped.reason
    assert dropped.severity == "error" and "starts past" in dropped.reason
    assert dropped.line == 2
    spans = list(Corpus.from_dir(tmp_path / "out").spans)
    assert (spans[1].start_frame, spans[1].end_frame) == (10, FRAMES - 1)
    assert result.report["spans"] == 4


def test_span_past_the_end_is_not_checked_without_probing(tmp_path, template):
    annotations = annotation_rows()
    annotations[0][6] = f"[(2, 6), (10, {FRAMES + 5})]"
    result, _ = run(tmp_path, template, annotations=annotations, probe=False)
    assert result.problems == []


def test_span_and_text_lists_of_different_length_keep_every_span(tmp_path, template):
    annotations = annotation_rows()
    annotations[0][7] = "['acid']"
    result, _ = run(tmp_path, template, annotations=annotations, probe=False)
    (problem,) = result.problems
    assert (problem.kind, problem.line, problem.severity) == ("span_text_mismatch", 2, "warning")
    spans = list(Corpus.from_dir(tmp_path / "out").spans)
    assert [(s.start_frame, s.text) for s in spans[:2]] == [(2, "acid"), (10, None)]


def test_span_list_that_is_not_a_literal_is_never_evaluated(tmp_path, template):
    marker = tmp_path / "evaluated"
    annotations = annotation_rows()
    annotations[1][6] = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    result, _ = run(tmp_path, template, annotations=annotations, probe=False)
    assert not marker.exists()
    (problem,) = result.problems
    assert (problem.kind, problem.line) == ("bad_literal", 3)
    assert result.report["spans"] == 3


def test_non_utf8_bytes_are_reported_and_non_ascii_text_kept_intact(tmp_path, template):
    release = build_release(tmp_path / "release", template)
    csv_path = release / "videos.csv"
    lines = csv_path.read_bytes().splitlines(keepends=True)
    lines[6] = lines[6].replace("Brønsted–Lowry".encode(), "Brønsted".encode("cp1252"))
    csv_path.write_bytes(b"".join(lines))
    result = prepare_asl_stem(release, out=tmp_path / "out", probe=False, progress=False)
    kinds = sorted(p.kind for p in result.problems)
    assert kinds == ["conflicting_text", "non_utf8"]
    non_utf8 = problems_of(result, "non_utf8")[0]
    assert non_utf8.line == 7 and non_utf8.severity == "warning"
    sentences = Corpus.from_dir(tmp_path / "out").sentences
    assert "Brønsted–Lowry acid–base" in sentences[f"{PAGE}_0_1"].text
    spans = list(Corpus.from_dir(tmp_path / "out").spans)
    assert "Brønsted–Lowry" in {s.text for s in spans}
    assert result.report["recordings"] == ROWS


def test_strict_turns_any_problem_into_a_nonzero_exit(tmp_path, template):
    annotations = annotation_rows()
    annotations[0][7] = "['acid']"
    release = build_release(tmp_path / "release", template, annotations=annotations)
    out = str(tmp_path / "out")
    assert main(["ingest", str(release), "--out", out, "--no-probe"]) == 0
    assert main(["ingest", str(release), "--out", out, "--no-probe", "--strict"]) == 1


def test_annotation_for_a_video_not_in_videos_csv_is_kept(tmp_path, template):
    annotations = annotation_rows()
    extra = filename(INTERPRETERS[0], 2, 0)
    annotations.append(
        [INTERPRETERS[0], "Other article", "2", "0", extra, "Title", "[(1, 3)]", "['ab']"]
    )
    result, _ = run(tmp_path, template, annotations=annotations, probe=False)
    assert result.report["missing_videos"] == [extra]
    assert result.report["articles"] == 2
    spans = [s for s in Corpus.from_dir(tmp_path / "out").spans if s.recording_id in extra]
    assert [(s.start_frame, s.end_frame, s.text) for s in spans] == [(1, 3, "ab")]


def test_release_without_videos_csv_reads_its_annotations(tmp_path, template):
    release = build_release(tmp_path / "release", template)
    (release / "videos.csv").unlink()
    write_csv(release / "fs-annotations" / "train-onespan.csv", [], ANNOTATION_HEADER)
    result = prepare_asl_stem(release, out=tmp_path / "out", probe=False, progress=False)
    assert result.report["recordings"] == len(annotation_rows())
    assert result.report["missing_videos"] == []
    assert len(result.report["videos_without_sentence"]) == ROWS - len(annotation_rows())
    assert result.report["annotation_files"] == [str(release / "fs-annotations" / "train.csv")]


def test_annotation_disagreeing_with_videos_csv_is_reported(tmp_path, template):
    annotations = annotation_rows()
    annotations[0][0] = "someone-else"
    rows = video_rows()
    rows[5][3] = "0"  # filename says sentence 1
    result, _ = run(tmp_path, template, rows=rows, annotations=annotations, probe=False)
    kinds = {p.kind: p for p in result.problems}
    assert kinds["annotation_mismatch"].line == 2
    assert "someone-else" in kinds["annotation_mismatch"].reason
    assert kinds["filename_mismatch"].line == 7
    recording = Corpus.from_dir(tmp_path / "out").recordings[Path(rows[0][4]).stem]
    assert recording.interpreter == INTERPRETERS[0] and recording.num_spans == 2


def test_header_lacking_a_column_stops_with_a_clear_error(tmp_path, template, caplog):
    rows = [row[:6] for row in video_rows()]
    release = build_release(tmp_path / "release", template, rows=rows, header=HEADER[:6])
    assert main(["ingest", str(release), "--out", str(tmp_path / "out")]) == 2
    assert "the header lacks sentence" in caplog.text
    assert not (tmp_path / "out" / "report.json").exists()
