#!/usr/bin/env python
"""Detection speed as a real-time factor: hours of signing processed per second of compute,
for the model (shards -> features -> network -> spans) beside the non-learned heuristic.

    python benchmarks/bench_detect.py [--checkpoint CKPT] [--shards DIR]

Without --checkpoint it times an untrained network of the CPU config's size (same cost);
without --shards it synthesises 24 recordings first.
"""

from __future__ import annotations

import argparse
import tempfile
import time

import torch

from asl_stem.detect.baseline import heuristic_spans
from asl_stem.detect.inference import iter_detections, load_detector
from asl_stem.detect.module import FingerspellingDetector
from asl_stem.detect.synthetic import FPS, write_synthetic_shards
from asl_stem.layout import NUM_BODY_POINTS
from asl_stem.shards.reader import iter_samples


def hours(frames: int) -> float:
    return frames / FPS / 3600


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint")
    parser.add_argument("--shards")
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    shards = args.shards or tempfile.mkdtemp(prefix="bench_detect_")
    if args.shards is None:
        write_synthetic_shards(shards, recordings=24, shard_size=4)
    if args.checkpoint:
        model = load_detector(args.checkpoint)
    else:
        model = FingerspellingDetector(hidden=args.hidden).eval()

    started = time.perf_counter()
    frames = sum(len(d.probabilities) for d in iter_detections(model, shards))
    model_s = time.perf_counter() - started

    started = time.perf_counter()
    for sample in iter_samples(shards, num_points=NUM_BODY_POINTS):
        heuristic_spans(sample["keypoints"], sample["is_valid"])
    heuristic_s = time.perf_counter() - started

    print(
        f"{frames} frames ({hours(frames) * 60:.1f} min of signing at {FPS:.0f} fps), "
        f"torch threads {torch.get_num_threads()}"
    )
    print(f"heuristic (baseline): {hours(frames) / heuristic_s:8.3f} h of signing per second")
    print(f"model               : {hours(frames) / model_s:8.3f} h of signing per second")
    print(f"model / heuristic   : {heuristic_s / model_s:8.2f} (speed ratio)")


if __name__ == "__main__":
    main()
