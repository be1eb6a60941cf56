"""``asl-stem pretrain``: self-supervised pretraining of the detector's encoder on every
recording (masked keypoint modelling, recording-sentence matching; no span labels)."""

from __future__ import annotations

import argparse
from typing import Any

from asl_stem.commands._common import add_command
from asl_stem.commands.train import add_training_arguments


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "pretrain",
        "Pretrain the detector's encoder on every recording of some shards, labelled or not, "
        "from a YAML config (models/pretrain-*.yaml); fine-tune with `asl-stem train ... "
        "--model.init_from CKPT`. Other --section.key values override the config.",
    )
    add_training_arguments(parser, "models/pretrain-cpu.yaml")
    parser.set_defaults(func=run, accepts_extra=True)


def run(args: argparse.Namespace) -> int:
    from asl_stem.commands.train import run as train

    return train(args)
