"""The demo runs every stage on a corpus it makes itself (here a tiny one, one epoch), runs
MediaPipe on the two real videos, and saves its results, figures and timing table."""

from __future__ import annotations

import json
import shlex
import sqlite3
from pathlib import Path

import cv2
import pytest

from asl_stem.atomic import read_jsonl
from asl_stem.cli import main
from asl_stem.commands.demo import app_command
from asl_stem.demo import DemoResult, run_demo
from asl_stem.detect.data import FingerspellingData

REAL_FRAMES = 6  # MediaPipe on real video is the slow part: a few frames of each say enough
STAGES = [
    "synth",
    "ingest",
    "extract (the corpus's keypoint files)",
    "ingest + extract two real videos (MediaPipe)",
    "train",
    "detect",
    "evaluate",
    "terms align + index build",
    "figures",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    out = tmp_path_factory.mktemp("demo")
    return run_demo(
        out, articles=2, interpreters=1, seed=3, workers=1, epochs=1, real_frames=REAL_FRAMES
    )


def test_demo_runs_every_stage(demo: DemoResult) -> None:
    paths = demo.paths
    assert "| model |" in demo.table() and "| heuristic |" in demo.table()
    detected = list(read_jsonl(paths.spans))
    held_out = list(read_jsonl(paths.held_out_spans))
    assert 0 < len(held_out) < len(detected)
    assert len(list(read_jsonl(paths.aligned))) == len(detected)
    with sqlite3.connect(f"file:{paths.index}?mode=ro", uri=True) as connection:
        (recordings,) = connection.execute("SELECT count(*) FROM recordings").fetchone()
    assert recordings == len(detected)
    # the recordings evaluate leaves out are exactly the training article's
    assert len(demo.evaluation.not_detected) == len(detected) - len(held_out)


def test_demo_saves_results_and_timings(demo: DemoResult) -> None:
    paths = demo.paths
    assert all(path.is_file() for path in paths.saved())
    assert paths.results_md.read_text().strip() == demo.table()
    results = json.loads(paths.results_json.read_text())
    assert results["held_out_article"] == demo.held_out
    assert [row["name"] for row in results["rows"]] == ["model", "heuristic"]
    assert results["not_detected"] == len(demo.evaluation.not_detected)

    timings = json.loads(paths.timings_json.read_text())
    assert [stage["stage"] for stage in timings["stages"]] == [*STAGES, "total"]
    *stages, total = timings["stages"]
    assert all(stage["wall_s"] > 0 and stage["cpu_s"] >= 0 for stage in stages)
    assert total["wall_s"] == pytest.approx(sum(stage["wall_s"] for stage in stages))
    assert timings["settings"]["epochs"] == 1
    table = paths.timings_md.read_text()
    assert all(f"| {name} |" in table for name in [*STAGES, "total"])


def test_demo_runs_mediapipe_on_the_two_real_videos(demo: DemoResult) -> None:
    saved = json.loads(demo.paths.real_json.read_text())
    found = {video["video"]: video for video in saved["videos"]}
    assert set(found) == {"cam01.mp4", "single_face.mp4"}
    body, face = found["cam01.mp4"], found["single_face.mp4"]
    assert body["frames"] == face["frames"] == REAL_FRAMES
    assert body["pose"] >= REAL_FRAMES - 1 and face["pose"] >= REAL_FRAMES - 1
    assert body["any_hand"] >= 1  # the whole-body video shows hands
    assert face["any_hand"] == 0  # head and shoulders: both hands below the frame
    assert (body["width"], body["height"]) == (1080, 1920)


def test_demo_figures_are_images(demo: DemoResult) -> None:
    plot = cv2.imread(str(demo.paths.detection_plot))
    sheet = cv2.imread(str(demo.paths.contact_sheet))
    assert plot is not None and plot.shape[0] > 400 and plot.shape[1] > 600  # 3 panels
    assert sheet is not None and sheet.shape[1] >= 8 * 150  # 8 tiles a row


def test_train_bar_total_is_the_epochs_batches(demo: DemoResult) -> None:
    """The bar's total (the stream has no length) is the number of batches an epoch yields."""
    data = FingerspellingData(
        str(demo.paths.shards), val_fraction=0.15, batch_size=5, crops_per_recording=2
    )
    data.setup("fit")
    assert data.val_keys and data.val_batches() >= 1
    assert sum(1 for _ in data.train_dataloader()) == data.train_batches_per_epoch()


def test_demo_refuses_bad_arguments_before_any_stage(tmp_path: Path, capsys) -> None:
    for articles in ("0", "1"):
        assert main(["demo", "--out", str(tmp_path / "d"), "--articles", articles]) == 2
        assert "the demo needs 2 to" in capsys.readouterr().err
    assert main(["demo", "--out", str(tmp_path / "d"), "--epochs", "0"]) == 2
    assert not (tmp_path / "d").exists()


def test_app_command_names_a_script_that_exists(tmp_path: Path) -> None:
    command = shlex.split(app_command(tmp_path / "index.sqlite"))
    assert Path(command[0]).is_file() or command[1:3] == ["-m", "asl_stem.cli"]
    assert command[-3:] == ["app", "--index", str(tmp_path / "index.sqlite")]
