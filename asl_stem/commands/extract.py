"""``asl-stem extract``: manifests -> MediaPipe keypoints in WebDataset shards."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from asl_stem.commands._common import add_command

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    """Add the ``extract`` subcommand."""
    parser = add_command(
        subparsers,
        "extract",
        "Run MediaPipe pose and hands (and face) on every recording of the manifests and write "
        "keypoint shards with index.json. Resumable: rerun the same command after a crash.",
    )
    parser.add_argument("manifest_dir", metavar="MANIFEST_DIR", help="folder from asl-stem ingest")
    parser.add_argument("--out", required=True, metavar="SHARDS_DIR", help="shard folder")
    parser.add_argument("--face", action="store_true", help="also the 468 face points (543)")
    parser.add_argument(
        "--source",
        choices=("video", "keypoints"),
        default="video",
        help="run MediaPipe on the videos, or read reference keypoints/<id>.npy files",
    )
    parser.add_argument(
        "--keypoints-dir",
        metavar="DIR",
        help="folder of <id>.npy files (default: keypoints/ beside the videos' folder, or in "
        "the release the manifests were ingested from)",
    )
    parser.add_argument("--workers", type=int, default=1, help="local worker processes")
    parser.add_argument("--shard-size", type=int, default=64, help="recordings per shard")
    parser.add_argument("--max-frames", type=int, default=None, help="frames per recording cap")
    parser.add_argument(
        "--pose-every",
        type=int,
        default=1,
        metavar="N",
        help="run the pose landmarker on every Nth frame only and interpolate it between "
        "(hands still on every frame; 2 halves the pose's CPU, see docs/extract.md)",
    )
    parser.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="local: a process pool of --workers; ray: tasks on a Ray cluster (see --address)",
    )
    parser.add_argument("--address", help="Ray cluster address (--engine ray; default: local)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Extract, then say what happened; any failed recording makes the exit status 1."""
    from asl_stem.extract.run import FAILURES_NAME, extract
    from asl_stem.extract.work import ExtractSettings

    try:
        settings = ExtractSettings(
            args.source, args.face, args.shard_size, args.max_frames, args.pose_every
        )
        summary = extract(
            args.manifest_dir,
            args.out,
            settings,
            workers=args.workers,
            engine=args.engine,
            address=args.address,
            keypoints_dir=args.keypoints_dir,
        )
    except (OSError, ValueError) as error:  # the shard store's errors are ValueErrors
        log.error("%s", error)
        return 2
    log.info("%s", summary)
    if summary.failures:
        log.error(
            "%d recordings failed; reasons in %s/%s", summary.failures, args.out, FAILURES_NAME
        )
        return 1
    return 0
