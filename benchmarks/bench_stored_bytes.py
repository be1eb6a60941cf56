#!/usr/bin/env python
"""Bytes a frame on disk: our shards beside the reference pipeline's keypoint files.

    python benchmarks/bench_stored_bytes.py --shards runs/loao/shards \\
        [--out docs/results/stored-bytes.json]

Two comparisons, measured on the same recordings in the same run:

1. As each pipeline writes them: our shard tars with their index.json (75 points, float16 x,
   y, z, NaN where missing) against the reference code's ``keypoints/<id>.npy`` files
   (``(T, 543, 2)`` float64 x, y, zeros where missing; they hold the face too although its
   model reads 75 points), written from the same arrays by ``asl-stem export``'s writer.
2. Like for like: the same 75 points and 3 values a point as ours, in the reference's format
   (float64 .npy, one file a recording).

The shards of ``scripts/loao.py`` (the synthetic twin of the shared rows) are the default. A size
measurement: no timings.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from asl_stem.atomic import write_json
from asl_stem.shards.catalog import read_catalog
from asl_stem.shards.export import to_reference_npy
from asl_stem.shards.reader import iter_samples


def saved_bytes(path: Path, array: np.ndarray) -> int:
    """Size of ``array`` saved as .npy at ``path``."""
    np.save(path, array, allow_pickle=False)
    return path.stat().st_size


def measure(shards: Path) -> dict[str, float]:
    """Bytes a frame of the three layouts, over every sample of ``shards``."""
    catalog = read_catalog(shards)
    frames = sum(entry.frames for entry in catalog.shards)
    ours = sum((shards / entry.name).stat().st_size for entry in catalog.shards)
    ours += (shards / "index.json").stat().st_size
    reference = same = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.npy"
        for sample in iter_samples(str(shards)):
            keypoints = sample["keypoints"]
            reference += saved_bytes(path, to_reference_npy(keypoints))
            same += saved_bytes(path, np.nan_to_num(keypoints.astype(np.float64)))
    return {
        "frames": frames,
        "points": catalog.header.points,
        "ours": ours / frames,
        "reference_as_written": reference / frames,
        "reference_format_same_points_and_values": same / frames,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", type=Path, default=Path("runs/loao/shards"))
    parser.add_argument("--out", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    figures = {k: round(v, 1) for k, v in measure(args.shards).items()}
    print(f"{figures['frames']:,} frames, {figures['points']} points a frame in the shards")
    print("| layout | bytes a frame | ratio to ours |")
    print("|---|---|---|")
    for name in ("reference_as_written", "reference_format_same_points_and_values", "ours"):
        value = figures[name]
        print(f"| {name} | {value:,.0f} | {value / figures['ours']:.2f} |")
    if args.out:
        write_json(args.out, figures)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
