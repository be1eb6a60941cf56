"""Real Lightning training on tiny real shards, then detect and evaluate end to end."""

from __future__ import annotations

import csv
import json

import lightning as L
import pytest
from detect_fixtures import make_toy_shards

from asl_stem.cli import main
from asl_stem.corpus.annotations import COLUMNS
from asl_stem.detect.data import FingerspellingData
from asl_stem.detect.inference import load_detector
from asl_stem.detect.module import FingerspellingDetector
from asl_stem.shards.datamodule import check_shard_count


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shards")
    truths = make_toy_shards(folder, count=8, frames=120)
    return folder, truths


def write_csv(path, truths):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for number, (key, spans) in enumerate(sorted(truths.items())):
            texts = ["abc"] * len(spans)
            writer.writerow(
                ["u1", "Alpha", 0, number, f"{key}.mp4", "A sentence.", repr(spans), repr(texts)]
            )


def test_fast_dev_run_with_the_full_network(shards, tmp_path):
    folder, _ = shards
    model = FingerspellingDetector(hidden=32, dilations=(1, 2), heads=2)
    data = FingerspellingData(
        str(folder),
        val_shards=str(folder),
        window_frames=64,
        batch_size=4,
        exclude_articles=["Beta"],
    )
    trainer = L.Trainer(
        fast_dev_run=True, accelerator="cpu", default_root_dir=tmp_path, enable_progress_bar=False
    )
    trainer.fit(model, datamodule=data)
    assert trainer.state.finished


def test_too_few_shards_for_the_readers_fails_at_startup(shards):
    folder, _ = shards
    with pytest.raises(ValueError, match="4 shards but training reads with 2 ranks × 3 workers"):
        check_shard_count(str(folder), world_size=2, num_workers=3)


def test_train_detect_evaluate_end_to_end(shards, tmp_path, capsys):
    folder, truths = shards
    run = tmp_path / "run"
    overrides = [
        "--data.shards",
        str(folder),
        "--data.val_shards",
        str(folder),
        "--trainer.max_epochs",
        "2",
        "--model.debug",
        "true",
        "--data.num_workers",
        "2",
        "--data.window_frames",
        "64",
        f"--trainer.default_root_dir={run}",
        f"--trainer.logger.init_args.save_dir={run}",
    ]
    assert main(["train", "--config", "models/detector-cpu.yaml", *overrides]) == 0
    checkpoint = capsys.readouterr().out.strip().split("checkpoint: ")[-1]
    assert (run / "logs" / "version_0" / "metrics.csv").exists()

    spans = tmp_path / "spans.jsonl"
    plots = tmp_path / "plots"
    assert (
        main(
            [
                "detect",
                checkpoint,
                str(folder),
                "--out",
                str(spans),
                "--plot",
                str(plots),
                "--onset",
                "0.4",
            ]
        )
        == 0
    )
    lines = [json.loads(line) for line in spans.read_text().splitlines()]
    assert sorted(line["recording_id"] for line in lines) == sorted(truths)
    assert all(line["num_frames"] == 120 and line["fps"] == 30.0 for line in lines)
    assert len(list(plots.glob("*.png"))) == len(truths)
    capsys.readouterr()

    annotations = tmp_path / "train.csv"
    write_csv(annotations, truths)
    assert (
        main(
            [
                "evaluate",
                str(spans),
                "--annotations",
                str(annotations),
                "--baseline",
                str(folder),
                "--json",
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert [row["name"] for row in report["rows"]] == ["model", "heuristic"]
    for row in report["rows"]:
        assert row["recordings"] == len(truths)
        assert row["true_spans"] == sum(len(s) for s in truths.values())
        assert 0.0 <= row["ap"]["0.5"] <= row["ap"]["0.1"] <= 1.0
    assert main(["evaluate", str(spans), "--annotations", str(folder)]) == 0
    assert "| model |" in capsys.readouterr().out


def test_a_file_that_is_not_a_checkpoint_is_refused(tmp_path):
    bad = tmp_path / "model.ckpt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a checkpoint of `asl-stem train`"):
        load_detector(bad)
    assert main(["detect", str(bad), str(tmp_path), "--out", str(tmp_path / "s.jsonl")]) == 2


def test_synthetic_shards_carry_spans_that_fit(tmp_path):
    from asl_stem.detect.synthetic import write_synthetic_shards
    from asl_stem.shards.reader import iter_samples

    frames = write_synthetic_shards(tmp_path, recordings=2, frames=(200, 240), shard_size=1)
    samples = list(iter_samples(tmp_path))
    assert sum(len(s["keypoints"]) for s in samples) == frames
    for sample in samples:
        spans = sample["meta"]["spans"]
        assert spans and all(0 <= s["start_frame"] <= s["end_frame"] < 240 for s in spans)
        assert sample["is_valid"][:, 33:54].any()  # the synthetic signer's hands are tracked


def test_every_loader_worker_yields_the_same_share_whatever_the_filter_drops(shards):
    folder, _ = shards  # 8 recordings in 4 shards, articles alternate Alpha / Beta
    data = FingerspellingData(
        str(folder),
        exclude_articles=["Beta"],
        window_frames=32,
        crops_per_recording=3,
        batch_size=1,
        num_workers=2,
    )
    data.setup("fit")
    assert data.train_set.recordings_per_epoch == 4
    windows = list(data.train_dataloader())
    assert len(windows) == 2 * 2 * 3  # 2 workers × 2 kept recordings each × 3 windows

    nothing = FingerspellingData(str(folder), articles=["Gamma"])
    with pytest.raises(ValueError, match="no annotated recording"):
        nothing.setup("fit")
