"""The aligner's cost models and weights: log-normal misfits and move penalties, as plain data.

Every cost is a negative log-probability; :func:`asl_stem.terms.align.fit_aligner_params`
fits them on annotated rows and a scorer saves them in its JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

# Spread below which a fitted cost model is not trusted (few or too regular examples).
MIN_SIGMA = 0.1
# The expected value of a 0.5 z^2 cost: what a state that lacks a cost model pays instead.
MEAN_COST = 0.5


@dataclass(frozen=True)
class LogLinear:
    """log(y) ~ N(intercept + slope * log(x) + covariate * z, sigma): a misfit cost for counts
    and durations; ``z`` is an optional second predictor (0 when a model has none)."""

    intercept: float
    slope: float
    sigma: float
    covariate: float = 0.0

    def mean(self, log_x: np.ndarray | float, z: np.ndarray | float = 0.0) -> np.ndarray:
        return self.intercept + self.slope * np.asarray(log_x) + self.covariate * np.asarray(z)

    def cost(
        self, log_y: np.ndarray | float, log_x: np.ndarray | float, z: np.ndarray | float = 0.0
    ) -> np.ndarray:
        return 0.5 * ((log_y - self.mean(log_x, z)) / self.sigma) ** 2

    @classmethod
    def fit(
        cls, pairs: Iterable[tuple[float, float]], covariates: Sequence[float] | None = None
    ) -> LogLinear:
        """Least squares on (log x, log y) pairs, and on the second predictor (one per pair)
        when given; needs two distinct x values. A predictor that does not vary, or that x
        already explains, keeps coefficient 0."""
        data = list(pairs)
        if len({x for x, _ in data}) < 2:
            raise ValueError("need examples with at least two different lengths to fit")
        x, y = np.array(data).T
        columns = [np.ones_like(x), x]
        if covariates is not None:
            z = np.asarray(covariates, dtype=float)
            if np.linalg.matrix_rank(np.column_stack([*columns, z])) == 3:
                columns.append(z)
        design = np.column_stack(columns)
        coefficients = np.linalg.lstsq(design, y, rcond=None)[0]
        sigma = max(MIN_SIGMA, float(np.std(y - design @ coefficients)))
        covariate = float(coefficients[2]) if len(coefficients) == 3 else 0.0
        return cls(float(coefficients[0]), float(coefficients[1]), sigma, covariate)


@dataclass(frozen=True)
class AlignerParams:
    """Cost models and weights (defaults fitted on the shared annotation rows).

    ``length``: log frames of a span from log letters of its term and the term's Zipf
    frequency (common words are spelled faster, shortened or lexicalised; a term wordfreq does
    not know is taken at ``unknown_zipf``, the spelled words' mean); ``gap`` and
    ``start``: log(1 + frames) before a span from log(1 + words) signed before it.

    Moves from one span's term to the next: ``forward_penalty`` (-log P(forward)),
    ``repeat_penalty`` (the same or an overlapping term again), ``backward_penalty`` (an
    earlier term). Going forward skips words, each costing -log(1 - its term score) times
    ``skip_cost`` (1: each word is spelled or not with its score's probability), and so do
    the words before the first span and after the last. ``outside_penalty`` is
    -log P(the spelled term is not in the sentence); such a term is one of the article's
    names or, as often as any one name, a term the text does not hold, which is then what
    was read (paying ``read_letter_cost`` per letter it claims, so that a word or name the
    letters match as well wins). ``letter_error`` is the recognizer's chance of getting a
    letter wrong, for the letter costs (:mod:`asl_stem.terms.readings`).
    ``phrases``: whether a pair of words is a state of its own (one span spelling both), chosen
    on the fitting rows by :func:`~asl_stem.terms.fitting.fit_scorer`.
    """

    length: LogLinear = LogLinear(2.76, 0.74, 0.44, -0.15)
    gap: LogLinear = LogLinear(2.52, 1.13, 0.69)
    start: LogLinear = LogLinear(3.43, 0.78, 0.90)
    score_weight: float = 1.0
    repeat_penalty: float = 3.1
    forward_penalty: float = 0.08
    backward_penalty: float = 3.3
    skip_cost: float = 1.0
    outside_penalty: float = 6.5
    letter_error: float = 0.1
    read_letter_cost: float = 0.5
    unknown_zipf: float = 4.22
    phrases: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AlignerParams:
        """Parameters saved by :meth:`to_dict`; keys a scorer saved before they existed take
        their defaults."""
        models = {key: LogLinear(**data[key]) for key in ("length", "gap", "start")}
        numbers = {
            f.name: float(data[f.name])
            for f in fields(cls)
            if f.name not in models and f.name != "phrases" and f.name in data
        }
        phrases = data.get("phrases", True)
        if not isinstance(phrases, bool):
            raise ValueError(f"aligner phrases is {phrases!r}, not true or false; refit the scorer")
        return cls(**models, **numbers, phrases=phrases)
