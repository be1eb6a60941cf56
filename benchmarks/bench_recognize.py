#!/usr/bin/env python
"""Recognition speed beside detection on the same shards: spans read per second, and the
detector's recordings per second (both wall and CPU seconds, measured in this run).

    python benchmarks/bench_recognize.py [--recognizer CKPT] [--detector CKPT] [--shards DIR]

Without checkpoints it times untrained networks of the CPU configs' sizes (the same cost per
frame; an untrained recognizer is the beam search's worst case, as no class dominates a
frame); without --shards it synthesises 24 recordings first. The spans read are the shards'
annotated ones.
"""

from __future__ import annotations

import argparse
import tempfile
import time

import torch

from asl_stem.detect.inference import iter_detections, load_detector
from asl_stem.detect.module import FingerspellingDetector
from asl_stem.detect.synthetic import FPS, write_synthetic_shards
from asl_stem.recognize.inference import iter_readings, load_recognizer
from asl_stem.recognize.module import LetterRecognizer


def timed(work) -> tuple[int, float, float]:
    """(items, wall seconds, CPU seconds of this process) of running ``work()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    count = work()
    return count, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recognizer")
    parser.add_argument("--detector")
    parser.add_argument("--shards")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    shards = args.shards or tempfile.mkdtemp(prefix="bench_recognize_")
    if args.shards is None:
        write_synthetic_shards(shards, recordings=24, shard_size=4)
    recognizer = (
        load_recognizer(args.recognizer)
        if args.recognizer
        else LetterRecognizer(hidden=64, layers=2, heads=4, kernel_size=11).eval()
    )
    detector = (
        load_detector(args.detector) if args.detector else FingerspellingDetector(hidden=64).eval()
    )

    def detect() -> int:
        return sum(1 for _ in iter_detections(detector, shards))

    def recognize() -> int:
        return sum(len(line.spans) for line, _ in iter_readings(recognizer, shards))

    recordings, detect_wall, detect_cpu = timed(detect)
    spans, read_wall, read_cpu = timed(recognize)
    print(
        f"{recordings} recordings, {spans} annotated spans, torch threads {torch.get_num_threads()}"
    )
    print(
        f"detection (baseline): {recordings / detect_wall:8.2f} recordings/s wall, "
        f"{detect_cpu / recordings * 1000:8.1f} CPU-ms per recording"
    )
    print(
        f"recognition         : {spans / read_wall:8.2f} spans/s wall, "
        f"{read_cpu / spans * 1000:8.1f} CPU-ms per span"
    )
    print(
        f"recognition / detection: {read_wall / spans / (detect_wall / recordings):8.2f} "
        "(wall time per span over wall time per recording)"
    )
    print(
        f"recognition / detection: {read_cpu / spans / (detect_cpu / recordings):8.2f} "
        "(CPU time per span over CPU time per recording)"
    )
    print(f"spans per recording here: {spans / recordings:.2f}; frames at {FPS:.0f} fps")


if __name__ == "__main__":
    main()
