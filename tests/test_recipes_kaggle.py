"""The competition recipe reads every sequence of a fixture in the competition's layout."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from recipes_fixtures import SEQUENCES, write_competition_folder

from asl_stem.cli import main
from asl_stem.layout import NUM_BODY_POINTS
from asl_stem.recipes.holistic import hands_match_pose
from asl_stem.recipes.kaggle_fingerspelling import RecipeError, prepare_kaggle_fingerspelling
from asl_stem.shards.catalog import read_catalog
from asl_stem.shards.reader import iter_samples


@pytest.fixture(scope="module")
def competition(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, np.ndarray]]:
    root = tmp_path_factory.mktemp("competition")
    return root, write_competition_folder(root)


def test_every_sequence_with_its_phrase_in_our_layout(competition, tmp_path: Path) -> None:
    root, signed = competition
    out = tmp_path / "shards"
    assert main(["recipes", "kaggle-fingerspelling", str(root), "--out", str(out)]) == 0
    samples = {s["key"]: s for s in iter_samples(out)}
    assert len(samples) == len(SEQUENCES)
    for set_name, file_id, sequence_id, participant, phrase in SEQUENCES:
        sample = samples[f"{set_name}-{file_id}-{sequence_id}"]
        meta = sample["meta"]
        original = signed[sample["key"]][:, :NUM_BODY_POINTS]
        assert meta["sentence"] == phrase and meta["interpreter"] == participant
        assert meta["article"] == f"asl-fingerspelling-{set_name}"
        assert meta["spans"] == [{"start_frame": 0, "end_frame": len(original) - 1, "text": phrase}]
        # the same points, in our order (pose, right hand, left hand), to float16 precision
        assert sample["keypoints"].shape == original.shape
        np.testing.assert_array_equal(sample["is_valid"], ~np.isnan(original[..., :2]).any(-1))
        seen = sample["is_valid"]
        np.testing.assert_allclose(
            sample["keypoints"][seen][:, :2], original[seen][:, :2], atol=1e-3
        )
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["written"] == len(SEQUENCES) and report["problems"] == {}
    assert report["hands_nearer_own_pose_wrist"] > 0.95


def test_rerun_resumes_and_a_set_can_be_left_out(competition, tmp_path: Path) -> None:
    root, _ = competition
    out = tmp_path / "shards"
    prepare_kaggle_fingerspelling(root, out, shard_size=2)
    first = (out / "index.json").read_bytes()
    prepare_kaggle_fingerspelling(root, out, shard_size=2)
    assert (out / "index.json").read_bytes() == first
    train_only = tmp_path / "train-only"
    report = prepare_kaggle_fingerspelling(root, train_only, sets=["train"])
    assert report.written == sum(1 for s in SEQUENCES if s[0] == "train")


def test_missing_rows_and_files_are_failures_with_reasons(competition, tmp_path: Path) -> None:
    root, _ = competition
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "train_landmarks").symlink_to(root / "train_landmarks")
    with open(broken / "train.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "file_id", "sequence_id", "participant_id", "phrase"])
        writer.writerow(
            ["train_landmarks/1019715464.parquet", "1019715464", "1975433633", "1", "ok"]
        )
        writer.writerow(["train_landmarks/1019715464.parquet", "1019715464", "42", "1", "no rows"])
        writer.writerow(["train_landmarks/999.parquet", "999", "7", "1", "no file"])
        writer.writerow(["train_landmarks/999.parquet", "999", "x", "1", "bad id"])
    report = prepare_kaggle_fingerspelling(broken, tmp_path / "out")
    assert report.written == 1
    reasons = [f["reason"] for e in read_catalog(tmp_path / "out").shards for f in e.failures]
    assert any("sequence 42 has no rows" in r for r in reasons)
    assert any("999.parquet not found" in r for r in reasons)
    assert [p.kind for p in report.problems].count("bad_sequence_id") == 1


def test_a_folder_that_is_not_the_competitions(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match=r"train\.csv not found"):
        prepare_kaggle_fingerspelling(tmp_path, tmp_path / "out")
    assert (
        main(["recipes", "kaggle-fingerspelling", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    )


def test_handedness_check_tells_swapped_hands() -> None:
    keypoints = np.full((4, NUM_BODY_POINTS, 3), np.nan, dtype=np.float32)
    keypoints[:, 16, :2] = (0.3, 0.5)  # pose right wrist, image left
    keypoints[:, 15, :2] = (0.7, 0.5)  # pose left wrist
    keypoints[:, 33, :2] = (0.31, 0.5)  # our right hand's wrist, beside the right wrist
    assert hands_match_pose(keypoints) == (4, 4)
    keypoints[:, 33, :2] = (0.69, 0.5)
    assert hands_match_pose(keypoints) == (0, 4)
