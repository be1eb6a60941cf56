"""Real MediaPipe on real people (the pinned test videos), hand sides, bad videos, zip source."""

from __future__ import annotations

import json
import threading
import zipfile

import cv2
import numpy as np
import pytest
from extract_fixtures import recording, write_manifest

from asl_stem.assets import fetch
from asl_stem.cli import main
from asl_stem.extract.crops import Crop, cut, to_frame
from asl_stem.extract.frames import VideoSource, iter_frames, prefetch, video_fps
from asl_stem.extract.hands import assign_hands, hand_crop
from asl_stem.extract.landmarks import Landmarkers, ModelBuffers, extract_frames
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


def test_threads_give_the_same_keypoints_as_a_plain_loop(models):
    """Hands of frame t run beside the pose of frame t + 1; the bytes must not change."""
    video = VideoSource(path=str(fetch("cam01.mp4")))
    threaded = extract_frames(prefetch(iter_frames(video, max_frames=24)), 60.0, models)
    plain = extract_frames(iter_frames(video, max_frames=24), 60.0, models, threaded=False)
    assert threaded.tobytes() == plain.tobytes()
    assert not np.isnan(threaded[:, RIGHT_HAND]).all()  # hands were found and compared


def test_pose_every_second_frame_interpolates_between_poses_and_keeps_every_hand():
    """--pose-every 2: the pose landmarker on frames 0, 2, 4, ... and the last; hands on all."""
    body = ModelBuffers.load(face=False)
    video = VideoSource(path=str(fetch("cam01.mp4")))
    every = extract_frames(iter_frames(video, max_frames=64), 30.0, body).astype(np.float64)
    second = extract_frames(iter_frames(video, max_frames=64), 30.0, body, pose_every=2)
    second = second.astype(np.float64)
    pose = slice(0, 33)
    middle = (second[0:-2:2, pose] + second[2::2, pose]) / 2  # frames 1, 3, ..., 61
    np.testing.assert_allclose(second[1:-2:2, pose], middle, atol=2e-3)  # float16 storage
    assert not np.isnan(second[63, pose]).any()  # the last frame ran the pose itself
    width, height = 1080, 1920
    scale = np.array([width, height])
    offset = np.linalg.norm((second[:, pose, :2] - every[:, pose, :2]) * scale, axis=-1)
    assert np.nanmedian(offset) < 4.0  # pixels, on a 1080x1920 video
    for part in (RIGHT_HAND, LEFT_HAND):
        found = [(~np.isnan(k[:, part, 0])).mean() for k in (every, second)]
        assert found[0] > 0.3 and abs(found[0] - found[1]) <= 0.15
    with pytest.raises(ValueError, match="pose-every"):
        extract_frames(
            iter_frames(video, max_frames=4), 30.0, ModelBuffers.load(face=True), pose_every=2
        )


def test_assign_hands_ignores_label_and_image_side():
    pose = np.full((33, 3), np.nan, dtype=np.float32)
    pose[pose_index("right_wrist"), :2] = (0.7, 0.5)  # crossed arms: right wrist on image right
    pose[pose_index("left_wrist"), :2] = (0.3, 0.5)
    assert assign_hands(np.array([[0.31, 0.52], [0.69, 0.49]]), pose) == ["left", "right"]
    assert assign_hands(np.array([[0.68, 0.5]]), pose) == ["right"]
    assert assign_hands(np.zeros((0, 2)), pose) == []


def standing_pose(right_hand: tuple[float, float]) -> np.ndarray:
    """A (33, 3) pose with shoulders 0.2 apart and the right hand's knuckles at ``right_hand``."""
    pose = np.zeros((33, 3), dtype=np.float32)
    pose[pose_index("right_shoulder"), :2] = (0.4, 0.3)
    pose[pose_index("left_shoulder"), :2] = (0.6, 0.3)
    for name in ("right_index", "right_pinky", "right_wrist"):
        pose[pose_index(name), :2] = right_hand
    return pose


def test_hand_crop_follows_the_pose_hand_and_skips_hands_off_the_frame():
    crop = hand_crop(standing_pose((0.25, 0.5)), "right", 1000, 500)
    assert crop == Crop(50, 50, 450, 450, 1000, 500)  # 2 x shoulder width, around the knuckles
    assert hand_crop(standing_pose((0.25, 1.3)), "right", 1000, 500) is None  # below the frame


def test_cut_pads_outside_the_frame_and_to_frame_maps_back():
    frame = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)
    crop = Crop(-2, 1, 2, 5, width=6, height=4)  # 4 x 4 box over the left edge and the bottom
    pixels = cut(frame, crop)
    assert pixels.shape == (4, 4, 3) and pixels.flags.c_contiguous
    np.testing.assert_array_equal(pixels[:3, 2:], frame[1:4, 0:2])
    assert not pixels[:, :2].any() and not pixels[3].any()
    corners = to_frame(np.array([[0.0, 0.0, 0.1], [1.0, 1.0, 0.0]], dtype=np.float32), crop)
    np.testing.assert_allclose(corners, [[-2 / 6, 1 / 4, 0.1 * 4 / 6], [2 / 6, 5 / 4, 0.0]])


class CountingLandmarker:
    """Wraps a hand landmarker, counting the frames it is asked to search."""

    def __init__(self, landmarker):
        self.landmarker, self.calls = landmarker, 0

    def detect_for_video(self, image, timestamp_ms):
        self.calls += 1
        return self.landmarker.detect_for_video(image, timestamp_ms)

    def close(self):
        self.landmarker.close()


def test_hands_the_pose_puts_off_the_frame_are_not_searched(models):
    """single_face.mp4: the pose puts both hands below the frame; no hand search runs."""
    frames = iter_frames(VideoSource(path=str(fetch("single_face.mp4"))), max_frames=10)
    with Landmarkers(models) as landmarkers:
        for tracker in landmarkers.hands.values():
            tracker.landmarker = CountingLandmarker(tracker.landmarker)
        rows = [
            landmarkers.add_hands(rgb, n, landmarkers.body(rgb, n)) for n, rgb in enumerate(frames)
        ]
        calls = [tracker.landmarker.calls for tracker in landmarkers.hands.values()]
    assert calls == [0, 0]
    assert not np.isnan(np.array(rows)[:, pose_index("nose")]).any()


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


def test_zip_handle_is_opened_once_per_thread(tmp_path, monkeypatch):
    """Two members of one zip, the second decoded in another prefetch thread: one ZipFile."""
    video = fetch("single_face.mp4")
    release = tmp_path / "release.zip"
    with zipfile.ZipFile(release, "w") as archive:
        for name in ("videos/a.mp4", "videos/b.mp4"):
            archive.write(video, name, compress_type=zipfile.ZIP_STORED)
    opened, real_zipfile = [], zipfile.ZipFile

    class CountingZipFile(real_zipfile):
        def __init__(self, file, *args, **kwargs):
            opened.append(file)
            super().__init__(file, *args, **kwargs)

    monkeypatch.setattr(zipfile, "ZipFile", CountingZipFile)
    members = [VideoSource(zip_path=str(release), zip_member=f"videos/{n}.mp4") for n in "ab"]
    first, second = (list(prefetch(iter_frames(member, max_frames=2))) for member in members)
    assert video_fps(members[1]) == 30.0
    assert len(opened) == 1
    np.testing.assert_array_equal(first[1], second[1])

    in_thread = []
    thread = threading.Thread(target=lambda: in_thread.extend(iter_frames(members[0], 1)))
    thread.start()
    thread.join()
    assert len(in_thread) == 1 and len(opened) == 2  # a thread of its own opens its own handle

    with real_zipfile(release, "w") as archive:  # the zip is rewritten: reopened
        archive.write(video, "videos/c.mp4", compress_type=zipfile.ZIP_STORED)
    source = VideoSource(zip_path=str(release), zip_member="videos/c.mp4")
    assert len(list(iter_frames(source, max_frames=1))) == 1 and len(opened) == 3


def test_assign_hands_drops_a_duplicate_of_one_hand():
    pose = np.full((33, 3), np.nan, dtype=np.float32)
    pose[pose_index("right_wrist"), :2] = (0.29, 0.32)
    pose[pose_index("left_wrist"), :2] = (0.55, 0.41)
    # cam01.mp4 frame 15: the same right hand found twice
    assert assign_hands(np.array([[0.30, 0.30], [0.32, 0.28]]), pose) == ["right", None]


def test_pose_every_is_a_recorded_setting_and_refused_with_the_face():
    from asl_stem.extract.work import ExtractSettings

    assert "pose_every" not in ExtractSettings().to_dict()  # older folders still resume
    assert ExtractSettings(pose_every=2).to_dict()["pose_every"] == 2
    with pytest.raises(ValueError, match="pose-every"):
        ExtractSettings(face=True, pose_every=2)
    with pytest.raises(ValueError, match="pose-every"):
        ExtractSettings(pose_every=0)
