"""``asl-stem render``: draw a keypoints file as a skeleton video (.mp4) or contact sheet (.png)."""

from __future__ import annotations

import argparse
from typing import Any

from asl_stem.commands._common import add_command
from asl_stem.corpus.records import FingerspellingSpan


def parse_spans(text: str) -> list[FingerspellingSpan]:
    """``"10-40:acid,55-70"`` -> spans of frames 10-40 ("acid") and 55-70 (no text)."""
    spans = []
    for number, item in enumerate(filter(None, (part.strip() for part in text.split(",")))):
        frames, _, label = item.partition(":")
        start, _, end = frames.partition("-")
        try:
            spans.append(
                FingerspellingSpan(
                    id=f":{number}",
                    recording_id="",
                    start_frame=int(start),
                    end_frame=int(end),
                    text=label or None,
                )
            )
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"bad span {item!r}: write START-END or START-END:TEXT, comma-separated, "
                "with START <= END"
            ) from None
    return spans


def parse_size(text: str) -> tuple[int, int]:
    """``"256x192"`` -> ``(256, 192)`` (width, height)."""
    width, _, height = text.lower().partition("x")
    try:
        size = (int(width), int(height))
    except ValueError:
        size = (0, 0)
    if min(size) < 16:
        raise argparse.ArgumentTypeError(f"bad size {text!r}: write WIDTHxHEIGHT, e.g. 256x256")
    return size


def register(subparsers: Any) -> None:
    """Add the ``render`` subcommand."""
    parser = add_command(
        subparsers, "render", "Draw keypoints (T, P, 2|3 .npy) as a skeleton mp4 or PNG sheet."
    )
    parser.add_argument("keypoints", help="a .npy file of shape (T, 543|75, 2|3)")
    parser.add_argument("--out", required=True, help="X.mp4 for a video, X.png for a sheet")
    parser.add_argument("--spans", type=parse_spans, default=[], help="e.g. 10-40:acid,55-70")
    parser.add_argument("--fps", type=float, default=30.0, help="video frame rate")
    parser.add_argument("--size", type=parse_size, default="256x256", help="WIDTHxHEIGHT")
    parser.add_argument("--frames", type=int, default=12, help="frames on a contact sheet")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the array and call the renderer; a bad file or output name is a one-line error."""
    import numpy as np

    from asl_stem.synth.render import render_contact_sheet, render_video

    try:
        keypoints = np.load(args.keypoints)
    except (EOFError, ValueError) as error:  # empty, cut short, or not a .npy at all
        reason = str(error).strip() or "the file ends early"
        raise ValueError(
            f"{args.keypoints}: cannot read it ({reason}); give a .npy keypoints file"
        ) from error
    if keypoints.ndim != 3 or keypoints.shape[2] not in (2, 3):
        raise ValueError(
            f"{args.keypoints} has shape {keypoints.shape}; expected (T, 543 or 75, 2 or 3)"
        )
    if args.out.endswith(".png"):
        render_contact_sheet(keypoints, args.out, frames=args.frames, spans=args.spans)
    elif args.out.endswith(".mp4"):
        render_video(keypoints, args.out, fps=args.fps, spans=args.spans, size=args.size)
    else:
        raise ValueError(f"--out {args.out}: name it .mp4 (video) or .png (contact sheet)")
    print(f"wrote {args.out}")
    return 0
