"""Export links each document to its video (in place, or extracted from the zip) and pre-fills
the fingerspelling tier with the detector's spans where nobody annotated."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest
from pympi.Elan import Eaf

from asl_stem.annotate.eaf import DETECTED, DETECTED_TEXT, FINGERSPELLING
from asl_stem.annotate.eaf import properties_of as props
from asl_stem.annotate.export import export_documents
from asl_stem.annotate.importing import import_documents
from asl_stem.annotate.timing import frame_to_ms
from asl_stem.corpus import open_corpus, prepare_asl_stem
from asl_stem.corpus.annotations import COLUMNS
from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.corpus.release import VIDEO_COLUMNS
from asl_stem.corpus.spanfile import RecordingSpans, write_span_file

SENTENCE = "Acid and base catalysis."
ANNOTATED, OTHER = "111-2053312_0_0", "222-2053312_0_0"
VIDEO_BYTES = {ANNOTATED: b"first video", OTHER: b"second video"}


def write_table(path: Path, columns, rows) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


@pytest.fixture
def release(tmp_path: Path) -> Path:
    """A release folder: videos.csv and two videos; one of them is annotated."""
    folder = tmp_path / "release"
    rows = [[u, "Acid catalysis", 0, 0, f"{n}.mp4", 3.0, SENTENCE] for u, n in (("u1", ANNOTATED),
            ("u2", OTHER))]  # fmt: skip
    write_table(folder / "videos.csv", VIDEO_COLUMNS, rows)
    for name, data in VIDEO_BYTES.items():
        (folder / "videos").mkdir(exist_ok=True)
        (folder / "videos" / f"{name}.mp4").write_bytes(data)
    write_table(
        folder / "fs-annotations" / "train.csv",
        COLUMNS,
        [["u1", "Acid catalysis", 0, 0, f"{ANNOTATED}.mp4", SENTENCE, "[(10, 30)]", "['acid']"]],
    )
    return folder


@pytest.fixture
def spans(tmp_path: Path) -> Path:
    """Detections with scores for both recordings; the second's spans carry aligned words."""

    def detected(name: str, n: int, start: int, end: int, text: str | None) -> FingerspellingSpan:
        source = "aligned" if text else None
        return FingerspellingSpan(
            f"{name}:{n}", name, start, end, "detected", text=text, text_source=source, score=0.8734
        )

    lines = [
        RecordingSpans(ANNOTATED, 90, (detected(ANNOTATED, 0, 12, 29, None),), 30.0),
        RecordingSpans(
            OTHER, 90, (detected(OTHER, 0, 5, 20, "acid"), detected(OTHER, 1, 40, 60, "base")), 30.0
        ),
    ]
    write_span_file(tmp_path / "spans.jsonl", lines)
    return tmp_path / "spans.jsonl"


def test_folder_release_videos_are_linked_by_relative_path(tmp_path, release, spans):
    prepare_asl_stem(release, out=tmp_path / "manifests", probe=False, progress=False)
    report = export_documents(
        tmp_path / "eaf", corpus=tmp_path / "manifests", spans=spans, release=release, fps=25
    )
    assert dict(report.media) == {"linked": 2}
    (media,) = Eaf(str(tmp_path / "eaf" / f"{ANNOTATED}.eaf")).media_descriptors
    assert media["RELATIVE_MEDIA_URL"] == f"../release/videos/{ANNOTATED}.mp4"
    assert (tmp_path / "eaf" / media["RELATIVE_MEDIA_URL"]).read_bytes() == b"first video"
    assert media["MEDIA_URL"] == (release / "videos" / f"{ANNOTATED}.mp4").resolve().as_uri()
    # Without --release the manifests' own video paths are used.
    again = export_documents(tmp_path / "eaf2", corpus=tmp_path / "manifests", spans=spans, fps=25)
    assert dict(again.media) == {"linked": 2}


def test_zip_members_are_extracted_next_to_the_document_under_their_base_name(
    tmp_path, release, spans
):
    archive = tmp_path / "release.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(release / "videos.csv", "asl-stem-wiki/videos.csv")
        for name in VIDEO_BYTES:
            handle.write(release / "videos" / f"{name}.mp4", f"asl-stem-wiki/videos/{name}.mp4")
        handle.writestr("../outside.mp4", b"never extracted")
    corpus = release / "fs-annotations" / "train.csv"
    report = export_documents(tmp_path / "eaf", corpus=corpus, release=archive, fps=25)
    assert dict(report.media) == {"extracted": 1}  # the annotated recording only
    assert sorted(p.name for p in (tmp_path / "eaf").iterdir()) == [
        f"{ANNOTATED}.eaf", f"{ANNOTATED}.mp4", "export-report.json"
    ]  # fmt: skip
    assert (tmp_path / "eaf" / f"{ANNOTATED}.mp4").read_bytes() == b"first video"
    (media,) = Eaf(str(tmp_path / "eaf" / f"{ANNOTATED}.eaf")).media_descriptors
    assert media["RELATIVE_MEDIA_URL"] == f"./{ANNOTATED}.mp4"
    assert [p.kind for p in report.problems] == ["unsafe_member"]
    assert not (tmp_path / "outside.mp4").exists()


def test_unannotated_recordings_are_prefilled_with_the_detections(tmp_path, release, spans):
    prepare_asl_stem(release, out=tmp_path / "manifests", probe=False, progress=False)
    export_documents(tmp_path / "eaf", corpus=tmp_path / "manifests", spans=spans, fps=30)
    annotated = Eaf(str(tmp_path / "eaf" / f"{ANNOTATED}.eaf"))
    assert props(annotated)["prefill"] == "annotated"
    assert [v for _, _, v in annotated.get_annotation_data_for_tier(FINGERSPELLING)] == ["acid"]
    assert annotated.get_annotation_data_for_tier(DETECTED) == [
        (frame_to_ms(12, 30), frame_to_ms(30, 30), "0.873")
    ]
    other = Eaf(str(tmp_path / "eaf" / f"{OTHER}.eaf"))
    assert props(other)["prefill"] == "detected" and props(other)["num_frames"] == "90"
    assert [v for _, _, v in other.get_annotation_data_for_tier(FINGERSPELLING)] == ["acid", "base"]
    words = other.get_ref_annotation_data_for_tier(DETECTED_TEXT)  # (begin, end, word, score)
    assert [(word, score) for _, _, word, score in words] == [("acid", "0.873"), ("base", "0.873")]

    result = import_documents(tmp_path / "eaf", tmp_path / "back.csv")
    assert {p.kind for p in result.problems} == {"unchanged_prefill"}
    (warning,) = result.problems
    assert warning.file.endswith(f"{OTHER}.eaf") and warning.severity == "warning"
    back = {r.recording_id: r for r in open_corpus(tmp_path / "back.csv").annotated_recordings()}
    assert [(s.frames, s.text) for s in back[OTHER].spans] == [
        ((5, 20), "acid"),
        ((40, 60), "base"),
    ]


def test_the_recordings_list_chooses_what_is_exported(tmp_path, release, spans):
    prepare_asl_stem(release, out=tmp_path / "manifests", probe=False, progress=False)
    worklist = write_table(tmp_path / "worklist.csv", ["rank", "recording_id"], [[1, OTHER]])
    report = export_documents(
        tmp_path / "eaf", corpus=tmp_path / "manifests", spans=spans, recordings=worklist, fps=30
    )
    assert [d["recording_id"] for d in report.documents] == [OTHER]
    plain = tmp_path / "ids.txt"
    plain.write_text(f"# to do\n{ANNOTATED}.mp4\nnot-a-recording\n", encoding="utf-8")
    report = export_documents(tmp_path / "eaf2", corpus=tmp_path / "manifests", recordings=plain,
                              fps=30)  # fmt: skip
    assert [d["recording_id"] for d in report.documents] == [ANNOTATED]
    assert [p.kind for p in report.problems] == ["unknown"]


def test_a_recording_without_any_frame_rate_is_reported(tmp_path, release):
    report = export_documents(tmp_path / "eaf", corpus=release / "fs-annotations" / "train.csv")
    assert report.written == 0 and [p.kind for p in report.problems] == ["no_fps"]
    assert "pass --fps" in report.problems[0].reason
