"""Tiny keypoint recordings with known fingerspelled spans, written as real shards.

The toy signer keeps the forearm still and changes handshape every few frames while
fingerspelling, and swings an open hand around otherwise, so a detector (and the heuristic)
can learn the difference from a handful of recordings.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from asl_stem.layout import LEFT_HAND, RIGHT_HAND, pose_index
from asl_stem.shards.catalog import KeypointHeader, ShardCatalog, write_catalog
from asl_stem.shards.writer import Sample, plan_shards, write_shard

FINGER_BASES = (1, 5, 9, 13, 17)
FINGER_DIRECTIONS = np.deg2rad([-150, -105, -90, -75, -60])


def hand_points(wrist: np.ndarray, bends: np.ndarray, size: float = 0.05) -> np.ndarray:
    """(21, 2) hand: each finger a chain of 4 bones bent by ``bends`` (5, 3) radians."""
    points = np.zeros((21, 2))
    points[0] = wrist
    for finger, (base, direction) in enumerate(zip(FINGER_BASES, FINGER_DIRECTIONS, strict=True)):
        position, angle = wrist.copy(), direction
        for bone in range(4):
            if bone > 0:
                angle += bends[finger, bone - 1]
            position = position + size * np.array([np.cos(angle), np.sin(angle)]) * (
                1.0 if bone == 0 else 0.4
            )
            points[base + bone] = position
    return points


def toy_recording(
    rng: np.random.Generator, frames: int, spans: list[tuple[int, int]]
) -> np.ndarray:
    """float16 (T, 75, 3) with NaN where missing; fingerspelling inside the inclusive spans."""
    data = np.full((frames, 75, 3), np.nan)
    spelling = np.zeros(frames, dtype=bool)
    for start, end in spans:
        spelling[start : end + 1] = True
    body = {"left_shoulder": (0.6, 0.5), "right_shoulder": (0.4, 0.5), "nose": (0.5, 0.3),
            "left_elbow": (0.65, 0.7), "left_wrist": (0.62, 0.85)}  # fmt: skip
    shape = rng.uniform(0, 1.2, size=(5, 3))
    for t in range(frames):
        for name, xy in body.items():
            data[t, pose_index(name), :2] = np.asarray(xy) + rng.normal(0, 0.002, 2)
        if spelling[t]:
            if t % 6 == 0:
                shape = rng.uniform(0, 1.4, size=(5, 3))
            wrist = np.array([0.38, 0.45]) + rng.normal(0, 0.003, 2)
            bends = shape
        else:
            wrist = np.array([0.45 + 0.12 * np.sin(t / 4), 0.55 + 0.1 * np.cos(t / 5)])
            bends = np.full((5, 3), 0.1)
        elbow = np.array([0.35, 0.7])
        data[t, pose_index("right_elbow"), :2] = elbow
        data[t, pose_index("right_wrist"), :2] = wrist
        data[t, RIGHT_HAND, :2] = hand_points(wrist, bends) + rng.normal(0, 0.001, (21, 2))
        if rng.random() < 0.05:
            data[t, RIGHT_HAND] = np.nan  # the tracker loses the hand now and then
        data[t, pose_index("right_elbow"), :2] += rng.normal(0, 0.002, 2)
    data[..., 2] = np.where(np.isnan(data[..., 0]), np.nan, 0.0)
    data[:, LEFT_HAND] = np.nan
    return data.astype(np.float16)


def toy_spans(rng: np.random.Generator, frames: int) -> list[tuple[int, int]]:
    """One or two non-overlapping inclusive spans of 20-40 frames."""
    spans, start = [], int(rng.integers(10, 30))
    while start + 40 < frames - 10 and len(spans) < 2:
        end = start + int(rng.integers(20, 40))
        spans.append((start, end))
        start = end + int(rng.integers(25, 50))
    return spans


def make_toy_shards(
    folder: Path,
    count: int = 8,
    frames: int = 150,
    shard_size: int = 2,
    seed: int = 0,
    articles: tuple[str, ...] = ("Alpha", "Beta"),
) -> dict[str, list[tuple[int, int]]]:
    """Write ``count`` toy recordings with the real shard writer; return their true spans."""
    rng = np.random.default_rng(seed)
    ids = [f"toy-{n:03d}" for n in range(count)]
    truths, samples = {}, {}
    for number, key in enumerate(ids):
        spans = toy_spans(rng, frames)
        truths[key] = spans
        meta = {
            "recording_id": key,
            "fps": 30.0,
            "num_frames": frames,
            "article": articles[number % len(articles)],
            "spans": [{"start_frame": s, "end_frame": e, "text": "abc"} for s, e in spans],
        }
        samples[key] = Sample(key, toy_recording(rng, frames, spans), meta)
    plans = plan_shards(ids, shard_size)
    entries = [write_shard(folder, p, [samples[k] for k in p.recording_ids]) for p in plans]
    write_catalog(folder, ShardCatalog({"source": "toy"}, len(plans), entries, KeypointHeader(75)))
    return truths
