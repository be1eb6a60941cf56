"""MediaPipe Holistic landmarks stored as one column per point and axis, in our layout.

Corpora made with MediaPipe Holistic (the public fingerspelling and isolated-sign
competitions, among others) store a frame as columns ``x_<component>_<k>``, ``y_...``,
``z_...`` for ``face`` (468), ``left_hand`` (21), ``pose`` (33) and ``right_hand`` (21), NaN
where a part was not found. Our layout (:mod:`asl_stem.layout`) is pose 0-32, right hand
33-53, left hand 54-74, face 75-542, right and left being the signer's.

Which way the labels map: Holistic finds each hand from the pose's wrist of that name (the
left hand from pose point 15, the left wrist) and MediaPipe Pose names points from the
person's own side on unmirrored video. So ``left_hand`` is the signer's left and maps to our
left hand, ``right_hand`` to our right; pose points keep their numbers. (MediaPipe Hands'
handedness label is the one that assumes a mirrored image; Holistic's does not use it.)
:func:`hands_match_pose` measures this on the data: the share of frames where each hand's
wrist is nearer the pose wrist of its own name.
"""

from __future__ import annotations

import numpy as np

from asl_stem.layout import (
    FACE,
    LEFT_HAND,
    NUM_BODY_POINTS,
    NUM_POINTS,
    POSE,
    RIGHT_HAND,
    hand_index,
    pose_index,
)

# (column component name, where its points go in our layout)
COMPONENTS: tuple[tuple[str, slice], ...] = (
    ("pose", POSE),
    ("right_hand", RIGHT_HAND),
    ("left_hand", LEFT_HAND),
    ("face", FACE),
)
AXES = "xyz"


def point_columns(face: bool) -> list[list[str]]:
    """For each point of our layout (75, or 543 with the face), its x, y, z column names."""
    count = NUM_POINTS if face else NUM_BODY_POINTS
    names: list[list[str]] = [[] for _ in range(count)]
    for component, part in COMPONENTS:
        if part.start >= count:
            continue
        for k in range(part.stop - part.start):
            names[part.start + k] = [f"{axis}_{component}_{k}" for axis in AXES]
    return names


def column_names(face: bool) -> list[str]:
    """Every landmark column the layout needs."""
    return [name for point in point_columns(face) for name in point]


def to_layout(columns: dict[str, np.ndarray], face: bool) -> np.ndarray:
    """(rows, P, 3) float32 keypoints from equal-length columns by name; NaN stays NaN."""
    names = point_columns(face)
    rows = len(next(iter(columns.values()))) if columns else 0
    out = np.empty((rows, len(names), 3), dtype=np.float32)
    for point, axes in enumerate(names):
        for axis, name in enumerate(axes):
            out[:, point, axis] = columns[name]
    return out


def hands_match_pose(keypoints: np.ndarray) -> tuple[int, int]:
    """(frames where a hand's wrist is nearer its own-named pose wrist, frames checked)."""
    pose = {side: keypoints[:, pose_index(f"{side}_wrist"), :2] for side in ("right", "left")}
    agree = checked = 0
    for side, other in (("right", "left"), ("left", "right")):
        wrist = keypoints[:, hand_index(side, "wrist"), :2]
        own = np.linalg.norm(wrist - pose[side], axis=1)
        opposite = np.linalg.norm(wrist - pose[other], axis=1)
        seen = ~(np.isnan(own) | np.isnan(opposite))
        agree += int(np.sum(own[seen] <= opposite[seen]))
        checked += int(seen.sum())
    return agree, checked
