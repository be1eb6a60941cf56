"""Where to look for each hand (a box around the pose's hand), and which side a found hand is.

Hands are searched in a square box around each of the pose's hands, as legacy Holistic does:
a hand the pose puts outside the frame is not searched at all, and a landmarker that follows
the box keeps MediaPipe's own tracking working, so its palm detector runs only after the hand
was lost instead of on every frame.

MediaPipe's handedness label assumes a mirrored (selfie) image and flips on hard frames, so we
never use it. Each hand goes to the side whose pose wrist is nearest its own wrist; with two
hands, the pairing with the smaller total distance wins, and a hand that lands nearer the
other side's wrist than its own is dropped (None): both boxes found the same hand.
"""

from __future__ import annotations

import numpy as np

from asl_stem.extract.crops import Crop, square_crop
from asl_stem.layout import pose_index

Side = str | None  # "right" or "left" (the signer's); None: a duplicate, dropped
SIDES = ("right", "left")
CROP_SCALE = 2.0  # box side / body scale (see hand_crop)
KNUCKLES_TO_SCALE = 4.0  # wrist-to-knuckles distance × this ≈ shoulder width, for a side view
MIN_SIDE_PX = 32


def hand_crop(pose: np.ndarray, side: str, width: int, height: int) -> Crop | None:
    """The box to search ``side``'s hand in; None when the pose puts that hand off the frame.

    Centred on the pose's index and pinky knuckles; its side is ``CROP_SCALE`` times the body
    scale, the larger of the shoulder width and ``KNUCKLES_TO_SCALE`` × the wrist-to-knuckles
    distance (whichever the pose foreshortens less).
    """
    pixels = pose[:, :2] * np.array([width, height])
    wrist = pixels[pose_index(f"{side}_wrist")]
    knuckles = (pixels[pose_index(f"{side}_index")] + pixels[pose_index(f"{side}_pinky")]) / 2
    shoulders = pixels[pose_index("left_shoulder")] - pixels[pose_index("right_shoulder")]
    if np.isnan(knuckles).any() or np.isnan(shoulders).any():
        return None
    if not (0 <= knuckles[0] < width and 0 <= knuckles[1] < height):
        return None
    scale = max(
        float(np.linalg.norm(shoulders)), KNUCKLES_TO_SCALE * np.linalg.norm(knuckles - wrist)
    )
    return square_crop(knuckles, max(CROP_SCALE * scale, MIN_SIDE_PX), width, height)


def assign_hands(hand_wrists: np.ndarray, pose: np.ndarray) -> list[Side]:
    """Side for each detected hand.

    Parameters
    ----------
    hand_wrists : (H, 2) x, y of each detected hand's wrist, H in 0..2.
    pose : (33, >=2) pose landmarks of the same frame.
    """
    count = len(hand_wrists)
    if count == 0:
        return []
    if count > 2:
        raise ValueError(f"expected at most 2 hands, got {count}")
    wrists = pose[[pose_index("right_wrist"), pose_index("left_wrist")], :2]
    distance = np.linalg.norm(hand_wrists[:, None, :2] - wrists[None, :, :], axis=-1)  # (H, 2)
    if count == 1:
        return ["right" if distance[0, 0] <= distance[0, 1] else "left"]
    straight = distance[0, 0] + distance[1, 1]
    crossed = distance[0, 1] + distance[1, 0]
    sides = [0, 1] if straight <= crossed else [1, 0]  # pose wrist column per hand
    return [
        SIDES[own] if distance[hand, own] <= distance[hand, 1 - own] else None
        for hand, own in enumerate(sides)
    ]
