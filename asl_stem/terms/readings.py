"""How well a span's read letters fit a candidate term: a noisy-channel cost over the n best.

A recognizer gets each letter wrong with probability ``error``; a term of L letters read with
d edits (Levenshtein, on letters and digits only, accents and case folded) has likelihood
C(L, d) error^d (1 - error)^(L - d). Over the n best readings h_k with probabilities p_k, the
cost of a term is -log sum_k p_k P(h_k | term).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from math import lgamma

import numpy as np
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cdist
from scipy.special import logsumexp

from asl_stem.corpus.readings import Reading

__all__ = ["Reading", "fold", "letter_costs", "letters"]
_LETTER = re.compile(r"[^\W_]")


def fold(text: str) -> str:
    """The letters and digits a fingerspeller signs: lowercase, accents dropped (ø -> o)."""
    out = []
    for char in unicodedata.normalize("NFKD", text.lower()):
        if char.isascii() and char.isalnum():
            out.append(char)
        elif char.isalpha() and not char.isascii():  # ø (LATIN SMALL LETTER O WITH STROKE)
            _, _, after = unicodedata.name(char, "").partition("LETTER ")
            out.append(after.split(" ")[0].lower() if after[:1].isalpha() else "")
    return "".join(out)


def letters(text: str) -> int:
    """Letters and digits a fingerspeller would sign for ``text``."""
    return len(_LETTER.findall(text))


def _log_choose(n: np.ndarray, k: np.ndarray) -> np.ndarray:
    return np.vectorize(lambda a, b: lgamma(a + 1) - lgamma(b + 1) - lgamma(a - b + 1))(n, k)


def letter_costs(reading: Reading, texts: Sequence[str], error: float) -> np.ndarray:
    """(len(texts),) cost of each text given the reading's n best letter strings."""
    if not texts:
        return np.zeros(0)
    hyps = [fold(text) for text, _ in reading.alternatives]
    folded = [fold(text) for text in texts]
    distance = cdist(hyps, folded, scorer=Levenshtein.distance).astype(float)  # (K, C)
    size = np.maximum(
        np.array([len(h) for h in hyps])[:, None], np.array([len(f) for f in folded])[None, :]
    ).astype(float)
    distance = np.minimum(distance, size)
    log_p = (
        _log_choose(size, distance)
        + distance * np.log(error)
        + (size - distance) * np.log1p(-error)
    )
    weights = np.log(np.maximum([p for _, p in reading.alternatives], 1e-12))[:, None]
    return -logsumexp(weights + log_p, axis=0)
