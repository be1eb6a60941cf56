#!/usr/bin/env python
"""The shard store's costs, each beside its baseline measured in the same run.

    python benchmarks/bench_shards.py [--shards 1000] [--rows 64] [--sample-every 1]
                                      [--read-shards 16] [--dir D]

1. Recording finished shards while extracting, for ``--shards`` shards of ``--rows`` samples:
   the earlier driver rewrote (and fsynced) the whole index.json after every shard, so its
   cost grew with the square of the shard count; now each shard appends one fsynced line to
   the record and index.json is written once at the end. With ``--sample-every N`` only
   every N-th rewrite of the baseline is done and timed, and counted N times (each stands for
   the N rewrites around it); N = 1 does them all.
2. Reading with the sha256 of each shard checked before its samples are used (the default)
   beside reading it unhashed (size and sample count checked at the end).
3. What an extraction worker pays at start-up for the shard writer: a fresh process
   importing MediaPipe and OpenCV, beside one also importing the shard writer (which wrote
   with webdataset's TarWriter, and so imported torch, before it used tarfile).

Wall and CPU seconds; D (default: a temporary folder) should be on the disk the shards use,
since fsync costs depend on it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from asl_stem.shards.catalog import (
    KeypointHeader,
    SampleRow,
    ShardCatalog,
    ShardEntry,
    write_catalog,
)
from asl_stem.shards.reader import iter_samples
from asl_stem.shards.record import ShardRecord
from asl_stem.shards.writer import Sample, plan_shards, write_shard

HEADER = KeypointHeader(75)
SETTINGS = {"source": "video", "face": False, "shard_size": 64, "max_frames": None}


def entries(shards: int, rows: int) -> list[ShardEntry]:
    """Catalog entries as a real extraction of the corpus makes them (release-style ids)."""
    made = []
    for number in range(shards):
        ids = [f"0165511942682{number:04d}-2053312_{row}_0" for row in range(rows)]
        table = tuple(
            SampleRow(key, 500, row % 3 == 0, row % 2, f"Article {number % 254}", "interp-a")
            for row, key in enumerate(ids)
        )
        made.append(ShardEntry(f"shard-{number:06d}.tar", 500 * rows, 14_000_000, "0" * 64, table))
    return made


def timed(work) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def rewrite_after_every_shard(folder: Path, done: list[ShardEntry], every: int) -> list[float]:
    """Wall and CPU seconds of rewriting index.json after each shard (of each ``every``
    rewrites, the middle one is timed and counted ``every`` times)."""
    totals = [0.0, 0.0]
    for count in range((every + 1) // 2, len(done) + 1, every):
        catalog = ShardCatalog(SETTINGS, len(done), done[:count], HEADER)
        wall, cpu = timed(lambda: write_catalog(folder, catalog))  # noqa: B023 - called now
        totals = [totals[0] + every * wall, totals[1] + every * cpu]
    return totals


def append_then_write_once(folder: Path, done: list[ShardEntry]) -> None:
    record = ShardRecord(folder)
    record.start(ShardCatalog(SETTINGS, len(done), [], HEADER))
    for entry in done:
        record.append(entry)
    write_catalog(folder, ShardCatalog(SETTINGS, len(done), done, HEADER))
    record.remove()


def write_read_shards(folder: Path, shards: int) -> int:
    """``shards`` shards of 8 recordings of 600 frames (random keypoints); return frames."""
    rng = np.random.default_rng(0)
    ids = [f"rec-{n:05d}" for n in range(shards * 8)]
    plans = plan_shards(ids, 8)
    done = []
    for plan in plans:
        samples = [
            Sample(key, rng.random((600, 75, 3)).astype(np.float16), {"spans": []})
            for key in plan.recording_ids
        ]
        done.append(write_shard(folder, plan, samples))
    write_catalog(folder, ShardCatalog(SETTINGS, len(plans), done, HEADER))
    return sum(entry.frames for entry in done)


IMPORT_PROBE = """
import json, resource, sys, time
wall, cpu = time.perf_counter(), time.process_time()
for name in sys.argv[1:]:
    __import__(name)
print(json.dumps([time.perf_counter() - wall, time.process_time() - cpu,
                  resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]))
"""


def import_cost(*modules: str) -> list[float]:
    """Wall s, CPU s and peak MB of a fresh interpreter importing ``modules`` (best of 3)."""
    runs = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", IMPORT_PROBE, *modules], capture_output=True)
        runs.append(json.loads(out.stdout))
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=64)
    parser.add_argument("--sample-every", type=int, default=1, help="time every N-th rewrite")
    parser.add_argument("--read-shards", type=int, default=16)
    parser.add_argument("--dir", type=Path, help="folder to write in (default: a temporary one)")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench_shards_", dir=args.dir))
    done = entries(args.shards, args.rows)

    (base / "before").mkdir()
    (base / "after").mkdir()
    before = rewrite_after_every_shard(base / "before", done, args.sample_every)
    after = timed(lambda: append_then_write_once(base / "after", done))
    size = (base / "after" / "index.json").stat().st_size
    print(f"recording {args.shards} finished shards of {args.rows} samples "
          f"(final index.json {size / 1e6:.1f} MB):")  # fmt: skip
    sampled = f", every {args.sample_every}th timed" if args.sample_every > 1 else ""
    print(f"  rewrite index.json after every shard: {before[0]:8.2f} s wall {before[1]:8.2f} s CPU"
          f"  ({size * (args.shards + 1) / 2 / 1e9:.1f} GB written{sampled})")  # fmt: skip
    ratios = f"{before[0] / after[0]:.0f}x wall, {before[1] / max(after[1], 1e-9):.0f}x CPU"
    print(f"  append a line, write index.json once: {after[0]:8.2f} s wall {after[1]:8.2f} s CPU"
          f"  ratio {ratios}")  # fmt: skip

    frames = write_read_shards(base / "read", args.read_shards)
    timed(lambda: sum(1 for _ in iter_samples(base / "read", verify=False)))  # warm the cache
    plain = timed(lambda: sum(1 for _ in iter_samples(base / "read", verify=False)))
    hashed = timed(lambda: sum(1 for _ in iter_samples(base / "read")))
    print(f"reading {args.read_shards} shards ({frames} frames), decoded:")
    print(f"  unhashed (size and count checked):   {plain[0]:8.2f} s wall {plain[1]:8.2f} s CPU")
    print(f"  sha256 checked before use (default): {hashed[0]:8.2f} s wall {hashed[1]:8.2f} s CPU"
          f"  ratio {hashed[1] / max(plain[1], 1e-9):.2f}x CPU")  # fmt: skip

    base_modules = ("mediapipe", "cv2")
    without = import_cost(*base_modules)
    with_writer = import_cost(*base_modules, "asl_stem.shards.writer")
    print("a fresh worker process importing:")
    print(f"  mediapipe, cv2:                       {without[0]:8.2f} s wall {without[1]:8.2f} "
          f"s CPU {without[2]:6.0f} MB")  # fmt: skip
    print(f"  mediapipe, cv2, asl_stem.shards.writer: {with_writer[0]:6.2f} s wall "
          f"{with_writer[1]:8.2f} s CPU {with_writer[2]:6.0f} MB "
          f"(+{with_writer[2] - without[2]:.0f} MB)")  # fmt: skip


if __name__ == "__main__":
    main()
