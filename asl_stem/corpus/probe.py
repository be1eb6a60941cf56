"""Video metadata from the container (fps, frames, size), checked by decoding the last frame.

Probing reads each video with OpenCV: files in place, zip members copied one at a time to a
temporary file (the zip is never unpacked). Decoding releases the GIL, so a thread pool runs
videos in parallel. Results are appended to a cache file as they come, so a rerun after a crash
probes only what is left.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from tqdm import tqdm

from asl_stem.corpus.release import VideoLocation

log = logging.getLogger(__name__)


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
    """Read a video's metadata and verify that its last frame decodes (catches truncation)."""
    import cv2

    if os.path.getsize(path) == 0:
        return ProbeResult(error="zero-byte file; download the video again")
    capture = cv2.VideoCapture(str(path))
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
    """One open handle on the zip per thread (ZipFile handles are not shared across threads)."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._opened: list[zipfile.ZipFile] = []
        self._lock = threading.Lock()

    def probe_member(self, zip_path: str, member: str) -> ProbeResult:
        """Copy one member to a temporary file and probe it."""
        handles = self._local.__dict__.setdefault("handles", {})
        if zip_path not in handles:
            handles[zip_path] = zipfile.ZipFile(zip_path)
            with self._lock:
                self._opened.append(handles[zip_path])
        suffix = Path(member).suffix
        with tempfile.NamedTemporaryFile(suffix=suffix, prefix="asl-stem-probe-") as tmp:
            with handles[zip_path].open(member) as source:
                shutil.copyfileobj(source, tmp)
            tmp.flush()
            return probe_file(tmp.name)

    def close(self) -> None:
        """Close every handle the threads opened."""
        with self._lock:
            for handle in self._opened:
                handle.close()
            self._opened.clear()


def probe_location(location: VideoLocation, zip_reader: _ZipReader | None = None) -> ProbeResult:
    """Probe a video wherever it lies; unexpected errors become an ``error`` result."""
    try:
        if location.path is not None:
            return probe_file(location.path)
        assert location.zip_path is not None and location.zip_member is not None
        return (zip_reader or _ZipReader()).probe_member(location.zip_path, location.zip_member)
    except (OSError, zipfile.BadZipFile, ValueError) as error:
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
) -> dict[str, ProbeResult]:
    """Probe videos in parallel with a progress bar; return results by file name."""
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
    zip_reader = _ZipReader()
    workers = workers or min(8, (os.cpu_count() or 1) * 2)

    def run(location: VideoLocation) -> tuple[VideoLocation, ProbeResult]:
        return location, probe_location(location, zip_reader)

    with (
        ThreadPoolExecutor(max_workers=workers) as pool,
        tqdm(total=len(pending), desc="probe", unit="video", disable=not progress) as bar,
    ):
        for location, result in pool.map(run, pending):
            results[location.filename] = result
            if cache is not None:
                cache.add(location.cache_key, result)
            bar.update()
    zip_reader.close()
    return results
