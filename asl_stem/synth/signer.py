"""The synthetic signer: an English sentence and the terms to spell in, keypoints out.

``synthesize`` plans the timing itself (rates measured on real interpreters, see
:mod:`asl_stem.synth.style`); ``synthesize_timed`` honours span frames it is given, to make a
synthetic twin of a real annotated recording. Both are deterministic from the seed.

Timing figures are frames at 30 fps (the rate the real annotations are counted in); other
``fps`` values scale them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.synth.body import body_points
from asl_stem.synth.letters import Lexicon, load_lexicon
from asl_stem.synth.motion import HandTrack
from asl_stem.synth.noise import add_tracker_noise
from asl_stem.synth.signing import (
    DOMINANT_SHOULDER,
    REST_OTHER,
    Hands,
    fill_signing,
    mirror,
    rest,
)
from asl_stem.synth.spelling import SPELL_WRIST, add_spelling, letters_to_spell
from asl_stem.synth.style import SignerStyle

STATS_FPS = 30.0


@dataclass(frozen=True)
class Signing:
    """A synthetic recording: keypoints (T, 543, 3) float32, NaN where missing, and its spans."""

    keypoints: np.ndarray
    spans: list[FingerspellingSpan]
    fps: float
    style: SignerStyle

    @property
    def num_frames(self) -> int:
        """Number of frames."""
        return len(self.keypoints)


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A generator from a seed, or the generator itself."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _segments(sentence: str, terms: Sequence[str]) -> list[tuple[int, str | None]]:
    """The sentence as (words signed before, term) pieces in order; a last piece has no term.

    Terms are found in order, case-insensitively; a term not in the sentence is spelled after
    the words already placed.
    """
    pieces, cursor, lowered = [], 0, sentence.lower()
    for term in terms:
        found = lowered.find(term.lower(), cursor)
        end = found if found >= 0 else cursor
        pieces.append((len(re.findall(r"\w+", sentence[cursor:end])), term))
        cursor = end + len(term) if found >= 0 else cursor
    pieces.append((len(re.findall(r"\w+", sentence[cursor:])), None))
    return pieces


def plan_spans(
    sentence: str,
    terms: Sequence[str],
    style: SignerStyle,
    fps: float,
    rng: np.random.Generator,
    recording_id: str = "",
) -> tuple[list[FingerspellingSpan], int]:
    """Where each term is spelled and how long the recording is, from the signer's rates."""
    rate = fps / STATS_FPS
    frame = rng.uniform(10, 30) * rate
    spans: list[FingerspellingSpan] = []
    for words, term in _segments(sentence, terms):
        signs = round(words * rng.uniform(0.45, 0.75))
        frame += signs * style.frames_per_sign * rate * rng.lognormal(0.0, 0.15)
        if term is None:
            break
        frame += rng.uniform(5, 14) * rate  # reaching the spelling place
        letters = max(1, len(letters_to_spell(term)))
        length = max(3, round(letters * style.frames_per_letter * rate * rng.lognormal(0, 0.2)))
        start = round(frame)
        spans.append(
            FingerspellingSpan(
                id=f"{recording_id}:{len(spans)}",
                recording_id=recording_id,
                start_frame=start,
                end_frame=start + length - 1,
                text=term,
                text_source="annotated",
                fps=fps,
            )
        )
        frame = start + length + rng.uniform(4, 10) * rate
    num_frames = round(frame + rng.uniform(15, 35) * rate)
    return spans, num_frames


def _spell_place(style: SignerStyle) -> np.ndarray:
    """The signer's own spelling place offset, in body units (canonical frame)."""
    return np.asarray(style.spell_offset, dtype=np.float64)


def _plan_motion(
    spans: Sequence[FingerspellingSpan],
    num_frames: int,
    style: SignerStyle,
    fps: float,
    lexicon: Lexicon,
    rng: np.random.Generator,
) -> Hands:
    """Key poses of both hands: rest, signing between spans, spelling in them, rest at the end."""
    rate = fps / STATS_FPS
    hands = Hands(HandTrack(), HandTrack())
    rest(hands, 0.0, lexicon, rng)
    cursor = int(min(rng.uniform(6, 20) * rate, spans[0].start_frame - 1 if spans else num_frames))
    sign_frames = style.frames_per_sign * rate
    for span in spans:
        start, end, text = span.start_frame, span.end_frame, span.text or ""
        if start <= cursor:  # overlapping or touching spans: spell straight on
            start = cursor + 1
            if start > end:
                continue
        approach = min(rng.uniform(4, 9) * rate, max(1, start - cursor - 1))
        fill_signing(hands, cursor, int(start - approach), sign_frames, lexicon, rng)
        first = letters_to_spell(text)[:1].strip() or "A"
        place = DOMINANT_SHOULDER + SPELL_WRIST + _spell_place(style)
        hands.dominant.add(start - 1, place, lexicon.letters[first].shape)
        other = REST_OTHER if rng.random() < 0.6 else np.array([0.15, 0.6])
        lax = mirror(0.5 * (lexicon.letters["B"].shape + lexicon.letters["C"].shape))
        hands.other.add(start - 1, other + rng.normal(0, 0.03, 2), lax, -0.3)
        add_spelling(
            hands.dominant, lexicon, text, start, end, DOMINANT_SHOULDER, _spell_place(style), rng
        )
        hands.other.add(end, other + rng.normal(0, 0.03, 2), lax, -0.3)
        cursor = end
    tail = int(min(num_frames - cursor - 1, rng.uniform(10, 25) * rate))
    fill_signing(hands, cursor + 1, num_frames - tail, sign_frames, lexicon, rng)
    rest(hands, max(hands.dominant.last_frame + 6 * rate, num_frames - tail * 0.4), lexicon, rng)
    return hands


def _render(
    spans: list[FingerspellingSpan],
    num_frames: int,
    style: SignerStyle,
    fps: float,
    rng: np.random.Generator,
) -> Signing:
    """Motion, body, tracker noise: the finished recording."""
    lexicon = load_lexicon()
    hands = _plan_motion(spans, num_frames, style, fps, lexicon, rng)
    clean = body_points(hands, num_frames, lexicon, style, rng)
    return Signing(add_tracker_noise(clean, style, rng), spans, fps, style)


def synthesize(
    sentence: str,
    fingerspell: Sequence[str],
    *,
    fps: float = 30.0,
    signer: SignerStyle | None = None,
    seed: int | np.random.Generator | None = 0,
    recording_id: str = "",
) -> Signing:
    """Sign ``sentence``, fingerspelling the terms in ``fingerspell`` (in order) where they occur.

    ``signer`` defaults to one drawn from the seed. Spans come back as annotated spans of
    ``recording_id`` with the given texts.
    """
    rng = _rng(seed)
    style = signer if signer is not None else SignerStyle.random(rng)
    spans, num_frames = plan_spans(sentence, fingerspell, style, fps, rng, recording_id)
    return _render(spans, num_frames, style, fps, rng)


def synthesize_timed(
    spans: Sequence[FingerspellingSpan],
    num_frames: int,
    *,
    fps: float = 30.0,
    signer: SignerStyle | None = None,
    seed: int | np.random.Generator | None = 0,
) -> Signing:
    """A recording of ``num_frames`` frames spelling each text exactly in its given frames.

    For twins of real annotated recordings: the spans (inclusive) are kept as given, sorted by
    start; signing fills the frames between them.
    """
    ordered = sorted(spans, key=lambda span: span.frames)
    if ordered and max(span.end_frame for span in ordered) >= num_frames:
        raise ValueError(f"spans {[s.frames for s in ordered]} do not fit in {num_frames} frames")
    rng = _rng(seed)
    style = signer if signer is not None else SignerStyle.random(rng)
    return _render(ordered, num_frames, style, fps, rng)
