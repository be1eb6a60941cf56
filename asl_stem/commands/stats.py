"""``asl-stem stats``: a readable summary of ingested manifests."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from asl_stem.commands._common import add_command

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    """Add the ``stats`` subcommand."""
    parser = add_command(
        subparsers,
        "stats",
        "Summarise an ingested corpus: per article, per interpreter, hours, problems.",
    )
    parser.add_argument("manifests", metavar="DIR", help="folder written by `asl-stem ingest`")
    parser.add_argument("--json", action="store_true", help="print the same counts as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the summary as text or JSON."""
    from asl_stem.corpus.stats import format_summary, summarise

    try:
        summary = summarise(args.manifests)
    except (FileNotFoundError, ValueError) as error:
        log.error("%s", error)
        return 2
    if args.json:
        json.dump(summary, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_summary(summary) + "\n")
    return 0
