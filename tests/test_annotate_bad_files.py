"""Import reports every kind of bad ELAN document with its file and annotation id, and keeps
the good ones."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from pympi.Elan import Eaf

from asl_stem.annotate.eaf import FINGERSPELLING
from asl_stem.annotate.export import export_documents
from asl_stem.annotate.importing import import_documents, read_document
from asl_stem.corpus.annotations import COLUMNS, read_annotations
from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.corpus.spanfile import RecordingSpans, write_span_file

NAMES = [f"{n}-2053312_0_{n}" for n in range(1, 9)]


@pytest.fixture
def documents(tmp_path: Path) -> Path:
    """Eight exported documents at 25 fps; the span file says each video has 100 frames."""
    rows = [
        ["u1", "Acid catalysis", 0, n + 1, f"{name}.mp4", "Acid and base.", "[(10, 30), (50, 60)]",
         "['acid', 'base']"]
        for n, name in enumerate(NAMES)
    ]  # fmt: skip
    source = tmp_path / "rows.csv"
    with open(source, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    lines = [
        RecordingSpans(name, 100, (FingerspellingSpan(f"{name}:0", name, 12, 28, "detected"),), 25)
        for name in NAMES
    ]
    write_span_file(tmp_path / "spans.jsonl", lines)
    export_documents(tmp_path / "eaf", corpus=source, spans=tmp_path / "spans.jsonl", fps=25)
    return tmp_path / "eaf"


def edit(path: Path, change) -> None:
    eaf = Eaf(str(path))
    change(eaf)
    eaf.to_file(str(path))
    path.with_suffix(".bak").unlink()


def test_every_bad_kind_is_reported_with_file_and_annotation_and_skipped(documents, tmp_path):
    doc = {name: documents / f"{name}.eaf" for name in NAMES}
    doc[NAMES[0]].write_text("this is not XML", encoding="utf-8")
    doc[NAMES[1]].write_text("<html><body>a web page</body></html>", encoding="utf-8")
    edit(doc[NAMES[2]], lambda eaf: eaf.rename_tier(FINGERSPELLING, "fs"))
    edit(doc[NAMES[3]], lambda eaf: eaf.add_annotation(FINGERSPELLING, 1000, 1600, "x"))
    edit(doc[NAMES[4]], lambda eaf: eaf.add_annotation(FINGERSPELLING, 3600, 4200, "late"))
    edit(doc[NAMES[5]], lambda eaf: eaf.add_annotation(FINGERSPELLING, 2481, 2499, "blip"))
    edit(doc[NAMES[6]], lambda eaf: setattr(eaf, "properties", []))
    shutil.copy(doc[NAMES[7]], documents / "copy-of-last.eaf")  # a good one and a copy of it

    result = import_documents(documents, tmp_path / "out.csv")
    kinds = {Path(p.file).stem: p.kind for p in result.problems if p.severity == "error"}
    assert kinds == {
        NAMES[0]: "not_elan",
        NAMES[1]: "not_elan",
        NAMES[2]: "no_tier",
        NAMES[3]: "overlap",
        NAMES[4]: "past_video",
        NAMES[5]: "too_short",
        NAMES[6]: "not_exported",
        "copy-of-last": "duplicate_recording",
    }
    by_file = {Path(p.file).stem: p.reason for p in result.problems if p.severity == "error"}
    # Annotation ids as ELAN shows them: the two overlapping ones, the late one, the short one.
    assert "annotation a" in by_file[NAMES[3]] and by_file[NAMES[3]].count("annotation a") == 2
    assert "(3600-4200 ms, 'late')" in by_file[NAMES[4]] and "100 frames" in by_file[NAMES[4]]
    assert "(2481-2499 ms, 'blip')" in by_file[NAMES[5]]
    assert "(tiers: detected, detected-text, fs, sentence)" in by_file[NAMES[2]]
    assert "root element is <html>" in by_file[NAMES[1]]
    assert f"also in {NAMES[7]}.eaf" in by_file["copy-of-last"]

    assert [r.recording_id for r in result.recordings] == [NAMES[7]]  # the good file is kept
    rows, _ = read_annotations(tmp_path / "out.csv")
    assert [(row.filename, [s.frames for s in row.spans]) for row in rows] == [
        (f"{NAMES[7]}.mp4", [(10, 30), (50, 60)])
    ]


def test_an_unaligned_time_slot_is_reported(documents):
    path = documents / f"{NAMES[0]}.eaf"
    text = path.read_text(encoding="utf-8")
    slot = 'TIME_SLOT_ID="ts2" TIME_VALUE="400"'
    assert slot in text
    path.write_text(text.replace(slot, 'TIME_SLOT_ID="ts2"'), encoding="utf-8")
    recording, problems = read_document(path)
    assert recording is None
    assert [p.kind for p in problems] == ["unaligned"] and "annotation a" in problems[0].reason


def test_a_span_at_the_last_frame_is_not_past_the_video(documents):
    path = documents / f"{NAMES[0]}.eaf"
    edit(path, lambda eaf: eaf.add_annotation(FINGERSPELLING, 3800, 4000, "end"))
    recording, problems = read_document(path)
    assert [p.kind for p in problems if p.severity == "error"] == []
    assert recording.spans[-1].frames == (95, 99)


def test_an_empty_folder_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no \.eaf files"):
        import_documents(tmp_path, tmp_path / "out.csv")
