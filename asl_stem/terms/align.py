"""Which word each fingerspelled span spells: a monotonic alignment by dynamic programming.

What the video tells, each as a log-normal cost fitted on annotated rows:
- a span's length in frames grows with the letters spelled (log frames ~ a + b log letters);
- the pause between two spans grows with the words signed between them, and the first span's
  start with the words before it (log(1 + frames) ~ a + b log(1 + words));
- spans come in sentence order, so candidates never move backwards; the same candidate (or an
  overlapping one, like "GE" after "G") may take a second span at a penalty, because
  interpreters sometimes spell a term twice;
- the term scorer says which words are likely spelled at all (-log score).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.corpus.sets import AnnotatedRecording
from asl_stem.terms.candidates import Candidate, words
from asl_stem.terms.labels import occurrences

_LETTER = re.compile(r"[^\W_]")
_FLOOR = 1e-6
# Spread below which a fitted cost model is not trusted (few or too regular examples).
MIN_SIGMA = 0.1


@dataclass(frozen=True)
class LogLinear:
    """log(y) ~ N(intercept + slope * log(x), sigma): a misfit cost for counts and durations."""

    intercept: float
    slope: float
    sigma: float

    def cost(self, log_y: np.ndarray, log_x: np.ndarray) -> np.ndarray:
        return 0.5 * ((log_y - self.intercept - self.slope * log_x) / self.sigma) ** 2

    @classmethod
    def fit(cls, pairs: Iterable[tuple[float, float]]) -> LogLinear:
        """Least squares on (log x, log y) pairs; needs two distinct x values."""
        data = list(pairs)
        if len({x for x, _ in data}) < 2:
            raise ValueError("need examples with at least two different lengths to fit")
        x, y = np.array(data).T
        slope, intercept = np.polyfit(x, y, 1)
        sigma = max(MIN_SIGMA, float(np.std(y - (intercept + slope * x))))
        return cls(float(intercept), float(slope), sigma)


@dataclass(frozen=True)
class AlignerParams:
    """Cost models and weights (defaults fitted on the shared annotation rows)."""

    length: LogLinear = LogLinear(1.68, 1.0, 0.47)
    gap: LogLinear = LogLinear(2.52, 1.13, 0.69)
    start: LogLinear = LogLinear(3.43, 0.78, 0.90)
    score_weight: float = 1.0
    repeat_penalty: float = 3.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AlignerParams:
        models = {key: LogLinear(**data[key]) for key in ("length", "gap", "start")}
        return cls(
            **models, score_weight=data["score_weight"], repeat_penalty=data["repeat_penalty"]
        )


def letters(text: str) -> int:
    """Letters and digits a fingerspeller would sign for ``text``."""
    return len(_LETTER.findall(text))


def _moves(found: Sequence[Candidate], params: AlignerParams) -> tuple[np.ndarray, np.ndarray]:
    """(words between p and c, fixed cost of moving from p to c: 0, repeat penalty or inf)."""
    first = np.array([c.word_index for c in found])
    after_last = first + np.array([c.n_words for c in found])
    between = np.clip(first[None, :] - after_last[:, None], 0, None)
    starts = np.array([c.char_start for c in found])
    ends = np.array([c.char_end for c in found])
    fixed = np.full((len(found), len(found)), np.inf)
    fixed[starts[None, :] >= starts[:, None]] = params.repeat_penalty
    fixed[starts[None, :] >= ends[:, None]] = 0.0
    return between, fixed


def align_spans(
    spans: Sequence[FingerspellingSpan],
    found: Sequence[Candidate],
    scores: np.ndarray,
    params: AlignerParams | None = None,
) -> list[FingerspellingSpan]:
    """Give each span (taken in time order) the candidate it spells; return them in time order.

    :param spans: the spans of one recording, any order; their text is replaced.
    :param found: the sentence's candidates; :param scores: their term scores in [0, 1].
    A span gets ``text_source="aligned"`` and the candidate's character offsets; when the
    sentence has no candidate it keeps no text.
    """
    params = params or AlignerParams()
    ordered = sorted(spans, key=lambda s: (s.start_frame, s.end_frame))
    if not ordered or not found:
        return [_named(span, None) for span in ordered]
    order = sorted(range(len(found)), key=lambda i: (found[i].char_start, found[i].char_end))
    found = [found[i] for i in order]
    scores = np.clip(np.asarray(scores, dtype=float)[order], _FLOOR, 1.0)
    log_letters = np.log([max(1, letters(c.text)) for c in found])
    prior = params.score_weight * -np.log(scores)
    between, fixed = _moves(found, params)
    log_between = np.log1p(between)

    def emit(span: FingerspellingSpan) -> np.ndarray:
        return params.length.cost(np.log(span.num_frames), log_letters) + prior

    first_words = np.log1p([c.word_index for c in found])
    total = emit(ordered[0]) + params.start.cost(np.log1p(ordered[0].start_frame), first_words)
    back = np.zeros((len(ordered), len(found)), dtype=int)
    for i in range(1, len(ordered)):
        gap = max(0, ordered[i].start_frame - ordered[i - 1].end_frame)
        options = total[:, None] + fixed + params.gap.cost(np.log1p(gap), log_between)
        back[i] = np.argmin(options, axis=0)
        total = options[back[i], np.arange(len(found))] + emit(ordered[i])
    path = [int(np.argmin(total))]
    for i in range(len(ordered) - 1, 0, -1):
        path.append(int(back[i][path[-1]]))
    path.reverse()
    return [_named(span, found[c]) for span, c in zip(ordered, path, strict=True)]


def _named(span: FingerspellingSpan, candidate: Candidate | None) -> FingerspellingSpan:
    """The span with the candidate's text and offsets (or none), marked as aligned."""
    if candidate is None:
        return span.replace(text=None, text_source=None, char_start=None, char_end=None)
    return span.replace(
        text=candidate.text,
        text_source="aligned",
        char_start=candidate.char_start,
        char_end=candidate.char_end,
    )


def _word_range(row: AnnotatedRecording, text: str | None) -> tuple[int, int] | None:
    """First and last word index of the only occurrence of ``text`` (None if not exactly one)."""
    found = occurrences(row.sentence, text or "")
    if len(found) != 1:
        return None
    start, end = found[0]
    hit = [w.word_index for w in words(row.sentence) if w.char_start < end and w.char_end > start]
    return (hit[0], hit[-1]) if hit else None


def fit_aligner_params(rows: Sequence[AnnotatedRecording]) -> AlignerParams:
    """Fit the length, gap and start models on annotated rows (spans with a unique word)."""
    length, gap, start = [], [], []
    for row in rows:
        spans = sorted(row.spans, key=lambda s: s.start_frame)
        ranges = [_word_range(row, span.text) for span in spans]
        for span in spans:
            if span.text and letters(span.text):
                frames = span.end_frame - span.start_frame + 1
                length.append((math.log(letters(span.text)), math.log(frames)))
        if spans and ranges[0] is not None:
            start.append((math.log1p(ranges[0][0]), math.log1p(spans[0].start_frame)))
        for (a, ra), (b, rb) in pairwise(zip(spans, ranges, strict=True)):
            if ra is not None and rb is not None and rb[0] > ra[1]:
                frames = max(0, b.start_frame - a.end_frame)
                gap.append((math.log1p(rb[0] - ra[1] - 1), math.log1p(frames)))
    return AlignerParams(LogLinear.fit(length), LogLinear.fit(gap), LogLinear.fit(start))
