"""Running MediaPipe's Tasks landmarkers on a recording's frames (VIDEO running mode).

Each recording gets fresh landmarkers, built from model bytes a worker loads once, so no
tracking state leaks from one video into the next and the output of a recording never depends
on which worker ran it or what it ran before (resumed runs give the same bytes). The hand
landmarker runs in a second thread while the pose (and face) landmarkers run in the calling
thread: MediaPipe releases the GIL, so the two overlap.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import cv2
import numpy as np

from asl_stem.extract.face import head_crop, to_frame
from asl_stem.extract.hands import assign_hands
from asl_stem.extract.models import FACE_MODEL, HAND_MODEL, POSE_MODEL, fetch_model
from asl_stem.layout import FACE, LEFT_HAND, NUM_BODY_POINTS, NUM_FACE, NUM_POINTS, POSE, RIGHT_HAND

os.environ.setdefault("GLOG_minloglevel", "2")  # MediaPipe's per-graph INFO lines
FACE_INPUT_PX = 256


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


class Landmarkers:
    """Pose + two hands (+ face on a head crop) for one recording; use as a context manager."""

    def __init__(self, models: ModelBuffers, threaded: bool = True) -> None:
        from mediapipe.tasks.python import BaseOptions, vision

        video = vision.RunningMode.VIDEO
        self.pose = vision.PoseLandmarker.create_from_options(
            vision.PoseLandmarkerOptions(
                base_options=BaseOptions(model_asset_buffer=models.pose),
                running_mode=video,
                num_poses=1,
            )
        )
        self.hand = vision.HandLandmarker.create_from_options(
            vision.HandLandmarkerOptions(
                base_options=BaseOptions(model_asset_buffer=models.hand),
                running_mode=video,
                num_hands=2,
            )
        )
        self.face = None
        if models.face is not None:
            self.face = vision.FaceLandmarker.create_from_options(
                vision.FaceLandmarkerOptions(
                    base_options=BaseOptions(model_asset_buffer=models.face),
                    running_mode=video,
                    num_faces=1,
                )
            )
        self.points = NUM_POINTS if self.face is not None else NUM_BODY_POINTS
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="hands") if threaded else None

    def __enter__(self) -> Landmarkers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.pool is not None:
            self.pool.shutdown()
        for landmarker in (self.pose, self.hand, self.face):
            if landmarker is not None:
                landmarker.close()

    def process(self, rgb: np.ndarray, timestamp_ms: int) -> np.ndarray:
        """float32 ``(P, 3)`` keypoints of one RGB frame, NaN where nothing was found."""
        import mediapipe as mp

        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        hands_later = (
            self.pool.submit(self.hand.detect_for_video, image, timestamp_ms) if self.pool else None
        )
        out = np.full((self.points, 3), np.nan, dtype=np.float32)
        pose = self.pose.detect_for_video(image, timestamp_ms).pose_landmarks
        if pose:
            out[POSE] = _array(pose[0])
        if self.face is not None:
            self._face(rgb, timestamp_ms, out)
        hands = (
            hands_later.result() if hands_later else self.hand.detect_for_video(image, timestamp_ms)
        ).hand_landmarks
        wrists = np.array([(hand[0].x, hand[0].y) for hand in hands], dtype=np.float32).reshape(
            -1, 2
        )
        for side, hand in zip(
            assign_hands(wrists, out[POSE] if pose else None), hands, strict=True
        ):
            if side is not None:
                out[RIGHT_HAND if side == "right" else LEFT_HAND] = _array(hand)
        return out

    def _face(self, rgb: np.ndarray, timestamp_ms: int, out: np.ndarray) -> None:
        """Face landmarks from a crop around the pose's head, mapped back into ``out``."""
        import mediapipe as mp

        crop = head_crop(out[POSE], rgb.shape[1], rgb.shape[0])
        if crop is None or self.face is None:
            return
        pixels = cv2.resize(
            rgb[crop.y0 : crop.y1, crop.x0 : crop.x1], (FACE_INPUT_PX, FACE_INPUT_PX)
        )
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(pixels))
        faces = self.face.detect_for_video(image, timestamp_ms).face_landmarks
        if faces:
            out[FACE] = to_frame(_array(faces[0])[:NUM_FACE], crop)


def extract_frames(
    frames: Iterable[np.ndarray],
    fps: float,
    models: ModelBuffers,
    threaded: bool = True,
    on_frame: Callable[[], None] | None = None,
) -> np.ndarray:
    """float16 ``(T, P, 3)`` keypoints of a recording's frames, NaN where missing."""
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    rows = []
    with Landmarkers(models, threaded) as landmarkers:
        last = -1
        for number, frame in enumerate(frames):
            stamp = max(round(number * 1000 / fps), last + 1)  # strictly increasing
            last = stamp
            rows.append(landmarkers.process(frame, stamp))
            if on_frame is not None:
                on_frame()
        points = landmarkers.points
    if not rows:
        return np.zeros((0, points, 3), dtype=np.float16)
    return np.stack(rows).astype(np.float16)
