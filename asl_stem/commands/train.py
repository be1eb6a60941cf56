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
    parser.set_defaults(func=run, accepts_extra=True)


def run(args: argparse.Namespace) -> int:
    from asl_stem.detect.training import train

    try:
        checkpoint = train(args.config, args.extra)
    except (FileNotFoundError, ValueError) as error:  # ShardCatalogError is a ValueError
        print(f"asl-stem train: {error}", file=sys.stderr)
        return 2
    print(f"checkpoint: {checkpoint}")
    return 0
