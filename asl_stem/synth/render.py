"""Draw keypoint sequences: skeleton videos (mp4) and contact sheets (PNG), spans marked.

Used for the demo corpus's videos, the app's clip previews and for checking extraction output
by eye. Input is ``(T, P, 2 or 3)`` keypoints in the toolkit layout (``asl_stem.layout``; P is
543, or 75 without the face) with x, y as normalised image coordinates and NaN where missing.
Frames inside a fingerspelled span get an orange border; videos carry a timeline bar of the
spans with a cursor at the current frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from asl_stem.atomic import atomic_open, atomic_path
from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.layout import FACE, HAND_BONES, LEFT_HAND, POSE, POSE_BONES, RIGHT_HAND

BACKGROUND = (24, 24, 24)
POSE_COLOUR = (200, 200, 200)
RIGHT_COLOUR = (80, 200, 255)  # BGR: amber for the signer's right hand
LEFT_COLOUR = (255, 170, 80)  # BGR: blue for the signer's left hand
FACE_COLOUR = (130, 130, 130)
SPAN_COLOUR = (0, 140, 255)  # BGR orange
TIMELINE_HEIGHT = 8


def span_at(frame: int, spans: Sequence[FingerspellingSpan]) -> FingerspellingSpan | None:
    """The span covering ``frame``, if any."""
    for span in spans:
        if span.start_frame <= frame <= span.end_frame:
            return span
    return None


def _pixels(points: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Normalised (P, >=2) points to integer pixel positions (P, 2); -1 where missing."""
    width, height = size
    xy = points[:, :2].astype(np.float64) * (width, height)
    missing = ~np.isfinite(xy).all(axis=1)
    xy[missing] = -1
    return np.clip(np.round(xy), -1, 10 * max(size)).astype(np.int32)


def _bone_table(offset: int, bones: Sequence[tuple[int, int]]) -> np.ndarray:
    """Bone end indices (B, 2) in the 543 layout."""
    return np.array([(offset + a, offset + b) for a, b in bones], dtype=np.int64)


BONE_GROUPS = (
    (_bone_table(POSE.start, POSE_BONES), POSE_COLOUR, 2),
    (_bone_table(RIGHT_HAND.start, HAND_BONES), RIGHT_COLOUR, 1),
    (_bone_table(LEFT_HAND.start, HAND_BONES), LEFT_COLOUR, 1),
)


def draw_frame(
    points: np.ndarray,
    size: tuple[int, int] = (256, 256),
    *,
    highlight: bool = False,
    label: str = "",
) -> np.ndarray:
    """One frame's keypoints (P, 2|3) drawn on a dark canvas; returns a BGR uint8 image."""
    width, height = size
    canvas = np.empty((height, width, 3), dtype=np.uint8)
    canvas[:] = np.array(BACKGROUND, dtype=np.uint8)  # np.full with a colour is 20x slower
    xy = _pixels(points, size)
    scale = max(1, round(min(size) / 256))
    if len(points) > FACE.start:
        face = xy[FACE][::2]
        inside = (
            (face[:, 0] >= 0) & (face[:, 0] < width) & (face[:, 1] >= 0) & (face[:, 1] < height)
        )
        canvas[face[inside, 1], face[inside, 0]] = FACE_COLOUR
    for table, colour, thickness in BONE_GROUPS:
        ends = xy[table]  # (B, 2 ends, 2)
        present = (ends[..., 0] >= 0).all(axis=1)
        if present.any():
            cv2.polylines(canvas, list(ends[present]), False, colour, thickness * scale)
    if highlight:
        cv2.rectangle(canvas, (0, 0), (width - 1, height - 1), SPAN_COLOUR, 3 * scale)
    if label:
        cv2.putText(
            canvas, label, (6, 16 * scale), cv2.FONT_HERSHEY_SIMPLEX, 0.45 * scale,
            SPAN_COLOUR if highlight else POSE_COLOUR, 1, cv2.LINE_AA,
        )  # fmt: skip
    return canvas


def _draw_timeline(
    canvas: np.ndarray, frame: int, total: int, spans: Sequence[FingerspellingSpan]
) -> None:
    """A bar along the bottom: spans in orange, the current frame as a white tick."""
    height, width = canvas.shape[:2]
    top = height - TIMELINE_HEIGHT
    canvas[top:] = (60, 60, 60)
    for span in spans:
        x0 = int(span.start_frame * width / total)
        x1 = max(x0 + 1, int((span.end_frame + 1) * width / total))
        canvas[top:, x0:x1] = SPAN_COLOUR
    cursor = min(width - 1, int(frame * width / total))
    canvas[top:, cursor : cursor + 2] = (255, 255, 255)


def render_video(
    keypoints: np.ndarray,
    path: str | Path,
    *,
    fps: float = 30.0,
    spans: Sequence[FingerspellingSpan] = (),
    size: tuple[int, int] = (256, 256),
) -> Path:
    """Write the keypoint sequence (T, P, 2|3) as an mp4 (mp4v), one video frame per row."""
    if keypoints.ndim != 3 or keypoints.shape[2] < 2:
        raise ValueError(f"keypoints must be (T, P, 2|3); got shape {keypoints.shape}")
    marked = list(spans)
    total = max(1, len(keypoints))
    path = Path(path)
    with atomic_path(path, suffix=".mp4") as tmp:
        writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
        if not writer.isOpened():
            raise RuntimeError(f"OpenCV cannot write mp4 video to {path}; check the codec support")
        try:
            for index, points in enumerate(keypoints):
                span = span_at(index, marked)
                label = (span.text or "") if span else ""
                image = draw_frame(points, size, highlight=span is not None, label=label)
                _draw_timeline(image, index, total, marked)
                writer.write(image)
        finally:
            writer.release()
    return path


def render_contact_sheet(
    keypoints: np.ndarray,
    path: str | Path,
    *,
    frames: Sequence[int] | int = 12,
    spans: Sequence[FingerspellingSpan] = (),
    columns: int = 6,
    tile: tuple[int, int] = (200, 200),
    title: str = "",
    view: tuple[float, float, float, float] | None = None,
) -> Path:
    """Write a PNG grid of frames (given indices, or that many evenly spaced), spans marked.

    ``view`` = (x0, y0, x1, y1) in normalised coordinates zooms every tile into that region,
    e.g. around a hand to judge handshapes.
    """
    if view is not None:
        x0, y0, x1, y1 = view
        keypoints = keypoints.astype(np.float32, copy=True)
        keypoints[..., 0] = (keypoints[..., 0] - x0) / (x1 - x0)
        keypoints[..., 1] = (keypoints[..., 1] - y0) / (y1 - y0)
    if isinstance(frames, int):
        count = max(1, min(frames, len(keypoints)))
        frames = np.linspace(0, len(keypoints) - 1, count).round().astype(int).tolist()
    tiles = []
    for index in frames:
        span = span_at(index, spans)
        label = f"{index}" + (f" {span.text or ''}" if span else "")
        tiles.append(draw_frame(keypoints[index], tile, highlight=span is not None, label=label))
    columns = max(1, min(columns, len(tiles)))
    blank = np.zeros_like(tiles[0])
    tiles += [blank] * (-len(tiles) % columns)
    rows = [np.hstack(tiles[i : i + columns]) for i in range(0, len(tiles), columns)]
    sheet = np.vstack(rows)
    if title:
        header = np.full((28, sheet.shape[1], 3), BACKGROUND, dtype=np.uint8)
        cv2.putText(
            header, title, (8, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1, cv2.LINE_AA
        )
        sheet = np.vstack([header, sheet])
    ok, encoded = cv2.imencode(".png", sheet)
    if not ok:
        raise RuntimeError(f"OpenCV could not encode the contact sheet for {path}")
    path = Path(path)
    with atomic_open(path, "wb") as handle:
        handle.write(encoded.tobytes())
    return path
