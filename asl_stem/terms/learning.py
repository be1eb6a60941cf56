"""How the scorer improves as more articles are labelled: a learning curve.

For n = 1, 2, ... training articles: each article is held out in turn and the scorer is fitted
on subsets of n of the others (all of them, or ``max_subsets`` chosen with a fixed seed when
there are more), then scored on the held-out article. Figures are pooled over every
(held-out article, subset) pair, as in :func:`~asl_stem.terms.evaluate.cross_validate`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from itertools import combinations
from typing import Any

from tqdm import tqdm

from asl_stem.terms.evaluate import TALLIES, _merge, _Tally, score_held_out
from asl_stem.terms.fitting import fit_scorer
from asl_stem.terms.labels import LabelledRow
from asl_stem.terms.scorer import TermScorer


def _subsets(others: Sequence[str], n: int, limit: int, seed: int) -> list[tuple[str, ...]]:
    every = list(combinations(sorted(others), n))
    if len(every) <= limit:
        return every
    return random.Random(seed).sample(every, limit)


def learning_curve(
    rows: Sequence[LabelledRow],
    *,
    fit: Callable[[Sequence[LabelledRow]], TermScorer] = fit_scorer,
    max_subsets: int = 3,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """One point per number of training articles: pooled char IoU, word F1, ECE."""
    articles = sorted({row.article for row in rows})
    points = []
    for n in range(1, len(articles)):
        tallies = {name: _Tally() for name in TALLIES}
        fits = 0
        for held in tqdm(articles, desc=f"learning curve, {n} article(s)", unit="article"):
            others = [a for a in articles if a != held]
            for subset in _subsets(others, n, max_subsets, seed):
                train = [row for row in rows if row.article in subset]
                scorer = fit(train)
                fold = score_held_out(scorer, [row for row in rows if row.article == held])
                for name, tally in fold.items():
                    _merge(tallies[name], tally)
                fits += 1
        words = tallies["scorer"].summary()
        points.append(
            {
                "train_articles": n,
                "fits": fits,
                "char_iou": tallies["scorer_top_k"].summary()["char_iou"],
                "rarest_k_char_iou": tallies["rarest_k"].summary()["char_iou"],
                "word_f1": words["word_f1"],
                "average_precision": words.get("average_precision"),
                "ece": words["ece"],
            }
        )
    return points
