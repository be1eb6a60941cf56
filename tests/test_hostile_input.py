"""Hostile input from the attack run (issue 12): each ends as a reported bad row, or one line
naming the file and what to do with a non-zero exit; never a traceback."""

from __future__ import annotations

import csv
import sys
import textwrap
from pathlib import Path

import pytest
from app_fixtures import build_fixture_index
from disk_fixtures import in_small_filesystem, needs_mount
from ingest_fixtures import FRAMES, HEADER, PAGE, annotation_rows, build_release, video_rows
from test_extract_engines import reference_release

from asl_stem.cli import main
from asl_stem.corpus import Corpus
from asl_stem.corpus.recipe import prepare_asl_stem
from asl_stem.shards.writer import plan_shards

CLI = f"{sys.executable} -m asl_stem.cli"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    from ingest_fixtures import write_mp4

    return write_mp4(tmp_path_factory.mktemp("template") / "template.mp4")


def ingest(release: Path, out: Path, probe: bool = False):
    return prepare_asl_stem(release, out=out, probe=probe, progress=False)


def test_a_field_over_the_csv_limit_is_one_bad_row_and_the_rest_is_read(tmp_path, template):
    rows, annotations = video_rows(), annotation_rows()
    rows[6][6] = "x" * (200 * 1024)  # over the csv module's 128 KiB field limit
    annotations[1][7] = repr(["y" * (200 * 1024)])
    release = build_release(tmp_path / "release", template, rows=rows, annotations=annotations)
    result = ingest(release, tmp_path / "out")
    bad = [p for p in result.problems if p.kind == "bad_csv_record"]
    assert [(Path(p.file).name, p.line) for p in bad] == [("videos.csv", 8), ("train.csv", 3)]
    assert all("field larger than field limit" in p.reason and "fix" in p.reason for p in bad)
    assert result.report["recordings"] == len(rows) - 1 and result.report["spans"] == 4 - 1


def test_huge_numbers_are_bad_rows_and_the_index_still_builds(tmp_path, template):
    rows, annotations = video_rows(), annotation_rows()
    rows[2][2] = str(2**70)  # section index
    rows[3][5] = "inf"  # videoLength
    rows[5][5] = "1e400"
    for row in rows + annotations:  # every video names page 2**70
        row[4] = row[4].replace(str(PAGE), str(2**70))
    annotations[0][6] = f"[(2, 6), (10, {2**70})]"  # a span end, unchecked with --no-probe
    release = build_release(tmp_path / "release", template, rows=rows, annotations=annotations)
    out = tmp_path / "out"
    assert main(["ingest", str(release), "--out", str(out), "--no-probe"]) == 0
    report = (out / "report.json").read_text()
    assert "Infinity" not in report and "NaN" not in report  # JSON any reader takes
    corpus = Corpus.from_dir(out)
    assert {r.page_id for r in corpus.recordings} == {None}
    assert [(a.id, a.page_id) for a in corpus.articles] == [("acid-catalysis", None)]
    assert all(r.listed_duration_s in (None, FRAMES / 25.0) for r in corpus.recordings)
    assert max(s.end_frame for s in corpus.spans) < 2**31
    assert main(["index", "build", str(out), "--out", str(tmp_path / "index.sqlite")]) == 0
    result = ingest(release, tmp_path / "again")
    found = {(Path(p.file).name, p.line, p.kind) for p in result.problems}
    assert {("videos.csv", 4, "index_out_of_range"), ("train.csv", 2, "bad_span")} <= found
    assert {("videos.csv", line, "bad_video_length") for line in (5, 7)} <= found
    pages = [p for p in result.problems if p.kind == "page_id_out_of_range"]
    assert {(Path(p.file).name, p.line) for p in pages} == {
        *(("videos.csv", line) for line in (2, 3, 5, 6, 7, 8, 9)),
        ("train.csv", 4),  # its videos.csv row was refused
    }
    assert str(2**70) in pages[0].reason and "title" in pages[0].reason


def test_a_dot_in_a_filename_stem_is_a_bad_row_at_ingest_so_extract_can_run(tmp_path, template):
    rows, annotations = video_rows(), annotation_rows()
    dotted = rows[2][4].replace("-", ".v2-", 1)
    rows[2][4] = annotations[2][4] = dotted
    release = build_release(tmp_path / "release", template, rows=rows, annotations=annotations)
    result = ingest(release, tmp_path / "out", probe=True)
    bad = [(Path(p.file).name, p.line) for p in result.problems if p.kind == "bad_id"]
    assert bad == [("videos.csv", 4), ("train.csv", 4)]
    assert all("contains '.'" in p.reason and "rename" in p.reason for p in result.problems)
    ids = [r.id for r in Corpus.from_dir(tmp_path / "out").recordings]
    assert len(ids) == len(rows) - 1 and Path(dotted).stem not in ids
    planned = plan_shards(ids, 3)  # refuses any id a shard cannot hold
    assert sum(len(plan.recording_ids) for plan in planned) == len(ids)


def test_a_semicolon_videos_csv_is_read_by_its_header_or_refused(tmp_path, template, caplog):
    release = build_release(tmp_path / "release", template)
    path = release / "videos.csv"

    def write(header: bool) -> None:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerows([HEADER, *video_rows()] if header else video_rows())

    write(header=True)
    assert ingest(release, tmp_path / "out").report["recordings"] == len(video_rows())
    write(header=False)
    assert main(["ingest", str(release), "--out", str(tmp_path / "out2"), "--no-probe"]) == 2
    (error,) = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert error.startswith(str(path)) and "is the delimiter ';'?" in error
    assert not (tmp_path / "out2" / "manifest.json").exists()


def test_window_frames_zero_is_one_line(capsys):
    argv = ["train", "--config", "models/detector-cpu.yaml", "--data.shards", "/nowhere"]
    assert main([*argv, "--data.window_frames", "0"]) == 2
    captured = capsys.readouterr()
    ours = [line for line in captured.err.splitlines() if not line.startswith("INFO")]
    assert ours == ["asl-stem train: --data.window_frames must be at least 1, got 0"], ours
    assert "Traceback" not in captured.err + captured.out


@needs_mount
def test_extract_on_a_read_only_disk_is_one_line(tmp_path):
    manifests = reference_release(tmp_path, 2)
    done = in_small_filesystem(
        f'{CLI} extract {manifests} --out "$DISK/shards" --source keypoints', "ro"
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-2000:]
    (error,) = [line for line in done.stderr.splitlines() if line.startswith("ERROR")]
    assert "/shards" in error and "Read-only file system" in error and "writable" in error


NOTE_ON_A_FULL_DISK = """
import sys
from fastapi.testclient import TestClient
from asl_stem.webapp import create_app
index, disk = sys.argv[1:]
client = TestClient(create_app(index, f"{disk}/notes.sqlite", allowed_hosts=["testserver"]))
terms = client.get("/api/search", params={"q": "chlorophyll"}).json()["terms"]
url = f"/api/terms/{terms[0]['id']}/notes"
print(client.post(url, json={"sign": "kept"}).status_code)
filler = open(f"{disk}/filler", "wb", buffering=0)
for size in (4096, 1):
    try:
        while True:
            filler.write(b"x" * size)
    except OSError:
        pass
full = client.post(url, json={"sign": "lost? " * 80})
print(full.status_code, full.json()["detail"])
print([note["sign"] for note in client.get(url).json()])
"""


@needs_mount
def test_a_note_on_a_full_disk_is_a_503_that_says_so_and_loses_nothing(tmp_path):
    index = build_fixture_index(tmp_path)
    script = tmp_path / "note.py"
    script.write_text(textwrap.dedent(NOTE_ON_A_FULL_DISK))
    done = in_small_filesystem(f'{sys.executable} {script} {index} "$DISK"', "size=1m")
    assert done.returncode == 0, done.stderr[-2000:]
    saved, refused, notes = done.stdout.strip().splitlines()
    assert saved == "201" and refused.startswith("503 ")
    assert "notes.sqlite: cannot write" in refused and "free space" in refused
    assert notes == "['kept']"
