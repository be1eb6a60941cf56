"""The unit of parallel work: one shard, written by whichever process or Ray task runs it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from asl_stem.extract.frames import VideoError, iter_frames, prefetch, video_fps
from asl_stem.extract.items import NO_KEYPOINTS_LOCATION, WorkItem
from asl_stem.extract.keypoint_files import KeypointFileError, load_reference_keypoints
from asl_stem.extract.landmarks import ModelBuffers, check_pose_every, extract_frames
from asl_stem.shards.catalog import ShardEntry
from asl_stem.shards.sample import first_infinite
from asl_stem.shards.writer import Failure, Sample, ShardPlan, write_shard

log = logging.getLogger(__name__)
Progress = Callable[[int], None]  # called with a number of frames just done


@dataclass(frozen=True)
class ExtractSettings:
    """What decides the shards' bytes (recorded in index.json; a rerun must match it)."""

    source: str = "video"  # "video" or "keypoints"
    face: bool = False
    shard_size: int = 64
    max_frames: int | None = None
    pose_every: int = 1

    def __post_init__(self) -> None:
        check_pose_every(self.pose_every, self.face)

    def to_dict(self) -> dict[str, object]:
        settings: dict[str, object] = {
            "source": self.source,
            "face": self.face,
            "shard_size": self.shard_size,
            "max_frames": self.max_frames,
        }
        if self.pose_every != 1:  # absent at 1, so folders made before the option still resume
            settings["pose_every"] = self.pose_every
        return settings


@dataclass(frozen=True)
class ShardJob:
    """A shard's plan and the work items of its recordings, in order."""

    plan: ShardPlan
    items: tuple[WorkItem, ...]


def _video_keypoints(
    item: WorkItem, settings: ExtractSettings, models: ModelBuffers | None, progress: Progress
) -> np.ndarray:
    if models is None:
        raise ValueError("video extraction needs the model buffers (ModelBuffers.load)")
    fps = item.meta.get("fps") or video_fps(item.video)
    if not fps:
        raise VideoError(f"{item.video.describe()} has no frame rate (manifest or container)")
    pending = [0]

    def on_frame() -> None:
        pending[0] += 1
        if pending[0] == 16:
            progress(pending[0])
            pending[0] = 0

    frames = prefetch(iter_frames(item.video, settings.max_frames))
    keypoints = extract_frames(
        frames, float(fps), models, on_frame=on_frame, pose_every=settings.pose_every
    )
    progress(pending[0])
    return keypoints


def process_item(
    item: WorkItem, settings: ExtractSettings, models: ModelBuffers | None, progress: Progress
) -> Sample | Failure:
    """One recording's sample, or a failure with the reason (the batch goes on)."""
    if item.problem is not None:
        return Failure(item.key, item.problem)
    try:
        if settings.source == "keypoints":
            if item.keypoints_file is None:
                return Failure(item.key, NO_KEYPOINTS_LOCATION)
            keypoints = load_reference_keypoints(item.keypoints_file, settings.face)
            if settings.max_frames is not None:
                keypoints = keypoints[: settings.max_frames]
            progress(len(keypoints))
        else:
            keypoints = _video_keypoints(item, settings, models, progress)
    except (VideoError, KeypointFileError) as error:
        log.warning("%s: %s", item.key, error)
        return Failure(item.key, str(error))
    keypoints = keypoints.astype(np.float16, copy=False)
    if bad := first_infinite(keypoints):
        where = item.keypoints_file if settings.source == "keypoints" else item.video.describe()
        return Failure(item.key, f"{where}: keypoint {bad} is infinite or beyond float16")
    meta = dict(item.meta, num_frames=int(keypoints.shape[0]))
    if meta.get("fps") is None and settings.source == "video":
        meta["fps"] = video_fps(item.video)
    return Sample(item.key, keypoints, meta)


def run_shard_job(
    shards_dir: str | Path,
    job: ShardJob,
    settings: ExtractSettings,
    progress: Progress | None = None,
) -> ShardEntry:
    """Extract every recording of ``job`` and write its shard; return the index entry."""
    models = ModelBuffers.load(settings.face) if settings.source == "video" else None
    report = progress or (lambda frames: None)

    def results() -> Iterator[Sample | Failure]:
        for item in job.items:
            yield process_item(item, settings, models, report)

    return write_shard(shards_dir, job.plan, results())
