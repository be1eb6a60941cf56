#!/usr/bin/env python
"""Training throughput: frames/s through the shard data loader vs the same step on batches
already in memory. The loader should not be the bottleneck (ratio near 1).

    python benchmarks/bench_train.py [--shards DIR] [--steps 20] [--workers 1]

Without --shards it synthesises 48 recordings into a temporary folder first.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterable

import torch

from asl_stem.detect.data import FingerspellingData
from asl_stem.detect.module import FingerspellingDetector
from asl_stem.detect.synthetic import write_synthetic_shards


def run_steps(
    model: FingerspellingDetector, batches: Iterable[dict], steps: int, warmup: int
) -> tuple[int, float]:
    """Train ``steps`` steps after ``warmup``; return (frames, wall seconds) of the timed ones."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    frames, started = 0, 0.0
    for number, batch in enumerate(batches):
        if number == warmup:
            started = time.perf_counter()
        loss = model.loss(model(batch["features"], batch["valid"]), batch["labels"], batch["valid"])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if number >= warmup:
            frames += int(batch["valid"].sum())
        if number + 1 == warmup + steps:
            break
    return frames, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--window", type=int, default=256)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    shards = args.shards or tempfile.mkdtemp(prefix="bench_train_")
    if args.shards is None:
        write_synthetic_shards(shards, recordings=48, shard_size=4)
    torch.manual_seed(0)
    data = FingerspellingData(
        shards,
        window_frames=args.window,
        batch_size=args.batch_size,
        num_workers=args.workers,
        crops_per_recording=8,
        samples_per_epoch=10 * 48,  # one loader epoch holds every timed step
    )
    data.setup("fit")
    needed = args.warmup + args.steps
    in_memory = []
    while len(in_memory) < needed:
        in_memory.extend(data.train_dataloader())
    in_memory = in_memory[:needed]

    model = FingerspellingDetector(hidden=args.hidden)
    memory_frames, memory_s = run_steps(model, in_memory, args.steps, args.warmup)

    def stream():
        while True:
            yield from data.train_dataloader()

    model = FingerspellingDetector(hidden=args.hidden)
    loader_frames, loader_s = run_steps(model, stream(), args.steps, args.warmup)
    memory_rate, loader_rate = memory_frames / memory_s, loader_frames / loader_s
    print(
        f"torch threads {torch.get_num_threads()}, loader workers {args.workers}, "
        f"batch {args.batch_size} x {args.window} frames, hidden {args.hidden}"
    )
    print(f"in-memory batches (baseline): {memory_rate:10.0f} training frames/s")
    print(f"shard data loader           : {loader_rate:10.0f} training frames/s")
    print(f"loader / in-memory          : {loader_rate / memory_rate:10.2f}")


if __name__ == "__main__":
    main()
