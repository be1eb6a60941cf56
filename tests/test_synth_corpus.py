"""The synthetic corpus: release layout, ingest with no problems, resume, twins, spelling rule."""

from __future__ import annotations

import ast
import csv
from pathlib import Path

import numpy as np
import pytest

from asl_stem.cli import main
from asl_stem.corpus.annotations import COLUMNS, read_annotations
from asl_stem.corpus.recipe import prepare_asl_stem
from asl_stem.synth.articles import load_articles
from asl_stem.synth.choice import candidates, choose_fingerspelled, spell_probability
from asl_stem.synth.corpus import VIDEO_COLUMNS, write_demo_corpus, write_twin_corpus

TWIN_CSV = "\n".join(
    [
        "user,articleName,sectionIndex,sentenceIndex,filename,sentence,fs_span,fs_text",
        'u1,Acid catalysis,0,0,0123-2053312_0_0.mp4,"In acid catalysis, a reaction is catalyzed.",'
        "\"[(20, 40), (45, 90)]\",\"['acid', 'catalysis']\"",
        ',Acid catalysis,0,1,0456-2053312_0_1.mp4,"By Brønsted–Lowry theory.",'
        '"[(10, 80)]","[\'Brønsted–Lowry\']"',
        'u2,Acid catalysis,0,2,0789-2053312_0_2.mp4,"No spelling here.",[],[]',
        'u2,Acid catalysis,0,3,0999-2053312_0_3.mp4,"Bad row.","[(5, 4)]","[\'x\']"',
        'u2,Acid catalysis,0,2,0789-2053312_0_2.mp4,"No spelling here.","[(30, 50)]","[\'here\']"',
    ]
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    report = write_demo_corpus(out, articles=1, interpreters=2, seed=3, size=(64, 64))
    assert report.recordings > 10 and not report.problems
    return out


def test_demo_corpus_has_the_release_layout(demo: Path) -> None:
    with open(demo / "videos.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == VIDEO_COLUMNS
    with open(demo / "fs-annotations" / "demo.csv", newline="", encoding="utf-8") as handle:
        annotations = list(csv.DictReader(handle))
    assert tuple(annotations[0]) == COLUMNS
    assert len({row["user"] for row in rows}) == 2
    for row in rows:
        stem = Path(row["filename"]).stem
        prefix, _, rest = stem.partition("-")
        assert prefix.isdigit() and rest.count("_") == 2
        keypoints = np.load(demo / "keypoints" / f"{stem}.npy")
        assert keypoints.shape[1:] == (543, 2)
        assert float(row["videoLength"]) == pytest.approx(len(keypoints) / 30.0, abs=1e-3)
        assert (demo / "videos" / row["filename"]).stat().st_size > 0
    spans = [ast.literal_eval(row["fs_span"]) for row in annotations]
    texts = [ast.literal_eval(row["fs_text"]) for row in annotations]
    assert all(len(s) == len(t) for s, t in zip(spans, texts, strict=True))
    assert sum(map(len, spans)) > 5


def test_ingest_reads_the_demo_corpus_without_problems(demo: Path, tmp_path: Path) -> None:
    result = prepare_asl_stem(demo, out=tmp_path / "manifests", progress=False)
    assert result.problems == []
    assert result.report["recordings"] == result.report["recordings_with_video"] > 10
    assert result.report["spans"] > 5


def test_rerun_resumes_and_gives_the_same_corpus(demo: Path) -> None:
    before = (demo / "fs-annotations" / "demo.csv").read_text("utf-8")
    report = write_demo_corpus(demo, articles=1, interpreters=2, seed=3, size=(64, 64))
    assert report.resumed == report.recordings
    assert (demo / "fs-annotations" / "demo.csv").read_text("utf-8") == before


def test_twin_reproduces_the_annotated_spans(tmp_path: Path) -> None:
    source = tmp_path / "train.csv"
    source.write_text(TWIN_CSV, encoding="utf-8")
    out = tmp_path / "twin"
    assert main(["synth", "--out", str(out), "--from-annotations", str(source), "--no-video",
                 "--workers", "1"]) == 0  # fmt: skip
    original, problems = read_annotations(source)
    assert [p.kind for p in problems] == ["bad_span"]
    twin, twin_problems = read_annotations(out / "fs-annotations" / "train.csv")
    assert twin_problems == []
    by_name = {row.filename: row for row in twin}
    assert len(twin) == 4  # the recording listed twice is one recording with both rows' spans
    for row in original:
        copy = by_name[row.filename]
        assert (copy.user, copy.sentence) == (row.user, row.sentence)
        assert {(*s.frames, s.text) for s in row.spans} <= {(*s.frames, s.text) for s in copy.spans}
        frames = np.load(out / "keypoints" / f"{row.recording_id}.npy").shape[0]
        assert frames > max((s.end_frame for s in row.spans), default=0)
    first = [(*s.frames, s.text) for s in by_name["0123-2053312_0_0.mp4"].spans]
    assert first == [(*s.frames, s.text) for s in original[0].spans]


def test_spelling_rule_prefers_rare_long_words_and_interpreters_differ() -> None:
    common = spell_probability("reaction", is_name=False, repeat=False, interpreter="a", bias=0)
    rare = spell_probability("electrophile", is_name=False, repeat=False, interpreter="a", bias=0)
    assert rare > common
    words = [word for word, _ in candidates("Kary Mullis used Taq polymerase and a thermocycler.")]
    assert {"Mullis", "Taq", "thermocycler"} <= set(words)
    article = load_articles()[0]
    rng = np.random.default_rng(0)
    choices = {
        person: [
            choose_fingerspelled(text, person, 0.0, rng, article.title)
            for _, _, text in article.sentences()
        ]
        for person in ("a", "b", "c")
    }
    assert choices["a"] != choices["b"] or choices["b"] != choices["c"]
    spelled = {w for picks in choices.values() for sentence in picks for w in sentence}
    assert spelled, "nobody spelled anything"


def test_process_pool_gives_the_same_corpus(tmp_path: Path) -> None:
    source = tmp_path / "train.csv"
    source.write_text(TWIN_CSV, encoding="utf-8")
    one = write_twin_corpus(tmp_path / "one", source, video=False, workers=1)
    two = write_twin_corpus(tmp_path / "two", source, video=False, workers=2)
    assert one.recordings == two.recordings == 4
    for path in sorted((tmp_path / "one" / "keypoints").glob("*.npy")):
        other = tmp_path / "two" / "keypoints" / path.name
        assert np.array_equal(np.load(path), np.load(other), equal_nan=True)
