"""``asl-stem synth``: write the synthetic demo corpus, or a synthetic twin of annotations."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from asl_stem.commands._common import add_command
from asl_stem.commands.render import parse_size


def register(subparsers: Any) -> None:
    """Add the ``synth`` subcommand."""
    parser = add_command(
        subparsers, "synth", "Write a synthetic corpus in the release layout (demo or twin)."
    )
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--articles", type=int, default=4, help="bundled articles to sign")
    parser.add_argument("--interpreters", type=int, default=3, help="synthetic interpreters")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same corpus)")
    parser.add_argument("--fps", type=float, default=30.0, help="frames per second")
    parser.add_argument("--no-video", action="store_true", help="write keypoints only, no mp4")
    parser.add_argument("--size", type=parse_size, default="192x192", help="WIDTHxHEIGHT")
    parser.add_argument(
        "--workers", type=int, default=min(4, os.cpu_count() or 1), help="processes"
    )
    parser.add_argument(
        "--from-annotations",
        metavar="CSV",
        help="make a twin of this fs-annotations CSV (its sentences, strings and span frames)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Call the library; exit 2 without an annotations file, 1 when a recording failed."""
    from asl_stem.synth.corpus import write_demo_corpus, write_twin_corpus

    options = {
        "seed": args.seed,
        "fps": args.fps,
        "video": not args.no_video,
        "size": args.size,
        "workers": args.workers,
    }
    if args.from_annotations:
        if not Path(args.from_annotations).is_file():
            print(
                f"--from-annotations {args.from_annotations}: no such file; "
                "give an fs-annotations CSV"
            )
            return 2
        report = write_twin_corpus(args.out, args.from_annotations, **options)
    else:
        report = write_demo_corpus(
            args.out, articles=args.articles, interpreters=args.interpreters, **options
        )
    failed = [p for p in report.problems if p.kind == "synth_failed"]
    for problem in report.problems:
        print(problem)
    print(
        f"{report.recordings} recordings ({report.resumed} resumed), {report.frames} frames, "
        f"{report.spans} spans, {len(report.problems)} problems -> {report.out}"
    )
    return 1 if failed else 0
