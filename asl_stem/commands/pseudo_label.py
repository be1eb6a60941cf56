"""``asl-stem pseudo-label``: confident detections of unannotated recordings as weak labels."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from asl_stem.commands._common import add_command


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "pseudo-label",
        "Write the detector's confident spans of unannotated recordings as pseudo-labels "
        "(a span file for `asl-stem train ... --data.extra_spans`).",
    )
    parser.add_argument("checkpoint", help=".ckpt file written by `asl-stem train`")
    parser.add_argument("shards", help="shards folder made by `asl-stem extract`")
    parser.add_argument("--out", required=True, help="pseudo-label span file to write")
    parser.add_argument(
        "--min-score", type=float, default=0.8, help="keep spans scoring at least this"
    )
    parser.add_argument(
        "--keep-uncertain",
        action="store_true",
        help="also write recordings the detector is unsure of (a span under --min-score, or "
        "frames above 1 - min-score outside the kept spans), keeping only the confident spans",
    )
    parser.add_argument("--articles", nargs="+", metavar="ARTICLE", help="only these articles")
    parser.add_argument(
        "--exclude-articles", nargs="+", default=[], metavar="ARTICLE", help="leave these out"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from asl_stem.detect.pseudo import pseudo_label

    try:
        report = pseudo_label(
            args.checkpoint,
            args.shards,
            args.out,
            min_score=args.min_score,
            keep_uncertain=args.keep_uncertain,
            articles=args.articles,
            exclude_articles=args.exclude_articles,
        )
    except (FileNotFoundError, ValueError) as error:  # CheckpointError is a ValueError
        print(f"asl-stem pseudo-label: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(
            f"{report.written} of {report.recordings} unannotated recordings -> {report.out}: "
            f"{report.spans} spans >= {report.min_score} ({report.below_min_score} under it, "
            f"{report.uncertain_recordings} recordings left out as uncertain); "
            f"weights {report.origin}"
        )
    return 0
