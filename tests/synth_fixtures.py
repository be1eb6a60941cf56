"""Helpers for the synthetic-signer tests: a noiseless signer and a letter classifier."""

from __future__ import annotations

import numpy as np

from asl_stem.corpus import FingerspellingSpan
from asl_stem.layout import LEFT_HAND, RIGHT_HAND
from asl_stem.synth import SignerStyle
from asl_stem.synth.letters import load_lexicon

QUIET = SignerStyle(
    scale=0.3,
    center=(0.5, 0.4),
    camera_jitter=0.0,
    point_noise=0.0,
    hand_dropout=0.0,
    frame_dropout=0.0,
)


def nearest_letters(keypoints: np.ndarray, style: SignerStyle, frames: range) -> list[str]:
    """For each frame, the letter whose held shape is closest to the dominant hand's shape."""
    lexicon = load_lexicon()
    names = sorted(lexicon.letters)
    templates = np.stack([lexicon.letters[name].shape[:, :2] for name in names])
    component = RIGHT_HAND if style.handedness == "right" else LEFT_HAND
    found = []
    for frame in frames:
        hand = keypoints[frame, component, :2].astype(np.float64)
        shape = (hand - hand[:1]) / style.scale
        if style.handedness == "left":
            shape[:, 0] *= -1
        error = np.linalg.norm(templates - shape[None], axis=-1).mean(axis=-1)
        found.append(names[int(np.argmin(error))])
    return found


def collapse(letters: list[str], min_run: int = 2) -> str:
    """Runs of the same letter at least ``min_run`` frames long, one character each."""
    out, run = [], 1
    for index, letter in enumerate(letters):
        last = index + 1 == len(letters) or letters[index + 1] != letter
        if last:
            if run >= min_run and (not out or out[-1] != letter):
                out.append(letter)
            run = 1
        else:
            run += 1
    return "".join(out)


def timed_spans(*spans: tuple[int, int, str]) -> list[FingerspellingSpan]:
    """Annotated spans of one unnamed recording from ``(start, end, text)`` triples."""
    return [
        FingerspellingSpan(f"rec:{n}", "rec", start, end, text=text)
        for n, (start, end, text) in enumerate(spans)
    ]
