"""``asl-stem evaluate``: AP@IoU, mean IoU and frame P/R/F1 of detections, beside the heuristic."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from asl_stem.commands._common import add_command


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "evaluate",
        "Score spans.jsonl against annotations (AP@0.1/0.3/0.5, mean IoU, frame P/R/F1).",
    )
    parser.add_argument("spans", help="spans.jsonl written by `asl-stem detect`")
    parser.add_argument(
        "--annotations",
        required=True,
        help="annotation CSV, manifest folder (`asl-stem ingest`) or shards (folder, index.json "
        "URL, brace pattern)",
    )
    parser.add_argument(
        "--baseline",
        metavar="SHARDS",
        help="shards to run the non-learned heuristic on, for its row",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from asl_stem.detect.evaluation import evaluate, format_table

    try:
        result = evaluate(args.spans, args.annotations, args.baseline)
    except (FileNotFoundError, ValueError) as error:  # ShardCatalogError is a ValueError
        print(f"asl-stem evaluate: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(format_table(result.rows))
        print(
            f"{result.rows[0].recordings} recordings evaluated; left out: "
            f"{len(result.not_annotated)} not annotated, {len(result.not_detected)} not detected"
        )
    return 0
