"""``asl-stem index build``: the term index the interpreter app reads."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from asl_stem.commands._common import add_command

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    parser = add_command(subparsers, "index", "build the term index (SQLite) for the app")
    actions = parser.add_subparsers(dest="index_command", metavar="ACTION", required=True)
    build = add_command(actions, "build", "build the term index from manifests and spans")
    build.add_argument("manifest_dir", type=Path, help="manifests written by `asl-stem ingest`")
    build.add_argument("--out", type=Path, required=True, help="index file to write")
    build.add_argument("--spans", type=Path, help="detector spans.jsonl (default: annotations)")
    build.add_argument("--shards", type=Path, help="keypoint shards (`asl-stem extract` output)")
    build.add_argument(
        "--keypoints", type=Path, help="folder of reference <recording id>.npy keypoint files"
    )
    build.add_argument("--lexicon", type=Path, help="a local ASL-LEX 2.0 style CSV to link")
    build.add_argument("--scorer", type=Path, help="term scorer file (default: the shipped one)")
    build.add_argument(
        "--min-score", type=float, default=0.3, help="lowest scorer score that makes a term"
    )
    build.add_argument(
        "--max-fps", type=float, default=15.0, help="playback frame rate kept for clips"
    )
    build.set_defaults(func=run_build)


def run_build(args: argparse.Namespace) -> int:
    from asl_stem.termindex import build_index

    try:
        scorer = None
        if args.scorer is not None:
            from asl_stem.terms import TermScorer

            scorer = TermScorer.load(args.scorer)
        build_index(
            args.manifest_dir,
            out=args.out,
            spans=args.spans,
            shards_dir=args.shards,
            keypoints_dir=args.keypoints,
            scorer=scorer,
            lexicon_csv=args.lexicon,
            min_score=args.min_score,
            max_fps=args.max_fps,
        )
    except (FileNotFoundError, ValueError) as error:
        log.error("%s", error)
        return 1
    return 0
