"""Small synthetic shards for the shard tests: real tars written by the real writer."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from asl_stem.shards.catalog import KeypointHeader, ShardCatalog, write_catalog
from asl_stem.shards.writer import Failure, Sample, plan_shards, write_shard

SETTINGS = {"source": "test", "face": False, "shard_size": 2}


def keypoints(seed: int, frames: int, points: int = 75) -> np.ndarray:
    """Random float16 (T, P, 3) keypoints with the right hand missing in every other frame."""
    rng = np.random.default_rng(seed)
    values = rng.random((frames, points, 3)).astype(np.float16)
    values[::2, 33:54] = np.nan
    return values


def make_shards(folder: Path, count: int = 5, shard_size: int = 2, fail: str | None = None):
    """Write ``count`` recordings ``rec_00``.. into shards; ``fail`` names one that fails."""
    ids = [f"rec_{n:02d}" for n in range(count)]
    plans = plan_shards(ids, shard_size)
    entries = []
    for plan in plans:
        results = []
        for key in plan.recording_ids:
            if key == fail:
                results.append(Failure(key, "cannot decode video"))
                continue
            number = int(key.split("_")[1])
            meta = {"id": key, "fps": 30.0, "num_frames": 10 + number, "spans": []}
            results.append(Sample(key, keypoints(number, 10 + number), meta))
        entries.append(write_shard(folder, plan, results))
    write_catalog(folder, ShardCatalog(SETTINGS, len(plans), entries, KeypointHeader(75)))
    return ids


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on 127.0.0.1 (a real server in a thread); yield its URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass
