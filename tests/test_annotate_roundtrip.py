"""ELAN export then import: the identity on the real shared rows, and edits come back exactly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from pympi.Elan import Eaf
from shared_data import SHARED_DATA

from asl_stem.annotate.eaf import DETECTED, FINGERSPELLING, SENTENCE
from asl_stem.annotate.export import REPORT_NAME, export_documents
from asl_stem.annotate.importing import import_documents
from asl_stem.annotate.timing import frame_to_ms
from asl_stem.cli import main
from asl_stem.corpus import open_corpus
from asl_stem.corpus.annotations import COLUMNS, read_annotations

REPO = Path(__file__).resolve().parents[1]
TRAIN_CSV = SHARED_DATA / "fs-annotations" / "train.csv"


def recordings(source) -> dict[str, tuple]:
    """Per recording: the release row's key fields and every span's frames and text."""
    corpus = open_corpus(source)
    return {
        item.recording_id: (
            item.filename,
            item.recording.interpreter,
            item.article,
            item.recording.section_index,
            item.recording.sentence_index,
            item.sentence,
            tuple((span.start_frame, span.end_frame, span.text) for span in item.spans),
        )
        for item in corpus.annotated_recordings()
    }


@pytest.fixture(scope="module")
def shared_round_trip(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roundtrip")
    report = export_documents(folder / "eaf", corpus=TRAIN_CSV, fps=30)
    result = import_documents(folder / "eaf", folder / "fs-annotations.csv")
    return folder, report, result


def test_export_then_import_is_the_identity_on_the_shared_rows(shared_round_trip):
    folder, report, result = shared_round_trip
    before, after = recordings(TRAIN_CSV), recordings(folder / "fs-annotations.csv")
    assert len(before) == 404 and sum(len(r[-1]) for r in before.values()) == 1368
    assert after == before
    assert result.skipped == 0 and report.written == 404
    errors = [p for p in result.problems if p.severity == "error"]
    assert errors == []


def test_the_written_csv_has_the_release_columns_and_ingests_cleanly(shared_round_trip, tmp_path):
    folder, _, _ = shared_round_trip
    out = folder / "fs-annotations.csv"
    with open(out, newline="", encoding="utf-8") as handle:
        assert tuple(next(csv.reader(handle))) == COLUMNS
    rows, problems = read_annotations(out)
    assert len(rows) == 404
    # Only the release's own quirks remain: three rows with fewer texts than spans.
    assert {p.kind for p in problems} <= {"span_text_mismatch", "odd_filename"}
    assert main(["ingest", "--annotations", str(out), "--out", str(tmp_path / "m")]) == 0
    spans = json.loads((tmp_path / "m" / "report.json").read_text(encoding="utf-8"))["spans"]
    assert spans == 1368


def test_without_video_the_documents_link_no_media_and_say_the_rate_was_given(shared_round_trip):
    folder, report, _ = shared_round_trip
    assert dict(report.media) == {"none": 404} and dict(report.fps_sources) == {"given": 404}
    saved = json.loads((folder / "eaf" / REPORT_NAME).read_text(encoding="utf-8"))
    assert saved["media"] == {"none": 404}
    assert {d["fps_source"] for d in saved["documents"]} == {"given"}
    eaf = Eaf(str(folder / "eaf" / "01655119426829943-2053312_0_0.eaf"))
    assert eaf.media_descriptors == []
    assert eaf.get_annotation_data_for_tier(FINGERSPELLING)[:2] == [
        (frame_to_ms(80, 30), frame_to_ms(101, 30), "acid"),
        (frame_to_ms(115, 30), frame_to_ms(174, 30), "catalysis"),
    ]
    (sentence,) = eaf.get_annotation_data_for_tier(SENTENCE)
    assert sentence[2].startswith("In acid catalysis and base catalysis")
    assert DETECTED in eaf.tiers


def test_overlapping_release_spans_go_to_a_second_tier_and_come_back(shared_round_trip):
    folder, _, result = shared_round_trip
    # The release spans (342, 388) and (380, 436) share frames 380-388; ELAN cannot hold both
    # on one tier.
    eaf = Eaf(str(folder / "eaf" / "27286379551552-12438552_4_3.eaf"))
    first = eaf.get_annotation_data_for_tier(FINGERSPELLING)
    second = eaf.get_annotation_data_for_tier(f"{FINGERSPELLING}-2")
    assert [value for _, _, value in first] == ["EDGE", "EDGE", "data"]
    assert second == [(frame_to_ms(380, 30), frame_to_ms(437, 30), "fellows")]
    warned = {p.file for p in result.problems if p.kind == "overlap"}
    assert str(folder / "eaf" / "27286379551552-12438552_4_3.eaf") in warned
    lane = f'TIER_ID="{FINGERSPELLING}-2"'
    two_lanes = [p for p in (folder / "eaf").glob("*.eaf") if lane in p.read_text("utf-8")]
    assert len(two_lanes) == 7  # the docs' "7 of the 404 shared recordings"


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


ROWS = [
    ["u1", "Acid catalysis", 0, 0, "111-2053312_0_0.mp4", "Acid and base catalysis.",
     "[(10, 30), (50, 80), (100, 120)]", "['acid', 'base', 'catalysis']"],
    ["u2", "Acid catalysis", 0, 0, "222-2053312_0_0.mp4", "Acid and base catalysis.",
     "[(5, 25)]", "['acid']"],
]  # fmt: skip


def test_edits_made_in_elan_come_back_exactly(tmp_path):
    source = write_csv(tmp_path / "rows.csv", ROWS)
    export_documents(tmp_path / "eaf", corpus=source, fps=25)
    path = tmp_path / "eaf" / "111-2053312_0_0.eaf"
    eaf = Eaf(str(path))
    ms = {
        value: (begin, end)
        for begin, end, value in eaf.get_annotation_data_for_tier(FINGERSPELLING)
    }
    assert ms == {"acid": (400, 1240), "base": (2000, 3240), "catalysis": (4000, 4840)}
    # What an annotator does, with times off the frame grid as a mouse leaves them:
    eaf.remove_annotation(FINGERSPELLING, 2500)  # delete "base"
    eaf.remove_annotation(FINGERSPELLING, 4400)  # move "catalysis" 4 frames later...
    eaf.add_annotation(FINGERSPELLING, 4157, 5005, "catalysis")  # ...ends at frame 124
    eaf.add_annotation(FINGERSPELLING, 6013, 6411, "HCl")  # add a span: frames 150-159
    eaf.remove_annotation(FINGERSPELLING, 800)  # change a text
    eaf.add_annotation(FINGERSPELLING, 400, 1240, "Acid")
    eaf.to_file(str(path))
    result = import_documents(tmp_path / "eaf", tmp_path / "back.csv")
    assert result.skipped == 0
    got = recordings(tmp_path / "back.csv")
    assert got["111-2053312_0_0"][-1] == ((10, 30, "Acid"), (104, 124, "catalysis"),
                                          (150, 159, "HCl"))  # fmt: skip
    assert got["222-2053312_0_0"] == recordings(source)["222-2053312_0_0"]  # untouched


def test_a_rerun_of_export_keeps_an_edited_document(tmp_path):
    source = write_csv(tmp_path / "rows.csv", ROWS)
    export_documents(tmp_path / "eaf", corpus=source, fps=25)
    path = tmp_path / "eaf" / "222-2053312_0_0.eaf"
    eaf = Eaf(str(path))
    eaf.add_annotation(FINGERSPELLING, 2000, 2400, "base")
    eaf.to_file(str(path))
    edited = path.read_bytes()
    report = export_documents(tmp_path / "eaf", corpus=source, fps=25)
    assert (report.written, report.kept) == (0, 2)
    assert path.read_bytes() == edited


def test_the_cli_round_trip(tmp_path):
    source = write_csv(tmp_path / "rows.csv", ROWS)
    eaf = tmp_path / "eaf"
    assert main(["annotate", "export", str(source), "--out", str(eaf), "--fps", "29.97"]) == 0
    assert main(["annotate", "import", str(eaf), "--out", str(tmp_path / "back.csv")]) == 0
    assert recordings(tmp_path / "back.csv") == recordings(source)
    assert main(["annotate", "export", str(source), "--out", str(tmp_path / "x")]) == 1  # no fps
