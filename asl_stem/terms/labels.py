"""Ground truth from annotation rows: where each spelled string occurs in the sentence.

The baseline's protocol works on the lowercased sentence: a spelled string marks every place
it occurs there (as a substring, so "acid" marks the "acid" of "acids"). The same rule turns
predicted terms into a mask, so labels and predictions are compared like with like. Matching
folds case character by character, so masks index the original sentence (same length).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from asl_stem.corpus import AnnotatedRecording
from asl_stem.terms.candidates import Candidate, candidates


def spelled_texts(row: AnnotatedRecording) -> list[str]:
    """The row's spelled strings (spans without a text are left out)."""
    return [span.text for span in row.spans if span.text]


def labelled_candidates(row: AnnotatedRecording) -> tuple[list[Candidate], list[int]]:
    """The candidates of a row's sentence, each marked 1 where one of its spans spells it
    (:func:`candidate_labels`)."""
    found = candidates(row.sentence)
    return found, candidate_labels(row.sentence, found, spelled_texts(row))


# A candidate is the label of an occurrence when their character IoU reaches this.
MATCH_IOU = 0.5


def normalise(text: str) -> str:
    """Lowercase, stripped, with typographic apostrophes made plain (for matching)."""
    return text.strip().lower().replace("’", "'").replace("‘", "'")


def occurrences(sentence: str, text: str) -> list[tuple[int, int]]:
    """Every (start, end) where ``text`` occurs in ``sentence``, case-insensitively.

    ``str.lower`` keeps the length of almost every string; where it does not (a few rare
    letters), offsets are found on a per-character lowercase copy that keeps them aligned.
    """
    needle = normalise(text)
    if not needle:
        return []
    haystack = "".join(_fold(c) for c in sentence)
    found, start = [], haystack.find(needle)
    while start >= 0:
        found.append((start, start + len(needle)))
        start = haystack.find(needle, start + 1)
    return found


def _fold(char: str) -> str:
    """One character lowercased with plain apostrophes, or unchanged if that changes length."""
    folded = char.lower().replace("’", "'").replace("‘", "'")
    return folded if len(folded) == 1 else char


def char_mask(sentence: str, texts: Iterable[str]) -> np.ndarray:
    """Boolean mask over the sentence's characters: every occurrence of every text."""
    mask = np.zeros(len(sentence), dtype=bool)
    for text in texts:
        for start, end in occurrences(sentence, text):
            mask[start:end] = True
    return mask


def char_iou(label: np.ndarray, prediction: np.ndarray) -> float | None:
    """Intersection over union of two character masks; None when both are empty."""
    union = int(np.count_nonzero(label | prediction))
    if union == 0:
        return None
    return int(np.count_nonzero(label & prediction)) / union


def span_iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Character IoU of two half-open ranges."""
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def candidate_labels(
    sentence: str, candidates: Sequence[Candidate], spelled: Iterable[str]
) -> list[bool]:
    """Which candidates were spelled: for each occurrence of a spelled string, the candidate
    that matches it best (IoU >= 0.5), so "Z value" labels the pair, not also "value"."""
    positive = [False] * len(candidates)
    if not candidates:
        return positive
    for text in set(spelled):
        for occurrence in occurrences(sentence, text):
            ious = [span_iou(occurrence, (c.char_start, c.char_end)) for c in candidates]
            best = int(np.argmax(ious))
            if ious[best] >= MATCH_IOU:
                positive[best] = True
    return positive
