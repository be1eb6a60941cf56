"""``asl-stem train``: fit a model of the toolkit (LightningCLI; extra args are overrides)."""

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
    add_training_arguments(parser, "models/detector-cpu.yaml")
    parser.set_defaults(func=run, accepts_extra=True)


def add_training_arguments(parser: argparse.ArgumentParser, example: str) -> None:
    """``--config`` and ``--ckpt_path``, shared by ``train`` and ``pretrain``."""
    parser.add_argument("--config", required=True, help=f"LightningCLI YAML, e.g. {example}")
    parser.add_argument(
        "--ckpt_path",
        "--ckpt-path",
        metavar="CKPT",
        help="resume a stopped run from this checkpoint (e.g. its checkpoints/last.ckpt)",
    )


def run(args: argparse.Namespace) -> int:
    """Check the checkpoint to resume from, then fit; one line and exit 2 on bad input."""
    from asl_stem.detect.checkpoint import read_checkpoint
    from asl_stem.training import train

    try:
        if args.ckpt_path is not None:
            read_checkpoint(args.ckpt_path)  # empty or corrupt: refused before any work
        checkpoint = train(args.config, args.extra, args.ckpt_path)
    except (FileNotFoundError, ValueError) as error:  # ShardCatalogError is a ValueError
        print(f"asl-stem {args.command}: {error}", file=sys.stderr)
        return 2
    print(f"checkpoint: {checkpoint}")
    return 0
