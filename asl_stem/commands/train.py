"""``asl-stem train``: fit a model of the toolkit (LightningCLI; extra args are overrides)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from asl_stem.commands._common import add_command

# What `asl-stem train --help` shows of a config (tests check these keys are in the CPU one).
CONFIG_KEYS = {
    "trainer": ("max_epochs", "accelerator", "devices", "precision", "default_root_dir"),
    "model": ("class_path", "hidden", "lr", "onset", "offset", "median"),
    "data": ("class_path", "shards", "val_fraction", "window_frames", "batch_size", "num_workers"),
}
EPILOG = (
    "The config names a model and a data module by class_path and sets the trainer. Its main "
    "keys, each overridable as --SECTION.KEY VALUE (init_args may be left out):\n\n"
    + "\n".join(f"  {section}: {', '.join(keys)}" for section, keys in CONFIG_KEYS.items())
    + "\n\nExamples:\n\n"
    "  asl-stem train --config models/detector-cpu.yaml --data.shards shards/\n"
    "  asl-stem train --config models/detector-cpu.yaml --data.shards shards/ \\\n"
    "      --trainer.max_epochs 4 --data.val_fraction 0.2\n"
    "  asl-stem train --config models/detector-cpu.yaml --print_config   # every key, resolved"
)


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "train",
        "Train the fingerspelling detector (or another model of the toolkit) from a YAML "
        "config in models/; any other --section.key value overrides the config.",
        EPILOG,
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
