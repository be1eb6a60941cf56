#!/usr/bin/env python
"""Device check for a lent GPU: train the GPU config briefly on synthetic shards made here,
then print training frames/s and peak memory (bf16-mixed). Assumes `pip install -e .`.

    python scripts/gpu_check.py [--recordings 192] [--epochs 3] [--out runs/gpu_check]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import torch

from asl_stem.detect.synthetic import write_synthetic_shards
from asl_stem.detect.throughput import FrameThroughput
from asl_stem.training import fit


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=192)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--out", default="runs/gpu_check")
    parser.add_argument("--config", default="models/detector-gpu.yaml")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if not torch.cuda.is_available():
        print("gpu_check: no CUDA device visible; run this on the GPU machine", file=sys.stderr)
        return 2
    out = Path(args.out)
    shards = out / "shards"
    started = time.perf_counter()
    if not (shards / "index.json").exists():
        write_synthetic_shards(shards, recordings=args.recordings, shard_size=8)
    synth_s = time.perf_counter() - started

    torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    trainer = fit(
        args.config,
        [
            "--data.shards",
            str(shards),
            "--data.val_shards",
            str(shards),
            "--data.crops_per_recording",
            "16",
            "--trainer.max_epochs",
            str(args.epochs),
            f"--trainer.default_root_dir={out}",
            f"--trainer.logger.init_args.save_dir={out}",
            "--trainer.enable_progress_bar=false",
        ],
    )
    train_s = time.perf_counter() - started
    meter = next(cb for cb in trainer.callbacks if isinstance(cb, FrameThroughput))
    metrics = {k: float(v) for k, v in trainer.callback_metrics.items()}
    summary = {
        "device": torch.cuda.get_device_name(0),
        "gpus": trainer.world_size,
        "precision": str(trainer.precision),
        "strategy": type(trainer.strategy).__name__,
        "recordings": args.recordings,
        "epochs": args.epochs,
        "synthesis_s": round(synth_s, 1),
        "training_s": round(train_s, 1),
        "train_frames_per_s": round(meter.frames_per_second),
        "peak_memory_gib": round(torch.cuda.max_memory_allocated() / 2**30, 3),
        "val_ap": round(metrics.get("val/ap", float("nan")), 4),
        "val_f1": round(metrics.get("val/f1", float("nan")), 4),
        "checkpoint": trainer.checkpoint_callback.best_model_path,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print("\n=== gpu_check summary ===")
    for key, value in summary.items():
        print(f"{key:>20}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
