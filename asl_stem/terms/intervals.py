"""How sure a held-out figure is: bootstrap intervals over sentences.

The recordings of one sentence (its interpreters) share its words, so their errors go together;
resampling recordings one by one would make a figure look surer than it is. Whole sentences
are resampled instead (a cluster bootstrap, scipy's percentile method), with every figure
written as a ratio of per-sentence sums so that a resample only reweights the sentences.
Articles correlate too, but four of them cannot carry a resample: these intervals say how
much the figure would move with other sentences of the same articles, not with other articles.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from scipy.stats import bootstrap

# Resamples per interval, and its coverage; the seed keeps a report reproducible.
RESAMPLES = 2000
LEVEL = 0.95
SEED = 0


def group_sums(groups: Sequence[str], *values: Sequence[float]) -> list[np.ndarray]:
    """Per-group sums of each of ``values`` (one entry per item, ``groups`` its group), in one
    group order shared by all."""
    sums: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(values)))
    for i, group in enumerate(groups):
        sums[group] += [column[i] for column in values]
    table = np.array(list(sums.values())).reshape(-1, len(values))
    return [table[:, j] for j in range(len(values))]


def _ratio(numerator: np.ndarray, denominator: np.ndarray, axis: int = -1) -> np.ndarray:
    return numerator.sum(axis=axis) / denominator.sum(axis=axis)


def ratio_interval(numerator: np.ndarray, denominator: np.ndarray) -> list[float] | None:
    """The interval of sum(numerator) / sum(denominator) over groups resampled together; groups
    with nothing to count (denominator 0: a sentence with no word chosen or spelled) are left
    out. None with fewer than two groups left (nothing to resample)."""
    counted = np.asarray(denominator) > 0
    numerator, denominator = np.asarray(numerator)[counted], np.asarray(denominator)[counted]
    if len(numerator) < 2:
        return None
    result = bootstrap(
        (numerator, denominator),
        _ratio,
        paired=True,
        vectorized=True,
        n_resamples=RESAMPLES,
        confidence_level=LEVEL,
        method="percentile",
        rng=np.random.default_rng(SEED),
    )
    interval = result.confidence_interval
    return [float(interval.low), float(interval.high)]
