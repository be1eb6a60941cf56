"""Exporting a recording's keypoints for other tools: pose-format ``.pose`` and reference ``.npy``.

``.pose`` follows pose-format's MediaPipe Holistic convention (what its ``video_to_pose``
writes): components ``POSE_LANDMARKS``, ``FACE_LANDMARKS``, ``LEFT_HAND_LANDMARKS``,
``RIGHT_HAND_LANDMARKS`` in that order, format XYZC, x and y in pixels of the video's size, z as
MediaPipe gives it, confidence 1 where found and 0 (masked) where missing. We compute no world
landmarks, so ``POSE_WORLD_LANDMARKS`` is left out. Without ``--face`` at extraction the face
is all masked.

``.npy`` is the reference code's ``(T, 543, 2)`` float64 of normalised x, y in our layout
order, with zeros where a point is missing, as the reference fills absent parts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from asl_stem.atomic import atomic_path
from asl_stem.layout import (
    COMPONENTS,
    HAND_BONES,
    HAND_POINTS,
    NUM_FACE,
    NUM_POINTS,
    POSE_BONES,
    POSE_NAMES,
)
from asl_stem.shards.reader import read_sample
from asl_stem.shards.sample import to_training

POSE_FORMAT_VERSION = 0.2
# pose-format component -> our layout component, in pose-format's holistic order.
POSE_FORMAT_COMPONENTS = (
    ("POSE_LANDMARKS", "pose"),
    ("FACE_LANDMARKS", "face"),
    ("LEFT_HAND_LANDMARKS", "left_hand"),
    ("RIGHT_HAND_LANDMARKS", "right_hand"),
)


def full_layout(keypoints: np.ndarray) -> np.ndarray:
    """float32 ``(T, 543, 3)``: stored 75-point arrays get an all-NaN face."""
    out = np.full((keypoints.shape[0], NUM_POINTS, 3), np.nan, dtype=np.float32)
    out[:, : keypoints.shape[1]] = keypoints
    return out


def to_reference_npy(keypoints: np.ndarray) -> np.ndarray:
    """The reference ``(T, 543, 2)`` float64, zeros where missing."""
    values, is_valid = to_training(full_layout(keypoints))
    return np.where(is_valid[..., None], values[..., :2], 0.0).astype(np.float64)


def _header(width: int, height: int) -> Any:
    from pose_format.pose_header import PoseHeader, PoseHeaderComponent, PoseHeaderDimensions

    hand_names = [name.upper() for name in sorted(HAND_POINTS, key=HAND_POINTS.get)]
    names = {
        "pose": ([name.upper() for name in POSE_NAMES], list(POSE_BONES)),
        "face": ([str(n) for n in range(NUM_FACE)], []),
        "left_hand": (hand_names, list(HAND_BONES)),
        "right_hand": (hand_names, list(HAND_BONES)),
    }
    components = [
        PoseHeaderComponent(name, names[ours][0], names[ours][1], [(255, 0, 0)], "XYZC")
        for name, ours in POSE_FORMAT_COMPONENTS
    ]
    return PoseHeader(POSE_FORMAT_VERSION, PoseHeaderDimensions(width, height, 0), components)


def to_pose(keypoints: np.ndarray, fps: float, width: int, height: int) -> Any:
    """A ``pose_format.Pose``: (T, 1, 543, 3) pixels in pose-format's holistic order."""
    from pose_format import Pose
    from pose_format.numpy import NumPyPoseBody

    full = full_layout(keypoints)
    order = np.concatenate(
        [
            np.arange(COMPONENTS[ours].start, COMPONENTS[ours].stop)
            for _, ours in POSE_FORMAT_COMPONENTS
        ]
    )
    values, is_valid = to_training(full[:, order])
    values[..., 0] *= width
    values[..., 1] *= height
    confidence = is_valid.astype(np.float32)[:, None]
    mask = np.repeat(~is_valid[:, None, :, None], 3, axis=-1)
    data = np.ma.masked_array(values[:, None], mask=mask)
    return Pose(_header(width, height), NumPyPoseBody(fps, data, confidence))


def export_recording(source: str | Path, recording_id: str, out: str | Path) -> Path:
    """Write one recording as ``.pose`` or ``.npy`` (chosen by ``out``'s suffix), atomically."""
    out = Path(out)
    if out.suffix not in (".pose", ".npy"):
        raise ValueError(f"{out}: the output must end in .pose or .npy")
    sample = read_sample(source, recording_id)
    keypoints = np.where(sample["is_valid"][..., None], sample["keypoints"], np.nan)
    with atomic_path(out) as tmp:
        if out.suffix == ".npy":
            with open(tmp, "wb") as handle:
                np.save(handle, to_reference_npy(keypoints), allow_pickle=False)
        else:
            meta = sample["meta"]
            pose = to_pose(
                keypoints, float(meta["fps"]), meta.get("width") or 1, meta.get("height") or 1
            )
            with open(tmp, "wb") as handle:
                pose.write(handle)
    return out
