"""Train, detect, verify and export from shards served over HTTP, by brace pattern and file://;
a truncated shard in train or detect is one line naming it."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from detect_fixtures import make_toy_shards
from shards_fixtures import serve_folder

from asl_stem.cli import main

PATTERN = "shard-{000000..000003}.tar"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shards")
    make_toy_shards(folder, count=8, frames=100)
    with serve_folder(folder) as base:
        yield folder, base


def train(shards: str, val_shards: str, run) -> list[str]:
    overrides = {
        "data.shards": shards,
        "data.val_shards": val_shards,
        "data.num_workers": "1",  # a DataLoader worker reads the shards
        "data.window_frames": "64",
        "model.debug": "true",
        "trainer.max_epochs": "1",
        "trainer.default_root_dir": str(run),
        "trainer.logger.init_args.save_dir": str(run),
    }
    return ["train", "--config", "models/detector-cpu.yaml"] + [
        f"--{key}={value}" for key, value in overrides.items()
    ]


@pytest.fixture(scope="module")
def checkpoint(served, tmp_path_factory):
    folder, base = served
    run = tmp_path_factory.mktemp("run")
    # training over http by a brace pattern (its index.json found beside the tars), validating
    # on a file:// index.json
    assert main(train(base + PATTERN, folder.as_uri() + "/index.json", run)) == 0
    (found,) = run.rglob("last.ckpt")
    return str(found)


def test_detect_verify_export_give_the_same_from_every_source(served, checkpoint, tmp_path):
    folder, base = served
    sources = {
        "folder": str(folder),
        "http": base + "index.json",
        "http-pattern": base + PATTERN,
        "pattern": str(folder / PATTERN),
        "file": folder.as_uri(),
    }
    spans, arrays = set(), []
    for name, source in sources.items():
        out = tmp_path / f"{name}.jsonl"
        assert main(["detect", checkpoint, source, "--out", str(out)]) == 0, name
        spans.add(out.read_text())
        assert main(["shards", "verify", source]) == 0, name
        assert main(["export", source, "toy-005", "--out", str(tmp_path / f"{name}.npy")]) == 0
        arrays.append(np.load(tmp_path / f"{name}.npy"))
    assert len(spans) == 1 and len(spans.pop().splitlines()) == 8
    assert all(np.array_equal(array, arrays[0]) for array in arrays)
    evaluate = ["evaluate", str(out), "--annotations", base + "index.json"]
    assert main([*evaluate, "--baseline", base + PATTERN, "--json"]) == 0


def test_a_truncated_shard_in_detect_or_train_is_one_line(served, checkpoint, tmp_path, capsys):
    folder, _ = served
    damaged = tmp_path / "damaged"
    shutil.copytree(folder, damaged)
    shard = damaged / "shard-000002.tar"
    shard.write_bytes(shard.read_bytes()[:-3000])
    capsys.readouterr()
    assert main(["detect", checkpoint, str(damaged), "--out", str(tmp_path / "s.jsonl")]) == 2
    assert_one_line(capsys.readouterr().err, "asl-stem detect: ", shard)
    assert not (tmp_path / "s.jsonl").exists()

    # training reads the damaged shards in a loader worker, validation the intact ones
    assert main(train(str(damaged), str(folder), tmp_path / "run")) == 2
    assert_one_line(capsys.readouterr().err, "asl-stem train: ", shard)


def assert_one_line(stderr: str, prefix: str, shard) -> None:
    """The error is one line naming the shard and what to do; no traceback anywhere."""
    (line,) = [line for line in stderr.splitlines() if line.startswith(prefix)]
    assert str(shard) in line and "shards verify" in line
    assert "Traceback" not in stderr
