"""``asl-stem detect``: fingerspelled spans with scores for every recording of some shards."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from asl_stem.commands._common import add_command


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers, "detect", "Detect fingerspelled spans in keypoint shards with a checkpoint."
    )
    parser.add_argument("checkpoint", help=".ckpt file written by `asl-stem train`")
    parser.add_argument(
        "shards",
        help="shards made by `asl-stem extract`: folder, index.json (path or URL), brace pattern "
        "of tars or file://; each shard's sha256 is checked before use",
    )
    parser.add_argument("--out", required=True, help="spans.jsonl to write")
    parser.add_argument("--plot", metavar="DIR", help="also write a PNG per recording here")
    parser.add_argument("--onset", type=float, help="start threshold (default: the checkpoint's)")
    parser.add_argument("--offset", type=float, help="end threshold (default: the checkpoint's)")
    parser.add_argument("--median", type=int, help="median filter width in frames (odd)")
    parser.add_argument("--min-duration-on", type=int, help="shortest span kept, in frames")
    parser.add_argument("--min-duration-off", type=int, help="gaps shorter than this are merged")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from asl_stem.detect.inference import detect

    overrides = {
        "onset": args.onset,
        "offset": args.offset,
        "median": args.median,
        "min_duration_on": args.min_duration_on,
        "min_duration_off": args.min_duration_off,
    }
    try:
        count = detect(args.checkpoint, args.shards, args.out, args.plot, overrides)
    except (FileNotFoundError, ValueError) as error:  # ShardCatalogError is a ValueError
        print(f"asl-stem detect: {error}", file=sys.stderr)
        return 2
    print(f"{count} recordings -> {args.out}")
    return 0
