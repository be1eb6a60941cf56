"""``asl-stem index build|tune``: the term index the interpreter app reads."""

from __future__ import annotations

import argparse
import logging
import sqlite3
from pathlib import Path
from typing import Any

from asl_stem.commands._common import add_command

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    from asl_stem.termindex.spanrows import DetectionThresholds

    defaults = DetectionThresholds()
    parser = add_command(subparsers, "index", "build the term index (SQLite) for the app")
    actions = parser.add_subparsers(dest="index_command", metavar="ACTION", required=True)
    build = add_command(actions, "build", "build the term index from manifests and spans")
    build.add_argument("manifest_dir", type=Path, help="manifests written by `asl-stem ingest`")
    build.add_argument("--out", type=Path, required=True, help="index file to write")
    build.add_argument(
        "--spans",
        type=Path,
        action="append",
        default=[],
        help="a span file (asl-stem detect or terms align output) kept beside the manifests' "
        "annotated spans; repeat for several",
    )
    build.add_argument("--shards", type=Path, help="keypoint shards (`asl-stem extract` output)")
    build.add_argument(
        "--keypoints", type=Path, help="folder of reference <recording id>.npy keypoint files"
    )
    build.add_argument(
        "--release", type=Path, help="the release (folder or zip): the app plays its videos"
    )
    build.add_argument("--lexicon", type=Path, help="ASL-LEX 2.0 signdata.csv, as published")
    build.add_argument("--scorer", type=Path, help="term scorer file (default: the shipped one)")
    build.add_argument(
        "--min-score", type=float, default=0.3, help="lowest scorer score that makes a term"
    )
    build.add_argument(
        "--min-detect-score",
        type=float,
        default=defaults.min_score,
        help="lowest detector score for a detected span to count in term statistics",
    )
    build.add_argument(
        "--min-detect-frames",
        type=int,
        default=defaults.min_frames,
        help="fewest frames for a detected span to count in term statistics",
    )
    build.add_argument(
        "--max-fps", type=float, default=15.0, help="playback frame rate kept for clips"
    )
    build.set_defaults(func=run_build)
    tune = add_command(
        actions, "tune", "choose the detection thresholds on articles with annotations"
    )
    tune.add_argument("manifest_dir", type=Path, help="manifests with annotated spans")
    tune.add_argument("--spans", type=Path, required=True, help="detector span file")
    tune.add_argument(
        "--articles",
        nargs="+",
        required=True,
        help="article titles to choose on (a validation split of the training articles)",
    )
    tune.add_argument(
        "--validation-fraction",
        type=float,
        help="use only the recordings the detector held out for validation (its "
        "data.val_fraction, e.g. 0.15), so it never trained on them",
    )
    tune.add_argument("--seed", type=int, default=0, help="the detector's seed_everything")
    tune.set_defaults(func=run_tune)


def run_build(args: argparse.Namespace) -> int:
    from asl_stem.termindex import build_index
    from asl_stem.termindex.integrity import OutputDiskError
    from asl_stem.termindex.spanrows import DetectionThresholds

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
            release=args.release,
            scorer=scorer,
            lexicon_csv=args.lexicon,
            min_score=args.min_score,
            thresholds=DetectionThresholds(args.min_detect_score, args.min_detect_frames),
            max_fps=args.max_fps,
        )
    except (FileNotFoundError, ValueError, OutputDiskError, sqlite3.DatabaseError) as error:
        log.error("%s", error)
        return 1
    return 0


def run_tune(args: argparse.Namespace) -> int:
    from asl_stem.termindex.thresholds import choose_thresholds

    try:
        choice = choose_thresholds(
            args.manifest_dir, args.spans, args.articles, args.validation_fraction, args.seed
        )
    except (FileNotFoundError, ValueError) as error:
        log.error("%s", error)
        return 1
    print(choice.summary())
    return 0
