"""Fingerspelled spans: real ASL letter handshapes in sequence, held near the dominant shoulder.

Each letter gets its share of the span's frames. The hand moves from the previous shape to the
letter's (real, from :mod:`asl_stem.synth.letters`) during the first part of that share and holds it
for the rest. Double letters slide the hand sideways; J hooks down and rolls the hand; Z traces
its three strokes. The hand drifts slightly outward across a word, as signers' hands do.
"""

from __future__ import annotations

import unicodedata

import numpy as np

from asl_stem.synth.letters import Lexicon
from asl_stem.synth.motion import HandTrack

# Digits borrow the letter shapes that ASL number handshapes resemble.
DIGIT_SHAPES = {
    "0": "O", "1": "D", "2": "V", "3": "K", "4": "B",
    "5": "B", "6": "W", "7": "F", "8": "R", "9": "F",
}  # fmt: skip
# Wrist of the dominant (right) hand relative to the right shoulder while spelling.
SPELL_WRIST = np.array([-0.05, 0.35])
TRANSITION_SHARE = 0.45  # of each letter's frames spent moving into the shape
SLIDE = 0.09  # sideways slide of a double letter
DRIFT = 0.012  # outward drift per letter


def letters_to_spell(text: str) -> str:
    """The handshapes a string is spelled with: A-Z (accents dropped), digits as number shapes.

    Other characters (spaces, hyphens, dashes, apostrophes) are not spelled; they become pauses.
    """
    plain = unicodedata.normalize("NFKD", text)
    out = []
    for char in plain:
        if char.isascii() and char.isalpha():
            out.append(char.upper())
        elif char.isdigit() and char.isascii():
            out.append(DIGIT_SHAPES[char])
        elif not unicodedata.combining(char) and not char.isalnum() and out and out[-1] != " ":
            out.append(" ")
        elif char.isalpha():  # ø -> O (LETTER O WITH STROKE), α -> ALPHA (LETTER ALPHA)
            _, _, after = unicodedata.name(char, "").partition("LETTER ")
            out.extend(letter for letter in after.split(" ")[0] if letter.isalpha())
    return "".join(out).strip()


def letter_durations(letters: str, total: int, rng: np.random.Generator) -> np.ndarray:
    """Split ``total`` frames among ``letters`` (pauses count half a letter), each at least one."""
    weights = np.array([0.5 if char == " " else 1.0 for char in letters])
    weights *= rng.lognormal(0.0, 0.25, size=len(weights))
    raw = weights / weights.sum() * total
    frames = np.maximum(1, np.floor(raw)).astype(int)
    while frames.sum() > total and (frames > 1).any():
        frames[np.argmax(frames)] -= 1
    order = np.argsort(-(raw - np.floor(raw)))
    index = 0
    while frames.sum() < total:
        frames[order[index % len(order)]] += 1
        index += 1
    return frames


def _motion_path(letter: str, fraction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Wrist offsets (n, 2) and roll (n,) of J and Z at ``fraction`` (0..1) of the letter."""
    if letter == "Z":
        corners = np.array([[0.0, 0.0], [-0.16, 0.0], [0.0, 0.14], [-0.16, 0.14]])
        position = np.clip(fraction, 0, 1) * 3
        low = np.minimum(position.astype(int), 2)
        weight = (position - low)[:, None]
        return corners[low] * (1 - weight) + corners[low + 1] * weight, np.zeros(len(fraction))
    # J: the I shape hooks down and in, the palm rolling towards the signer.
    angle = np.pi * np.clip(fraction, 0, 1)
    path = np.stack([0.07 * (1 - np.cos(angle)), 0.1 * np.sin(angle)], axis=1)
    return path, -1.2 * np.clip(fraction, 0, 1)


def add_spelling(
    track: HandTrack,
    lexicon: Lexicon,
    text: str,
    start: int,
    end: int,
    shoulder: np.ndarray,
    offset: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Append the key poses of fingerspelling ``text`` in frames ``start..end`` (inclusive).

    ``shoulder`` is the dominant shoulder in body units and ``offset`` the signer's own shift of
    the spelling place; shapes are those of the right hand (mirroring happens later).
    """
    letters = letters_to_spell(text) or "A"
    total = end - start + 1
    if len(letters) > total:  # too many letters for the frames: keep an even subset
        keep = np.linspace(0, len(letters) - 1, total).round().astype(int)
        letters = "".join(letters[i] for i in keep)
    durations = letter_durations(letters, total, rng)
    base = shoulder + SPELL_WRIST + offset
    frame = float(start)
    previous, slide, shape = "", 0.0, lexicon.letters[letters[0].strip() or "A"].shape
    for position, (letter, duration) in enumerate(zip(letters, durations, strict=True)):
        slide = slide + SLIDE if letter == previous and letter != " " else 0.0
        wrist = base + np.array([-DRIFT * position - slide, 0.0]) + rng.normal(0, 0.02, 2)
        if letter == " ":  # a pause between words of a term: the hand holds, then moves on
            track.add(frame + duration - 1, wrist, shape)
        elif letter in "JZ":
            shape = lexicon.letters[letter].shape
            steps = max(2, int(duration))
            fractions = np.linspace(0.0, 1.0, steps)
            path, roll = _motion_path(letter, fractions)
            for step, (point, angle) in enumerate(zip(path, roll, strict=True)):
                track.add(frame + step * (duration - 1) / (steps - 1), wrist + point, shape, angle)
        else:
            shape = lexicon.letters[letter].shape
            formed = frame + max(1.0, TRANSITION_SHARE * duration)
            track.add(min(formed, frame + duration - 1), wrist, shape)
            track.add(frame + duration - 1, wrist + rng.normal(0, 0.004, 2), shape)
        previous = letter
        frame += duration
