"""Export to pose-format .pose and the reference (T, 543, 2) .npy, read back by their readers."""

from __future__ import annotations

import numpy as np
from pose_format import Pose
from shards_fixtures import keypoints, make_shards

from asl_stem.cli import main


def test_export_pose_and_reference_npy(tmp_path):
    make_shards(tmp_path / "s", count=2)
    stored = keypoints(1, 11).astype(np.float32)  # rec_01: right hand missing in even frames
    assert main(["export", str(tmp_path / "s"), "rec_01", "--out", str(tmp_path / "r.npy")]) == 0
    reference = np.load(tmp_path / "r.npy")
    assert reference.shape == (11, 543, 2) and reference.dtype == np.float64
    np.testing.assert_allclose(reference[:, :33], stored[:, :33, :2])
    assert (reference[0, 33:54] == 0).all() and (reference[:, 75:] == 0).all()

    assert main(["export", str(tmp_path / "s"), "rec_01", "--out", str(tmp_path / "r.pose")]) == 0
    pose = Pose.read((tmp_path / "r.pose").read_bytes())
    names = [component.name for component in pose.header.components]
    assert names == [
        "POSE_LANDMARKS",
        "FACE_LANDMARKS",
        "LEFT_HAND_LANDMARKS",
        "RIGHT_HAND_LANDMARKS",
    ]
    assert pose.body.fps == 30.0 and pose.body.data.shape == (11, 1, 543, 3)
    wrist = pose.header.get_point_index("POSE_LANDMARKS", "RIGHT_WRIST")
    np.testing.assert_allclose(pose.body.data[3, 0, wrist], stored[3, 16], rtol=1e-6)  # size 1x1
    right = pose.header.get_point_index("RIGHT_HAND_LANDMARKS", "WRIST")
    assert pose.body.data.mask[0, 0, right].all() and pose.body.confidence[0, 0, right] == 0
    np.testing.assert_allclose(pose.body.data[1, 0, right], stored[1, 33], rtol=1e-6)
    assert pose.body.data.mask[:, 0, 33 : 33 + 468].all()  # no face extracted


def test_export_refuses_other_suffix_and_unknown_id_in_plain_lines(tmp_path, caplog):
    make_shards(tmp_path / "s", count=1)
    assert main(["export", str(tmp_path / "s"), "rec_00", "--out", str(tmp_path / "x.csv")]) == 2
    caplog.clear()
    assert main(["export", str(tmp_path / "s"), "nope", "--out", str(tmp_path / "x.npy")]) == 2
    (message,) = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert message.startswith("recording nope is in no shard of ")  # not Python's quoted form
