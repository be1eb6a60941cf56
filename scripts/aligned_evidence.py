"""How much the term scorer gains from recordings that have aligned spans but no labels.

Leave-one-article-out on annotation rows, as ``asl-stem terms evaluate``, with each training
article's recordings split by interpreter: the rows of ``--labelled`` interpreters per article
keep their labels; the others lose them and get their spans named by the aligner instead (each
article's recordings jointly, with a scorer fitted on the labelled rows; the annotated span
positions stand in for a detector's). Per split, three scorers: the labelled rows alone; plus the
aligned rows' counts (``fit_scorer(aligned=...)``, what ``terms fit --aligned`` does); plus the
unlabelled rows' true counts (what a perfect aligner would give). The split rotates over which
interpreters keep their labels; the figures are the mean over rotations. The held-out article is
always scored on all its rows.

    python scripts/aligned_evidence.py [--lexicon signdata.csv] [--labelled 1 2] [CSV ...]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from asl_stem.corpus import AnnotatedRecording
from asl_stem.terms.evaluate import cross_validate
from asl_stem.terms.fitting import fit_scorer
from asl_stem.terms.jobs import annotated, load_lexicon
from asl_stem.terms.joint import aligned_copies
from asl_stem.terms.lexicon import Lexicon
from asl_stem.terms.scorer import TermScorer

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(
    os.environ.get("ASL_STEM_SHARED_DATA")
    or next((p / "shared/data" for p in REPO.parents if (p / "shared/data").is_dir()), "")
)
MODES = ("labelled rows only", "+ aligned rows' counts", "+ their true counts")


def split(
    rows: Sequence[AnnotatedRecording], labelled: int, rotation: int
) -> tuple[list[AnnotatedRecording], list[AnnotatedRecording]]:
    """(labelled, unlabelled) rows: per article, ``labelled`` of its interpreters (sorted),
    starting at the ``rotation``-th, keep their labels."""
    by_article: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.recording.interpreter not in by_article[row.article]:
            by_article[row.article].append(row.recording.interpreter)
    keep = set()
    for article, who in by_article.items():
        who.sort()
        keep |= {(article, who[(rotation + i) % len(who)]) for i in range(labelled)}
    chosen = [row for row in rows if (row.article, row.recording.interpreter) in keep]
    rest = [row for row in rows if (row.article, row.recording.interpreter) not in keep]
    return chosen, rest


def evaluate(
    rows: Sequence[AnnotatedRecording], lexicon: Lexicon | None, labelled: int, rotation: int
) -> dict[str, dict[str, Any]]:
    """The cross-validated report of each mode for one split."""

    @cache
    def fitted(articles: frozenset[str], mode: str) -> TermScorer:
        training = [row for row in rows if row.article in articles]
        chosen, rest = split(training, labelled, rotation)
        if mode == MODES[0]:
            return fit_scorer(chosen, lexicon=lexicon)
        extra = aligned_copies(fitted(articles, MODES[0]), rest) if mode == MODES[1] else rest
        return fit_scorer(chosen, lexicon=lexicon, aligned=extra)

    return {
        mode: cross_validate(
            rows, fit=lambda training, m=mode: fitted(frozenset(r.article for r in training), m)
        )
        for mode in MODES
    }


def figures(report: dict[str, Any]) -> list[float]:
    top_k, chosen = report["scorer_top_k"], report["scorer_threshold"]
    aligner = report["aligner_oracle_spans"]
    return [
        top_k["char_iou"],
        chosen["word_f1"],
        chosen["average_precision"],
        chosen["ece"],
        aligner["span_accuracy"],
    ]


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="*", default=[SHARED / "fs-annotations" / "train.csv"])
    parser.add_argument("--lexicon", help="ASL-LEX signdata.csv (the scorers use it)")
    parser.add_argument("--labelled", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    rows = annotated(args.csv)
    lexicon = load_lexicon(args.lexicon)
    per_article = max(
        len({r.recording.interpreter for r in rows if r.article == a})
        for a in {r.article for r in rows}
    )
    columns = ["IoU, k given", "word F1", "AP", "ECE", "aligner: right word"]
    print("| labelled interpreters per article | scorer | " + " | ".join(columns) + " |")
    print("|---|---|---|---|---|---|---|")
    full = figures(cross_validate(rows, fit=lambda training: fit_scorer(training, lexicon=lexicon)))
    print(
        f"| all ({per_article}) | every row labelled | "
        + " | ".join(f"{v:.3f}" for v in full)
        + " |"
    )
    for labelled in args.labelled:
        pooled: dict[str, list[list[float]]] = defaultdict(list)
        for rotation in range(per_article):
            for mode, report in evaluate(rows, lexicon, labelled, rotation).items():
                pooled[mode].append(figures(report))
        for mode in MODES:
            mean = [sum(column) / len(column) for column in zip(*pooled[mode], strict=True)]
            print(
                f"| {labelled} | {mode} | " + " | ".join(f"{v:.3f}" for v in mean) + " |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
