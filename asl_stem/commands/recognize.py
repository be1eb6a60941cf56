"""``asl-stem recognize``: the letters of every fingerspelled span, read from keypoint shards."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from asl_stem.commands._common import add_command


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers, "recognize", "Read the letters of fingerspelled spans with a checkpoint."
    )
    parser.add_argument("checkpoint", help=".ckpt file of `asl-stem train` (recognizer config)")
    parser.add_argument("shards", help="shards folder (`asl-stem extract` or `asl-stem recipes`)")
    parser.add_argument(
        "--spans", help="span file of `asl-stem detect`; default: the shards' annotated spans"
    )
    parser.add_argument("--out", required=True, help="letters file (JSONL) to write")
    parser.add_argument("--articles", nargs="+", help="only the recordings of these articles")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from asl_stem.recognize.inference import recognize

    try:
        report = recognize(args.checkpoint, args.shards, args.out, args.spans, args.articles)
    except (FileNotFoundError, ValueError) as error:  # ShardCatalogError is a ValueError
        print(f"asl-stem recognize: {error}", file=sys.stderr)
        return 2
    print(json.dumps(report | {"out": str(args.out)}))
    return 0
