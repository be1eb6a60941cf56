"""``asl-stem app``: the interpreter lookup web app over a term index."""

from __future__ import annotations

import argparse
import logging
import sqlite3
from pathlib import Path
from typing import Any

from asl_stem.commands._common import add_command

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    parser = add_command(subparsers, "app", "run the interpreter lookup web app")
    parser.add_argument(
        "--index",
        type=Path,
        default=Path("demo/index.sqlite"),
        help="term index from `asl-stem index build` (the demo's by default)",
    )
    parser.add_argument("--notes", type=Path, help="notes file (default: notes.sqlite beside it)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name clients may use besides the bound address and localhost (repeat it; "
        "'*' allows any, e.g. behind a proxy that checks hosts itself)",
    )
    parser.add_argument(
        "--cpu-slots",
        type=int,
        default=None,
        help="how many requests may score text at once (default 2; 0 = no limit)",
    )
    parser.add_argument(
        "--lexicon",
        type=Path,
        help="ASL-LEX 2.0 signdata.csv for scoring pasted text (default: the file the index "
        "was built with, when it is still there)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from asl_stem.termindex.integrity import disk_error
    from asl_stem.webapp import serve

    try:
        serve(
            args.index,
            args.notes,
            args.host,
            args.port,
            args.allowed_host,
            args.cpu_slots,
            args.lexicon,
        )
    except (OSError, sqlite3.OperationalError, ValueError) as error:
        notes = args.notes or args.index.parent / "notes.sqlite"
        translated = disk_error(error, notes) if not isinstance(error, ValueError) else None
        log.error("%s", translated or error)
        return 1
    return 0
