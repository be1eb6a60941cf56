"""Decoding a recording's frames with OpenCV, from a file or straight from a zip member.

Zip members go to OpenCV as a seekable member stream (its Python binding reads any
``io.BufferedIOBase`` through ``cv2.IStreamReader``), so the 187 GiB release is never unpacked;
its mp4 members are stored, and read by position (``asl_stem.corpus.zipmember``), so the
decoder's seeks re-read nothing. Opening a zip reads its whole central
directory (one entry per member: 64,000 in the release), so each thread keeps its zips open
and reuses them for every recording (``open_zip``).
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from asl_stem.corpus.zipmember import member_capture


class VideoError(RuntimeError):
    """A video that cannot be opened or decoded; the message says why."""


@dataclass(frozen=True, slots=True)
class VideoSource:
    """Where a recording's video is: a file ``path``, or ``zip_member`` inside ``zip_path``."""

    path: str | None = None
    zip_path: str | None = None
    zip_member: str | None = None

    def describe(self) -> str:
        return self.path or f"{self.zip_path}!{self.zip_member}"


ZIPS_PER_THREAD = 4
_zips = threading.local()


def open_zip(path: str) -> zipfile.ZipFile:
    """This thread's open handle on the zip at ``path``, opened on first use and kept.

    A handle is reopened when the file's size or modification time changed, and never shared
    with a forked child (the pid is checked). Each thread has its own handles, so threads
    reading members at the same time do not share a file position. Raises what ``ZipFile``
    raises (OSError, zipfile.BadZipFile).
    """
    if getattr(_zips, "pid", None) != os.getpid():
        _zips.pid, _zips.handles = os.getpid(), OrderedDict()
    handles: OrderedDict[str, tuple[tuple[int, int], zipfile.ZipFile]] = _zips.handles
    stat = os.stat(path)
    key, version = os.path.realpath(path), (stat.st_size, stat.st_mtime_ns)
    if key in handles:
        opened_version, archive = handles.pop(key)
        if opened_version == version:
            handles[key] = (opened_version, archive)
            return archive
        archive.close()
    archive = zipfile.ZipFile(path)
    handles[key] = (version, archive)
    while len(handles) > ZIPS_PER_THREAD:
        handles.popitem(last=False)[1][1].close()
    return archive


@contextlib.contextmanager
def open_capture(source: VideoSource) -> Iterator[cv2.VideoCapture]:
    """An opened ``cv2.VideoCapture``; VideoError when the file or member cannot be opened."""
    with contextlib.ExitStack() as stack:
        if source.path is not None:
            path = Path(source.path)
            if not path.exists():
                raise VideoError(f"{path} does not exist")
            if path.stat().st_size == 0:
                raise VideoError(f"{path} is empty (0 bytes)")
            capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
        elif source.zip_path is not None and source.zip_member is not None:
            try:
                archive = open_zip(source.zip_path)
                info = archive.getinfo(source.zip_member)
                if info.file_size == 0:
                    raise VideoError(f"{source.describe()} is empty (0 bytes)")
                capture = member_capture(archive, info, stack)
            except (OSError, KeyError, zipfile.BadZipFile) as error:
                raise VideoError(f"cannot open {source.describe()}: {error}") from error
        else:
            raise VideoError("the recording has neither a path nor a zip member")
        stack.callback(capture.release)
        if not capture.isOpened():
            raise VideoError(f"OpenCV cannot open {source.describe()} (corrupt or not a video)")
        yield capture


def iter_frames(
    source: VideoSource, max_frames: int | None = None
) -> Generator[np.ndarray, None, None]:
    """RGB frames in order; VideoError when the video cannot be opened or has no frame.

    The video is opened here, in the calling thread (so a zip member comes from this thread's
    kept handle even when ``prefetch`` decodes it in a new thread); frames come as iterated.
    """
    stack = contextlib.ExitStack()
    capture = stack.enter_context(open_capture(source))
    return _decode(source, capture, stack, max_frames)


def _decode(
    source: VideoSource,
    capture: cv2.VideoCapture,
    stack: contextlib.ExitStack,
    max_frames: int | None,
) -> Generator[np.ndarray, None, None]:
    with stack:
        count = 0
        while max_frames is None or count < max_frames:
            ok, frame = capture.read()
            if not ok:
                break
            count += 1
            yield cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        if count == 0:
            raise VideoError(f"{source.describe()} has no decodable frame (corrupt or empty)")


def prefetch(frames: Generator[np.ndarray, None, None], depth: int = 4) -> Iterator[np.ndarray]:
    """Decode ahead in a thread, so decoding overlaps the landmarkers (OpenCV releases the GIL).

    Errors raised while decoding reach the consumer at the frame where they happened.
    """
    buffer: queue.Queue[object] = queue.Queue(depth)
    stop = threading.Event()
    end = object()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def fill() -> None:
        try:
            for frame in frames:
                if not put(frame):
                    return
            put(end)
        except Exception as error:  # handed to the consumer, raised there
            put(error)
        finally:
            frames.close()

    thread = threading.Thread(target=fill, name="decode", daemon=True)
    thread.start()
    try:
        while (item := buffer.get()) is not end:
            if isinstance(item, Exception):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()


def video_fps(source: VideoSource) -> float:
    """The container's frame rate, or 0.0 when it does not say."""
    with open_capture(source) as capture:
        return float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
