"""``asl-stem demo``: the whole pipeline on a synthetic corpus the toolkit makes itself."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from asl_stem.commands._common import add_command


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "demo",
        "Make a small synthetic corpus and run every stage on it: synth, ingest, extract, "
        "MediaPipe on two real videos, train, detect, evaluate, terms, index, figures. Saves "
        "the results, figures and a timing table into --out; then `asl-stem app` serves it.",
    )
    parser.add_argument("--out", default="demo", help="output folder")
    parser.add_argument("--articles", type=int, default=4, help="articles in the corpus (2-5)")
    parser.add_argument("--interpreters", type=int, default=3, help="synthetic interpreters")
    parser.add_argument("--seed", type=int, default=0, help="seed of the corpus and training")
    parser.add_argument("--workers", type=int, default=2, help="processes for synth/extract")
    parser.add_argument(
        "--epochs", type=int, default=None, help="training epochs (default: the CPU config's)"
    )
    parser.add_argument(
        "--real-frames",
        type=int,
        default=None,
        help="frames MediaPipe reads from each real video (default: all)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from asl_stem.demo import run_demo

    result = run_demo(
        args.out,
        articles=args.articles,
        interpreters=args.interpreters,
        seed=args.seed,
        workers=args.workers,
        epochs=args.epochs,
        real_frames=args.real_frames,
    )
    left_out = len(result.evaluation.not_detected)
    print(f"\n{result.table()}")
    print(
        f"\n(The {left_out} recordings logged as 'annotated but not detected, left out' are the "
        "training articles': the evaluation keeps the held-out article only. Not a failure.)"
    )
    print("\nMediaPipe on two real videos (pose + hands, the engine `asl-stem extract` runs):")
    for item in result.real_videos:
        print(f"  {item.line()}")
    print(f"\nTime per stage (this machine, {os.cpu_count()} cores):\n")
    print(result.clock.table())
    print("\nSaved:")
    for path in result.paths.saved():
        print(f"  {path}")
    print(f"\nBrowse the result:\n  {app_command(result.paths.index)}")
    return 0


def app_command(index: Path) -> str:
    """The ``asl-stem app`` line that works as printed, from the folder the demo ran in."""
    script = Path(sys.executable).with_name("asl-stem")
    if not script.exists():
        return f"{sys.executable} -m asl_stem.cli app --index {index}"
    try:
        shown = script.relative_to(Path.cwd())
    except ValueError:
        shown = script
    return f"{shown} app --index {index}"
