"""The ``asl-stem`` command: one subcommand per pipeline stage.

Each module in :mod:`asl_stem.commands` defines ``register(subparsers)``, which adds its
subcommand with a ``func(args) -> int`` default. Commands only parse options and call the
library; heavy imports happen inside ``func`` so ``asl-stem --help`` stays fast.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import logging
import pkgutil
import sys

from asl_stem import __version__, commands
from asl_stem.commands._common import DefaultsFormatter


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="asl-stem",
        description="Toolkit for the ASL STEM Wiki corpus.",
        formatter_class=DefaultsFormatter,
    )
    parser.add_argument("--version", action="version", version=f"asl-stem {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    if extra and not getattr(args, "accepts_extra", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted; rerun the same command to resume", file=sys.stderr)
        return 130
    except (OSError, ValueError) as error:  # bad input or environment: one line, no traceback
        if args.verbose:
            raise
        print(f"asl-stem {args.command}: {describe(error)}", file=sys.stderr)
        return 2


ADVICE = {
    errno.ENOSPC: "the disk is full: free some space or write elsewhere",
    errno.EDQUOT: "the disk quota is used up: free some space or write elsewhere",
    errno.EROFS: "the file system is read-only: write elsewhere",
    errno.EACCES: "permission denied: write elsewhere or fix the permissions",
    errno.EPERM: "not permitted: write elsewhere or fix the permissions",
    errno.ENOENT: "no such file or folder: check the path",
    errno.EISDIR: "a folder where a file was expected: check the path",
    errno.ENOTDIR: "a file where a folder was expected: check the path",
}


def describe(error: BaseException) -> str:
    """One line saying what went wrong, where, and what to do (rerun with -v for a traceback)."""
    if isinstance(error, OSError) and error.errno in ADVICE:
        where = error.filename or "?"
        return f"{where}: {error.strerror}; {ADVICE[error.errno]}"
    text = " ".join(str(error).split()) or type(error).__name__
    return text


if __name__ == "__main__":
    sys.exit(main())
