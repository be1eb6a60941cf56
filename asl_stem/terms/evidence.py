"""What other recordings of an article say about its terms: counts blended into term scores.

An article of the corpus is interpreted by several interpreters. Once the spans of some of its
recordings are named (by labels, or by the aligner on detections: no labels needed), how often
each term was spelled there is strong evidence for the next interpreter, stronger than what
other articles spelled. The scorer's probability is blended with those counts as a prior worth
``strength`` recordings:

    p(term) = (strength * score + spelled) / (strength + recordings_with_it)

the blend that the joint aligner (:mod:`asl_stem.terms.joint`) uses within an article. Its
strength there is ``STRENGTH``; for a fitted scorer's scores it is fitted with the scorer
(:func:`choose_strength`, on out-of-fold scores inside the fitting articles) and stored in it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from asl_stem.corpus import AnnotatedRecording
from asl_stem.terms.candidates import Candidate, candidates
from asl_stem.terms.features import term_key
from asl_stem.terms.labels import candidate_labels, spelled_texts

# Pseudo-recordings of weight the scorer's probability gets against an article's own counts
# (the joint aligner's, and the default of a scorer fitted without two interpreters of one
# article).
STRENGTH = 2.0
# Strengths a fitted scorer chooses from.
STRENGTHS = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0)


def blend(prior: Any, counts: tuple[Any, Any], strength: float = STRENGTH) -> Any:
    """A probability moved from ``prior`` towards ``spelled / seen`` as ``seen`` grows (floats,
    or numpy arrays of them)."""
    spelled, seen = counts
    return (strength * prior + spelled) / (strength + seen)


def choose_strength(
    scores: np.ndarray, labels: np.ndarray, spelled: np.ndarray, seen: np.ndarray
) -> tuple[float, list[float]]:
    """The strength of :data:`STRENGTHS` whose blend predicts ``labels`` best (log loss), and
    every strength's loss; the counts are what *other* recordings spelled (never the
    labelled one's own), the scores out-of-fold."""
    losses = []
    for strength in STRENGTHS:
        p = np.clip(blend(scores, (spelled, seen), strength), 1e-9, 1 - 1e-9)
        losses.append(float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p))))
    return STRENGTHS[int(np.argmin(losses))], losses


@dataclass(frozen=True)
class RecordingCounts:
    """How many recordings spelled each term, of how many whose sentence has it:
    ``{term key}`` -> count in ``spelled`` and in ``seen`` (a term twice in one sentence counts
    twice)."""

    spelled: Counter[str] = field(default_factory=Counter)
    seen: Counter[str] = field(default_factory=Counter)

    @classmethod
    def from_rows(cls, rows: Iterable[AnnotatedRecording]) -> RecordingCounts:
        """Counts of recordings whose spans are named (labelled or aligned); a candidate is
        spelled as labels mark it (the best candidate by character IoU,
        :func:`~asl_stem.terms.labels.candidate_labels`)."""
        by_sentence: dict[str, list[list[str]]] = defaultdict(list)
        for row in rows:
            by_sentence[row.sentence].append(spelled_texts(row))
        out = cls()
        for sentence, recordings in by_sentence.items():
            found = candidates(sentence)
            keys = [term_key(candidate.text) for candidate in found]
            for texts in recordings:
                for key, mark in zip(keys, candidate_labels(sentence, found, texts), strict=True):
                    out.seen[key] += 1
                    out.spelled[key] += mark
        return out

    def counts(self, text: str) -> tuple[int, int]:
        """(spelled, seen) of one term."""
        key = term_key(text)
        return self.spelled[key], self.seen[key]

    def blend(
        self, found: Sequence[Candidate], scores: np.ndarray, strength: float = STRENGTH
    ) -> np.ndarray:
        """The candidates' scores moved towards how often these recordings spelled them."""
        return np.array(
            [
                blend(float(score), self.counts(candidate.text), strength)
                for candidate, score in zip(found, scores, strict=True)
            ]
        )
