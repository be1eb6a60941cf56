"""Assigning detected hands to the signer's right and left by wrist distance to the pose.

MediaPipe's handedness label assumes a mirrored (selfie) image and flips on hard frames, so we
never use it. Each hand goes to the side whose pose wrist is nearest its own wrist; with two
hands, the pairing with the smaller total distance wins, and a hand that lands nearer the
other side's wrist than its own is dropped (None): on real video that is the hand landmarker
finding the same hand twice. Without a pose, the hand further left in the image is the
signer's right (the signer faces the camera).
"""

from __future__ import annotations

import numpy as np

from asl_stem.layout import pose_index

Side = str | None  # "right" or "left" (the signer's); None: a duplicate, dropped


def assign_hands(hand_wrists: np.ndarray, pose: np.ndarray | None) -> list[Side]:
    """Side for each detected hand.

    Parameters
    ----------
    hand_wrists : (H, 2) x, y of each detected hand's wrist, H in 0..2.
    pose : (33, >=2) pose landmarks, or None / NaN when no pose was found.
    """
    count = len(hand_wrists)
    if count == 0:
        return []
    if count > 2:
        raise ValueError(f"expected at most 2 hands, got {count}")
    wrists = (
        None if pose is None else pose[[pose_index("right_wrist"), pose_index("left_wrist")], :2]
    )
    if wrists is None or np.isnan(wrists).any():
        return _by_image_position(hand_wrists)
    distance = np.linalg.norm(hand_wrists[:, None, :2] - wrists[None, :, :], axis=-1)  # (H, 2)
    if count == 1:
        return ["right" if distance[0, 0] <= distance[0, 1] else "left"]
    straight = distance[0, 0] + distance[1, 1]
    crossed = distance[0, 1] + distance[1, 0]
    sides = [0, 1] if straight <= crossed else [1, 0]  # pose wrist column per hand
    names = ("right", "left")
    return [
        names[own] if distance[hand, own] <= distance[hand, 1 - own] else None
        for hand, own in enumerate(sides)
    ]


def _by_image_position(hand_wrists: np.ndarray) -> list[Side]:
    """Fallback without a pose: image-left is the signer's right."""
    if len(hand_wrists) == 1:
        return ["right" if hand_wrists[0, 0] < 0.5 else "left"]
    return ["right", "left"] if hand_wrists[0, 0] <= hand_wrists[1, 0] else ["left", "right"]
