"""``asl-stem train``: fit the fingerspelling detector (LightningCLI; extra args are overrides)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from asl_stem.commands._common import add_command


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "train",
        "Train the fingerspelling detector from a YAML config in models/; any other "
        "--section.key value (e.g. --data.shards DIR --trainer.max_epochs 5) overrides the config.",
    )
    parser.add_argument(
        "--config", required=True, help="LightningCLI YAML, e.g. models/detector-cpu.yaml"
    )
    parser.add_argument(
        "--ckpt_path",
        "--ckpt-path",
        metavar="CKPT",
        help="resume a stopped run from this checkpoint (e.g. its checkpoints/last.ckpt)",
    )
    parser.set_defaults(func=run, accepts_extra=True)


def run(args: argparse.Namespace) -> int:
    from asl_stem.training import train

    try:
        checkpoint = train(args.config, args.extra, args.ckpt_path)
    except (FileNotFoundError, ValueError) as error:  # ShardCatalogError is a ValueError
        print(f"asl-stem train: {error}", file=sys.stderr)
        return 2
    print(f"checkpoint: {checkpoint}")
    return 0
