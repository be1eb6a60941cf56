"""Signing between fingerspelled spans: both hands move through signing space.

Signs are drawn, not looked up: a handshape (a real letter shape, or a lax blend of two), a
place (face, chest, side, neutral space), a movement (a stroke, repeated 1-3 times), and the
other hand either resting, mirroring the dominant one, or serving as a still base. Some signs
are made with a letter shape right beside the shoulder, and some end in a hold, so neither
"hands up and moving" nor "a letter shape near the shoulder" alone means fingerspelling.

Everything is in the canonical right-handed body frame (see :mod:`asl_stem.synth.body`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from asl_stem.synth.letters import Lexicon
from asl_stem.synth.motion import HandTrack
from asl_stem.synth.spelling import SPELL_WRIST

SIGN_SHAPES = "ABCDFGHILOSVWXY"
DOMINANT_SHOULDER = np.array([-0.5, 0.0])
REST_DOMINANT = np.array([-0.3, 1.15])
REST_OTHER = np.array([0.3, 1.15])
HIGHEST = -0.7  # wrist height limit (shoulder widths above the shoulders)


def mirror(points: np.ndarray) -> np.ndarray:
    """Mirror x (of a wrist (2,) or a handshape (21, 3)) about the body's midline."""
    flipped = np.array(points, dtype=np.float64, copy=True)
    flipped[..., 0] *= -1
    return flipped


@dataclass
class Hands:
    """The two hands' tracks in the canonical frame: dominant (right) and other (left)."""

    dominant: HandTrack
    other: HandTrack


def random_shape(lexicon: Lexicon, rng: np.random.Generator) -> np.ndarray:
    """A signing handshape: a real letter shape, or half-way between two (a lax hand)."""
    first = lexicon.letters[SIGN_SHAPES[rng.integers(len(SIGN_SHAPES))]].shape
    if rng.random() < 0.35:
        second = lexicon.letters[SIGN_SHAPES[rng.integers(len(SIGN_SHAPES))]].shape
        return 0.5 * (first + second)
    return first


def rest(hands: Hands, frame: float, lexicon: Lexicon, rng: np.random.Generator) -> None:
    """Both hands down at rest (lax shapes) from ``frame``."""
    lax = 0.5 * (lexicon.letters["B"].shape + lexicon.letters["C"].shape)
    hands.dominant.add(frame, REST_DOMINANT + rng.normal(0, 0.03, 2), lax, 0.3)
    hands.other.add(frame, REST_OTHER + rng.normal(0, 0.03, 2), mirror(lax), -0.3)


def _place(rng: np.random.Generator) -> np.ndarray:
    """Where a sign starts: around the face, chest, dominant side or neutral space."""
    kind = rng.random()
    if kind < 0.2:
        return np.array([rng.uniform(-0.35, 0.1), rng.uniform(-0.6, -0.3)])
    if kind < 0.35:  # beside the dominant shoulder, like the spelling place
        return DOMINANT_SHOULDER + SPELL_WRIST + rng.normal(0, 0.08, 2)
    return np.array([rng.uniform(-0.8, 0.3), rng.uniform(-0.1, 0.95)])


def add_sign(
    hands: Hands, start: float, duration: float, lexicon: Lexicon, rng: np.random.Generator
) -> float:
    """Append one sign beginning at ``start``; return the frame it ends on."""
    place = _place(rng)
    shape = random_shape(lexicon, rng)
    angle = float(rng.normal(0.0, 0.5))
    stroke = rng.normal(0.0, 1.0, 2)
    stroke *= rng.uniform(0.03, 0.35) / max(np.linalg.norm(stroke), 1e-6)
    repeats = int(rng.choice([1, 1, 2, 3]))
    change = random_shape(lexicon, rng) if rng.random() < 0.25 else shape
    kind = rng.choice(["one", "mirror", "base"], p=[0.45, 0.3, 0.25])
    transition = min(duration * 0.3, float(rng.uniform(3, 7)))
    times = start + transition + np.linspace(0.0, duration - transition, 2 * repeats)
    base_place = np.array([place[0] + 0.3, place[1] + 0.15])
    base_shape = mirror(lexicon.letters["B"].shape)
    for index, frame in enumerate(times):
        moved = place + (stroke if index % 2 else 0.0)
        moved[1] = max(moved[1], HIGHEST)  # no higher than the forehead
        now_shape = change if index == len(times) - 1 else shape
        hands.dominant.add(frame, moved, now_shape, angle)
        if kind == "mirror":
            hands.other.add(frame, mirror(moved), mirror(now_shape), -angle)
        elif kind == "base":
            hands.other.add(frame, base_place, base_shape, -0.4)
    if kind == "one" and rng.random() < 0.5:
        lax = mirror(0.5 * (lexicon.letters["B"].shape + lexicon.letters["C"].shape))
        hands.other.add(times[-1], REST_OTHER + rng.normal(0, 0.04, 2), lax, -0.3)
    return float(times[-1])


def fill_signing(
    hands: Hands,
    start: int,
    end: int,
    frames_per_sign: float,
    lexicon: Lexicon,
    rng: np.random.Generator,
) -> None:
    """Sign from frame ``start`` to ``end`` (inclusive): signs, holds and now and then a rest."""
    frame = float(start)
    while end - frame >= 6:
        remaining = end - frame
        duration = min(remaining, frames_per_sign * float(rng.lognormal(0.0, 0.3)))
        if remaining - duration < 6:
            duration = remaining
        if rng.random() < 0.06 and duration >= 10:
            rest(hands, frame + duration * 0.4, lexicon, rng)
            frame += duration
            continue
        last = add_sign(hands, frame, duration, lexicon, rng)
        if rng.random() < 0.25:  # a hold: the sign stays put a moment
            hold = min(end - last, float(rng.uniform(4, 16)))
            if hold >= 1:
                hands.dominant.add(
                    last + hold, hands.dominant.wrists[-1], hands.dominant.shapes[-1]
                )
        frame = max(frame + duration, hands.dominant.last_frame)
