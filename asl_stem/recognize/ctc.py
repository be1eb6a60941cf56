"""Decoding CTC outputs: greedy (best path) and prefix beam search with the n best strings.

Scores are natural-log probabilities ``(T, V)`` over the classes of
:mod:`asl_stem.recognize.alphabet` (0 the blank). A string's probability under CTC is the sum
over every frame path that collapses to it (repeats merged, blanks dropped); the prefix beam
search keeps, per prefix, the probability of the paths ending in a blank and in its last
character, so "ll" needs a blank between the two l's and "l" does not. Pruning: at each frame
only the most probable classes that make up ``prune`` of the probability mass, at most
``beam`` of them, are extended.

No maintained library fits here: the CTC decoders of torchaudio (flashlight) have no build for
the torch this project pins, and pyctcdecode is built around words and language models.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from scipy.special import logsumexp

from asl_stem.recognize.alphabet import BLANK, decode

NEG_INF = -np.inf


def greedy_decode(log_probs: np.ndarray) -> str:
    """The most likely class at each frame, repeats merged and blanks dropped."""
    best = np.argmax(log_probs, axis=1)
    keep = np.ones(len(best), dtype=bool)
    keep[1:] = best[1:] != best[:-1]
    return decode([int(i) for i in best[keep] if i != BLANK])


def _add(a: float, b: float) -> float:
    """log(exp(a) + exp(b)) for plain floats (numpy's ufunc costs more than the sum here)."""
    if a == NEG_INF:
        return b
    if b == NEG_INF:
        return a
    high, low = (a, b) if a > b else (b, a)
    return high + math.log1p(math.exp(low - high))


def beam_search(
    log_probs: np.ndarray, beam: int = 8, nbest: int = 5, prune: float = 0.999
) -> list[tuple[str, float]]:
    """The ``nbest`` most probable strings and their log probabilities, best first."""
    if log_probs.ndim != 2 or log_probs.shape[1] < 2:
        raise ValueError(f"expected (frames, classes) log probabilities, got {log_probs.shape}")
    # prefix (tuple of classes) -> (log P(paths ending in blank), log P(ending in last class))
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (0.0, NEG_INF)}
    for frame in log_probs:
        order = np.argsort(-frame)
        mass = np.cumsum(np.exp(frame[order]))
        classes = order[: min(beam, int(np.searchsorted(mass, prune)) + 1)]
        nxt: dict[tuple[int, ...], list[float]] = defaultdict(lambda: [NEG_INF, NEG_INF])
        for prefix, (p_blank, p_char) in beams.items():
            total = _add(p_blank, p_char)
            for c in classes:
                p = float(frame[c])
                if c == BLANK:
                    nxt[prefix][0] = _add(nxt[prefix][0], total + p)
                elif prefix and prefix[-1] == c:
                    nxt[prefix][1] = _add(nxt[prefix][1], p_char + p)  # the same letter held
                    extended = nxt[(*prefix, int(c))]
                    extended[1] = _add(extended[1], p_blank + p)  # a new letter after a blank
                else:
                    extended = nxt[(*prefix, int(c))]
                    extended[1] = _add(extended[1], total + p)
        ranked = sorted(nxt.items(), key=lambda item: -_add(*item[1]))[:beam]
        beams = {prefix: (scores[0], scores[1]) for prefix, scores in ranked}
    ranked = sorted(
        ((decode(list(prefix)), _add(*scores)) for prefix, scores in beams.items()),
        key=lambda item: -item[1],
    )
    return ranked[:nbest]


def nbest_probabilities(hypotheses: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The n best strings with their probabilities renormalised among themselves."""
    if not hypotheses:
        return []
    logs = np.array([score for _, score in hypotheses])
    shares = np.exp(logs - logsumexp(logs))
    return [(text, float(share)) for (text, _), share in zip(hypotheses, shares, strict=True)]
