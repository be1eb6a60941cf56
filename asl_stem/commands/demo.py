"""``asl-stem demo``: the whole pipeline on a synthetic corpus the toolkit makes itself."""

from __future__ import annotations

import argparse
from typing import Any

from asl_stem.commands._common import add_command


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "demo",
        "Make a small synthetic corpus and run every stage on it: synth, ingest, extract, "
        "train, detect, evaluate, terms, index. Then `asl-stem app` serves the result.",
    )
    parser.add_argument("--out", default="demo", help="output folder")
    parser.add_argument("--articles", type=int, default=4, help="articles in the corpus")
    parser.add_argument("--interpreters", type=int, default=3, help="synthetic interpreters")
    parser.add_argument("--seed", type=int, default=0, help="seed of the corpus and training")
    parser.add_argument("--workers", type=int, default=2, help="processes for synth/extract")
    parser.add_argument(
        "--epochs", type=int, default=None, help="training epochs (default: the CPU config's)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from asl_stem.demo import run_demo

    table = run_demo(
        args.out,
        articles=args.articles,
        interpreters=args.interpreters,
        seed=args.seed,
        workers=args.workers,
        epochs=args.epochs,
    )
    print(table)
    print(f"\nDone. Browse the result: asl-stem app --index {args.out}/index.sqlite")
    return 0
