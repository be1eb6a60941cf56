"""Render the contact sheets in docs/img/ that show what the synthetic signer makes.

Usage: python scripts/make_synth_figures.py [--out docs/img]
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np

from asl_stem.layout import RIGHT_HAND
from asl_stem.synth import SignerStyle, synthesize
from asl_stem.synth.render import render_contact_sheet

SENTENCE = "In acid catalysis, the conjugate acid of the carbonyl group is a better electrophile."


def main() -> None:
    """Write synth-fingerspelling(-hand).png (one spelled word) and synth-signing.png."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs/img"
    )
    args = parser.parse_args()
    style = dataclasses.replace(SignerStyle(), frames_per_letter=5.5)
    signing = synthesize(SENTENCE, ["catalysis", "carbonyl"], signer=style, seed=4)
    start, end, text = signing.spans[0]
    frames = list(range(start - 2, end + 3, 2))
    render_contact_sheet(
        signing.keypoints, args.out / "synth-fingerspelling.png", frames=frames,
        spans=signing.spans, columns=8, tile=(170, 170),
        title=f"'{text}' fingerspelled: frames {start}-{end} (every 2nd frame, 30 fps)",
    )  # fmt: skip
    hand = np.nanmedian(signing.keypoints[start : end + 1, RIGHT_HAND, :2], axis=(0, 1))
    half = 0.13
    render_contact_sheet(
        signing.keypoints, args.out / "synth-fingerspelling-hand.png", frames=frames,
        spans=signing.spans, columns=8, tile=(170, 170),
        view=(hand[0] - half, hand[1] - half, hand[0] + half, hand[1] + half),
        title="the same frames, zoomed on the spelling hand",
    )  # fmt: skip
    render_contact_sheet(
        signing.keypoints, args.out / "synth-signing.png", frames=24, spans=signing.spans,
        columns=8, tile=(170, 170),
        title=f"one sentence, {signing.num_frames} frames: signing, spans marked in orange",
    )  # fmt: skip


if __name__ == "__main__":
    main()
