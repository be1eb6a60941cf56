"""How the scorer improves as more articles are labelled: a learning curve.

For n = 1, 2, ... training articles: each article is held out in turn and the scorer is fitted
on subsets of n of the others (all of them, or ``max_subsets`` chosen with a fixed seed when
there are more), then scored on the held-out article. Figures are pooled over every
(held-out article, subset) pair, as in :func:`~asl_stem.terms.evaluate.cross_validate`, whose
report is the last point (all other articles) when given as ``full``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from itertools import combinations
from typing import Any

from tqdm import tqdm

from asl_stem.corpus import AnnotatedRecording
from asl_stem.terms.evaluate import TALLIES, _Tally, score_held_out
from asl_stem.terms.fitting import fit_scorer
from asl_stem.terms.scorer import TermScorer


def _subsets(others: Sequence[str], n: int, limit: int, seed: int) -> list[tuple[str, ...]]:
    every = list(combinations(sorted(others), n))
    if len(every) <= limit:
        return every
    return random.Random(seed).sample(every, limit)


def learning_curve(
    rows: Sequence[AnnotatedRecording],
    *,
    fit: Callable[[Sequence[AnnotatedRecording]], TermScorer] = fit_scorer,
    max_subsets: int = 3,
    seed: int = 0,
    full: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """One point per number of training articles: pooled char IoU, word F1, ECE."""
    articles = sorted({row.article for row in rows})
    points = []
    for n in range(1, len(articles)):
        if full is not None and n == len(articles) - 1:
            points.append(_point(n, len(articles), full))
            continue
        tallies = {name: _Tally() for name in TALLIES}
        fits = 0
        for held in tqdm(articles, desc=f"learning curve, {n} article(s)", unit="article"):
            others = [a for a in articles if a != held]
            for subset in _subsets(others, n, max_subsets, seed):
                train = [row for row in rows if row.article in subset]
                scorer = fit(train)
                fold = score_held_out(scorer, [row for row in rows if row.article == held])
                for name, tally in fold.items():
                    tallies[name].merge(tally)
                fits += 1
        report = {name: tally.summary() for name, tally in tallies.items()}
        report["scorer_threshold"] = report.pop("scorer")
        points.append(_point(n, fits, report))
    return points


def _point(n: int, fits: int, report: dict[str, Any]) -> dict[str, Any]:
    """One learning-curve point from pooled figures (a cross-validation report's sections)."""
    words = report["scorer_threshold"]
    return {
        "train_articles": n,
        "fits": fits,
        "char_iou": report["scorer_top_k"]["char_iou"],
        "rarest_k_char_iou": report["rarest_k"]["char_iou"],
        "word_f1": words["word_f1"],
        "average_precision": words.get("average_precision"),
        "ece": words["ece"],
    }
