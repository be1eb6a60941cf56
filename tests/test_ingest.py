"""Ingesting tiny real releases (folder and zip) into manifests, and the shared train.csv."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from ingest_fixtures import (
    ARTICLE,
    FPS,
    FRAMES,
    HEADER,
    HEIGHT,
    INTERPRETERS,
    PAGE,
    SENTENCES,
    WIDTH,
    build_release,
    filename,
    video_rows,
    write_mp4,
    zip_release,
)
from shared_data import SHARED_DATA

from asl_stem.cli import main
from asl_stem.corpus import Corpus, probe
from asl_stem.corpus.probe import ProbeCache
from asl_stem.corpus.recipe import PROBE_CACHE_NAME, prepare_asl_stem

REPO = Path(__file__).resolve().parents[1]
TRAIN_CSV = SHARED_DATA / "fs-annotations" / "train.csv"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return write_mp4(tmp_path_factory.mktemp("template") / "template.mp4")


@pytest.fixture
def release(tmp_path, template):
    return build_release(tmp_path / "release", template)


def test_folder_release_aligns_text_video_and_spans(tmp_path, release):
    result = prepare_asl_stem(release, out=tmp_path / "out", progress=False)
    assert result.problems == []
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["articles"] == 1
    assert report["sentences"] == 4
    assert report["recordings"] == 8
    assert report["interpreters"] == 2
    assert report["spans"] == 4
    assert report["hours"] == pytest.approx(8 * FRAMES / FPS / 3600, rel=1e-3)
    assert report["hours_source"] == "container"
    assert report["missing_videos"] == [] and report["bad_rows"] == []

    (article,) = Corpus.from_dir(tmp_path / "out").articles
    assert (article.id, article.title, article.page_id) == (str(PAGE), ARTICLE, PAGE)
    assert article.sections == ((f"{PAGE}_0_0", f"{PAGE}_0_1"), (f"{PAGE}_1_0", f"{PAGE}_1_1"))
    assert article.text == (
        f"{SENTENCES[0, 0]} {SENTENCES[0, 1]}\n\n{SENTENCES[1, 0]}\n{SENTENCES[1, 1]}"
    )

    sentences = Corpus.from_dir(tmp_path / "out").sentences
    title = sentences[f"{PAGE}_1_0"]
    assert title.is_section_title and title.text == "Brønsted acids"
    assert not sentences[f"{PAGE}_0_0"].is_section_title
    assert title.recording_ids == tuple(Path(filename(w, 1, 0)).stem for w in INTERPRETERS)

    recordings = Corpus.from_dir(tmp_path / "out").recordings
    recording = recordings[Path(filename(INTERPRETERS[1], 0, 1)).stem]
    assert recording.status == "ok"
    assert recording.sentence_id == f"{PAGE}_0_1"
    assert (recording.fps, recording.num_frames) == (FPS, FRAMES)
    assert (recording.width, recording.height) == (WIDTH, HEIGHT)
    assert recording.duration_s == pytest.approx(FRAMES / FPS)
    assert recording.listed_duration_s == pytest.approx(FRAMES / FPS)
    assert Path(recording.path) == (release / "videos" / recording.filename).resolve()
    assert recording.num_bytes == Path(recording.path).stat().st_size
    assert recording.num_spans is None  # interpreter b was not annotated

    spans = list(Corpus.from_dir(tmp_path / "out").spans)
    first = Path(filename(INTERPRETERS[0], 0, 0)).stem
    assert [(s.id, s.start_frame, s.end_frame, s.text) for s in spans[:2]] == [
        (f"{first}:0", 2, 6, "acid"),
        (f"{first}:1", 10, 14, "catalysis"),
    ]
    assert spans[2].text == "Brønsted–Lowry"
    assert recordings[first].num_spans == 2
    assert recordings[Path(filename(INTERPRETERS[0], 1, 0)).stem].num_spans == 0


def test_zip_release_is_read_without_unpacking(tmp_path, release):
    archive = zip_release(release, tmp_path / "release.zip")
    folder = prepare_asl_stem(release, out=tmp_path / "from-folder", progress=False)
    zipped = prepare_asl_stem(archive, out=tmp_path / "from-zip", progress=False)
    assert zipped.problems == []
    strip = {"path", "zip_path", "zip_member", "release", "annotation_files", "columns"}
    assert _without(zipped.report, strip) == _without(folder.report, strip)
    recordings = list(Corpus.from_dir(tmp_path / "from-zip").recordings)
    assert all(r.path is None and r.zip_path == str(archive.resolve()) for r in recordings)
    assert recordings[0].zip_member == f"ASL_STEM_Wiki/videos/{recordings[0].filename}"
    assert recordings[0].num_frames == FRAMES
    assert zipped.report["columns"][0].startswith(f"{archive.resolve()}!ASL_STEM_Wiki/videos.csv")
    spans = list(Corpus.from_dir(tmp_path / "from-zip").spans)
    assert spans[0].origin.startswith(f"{archive.resolve()}!ASL_STEM_Wiki/fs-annotations/")
    assert not list((tmp_path / "from-zip").rglob("*.mp4"))


def test_no_probe_uses_listed_lengths(tmp_path, release):
    result = prepare_asl_stem(release, out=tmp_path / "out", probe=False, progress=False)
    recordings = list(Corpus.from_dir(tmp_path / "out").recordings)
    assert {r.status for r in recordings} == {"unprobed"}
    assert all(r.fps is None and r.num_bytes for r in recordings)
    assert result.report["hours_source"] == "videos.csv"
    assert result.report["hours"] == pytest.approx(8 * FRAMES / FPS / 3600, rel=1e-3)


@pytest.mark.parametrize(
    ("header", "how"),
    [
        (["participant", *HEADER[1:4], "video filename", "video length", "sentence"], "header"),
        (None, "position"),
    ],
)
def test_header_aliases_and_positional_columns(tmp_path, template, header, how):
    release = build_release(tmp_path / "release", template, header=header)
    result = prepare_asl_stem(release, out=tmp_path / "out", probe=False, progress=False)
    assert result.problems == []
    assert result.report["recordings"] == 8
    assert f"columns by {how}" in result.report["columns"][0]
    interpreters = {r.interpreter for r in Corpus.from_dir(tmp_path / "out").recordings}
    assert interpreters == set(INTERPRETERS)


def test_sentences_without_video_and_videos_without_sentence_are_listed(
    tmp_path, release, template
):
    orphan = write_mp4(release / "videos" / "99-1_0_0.mp4", frames=5)
    gone = filename(INTERPRETERS[0], 1, 1)
    (release / "videos" / gone).unlink()
    (release / "videos" / filename(INTERPRETERS[1], 1, 1)).unlink()
    report = prepare_asl_stem(release, out=tmp_path / "out", progress=False).report
    assert report["videos_without_sentence"] == [orphan.name]
    assert report["sentences_without_video"] == [f"{PAGE}_1_1"]
    assert sorted(report["missing_videos"]) == sorted([gone, filename(INTERPRETERS[1], 1, 1)])


def test_rerun_resumes_from_probe_cache_and_gives_the_same_manifests(
    tmp_path, release, monkeypatch
):
    out = tmp_path / "out"
    prepare_asl_stem(release, out=out, progress=False)
    first = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}

    def must_not_probe(path):
        raise AssertionError(f"probed {path} again")

    monkeypatch.setattr(probe, "probe_file", must_not_probe)
    prepare_asl_stem(release, out=out, progress=False)
    again = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    assert again == first


def test_shared_train_csv_keeps_every_span_and_reports_videos_missing(tmp_path):
    text = TRAIN_CSV.read_text(encoding="utf-8")
    pairs_in_file = len(re.findall(r"\(\s*\d+\s*,\s*\d+\s*\)", text))
    filenames = set(re.findall(r"[\w&]+-[\w&]+_\d+_\d+\.mp4", text))
    result = prepare_asl_stem(None, out=tmp_path / "out", annotations=[TRAIN_CSV], progress=False)
    assert result.report["spans"] == pairs_in_file
    assert sum(1 for _ in Corpus.from_dir(tmp_path / "out").spans) == pairs_in_file
    assert sorted(result.report["missing_videos"]) == sorted(filenames)
    assert result.report["articles"] == 4
    assert result.report["recordings_with_video"] == 0
    assert all(p["kind"] == "missing_video" for p in result.report["bad_rows"])
    assert all(p["line"] and p["file"] == str(TRAIN_CSV) for p in result.report["bad_rows"])
    sentences = Corpus.from_dir(tmp_path / "out").sentences
    assert sentences["2053312_1_0"].text == "Brønsted acids"
    assert sentences["2053312_1_0"].is_section_title
    assert not sentences["2053312_0_0"].is_section_title


def test_cli_ingest_strict_and_stats(tmp_path, release, capsys):
    out = tmp_path / "out"
    assert main(["ingest", str(release), "--out", str(out), "--strict"]) == 0
    assert main(["stats", str(out)]) == 0
    text = capsys.readouterr().out
    assert ARTICLE in text and INTERPRETERS[0] in text and "hours" in text
    assert main(["stats", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["totals"]["recordings"] == 8
    assert summary["articles"][ARTICLE]["spans"] == 4
    assert summary["interpreters"][INTERPRETERS[0]]["recordings"] == 4
    assert summary["totals"]["hours"] == pytest.approx(8 * FRAMES / FPS / 3600, rel=1e-3)
    (release / "videos" / video_rows()[0][4]).unlink()
    assert main(["ingest", str(release), "--out", str(out)]) == 0
    assert main(["ingest", str(release), "--out", str(out), "--strict"]) == 1
    assert main(["ingest", str(tmp_path / "nowhere"), "--out", str(out)]) == 2


def _without(report: dict, keys: set[str]) -> dict:
    """The report with location-specific entries removed."""
    return {key: value for key, value in report.items() if key not in keys}


def test_spans_repeated_across_annotation_files_are_kept_once(tmp_path):
    onespan = TRAIN_CSV.with_name("train-onespan.csv")
    train = prepare_asl_stem(None, out=tmp_path / "train", annotations=[TRAIN_CSV], progress=False)
    single = prepare_asl_stem(None, out=tmp_path / "one", annotations=[onespan], progress=False)
    both = prepare_asl_stem(
        None, out=tmp_path / "both", annotations=[TRAIN_CSV, onespan], progress=False
    )
    repeated = both.report["problems"]["duplicate_span"]
    assert both.report["spans"] == train.report["spans"] + single.report["spans"] - repeated
    assert train.report["spans"] <= both.report["spans"] < train.report["spans"] + 10


def test_rerun_after_a_torn_probe_cache_line_probes_the_rest(tmp_path, release):
    out = tmp_path / "out"
    prepare_asl_stem(release, out=out, progress=False)
    expected = (out / "recordings.jsonl.gz").read_bytes()
    cache = out / PROBE_CACHE_NAME
    lines = cache.read_text(encoding="utf-8").splitlines(keepends=True)
    cache.write_text("".join(lines[:3]) + lines[3][:20], encoding="utf-8")  # crash mid-write
    (out / "recordings.jsonl.gz").unlink()
    result = prepare_asl_stem(release, out=out, progress=False)
    assert result.problems == []
    assert (out / "recordings.jsonl.gz").read_bytes() == expected
    assert len(ProbeCache(cache).results) == len(lines)


def test_stats_without_manifests_says_what_to_run(tmp_path, caplog):
    assert main(["stats", str(tmp_path)]) == 2
    assert "asl-stem ingest" in caplog.text
