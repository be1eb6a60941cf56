"""Per-frame model inputs from keypoints, normalised per signer, with masks for missing points.

Signers differ in size and in where they stand in the frame; fingerspelling differs from other
signing mostly in the handshape and in a still forearm. So the body is centred on the shoulders
and scaled by shoulder width (medians over the recording: one signer per recording), and each
hand is expressed relative to its own wrist and palm size, which makes the handshape independent
of where the hand is. Missing points become 0 with a validity channel beside them, never a
made-up point; velocities are valid only where both frames are.
"""

from __future__ import annotations

import numpy as np

from asl_stem.layout import HAND_POINTS, LEFT_HAND, NUM_HAND, RIGHT_HAND, pose_index

# Upper-body pose points (the legs, 25-32, are rarely in frame and say nothing about the hands).
POSE_UPPER = slice(0, 25)
NUM_POSE_UPPER = POSE_UPPER.stop - POSE_UPPER.start
HANDS = (RIGHT_HAND, LEFT_HAND)

# Joints whose bend angle defines the handshape: (previous, joint, next) along each finger.
FINGER_CHAINS: tuple[tuple[int, ...], ...] = (
    (0, 1, 2, 3, 4),
    (0, 5, 6, 7, 8),
    (0, 9, 10, 11, 12),
    (0, 13, 14, 15, 16),
    (0, 17, 18, 19, 20),
)
JOINTS: tuple[tuple[int, int, int], ...] = tuple(
    (chain[i - 1], chain[i], chain[i + 1]) for chain in FINGER_CHAINS for i in range(1, 4)
)
NUM_ANGLES = len(JOINTS)  # 15 per hand

STATIC_DIM = 2 * NUM_POSE_UPPER + 2 * (2 * NUM_HAND) + 2 * 2 + 2 * NUM_ANGLES
MASK_DIM = NUM_POSE_UPPER + 2
FEATURE_DIM = 2 * STATIC_DIM + MASK_DIM  # static values, their velocities, validity flags
CLIP = 10.0  # bounds normalised values so one bad detection cannot dominate a batch
MIN_SCALE = 1e-3


def compute_features(keypoints: np.ndarray, is_valid: np.ndarray) -> np.ndarray:
    """Model inputs for one recording.

    Parameters
    ----------
    keypoints : (T, P, 3) float32, P >= 75, missing points hold any value (ignored)
    is_valid : (T, P) bool

    Returns
    -------
    (T, FEATURE_DIM) float32, finite everywhere.
    """
    xy = keypoints[:, :, :2].astype(np.float32)
    valid = is_valid.astype(bool)
    centre, scale = body_frame(xy, valid)
    pose = (xy[:, POSE_UPPER] - centre) / scale
    pose_valid = valid[:, POSE_UPPER]
    parts, part_valid = [pose], [pose_valid]
    hand_valid = []
    locals_, globals_, angles = [], [], []
    for component in HANDS:
        hand = xy[:, component]
        present = valid[:, component].all(axis=1)
        hand_valid.append(present)
        local, wrist = hand_local(hand)
        locals_.append(local)
        globals_.append((wrist - centre) / scale)
        angles.append(joint_angles(hand))
    for local, present in zip(locals_, hand_valid, strict=True):
        parts.append(local)
        part_valid.append(np.repeat(present[:, None], NUM_HAND, axis=1))
    for wrist, present in zip(globals_, hand_valid, strict=True):
        parts.append(wrist[:, None, :])
        part_valid.append(present[:, None])
    points = np.concatenate(parts, axis=1)  # (T, N, 2)
    point_valid = np.concatenate(part_valid, axis=1)  # (T, N)
    points = np.where(point_valid[..., None], points, 0.0)
    static = points.reshape(len(points), -1)
    static_valid = np.repeat(point_valid, 2, axis=1)
    angle_values = np.concatenate(angles, axis=1)
    angle_valid = np.concatenate([np.repeat(p[:, None], NUM_ANGLES, axis=1) for p in hand_valid], 1)
    static = np.concatenate([static, np.where(angle_valid, angle_values, 0.0)], axis=1)
    static_valid = np.concatenate([static_valid, angle_valid], axis=1)
    velocity = _velocity(static, static_valid)
    masks = np.concatenate([pose_valid, np.stack(hand_valid, axis=1)], axis=1)
    features = np.concatenate([static, velocity, masks.astype(np.float32)], axis=1)
    return np.clip(np.nan_to_num(features, nan=0.0), -CLIP, CLIP).astype(np.float32)


def handshape_columns() -> np.ndarray:
    """(FEATURE_DIM,) bool: the columns describing handshapes (hand points relative to the
    wrist and joint angles, values and velocities), which masked modelling can hide."""
    static = np.zeros(STATIC_DIM, dtype=bool)
    pose_end = 2 * NUM_POSE_UPPER
    static[pose_end : pose_end + 2 * 2 * NUM_HAND] = True  # both hands' local points
    static[STATIC_DIM - 2 * NUM_ANGLES :] = True  # both hands' joint angles
    return np.concatenate([static, static, np.zeros(MASK_DIM, dtype=bool)])


def body_frame(xy: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, float]:
    """Shoulder midpoint and shoulder width, medians over the frames where both are seen.

    Falls back to the centre of all valid points and a scale of 0.25 (a typical shoulder width
    in normalised image coordinates) when no frame shows both shoulders.
    """
    left, right = pose_index("left_shoulder"), pose_index("right_shoulder")
    both = valid[:, left] & valid[:, right]
    if both.any():
        mid = (xy[both, left] + xy[both, right]) / 2
        width = np.linalg.norm(xy[both, left] - xy[both, right], axis=-1)
        return np.median(mid, axis=0), max(float(np.median(width)), MIN_SCALE)
    if valid.any():
        return xy[valid].mean(axis=0), 0.25
    return np.array([0.5, 0.5], dtype=np.float32), 0.25


def hand_local(hand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hand points relative to the wrist, in units of palm size (wrist to middle-finger base).

    hand : (T, 21, 2). Returns local (T, 21, 2) and the wrist (T, 2).
    """
    wrist = hand[:, HAND_POINTS["wrist"]]
    palm = np.linalg.norm(hand[:, HAND_POINTS["middle_mcp"]] - wrist, axis=-1)
    palm = np.maximum(palm, MIN_SCALE)
    return (hand - wrist[:, None]) / palm[:, None, None], wrist


def joint_angles(hand: np.ndarray) -> np.ndarray:
    """Cosine of the bend at each finger joint, (T, 15): the handshape, free of position/size."""
    prev = hand[:, [j[0] for j in JOINTS]] - hand[:, [j[1] for j in JOINTS]]
    nxt = hand[:, [j[2] for j in JOINTS]] - hand[:, [j[1] for j in JOINTS]]
    norms = np.linalg.norm(prev, axis=-1) * np.linalg.norm(nxt, axis=-1)
    return (prev * nxt).sum(-1) / np.maximum(norms, MIN_SCALE**2)


def _velocity(values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Frame-to-frame differences, 0 at the first frame and wherever either frame is missing."""
    velocity = np.zeros_like(values)
    velocity[1:] = values[1:] - values[:-1]
    both = np.zeros_like(valid)
    both[1:] = valid[1:] & valid[:-1]
    return np.where(both, velocity, 0.0)


def frame_labels(spans: list[dict], num_frames: int) -> np.ndarray:
    """(T,) float32 with 1 inside each inclusive span ``{"start_frame", "end_frame"}``."""
    labels = np.zeros(num_frames, dtype=np.float32)
    for span in spans:
        start, end = int(span["start_frame"]), int(span["end_frame"])
        labels[max(start, 0) : min(end + 1, num_frames)] = 1.0
    return labels
