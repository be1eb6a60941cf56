"""Video metadata from the container (fps, frames, size), checked by decoding the last frame.

Probing reads each video with OpenCV: files in place, stored zip members straight from the
zip's bytes (FFmpeg's ``subfile`` protocol; deflated ones through ``zipfile``'s stream:
``zipmember.py``), so nothing is copied or unpacked. Members too large for a sentence video are
refused unread. Decoding releases the GIL, so a thread pool runs videos in parallel, all
threads reading through one open handle on the zip. Results are appended to a cache file as
they come, so a rerun after a crash probes only what is left.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from tqdm import tqdm

from asl_stem.corpus.release import VideoLocation
from asl_stem.corpus.zipmember import member_capture

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

# A sentence video of the release is a few MB (187 GiB over 64,000 videos); far larger
# members are damage or not the release, and are refused without being read.
MAX_VIDEO_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class ProbeResult:
    """What the container says about a video; ``error`` is set when it cannot be read."""

    fps: float | None = None
    num_frames: int | None = None
    width: int | None = None
    height: int | None = None
    error: str | None = None

    @property
    def duration_s(self) -> float | None:
        """Duration derived from frames and fps."""
        if self.fps and self.num_frames is not None:
            return self.num_frames / self.fps
        return None


def probe_file(path: str | os.PathLike[str]) -> ProbeResult:
    """Read a video file's metadata and verify that its last frame decodes."""
    import cv2

    size = os.path.getsize(path)
    if size == 0:
        return ProbeResult(error="zero-byte file; download the video again")
    if size > MAX_VIDEO_BYTES:
        return _too_large(size)
    return _probe_capture(cv2.VideoCapture(str(path)))


def probe_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> ProbeResult:
    """The same for a zip member, read in place (see ``zipmember``)."""
    if info.file_size == 0:
        return ProbeResult(error="zero-byte member; the zip is damaged: download it again")
    if info.file_size > MAX_VIDEO_BYTES:
        return _too_large(info.file_size)
    with contextlib.ExitStack() as stack:
        return _probe_capture(member_capture(archive, info, stack))


def _too_large(size: int) -> ProbeResult:
    return ProbeResult(
        error=f"{size} bytes, more than any sentence video ({MAX_VIDEO_BYTES} bytes); "
        "not read: is this the release's video?"
    )


def _probe_capture(capture: Any) -> ProbeResult:
    """Container fields of an opened ``cv2.VideoCapture``, and whether its last listed frame
    decodes; the capture is released."""
    import cv2

    try:
        if not capture.isOpened():
            return ProbeResult(error="the container cannot be opened (truncated or not a video)")
        fps = float(capture.get(cv2.CAP_PROP_FPS))
        num_frames = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if num_frames <= 0 or fps <= 0:
            return ProbeResult(error=f"the container lists {num_frames} frames at {fps} fps")
        capture.set(cv2.CAP_PROP_POS_FRAMES, num_frames - 1)
        ok, _ = capture.read()
        if not ok:
            return ProbeResult(
                error=f"frame {num_frames - 1} (the last listed) does not decode: "
                "the file is truncated or corrupt; download it again"
            )
        return ProbeResult(fps, num_frames, width, height)
    finally:
        capture.release()


class _ZipReader:
    """One open handle on each zip, shared by the probing threads.

    FFmpeg reads stored members from the zip file itself (their local header is read with
    ``os.pread``, which never moves the handle's file position), and zipfile reads deflated
    ones under the handle's lock, so threads can share it; one handle holds the zip's whole
    directory (about 40 MB of Python objects for the release's 64,000 members), so a handle per
    thread cost that much again per thread.
    """

    def __init__(self, opened: Mapping[str, zipfile.ZipFile] | None = None) -> None:
        self._handles: dict[str, zipfile.ZipFile] = dict(opened or {})  # the caller closes these
        self._owned: list[zipfile.ZipFile] = []
        self._lock = threading.Lock()

    def handle(self, zip_path: str) -> zipfile.ZipFile:
        """The open handle on ``zip_path`` (opened once, by the first thread to need it)."""
        with self._lock:
            if zip_path not in self._handles:
                self._handles[zip_path] = zipfile.ZipFile(zip_path)
                self._owned.append(self._handles[zip_path])
            return self._handles[zip_path]

    def probe_member(self, zip_path: str, member: str) -> ProbeResult:
        """Probe one member in place, without copying it anywhere."""
        archive = self.handle(zip_path)
        return probe_member(archive, archive.getinfo(member))

    def close(self) -> None:
        """Close every handle this reader opened."""
        with self._lock:
            for handle in self._owned:
                handle.close()
            self._owned.clear()
            self._handles.clear()


def probe_location(location: VideoLocation, zip_reader: _ZipReader | None = None) -> ProbeResult:
    """Probe a video wherever it lies; unexpected errors become an ``error`` result."""
    try:
        if location.path is not None:
            return probe_file(location.path)
        assert location.zip_path is not None and location.zip_member is not None
        return (zip_reader or _ZipReader()).probe_member(location.zip_path, location.zip_member)
    except (OSError, zipfile.BadZipFile, ValueError, KeyError) as error:
        return ProbeResult(error=f"cannot read the video: {error}")


class ProbeCache:
    """Results already probed, kept in a JSON Lines file keyed by name, size and stamp."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.results: dict[str, ProbeResult] = {}
        self._torn = False
        if self.path.exists():
            self._load()
        self._lock = threading.Lock()

    def _load(self) -> None:
        """Read the cache; a torn last line (from a crash) is ignored."""
        with open(self.path, encoding="utf-8") as handle:
            for line in handle:
                self._torn = not line.endswith("\n")
                try:
                    entry = json.loads(line)
                    key = entry.pop("key")
                    self.results[key] = ProbeResult(**entry)
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue

    def add(self, key: str, result: ProbeResult) -> None:
        """Remember one result, on disk at once."""
        with self._lock:
            self.results[key] = result
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                if self._torn:  # end the line a crash cut short, so this entry stands alone
                    handle.write("\n")
                    self._torn = False
                handle.write(json.dumps({"key": key, **asdict(result)}) + "\n")


def probe_all(
    locations: Iterable[VideoLocation],
    workers: int | None = None,
    cache: ProbeCache | None = None,
    progress: bool = True,
    opened: Mapping[str, zipfile.ZipFile] | None = None,
) -> dict[str, ProbeResult]:
    """Probe videos in parallel with a progress bar; return results by file name.

    ``opened`` are zip handles the caller already holds, by path: the probes read through them
    instead of opening the zip again (a handle holds its whole directory).
    """
    todo = list(locations)
    results: dict[str, ProbeResult] = {}
    pending = []
    for location in todo:
        cached = cache.results.get(location.cache_key) if cache else None
        if cached is not None:
            results[location.filename] = cached
        else:
            pending.append(location)
    if len(results):
        log.info("probe: %d videos already probed (cache), %d to go", len(results), len(pending))
    zip_reader = _ZipReader(opened)
    workers = workers or min(8, (os.cpu_count() or 1) * 2)

    def run(location: VideoLocation) -> tuple[VideoLocation, ProbeResult]:
        return location, probe_location(location, zip_reader)

    with (
        ThreadPoolExecutor(max_workers=workers) as pool,
        tqdm(total=len(pending), desc="probe", unit="video", disable=not progress) as bar,
    ):
        for location, result in _in_flight(pool, run, pending, 4 * workers):
            results[location.filename] = result
            if cache is not None:
                cache.add(location.cache_key, result)
            bar.update()
    zip_reader.close()
    return results


def _in_flight(
    pool: ThreadPoolExecutor, run: Callable[[T], R], items: Iterable[T], window: int
) -> Iterator[R]:
    """``run`` over ``items`` on ``pool`` with at most ``window`` submitted at once, results
    as they finish. (``pool.map`` submits every item first: a future for each of the corpus's
    64,000 videos held at once.)"""
    running: set[Future[R]] = set()
    for item in items:
        if len(running) >= window:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            yield from (future.result() for future in done)
        running.add(pool.submit(run, item))
    while running:
        done, running = wait(running, return_when=FIRST_COMPLETED)
        yield from (future.result() for future in done)
