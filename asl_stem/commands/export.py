"""``asl-stem export``: one recording's keypoints as a pose-format .pose or reference .npy."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from asl_stem.commands._common import add_command

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    """Add the ``export`` subcommand."""
    parser = add_command(
        subparsers,
        "export",
        "Write a recording's keypoints as .pose (pose-format, holistic components, pixels) or "
        ".npy (reference (T, 543, 2) float64, zeros where missing).",
    )
    parser.add_argument(
        "shards_dir",
        metavar="SHARDS",
        help="shards folder, its index.json (path or URL), a brace pattern of tars or file://",
    )
    parser.add_argument("recording_id", metavar="RECORDING_ID")
    parser.add_argument("--out", required=True, metavar="FILE", help="FILE.pose or FILE.npy")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from asl_stem.shards.catalog import ShardCatalogError
    from asl_stem.shards.export import export_recording

    try:
        path = export_recording(args.shards_dir, args.recording_id, args.out)
    except (KeyError, ValueError, ShardCatalogError) as error:
        log.error("%s", error)
        return 2
    log.info("wrote %s", path)
    return 0
