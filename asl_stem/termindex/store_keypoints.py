"""Put each recording's playback keypoints into the index, from shards or reference files.

Both sources are streamed one recording at a time (shards in tar order, reference files in
recording order), so memory stays that of one recording's keypoints.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from asl_stem.problems import Problem
from asl_stem.termindex.keypoints import from_reference_npy, iter_shard_keypoints, make_payload

log = logging.getLogger(__name__)


def store_keypoints(
    connection: sqlite3.Connection,
    shards_dir: str | Path | None,
    keypoints_dir: str | Path | None,
    max_fps: float,
    problems: list[Problem],
) -> tuple[int, int]:
    """Insert a payload per recording found; return (bytes of payloads, source frames)."""
    if shards_dir is not None:
        source: Iterator[tuple[str, np.ndarray, float]] = iter_shard_keypoints(Path(shards_dir))
    else:
        source = _iter_reference_files(connection, keypoints_dir, problems)
    total_bytes = total_frames = 0
    for recording_id, keypoints, fps in tqdm(source, desc="index: keypoints", unit="recording"):
        row = connection.execute(
            "SELECT fps, num_frames FROM recordings WHERE id = ?", (recording_id,)
        ).fetchone()
        if row is None:
            continue
        try:
            payload = make_payload(keypoints, fps or row[0] or 30.0, max_fps)
        except ValueError as error:
            problems.append(
                Problem(recording_id, None, f"keypoints left out: {error}", "keypoints")
            )
            continue
        blob = payload.to_blob()
        etag = hashlib.sha256(blob).hexdigest()[:20]
        inserted = connection.execute(
            "INSERT OR IGNORE INTO keypoints VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                recording_id, payload.fps, payload.stride, payload.num_frames,
                ",".join(f"{v:.6g}" for v in payload.box), etag, blob,
            ),
        ).rowcount  # fmt: skip
        if not inserted:
            continue
        total_bytes += len(blob)
        total_frames += payload.num_frames
        if not row[1]:
            connection.execute(
                "UPDATE recordings SET num_frames = ?, fps = ? WHERE id = ?",
                (payload.num_frames, payload.fps, recording_id),
            )
    stored = connection.execute("SELECT COUNT(*) FROM keypoints").fetchone()[0]
    if not stored and connection.execute("SELECT COUNT(*) FROM recordings").fetchone()[0]:
        log.warning(
            "no keypoints found for any recording: skeleton clips will not play. Pass --shards "
            "DIR (asl-stem extract output) or --keypoints DIR (reference <recording id>.npy files)"
        )
    return total_bytes, total_frames


def _iter_reference_files(
    connection: sqlite3.Connection, keypoints_dir: str | Path | None, problems: list[Problem]
) -> Iterator[tuple[str, np.ndarray, float]]:
    """Reference ``(T, 543, 2)`` files from ``keypoints_dir`` or beside each release's videos."""
    for recording_id, fps, source_path in _pages(connection):
        path = reference_path(recording_id, source_path, keypoints_dir)
        if path is None:
            continue
        try:
            yield recording_id, from_reference_npy(path), fps or 30.0
        except (OSError, ValueError) as error:
            problems.append(
                Problem(
                    str(path), None, f"unreadable keypoints ({error}); clip left out", "keypoints"
                )
            )


def _pages(connection: sqlite3.Connection, size: int = 500) -> Iterator[tuple[Any, ...]]:
    """Rows of ``temp.video_paths`` in id order, ``size`` at a time (never all in memory)."""
    last = ""
    while True:
        rows = connection.execute(
            "SELECT id, fps, path FROM temp.video_paths WHERE id > ? ORDER BY id LIMIT ?",
            (last, size),
        ).fetchall()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def reference_path(
    recording_id: str, video_path: str | None, keypoints_dir: str | Path | None
) -> Path | None:
    """``<keypoints_dir>/<id>.npy``, else ``<release>/keypoints/<id>.npy`` beside ``videos/``."""
    folders = [Path(keypoints_dir)] if keypoints_dir is not None else []
    if video_path:
        folders.append(Path(video_path).parent.parent / "keypoints")
    for folder in folders:
        candidate = folder / f"{recording_id}.npy"
        if candidate.is_file():
            return candidate
    return None


def frame_count(recording: Any, keypoints_dir: str | Path | None) -> int | None:
    """``num_frames`` of a recording, from its reference keypoint file when it was unprobed.

    Signed-clip windows need a frame count; a recording ingested without probing has none, but
    its keypoint file knows (read as a memory map: only the header is touched).
    """
    if recording.num_frames:
        return recording.num_frames
    path = reference_path(recording.id, recording.path, keypoints_dir)
    if path is None:
        return None
    try:
        return int(np.load(path, mmap_mode="r", allow_pickle=False).shape[0])
    except (OSError, ValueError):
        return None  # reported when the keypoints themselves are read
