"""``asl-stem ingest``: the release (folder or zip) and annotations -> manifests + report."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from asl_stem.commands._common import add_command

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    """Add the ``ingest`` subcommand."""
    parser = add_command(
        subparsers,
        "ingest",
        "Read the release (folder or zip, never unpacked) and fingerspelling annotations; "
        "write typed manifests (articles, sentences, recordings, spans) and report.json.",
    )
    parser.add_argument(
        "release",
        nargs="?",
        metavar="RELEASE",
        help="release folder (videos.csv + videos/) or the release zip; omit it to ingest "
        "annotation files only (their videos are then reported missing)",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="manifest folder to write")
    parser.add_argument(
        "--annotations",
        nargs="+",
        default=[],
        metavar="CSV",
        help="fingerspelling annotation CSVs (default: RELEASE/fs-annotations/*.csv, "
        "without the -onespan copies)",
    )
    parser.add_argument(
        "--no-probe",
        dest="probe",
        action="store_false",
        help="skip reading fps/frames/size from each video (fast; videos are not verified)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="probing threads (default: twice the cores, at most 8)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 if any problem was found"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the ingest and say what it found; problems set the exit status under --strict."""
    from asl_stem.corpus.recipe import prepare_asl_stem

    try:
        result = prepare_asl_stem(
            args.release,
            args.annotations,
            args.out,
            probe=args.probe,
            workers=args.workers,
        )
    except (FileNotFoundError, ValueError) as error:
        log.error("%s", error)
        return 2
    for problem in result.problems[:20]:
        log.warning("%s", problem)
    if len(result.problems) > 20:
        log.warning(
            "... %d more problems in %s", len(result.problems) - 20, result.out_dir / "report.json"
        )
    if args.strict and result.problems:
        log.error("--strict: %d problems (%s)", len(result.problems), result.report["problems"])
        return 1
    return 0
