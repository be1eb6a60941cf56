"""The 543-point keypoint layout of the reference ASL STEM Wiki code.

The order is MediaPipe Holistic's as the reference code stacks it, so reference ``(T, 543, 2)``
files load unchanged: pose 0-32, right hand 33-53, left hand 54-74, face 75-542. Right and left
are the signer's own sides.
"""

from __future__ import annotations

NUM_POSE = 33
NUM_HAND = 21
NUM_FACE = 468

POSE = slice(0, NUM_POSE)
RIGHT_HAND = slice(NUM_POSE, NUM_POSE + NUM_HAND)
LEFT_HAND = slice(NUM_POSE + NUM_HAND, NUM_POSE + 2 * NUM_HAND)
FACE = slice(NUM_POSE + 2 * NUM_HAND, NUM_POSE + 2 * NUM_HAND + NUM_FACE)

NUM_POINTS = NUM_POSE + 2 * NUM_HAND + NUM_FACE  # 543
NUM_BODY_POINTS = NUM_POSE + 2 * NUM_HAND  # 75: what models use by default

COMPONENTS: dict[str, slice] = {
    "pose": POSE,
    "right_hand": RIGHT_HAND,
    "left_hand": LEFT_HAND,
    "face": FACE,
}

# MediaPipe's 33 pose landmarks, in its order.
POSE_NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
    "right_heel", "left_foot_index", "right_foot_index",
)  # fmt: skip
LAYOUT_NAME = "asl-stem-holistic-543"
LAYOUT_VERSION = 1

# MediaPipe pose landmark indices (within the pose component) that the toolkit uses by name.
POSE_POINTS: dict[str, int] = {name: index for index, name in enumerate(POSE_NAMES)}

# MediaPipe hand landmark indices (within a hand component).
HAND_POINTS: dict[str, int] = {
    "wrist": 0,
    "thumb_cmc": 1,
    "thumb_mcp": 2,
    "thumb_ip": 3,
    "thumb_tip": 4,
    "index_mcp": 5,
    "index_pip": 6,
    "index_dip": 7,
    "index_tip": 8,
    "middle_mcp": 9,
    "middle_pip": 10,
    "middle_dip": 11,
    "middle_tip": 12,
    "ring_mcp": 13,
    "ring_pip": 14,
    "ring_dip": 15,
    "ring_tip": 16,
    "pinky_mcp": 17,
    "pinky_pip": 18,
    "pinky_dip": 19,
    "pinky_tip": 20,
}

# Bones of one hand (MediaPipe's hand connections), used by renderers and joint-angle features.
HAND_BONES: tuple[tuple[int, int], ...] = (
    (0, 1), (1, 2), (2, 3), (3, 4),
    (0, 5), (5, 6), (6, 7), (7, 8),
    (5, 9), (9, 10), (10, 11), (11, 12),
    (9, 13), (13, 14), (14, 15), (15, 16),
    (13, 17), (0, 17), (17, 18), (18, 19), (19, 20),
)  # fmt: skip

# Upper-body bones of the pose component.
POSE_BONES: tuple[tuple[int, int], ...] = (
    (11, 12), (11, 13), (13, 15), (12, 14), (14, 16),
    (11, 23), (12, 24), (23, 24),
    (0, 2), (0, 5), (2, 7), (5, 8), (9, 10),
)  # fmt: skip


def pose_index(name: str) -> int:
    """Index in the 543 layout of a pose landmark, looked up by name."""
    return POSE.start + POSE_POINTS[name]


def hand_index(side: str, name: str) -> int:
    """Index in the 543 layout of a hand landmark; ``side`` is ``"right"`` or ``"left"``."""
    component = RIGHT_HAND if side == "right" else LEFT_HAND
    return component.start + HAND_POINTS[name]


def point_names(num_points: int = NUM_POINTS) -> list[str]:
    """``component.point`` names of the first ``num_points`` points (75 or 543), in order."""
    hand = sorted(HAND_POINTS, key=HAND_POINTS.__getitem__)
    names = [f"pose.{name}" for name in POSE_NAMES]
    names += [f"right_hand.{name}" for name in hand] + [f"left_hand.{name}" for name in hand]
    names += [f"face.{number}" for number in range(NUM_FACE)]
    if num_points not in (NUM_BODY_POINTS, NUM_POINTS):
        raise ValueError(
            f"the layout has {NUM_BODY_POINTS} or {NUM_POINTS} points, not {num_points}"
        )
    return names[:num_points]
