"""``asl-stem recipes``: public fingerspelling landmark corpora into shards with their phrases."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from asl_stem.commands._common import add_command


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers, "recipes", "Turn public fingerspelling landmark corpora into shards."
    )
    recipes = parser.add_subparsers(dest="recipe", metavar="RECIPE", required=True)
    kaggle = add_command(
        recipes,
        "kaggle-fingerspelling",
        "The 2023 ASL fingerspelling competition's landmarks (train + supplemental) as shards.",
    )
    kaggle.add_argument("folder", help="the competition's folder (train.csv, train_landmarks/)")
    kaggle.add_argument("--out", required=True, help="shards folder to write (resumable)")
    kaggle.add_argument("--face", action="store_true", help="also the 468 face points (543)")
    kaggle.add_argument("--shard-size", type=int, default=256, help="sequences per shard")
    kaggle.add_argument(
        "--sets",
        nargs="+",
        choices=["train", "supplemental"],
        default=["train", "supplemental"],
        help="which sets to read",
    )
    kaggle.set_defaults(func=_kaggle)


def _kaggle(args: argparse.Namespace) -> int:
    from asl_stem.recipes.kaggle_fingerspelling import prepare_kaggle_fingerspelling

    try:
        report = prepare_kaggle_fingerspelling(
            args.folder, args.out, face=args.face, shard_size=args.shard_size, sets=args.sets
        )
    except (FileNotFoundError, ValueError) as error:
        print(f"asl-stem recipes kaggle-fingerspelling: {error}", file=sys.stderr)
        return 2
    summary = report.to_dict()
    for problem in report.problems:
        print(problem, file=sys.stderr)
    summary.pop("bad_rows")
    print(json.dumps(summary))
    return 1 if report.written < report.sequences else 0
