"""Checkpoints that must not be used: empty, corrupted; and outputs that name their weights."""

from __future__ import annotations

import hashlib
import json
import struct
import zipfile
from pathlib import Path

import pytest
import torch
from weak_label_fixtures import make_mixed_shards, train_checkpoint

from asl_stem.cli import main
from asl_stem.detect.checkpoint import CheckpointError, read_checkpoint, weights_digest
from asl_stem.detect.inference import load_detector


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("checkpoint")
    shards = root / "shards"
    make_mixed_shards(shards, annotated=4, unannotated=2)
    return shards, train_checkpoint(shards, root, epochs=1)


def flip_weight_bit(source: Path, target: Path) -> None:
    """Copy a checkpoint with one bit flipped inside its largest tensor record."""
    with zipfile.ZipFile(source) as archive:
        record = max(archive.infolist(), key=lambda info: info.file_size)
    data = bytearray(source.read_bytes())
    offset = record.header_offset
    name_length, extra_length = struct.unpack("<HH", data[offset + 26 : offset + 30])
    data[offset + 30 + name_length + extra_length + 6] ^= 0x04
    target.write_bytes(bytes(data))


def test_saved_checkpoints_carry_the_digest_of_their_weights(trained):
    _, checkpoint = trained
    contents = torch.load(checkpoint, map_location="cpu", weights_only=True)
    assert contents["asl_stem"]["weights_sha256"] == weights_digest(contents["state_dict"])
    assert read_checkpoint(checkpoint).sha256 == hashlib.sha256(checkpoint.read_bytes()).hexdigest()


def test_an_empty_checkpoint_is_one_line_and_a_failure_in_detect_and_train(
    trained, tmp_path, capsys
):
    shards, _ = trained
    empty = tmp_path / "last.ckpt"
    empty.write_bytes(b"")
    assert main(["detect", str(empty), str(shards), "--out", str(tmp_path / "s.jsonl")]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert str(empty) in error and "empty (0 bytes)" in error and "another checkpoint" in error
    command = ["train", "--config", "models/detector-cpu.yaml", "--data.shards", str(shards)]
    assert main([*command, "--ckpt_path", str(empty)]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and str(empty) in error and "empty" in error
    assert not (tmp_path / "s.jsonl").exists()


def test_a_flipped_bit_in_the_weights_is_refused(trained, tmp_path, capsys):
    shards, checkpoint = trained
    flipped = tmp_path / "flipped.ckpt"
    flip_weight_bit(checkpoint, flipped)
    torch.load(flipped, map_location="cpu", weights_only=True)  # PyTorch itself sees nothing
    with pytest.raises(CheckpointError, match="do not match the sha256 stored"):
        load_detector(flipped)
    assert main(["detect", str(flipped), str(shards), "--out", str(tmp_path / "s.jsonl")]) == 2
    assert "corrupt" in capsys.readouterr().err


def test_detected_spans_name_the_checkpoint_and_its_sha256(trained, tmp_path):
    shards, checkpoint = trained
    out = tmp_path / "spans.jsonl"
    assert main(["detect", str(checkpoint), str(shards), "--out", str(out), "--onset", "0.05",
                 "--offset", "0.05"]) == 0  # fmt: skip
    digest = hashlib.sha256(checkpoint.read_bytes()).hexdigest()
    spans = [span for line in out.read_text().splitlines() for span in json.loads(line)["spans"]]
    assert spans, "a threshold this low decodes spans"
    assert {span["origin"] for span in spans} == {f"{checkpoint}@sha256:{digest}"}
