"""Running MediaPipe's Tasks landmarkers on a recording's frames (VIDEO running mode).

Pose first; then each hand is searched in a box around the pose's hand (see ``hands``), by
a landmarker of its own that follows that box, so MediaPipe's tracking skips the palm
detector whenever the hand was found on the frame before, and a hand the pose puts off the
frame costs nothing. With ``threaded``, the hands of frame t run in a second thread while the
pose of frame t + 1 runs in the calling thread (MediaPipe releases the GIL); the result is
the same as without.

Each recording gets fresh landmarkers, built from model bytes a worker loads once, so no
tracking state leaks from one video into the next and the output of a recording never depends
on which worker ran it or what it ran before (resumed runs give the same bytes).
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import cv2
import numpy as np

from asl_stem.extract.crops import Crop, cut, to_frame
from asl_stem.extract.face import head_crop
from asl_stem.extract.hands import SIDES, assign_hands, hand_crop
from asl_stem.extract.models import FACE_MODEL, HAND_MODEL, POSE_MODEL, fetch_model
from asl_stem.extract.quiet import native_stderr_captured
from asl_stem.layout import FACE, LEFT_HAND, NUM_BODY_POINTS, NUM_FACE, NUM_POINTS, POSE, RIGHT_HAND

os.environ.setdefault("GLOG_minloglevel", "2")  # MediaPipe's per-graph INFO lines
FACE_INPUT_PX = 256
SEARCH_EVERY = 2  # while a hand is lost, its palm detector runs on every 2nd frame only
HAND_SLOTS = {"right": RIGHT_HAND, "left": LEFT_HAND}


@dataclass(frozen=True)
class ModelBuffers:
    """The model files' bytes, read once per worker process."""

    pose: bytes
    hand: bytes
    face: bytes | None

    @classmethod
    def load(cls, face: bool) -> ModelBuffers:
        face_bytes = fetch_model(FACE_MODEL).read_bytes() if face else None
        return cls(
            fetch_model(POSE_MODEL).read_bytes(), fetch_model(HAND_MODEL).read_bytes(), face_bytes
        )


def _array(landmarks: Iterable[Any]) -> np.ndarray:
    return np.array([(p.x, p.y, p.z) for p in landmarks], dtype=np.float32)


def _image(rgb: np.ndarray) -> Any:
    import mediapipe as mp

    return mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))


class HandTracker:
    """One side's HandLandmarker (VIDEO mode, one hand), fed the box around the pose's hand.

    The box moves with the pose, so the hand stays in place inside it from frame to frame and
    MediaPipe's tracking holds; after a miss, the next frame with a box is skipped.
    """

    def __init__(self, landmarker: Any) -> None:
        self.landmarker = landmarker
        self.wait = 0  # frames to skip before the next search

    def find(self, rgb: np.ndarray, crop: Crop | None, timestamp_ms: int) -> np.ndarray | None:
        """(21, 3) frame-normalised hand landmarks, or None."""
        if crop is None:
            self.wait = 0  # search as soon as the hand is back in the frame
            return None
        if self.wait:
            self.wait -= 1
            return None
        found = self.landmarker.detect_for_video(_image(cut(rgb, crop)), timestamp_ms)
        if not found.hand_landmarks:
            self.wait = SEARCH_EVERY - 1
            return None
        return to_frame(_array(found.hand_landmarks[0]), crop)


class Landmarkers:
    """Pose + two hands (+ face on a head crop) for one recording; use as a context manager."""

    def __init__(self, models: ModelBuffers) -> None:
        with native_stderr_captured():
            self._build(models)
        self.points = NUM_POINTS if self.face is not None else NUM_BODY_POINTS

    def _build(self, models: ModelBuffers) -> None:
        from mediapipe.tasks.python import BaseOptions, vision

        video = vision.RunningMode.VIDEO
        self.pose = vision.PoseLandmarker.create_from_options(
            vision.PoseLandmarkerOptions(
                base_options=BaseOptions(model_asset_buffer=models.pose),
                running_mode=video,
                num_poses=1,
            )
        )
        hand_options = vision.HandLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=models.hand),
            running_mode=video,
            num_hands=1,
        )
        self.hands = {
            side: HandTracker(vision.HandLandmarker.create_from_options(hand_options))
            for side in SIDES
        }
        self.face = None
        if models.face is not None:
            self.face = vision.FaceLandmarker.create_from_options(
                vision.FaceLandmarkerOptions(
                    base_options=BaseOptions(model_asset_buffer=models.face),
                    running_mode=video,
                    num_faces=1,
                )
            )

    def __enter__(self) -> Landmarkers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with native_stderr_captured():
            for tracker in self.hands.values():
                tracker.landmarker.close()
            for landmarker in (self.pose, self.face):
                if landmarker is not None:
                    landmarker.close()

    def body(self, rgb: np.ndarray, timestamp_ms: int) -> np.ndarray:
        """float32 ``(P, 3)`` keypoints with the pose (and face) filled in, NaN elsewhere."""
        out = np.full((self.points, 3), np.nan, dtype=np.float32)
        pose = self.pose.detect_for_video(_image(rgb), timestamp_ms).pose_landmarks
        if pose:
            out[POSE] = _array(pose[0])
            if self.face is not None:
                self._face(rgb, timestamp_ms, out)
        return out

    def add_hands(self, rgb: np.ndarray, timestamp_ms: int, out: np.ndarray) -> np.ndarray:
        """Fill ``out``'s hands, searched around the pose's hands in ``out``; return ``out``."""
        pose = out[POSE]
        if np.isnan(pose).any():
            return out
        height, width = rgb.shape[:2]
        found = []
        for side, tracker in self.hands.items():
            hand = tracker.find(rgb, hand_crop(pose, side, width, height), timestamp_ms)
            if hand is not None:
                found.append(hand)
        wrists = np.array([hand[0, :2] for hand in found], dtype=np.float32).reshape(-1, 2)
        for side, hand in zip(assign_hands(wrists, pose), found, strict=True):
            if side is not None:
                out[HAND_SLOTS[side]] = hand
        return out

    def _face(self, rgb: np.ndarray, timestamp_ms: int, out: np.ndarray) -> None:
        """Face landmarks from a crop around the pose's head, mapped back into ``out``."""
        crop = head_crop(out[POSE], rgb.shape[1], rgb.shape[0])
        if crop is None or self.face is None:
            return
        pixels = cv2.resize(
            rgb[crop.y0 : crop.y1, crop.x0 : crop.x1], (FACE_INPUT_PX, FACE_INPUT_PX)
        )
        faces = self.face.detect_for_video(_image(pixels), timestamp_ms).face_landmarks
        if faces:
            out[FACE] = to_frame(_array(faces[0])[:NUM_FACE], crop)


def _timestamps(fps: float) -> Iterator[int]:
    """``round(i * 1000 / fps)`` ms, forced strictly increasing."""
    last = -1
    for number in itertools.count():
        last = max(round(number * 1000 / fps), last + 1)
        yield last


def check_pose_every(pose_every: int, face: bool) -> None:
    """Refuse a ``--pose-every`` that cannot run: below 1, or above 1 with the face (the face
    crop comes from each frame's own pose)."""
    if pose_every < 1 or (pose_every > 1 and face):
        raise ValueError(
            f"--pose-every must be at least 1 (got {pose_every}) and 1 with --face: the face "
            "is found from each frame's own pose"
        )


def _posed(
    frames: Iterable[np.ndarray], fps: float, landmarkers: Landmarkers, pose_every: int
) -> Iterator[tuple[np.ndarray, int, np.ndarray]]:
    """Each frame with its timestamp and keypoints holding its pose, in order.

    The pose landmarker runs on every ``pose_every``-th frame and on the last; the frames
    between take the pose interpolated linearly between those two (NaN unless both found one).
    """
    previous: np.ndarray | None = None
    waiting: list[tuple[np.ndarray, int]] = []  # frames up to the next pose run, in order
    for index, frame in enumerate(zip(frames, _timestamps(fps), strict=False)):
        waiting.append(frame)
        if index % pose_every == 0:
            previous = yield from _pose_run(landmarkers, previous, waiting)
            waiting = []
    if waiting:
        yield from _pose_run(landmarkers, previous, waiting)


def _pose_run(
    landmarkers: Landmarkers, before: np.ndarray | None, waiting: list[tuple[np.ndarray, int]]
) -> Generator[tuple[np.ndarray, int, np.ndarray], None, np.ndarray]:
    """The pose of the last waiting frame, the frames before it interpolated; returns it."""
    rgb, stamp = waiting[-1]
    out = landmarkers.body(rgb, stamp)
    yield from _between(before, out, waiting[:-1])
    yield rgb, stamp, out
    return out


def _between(
    before: np.ndarray | None, after: np.ndarray, waiting: list[tuple[np.ndarray, int]]
) -> Iterator[tuple[np.ndarray, int, np.ndarray]]:
    """The waiting frames with the pose interpolated between ``before`` and ``after``."""
    for step, (rgb, stamp) in enumerate(waiting, start=1):
        out = np.full_like(after, np.nan)
        if before is not None:
            weight = step / (len(waiting) + 1)
            out[POSE] = (1 - weight) * before[POSE] + weight * after[POSE]  # NaN if either is
        yield rgb, stamp, out


def _rows(
    frames: Iterable[np.ndarray],
    fps: float,
    landmarkers: Landmarkers,
    pool: ThreadPoolExecutor | None,
    pose_every: int = 1,
) -> Iterator[np.ndarray]:
    """Each frame's keypoints in order; with ``pool``, frame t's hands overlap frame t+1's pose."""
    pending: Future[np.ndarray] | None = None
    for rgb, stamp, out in _posed(frames, fps, landmarkers, pose_every):
        if pool is None:
            yield landmarkers.add_hands(rgb, stamp, out)
            continue
        if pending is not None:
            yield pending.result()
        pending = pool.submit(landmarkers.add_hands, rgb, stamp, out)
    if pending is not None:
        yield pending.result()


def extract_frames(
    frames: Iterable[np.ndarray],
    fps: float,
    models: ModelBuffers,
    threaded: bool = True,
    on_frame: Callable[[], None] | None = None,
    pose_every: int = 1,
) -> np.ndarray:
    """float16 ``(T, P, 3)`` keypoints of a recording's frames, NaN where missing.

    ``pose_every`` > 1 runs the pose landmarker on every ``pose_every``-th frame only (the pose
    is most of the CPU) and interpolates it between; hands are searched on every frame.
    """
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    check_pose_every(pose_every, face=models.face is not None)
    rows = []
    with contextlib.ExitStack() as stack:
        landmarkers = stack.enter_context(Landmarkers(models))
        pool = stack.enter_context(ThreadPoolExecutor(1, "hands")) if threaded else None
        for row in _rows(frames, fps, landmarkers, pool, pose_every):
            rows.append(row)
            if on_frame is not None:
                on_frame()
        points = landmarkers.points
    if not rows:
        return np.zeros((0, points, 3), dtype=np.float16)
    return np.stack(rows).astype(np.float16)
