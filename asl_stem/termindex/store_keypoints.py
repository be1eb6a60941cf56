"""Put each recording's playback keypoints into the index, from shards or reference files."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from asl_stem.termindex.keypoints import from_reference_npy, iter_shard_keypoints, make_payload

log = logging.getLogger(__name__)


def store_keypoints(
    connection: sqlite3.Connection,
    recordings: dict[str, Any],
    shards_dir: str | Path | None,
    keypoints_dir: str | Path | None,
    max_fps: float,
    report: Any,
) -> None:
    """Insert a payload per recording found; count those without keypoints in ``report``."""
    if shards_dir is not None:
        source: Iterator[tuple[str, np.ndarray, float]] = iter_shard_keypoints(Path(shards_dir))
    else:
        source = _iter_reference_files(recordings, keypoints_dir, report)
    stored: set[str] = set()
    for recording_id, keypoints, fps in tqdm(source, desc="index: keypoints", unit="recording"):
        recording = recordings.get(recording_id)
        if recording is None or recording_id in stored:
            continue
        payload = make_payload(keypoints, fps or recording.fps or 30.0, max_fps)
        connection.execute(
            "INSERT INTO keypoints VALUES (?, ?, ?, ?, ?)",
            (recording_id, payload.fps, payload.stride, payload.num_frames, payload.to_blob()),
        )
        if not recording.num_frames:
            connection.execute(
                "UPDATE recordings SET num_frames = ?, fps = ? WHERE id = ?",
                (payload.num_frames, payload.fps, recording_id),
            )
        stored.add(recording_id)
    report.recordings_with_keypoints = len(stored)
    report.recordings_without_keypoints = len(recordings) - len(stored)
    if recordings and not stored:
        log.warning(
            "no keypoints found for any recording: clips will not play. Pass --shards DIR "
            "(asl-stem extract output) or --keypoints DIR (reference <recording id>.npy files)"
        )


def _iter_reference_files(
    recordings: dict[str, Any], keypoints_dir: str | Path | None, report: Any
) -> Iterator[tuple[str, np.ndarray, float]]:
    """Reference ``(T, 543, 2)`` files from ``keypoints_dir`` or beside each release's videos."""
    for recording in recordings.values():
        path = _reference_path(recording, keypoints_dir)
        if path is None:
            continue
        try:
            yield recording.id, from_reference_npy(path), recording.fps or 30.0
        except (OSError, ValueError) as error:
            report.problems.append(f"{path}: unreadable keypoints ({error}); clip left out")


def _reference_path(recording: Any, keypoints_dir: str | Path | None) -> Path | None:
    """``<keypoints_dir>/<id>.npy``, else ``<release>/keypoints/<id>.npy`` beside ``videos/``."""
    folders = [Path(keypoints_dir)] if keypoints_dir is not None else []
    if recording.path:
        folders.append(Path(recording.path).parent.parent / "keypoints")
    for folder in folders:
        candidate = folder / f"{recording.id}.npy"
        if candidate.is_file():
            return candidate
    return None


def fill_frame_counts(
    recordings: dict[str, Any], keypoints_dir: str | Path | None
) -> dict[str, Any]:
    """Recordings with ``num_frames`` taken from their reference keypoint file where unprobed.

    Signed-clip windows need a frame count; a recording ingested without probing has none, but
    its keypoint file knows (read as a memory map: only the header is touched).
    """
    out = dict(recordings)
    for recording_id, recording in recordings.items():
        if recording.num_frames:
            continue
        path = _reference_path(recording, keypoints_dir)
        if path is not None:
            try:
                frames = int(np.load(path, mmap_mode="r", allow_pickle=False).shape[0])
            except (OSError, ValueError):
                continue  # reported when the keypoints themselves are read
            out[recording_id] = recording.replace(num_frames=frames)
    return out
