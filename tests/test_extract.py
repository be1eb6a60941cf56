"""Real MediaPipe on real people (the pinned test videos), hand sides, bad videos, zip source."""

from __future__ import annotations

import json
import zipfile

import cv2
import numpy as np
import pytest
from extract_fixtures import recording, write_manifest

from asl_stem.assets import fetch
from asl_stem.cli import main
from asl_stem.extract.frames import VideoSource, iter_frames
from asl_stem.extract.hands import assign_hands
from asl_stem.extract.landmarks import ModelBuffers, extract_frames
from asl_stem.layout import LEFT_HAND, RIGHT_HAND, hand_index, pose_index
from asl_stem.shards.catalog import read_catalog
from asl_stem.shards.reader import iter_samples, read_sample


def frame_count(path) -> int:
    capture = cv2.VideoCapture(str(path))
    count = 0
    while capture.read()[0]:
        count += 1
    return count


@pytest.fixture(scope="module")
def models() -> ModelBuffers:
    return ModelBuffers.load(face=True)


def test_full_real_video_to_shard(tmp_path):
    """Every frame of single_face.mp4 through the CLI: pose in >= 90% of frames, all frames kept."""
    video = fetch("single_face.mp4")
    manifest = write_manifest(tmp_path / "m", [recording("face_a", path=str(video))], "face_a")
    assert main(["extract", str(manifest), "--out", str(tmp_path / "s"), "--face"]) == 0
    sample = read_sample(tmp_path / "s", "face_a")
    frames = frame_count(video)
    assert sample["keypoints"].shape == (frames, 543, 3)
    assert read_catalog(tmp_path / "s").shards[0].frames == frames
    pose_found = sample["is_valid"][:, pose_index("nose")]
    assert pose_found.mean() >= 0.9
    face_found = sample["is_valid"][:, 75]
    assert face_found.mean() >= 0.9  # the head crop finds the face
    nose, face = sample["keypoints"][:, 0, :2], sample["keypoints"][:, 76:, :2].mean(axis=1)
    assert np.abs(nose - face)[pose_found & face_found].max() < 0.1  # face mapped back in place
    assert sample["meta"]["spans"] == [{"start_frame": 3, "end_frame": 9, "text": "ATP"}]
    assert sample["meta"]["sentence"] == "Photosynthesis uses light."


def test_whole_body_video_pose_and_hands(models):
    """cam01.mp4 (whole body, hands visible): pose everywhere, hands on the right sides."""
    video = VideoSource(path=str(fetch("cam01.mp4")))
    keypoints = extract_frames(iter_frames(video, max_frames=40), 60.0, models).astype(np.float32)
    assert keypoints.shape == (40, 543, 3)
    assert (~np.isnan(keypoints[:, 0, 0])).mean() >= 0.9
    checked = 0
    for side, other, component in (("right", "left", RIGHT_HAND), ("left", "right", LEFT_HAND)):
        wrist = keypoints[:, hand_index(side, "wrist"), :2]
        found = ~np.isnan(wrist[:, 0])
        near = np.linalg.norm(wrist - keypoints[:, pose_index(f"{side}_wrist"), :2], axis=1)
        far = np.linalg.norm(wrist - keypoints[:, pose_index(f"{other}_wrist"), :2], axis=1)
        # the pose model (a separate network) agrees about where this side's wrist is
        assert (near[found] < 0.1).all() and (near[found] < far[found]).all()
        assert np.isnan(keypoints[~found, component]).all()
        checked += int(found.sum())
    assert checked >= 10  # hands do appear in these real frames


def test_assign_hands_ignores_label_and_image_side():
    pose = np.full((33, 3), np.nan, dtype=np.float32)
    pose[pose_index("right_wrist"), :2] = (0.7, 0.5)  # crossed arms: right wrist on image right
    pose[pose_index("left_wrist"), :2] = (0.3, 0.5)
    assert assign_hands(np.array([[0.31, 0.52], [0.69, 0.49]]), pose) == ["left", "right"]
    assert assign_hands(np.array([[0.68, 0.5]]), pose) == ["right"]
    assert assign_hands(np.zeros((0, 2)), pose) == []
    assert assign_hands(np.array([[0.8, 0.5], [0.2, 0.5]]), None) == ["left", "right"]


def test_bad_videos_are_reported_and_run_goes_on(tmp_path):
    (tmp_path / "corrupt.mp4").write_bytes(fetch("single_face.mp4").read_bytes()[:4000])
    (tmp_path / "empty.mp4").write_bytes(b"")
    recordings = [
        recording("a_ok", path=str(fetch("single_face.mp4"))),
        recording("b_corrupt", path=str(tmp_path / "corrupt.mp4")),
        recording("c_empty", path=str(tmp_path / "empty.mp4")),
        recording("d_missing", path=str(tmp_path / "absent.mp4")),
    ]
    manifest = write_manifest(tmp_path / "m", recordings)
    out = tmp_path / "s"
    code = main(["extract", str(manifest), "--out", str(out), "--max-frames", "3"])
    assert code == 1
    failures = [json.loads(line) for line in (out / "failures.jsonl").read_text().splitlines()]
    reasons = {row["recording_id"]: row["reason"] for row in failures}
    assert set(reasons) == {"b_corrupt", "c_empty", "d_missing"}
    assert "corrupt" in reasons["b_corrupt"] and "0 bytes" in reasons["c_empty"]
    assert [s["key"] for s in iter_samples(out)] == ["a_ok"]
    assert "spans" not in read_sample(out, "a_ok")["meta"]  # nobody annotated it: unknown


def test_zip_member_source_matches_file(tmp_path):
    video = fetch("single_face.mp4")
    release = tmp_path / "release.zip"
    with zipfile.ZipFile(release, "w") as archive:
        archive.write(video, "videos/z_zip.mp4", compress_type=zipfile.ZIP_STORED)
    recordings = [
        recording("a_file", path=str(video)),
        recording("z_zip", zip_path=str(release), zip_member="videos/z_zip.mp4"),
    ]
    manifest = write_manifest(tmp_path / "m", recordings)
    assert main(["extract", str(manifest), "--out", str(tmp_path / "s"), "--max-frames", "4"]) == 0
    from_file, from_zip = (read_sample(tmp_path / "s", key) for key in ("a_file", "z_zip"))
    assert from_zip["keypoints"].shape == (4, 75, 3)
    np.testing.assert_array_equal(from_file["keypoints"], from_zip["keypoints"])
    assert from_zip["meta"]["zip_member"] == "videos/z_zip.mp4"


def test_assign_hands_drops_a_duplicate_of_one_hand():
    pose = np.full((33, 3), np.nan, dtype=np.float32)
    pose[pose_index("right_wrist"), :2] = (0.29, 0.32)
    pose[pose_index("left_wrist"), :2] = (0.55, 0.41)
    # cam01.mp4 frame 15: the same right hand found twice
    assert assign_hands(np.array([[0.30, 0.30], [0.32, 0.28]]), pose) == ["right", None]
