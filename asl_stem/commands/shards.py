"""``asl-stem shards verify|info``: check shards against index.json, or summarise them."""

from __future__ import annotations

import argparse
import json
import logging
from typing import Any

from asl_stem.commands._common import add_command

log = logging.getLogger(__name__)
SOURCE_HELP = (
    "shards folder, its index.json (path, file:// or http(s) URL) or a brace pattern of its "
    "tars (the index.json beside them is used)"
)


def register(subparsers: Any) -> None:
    """Add the ``shards`` subcommand with ``verify`` and ``info``."""
    parser = add_command(subparsers, "shards", "Check or summarise keypoint shards.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    verify = add_command(
        actions, "verify", "Recompute each shard's sha256, read every sample, compare to index."
    )
    verify.add_argument("shards_dir", metavar="SHARDS", help=SOURCE_HELP)
    verify.set_defaults(func=run_verify)
    info = add_command(actions, "info", "Print a JSON summary of a shard folder.")
    info.add_argument("shards_dir", metavar="SHARDS", help=SOURCE_HELP)
    info.set_defaults(func=run_info)


def run_verify(args: argparse.Namespace) -> int:
    """Exit 0 when every shard is intact, 1 when any error was found."""
    from asl_stem.shards.verify import verify_shards

    try:
        checked, problems = verify_shards(args.shards_dir)
    except ValueError as error:  # the shard store's errors, each one line
        log.error("%s", error)
        return 2
    for problem in problems:
        (log.error if problem.severity == "error" else log.warning)("%s", problem)
    errors = sum(problem.severity == "error" for problem in problems)
    log.info(
        "%d shards checked, %d with errors",
        checked,
        len({p.file for p in problems if p.severity == "error"}),
    )
    return 1 if errors else 0


def run_info(args: argparse.Namespace) -> int:
    from asl_stem.shards.verify import shards_info

    try:
        summary = shards_info(args.shards_dir)
    except ValueError as error:
        log.error("%s", error)
        return 2
    print(json.dumps(summary, indent=2))
    return 0
