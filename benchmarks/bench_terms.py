"""Term scoring and alignment speed, beside the rarest-k baseline on the same rows.

Prints sentences scored per second for the default scorer and for the rarest-k baseline (the
ratio says what the features and the model cost), and rows aligned per second with the
annotated spans. Reads ../shared/data/fs-annotations/train.csv (or a CSV given as argument).

    python benchmarks/bench_terms.py [CSV] [--repeat N]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from asl_stem.corpus import open_corpus
from asl_stem.terms import load_default_scorer
from asl_stem.terms.evaluate import rarest_k

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared/data/fs-annotations/train.csv"


def rate(work: Callable[[], int], repeat: int) -> float:
    """Items per second of ``work`` (which returns how many items it did), best of ``repeat``."""
    best = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        done = work()
        best = max(best, done / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", default=str(DEFAULT_CSV))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = open_corpus(args.csv).annotated_recordings()
    scorer = load_default_scorer()

    def score() -> int:
        for row in rows:
            scorer.score_sentence(row.sentence, article=row.article)
        return len(rows)

    def baseline() -> int:
        for row in rows:
            rarest_k(row.sentence, len(row.spans))
        return len(rows)

    def align() -> int:
        for row in rows:
            scorer.align(row.sentence, row.spans)
        return len(rows)

    ours, base = rate(score, args.repeat), rate(baseline, args.repeat)
    aligned = rate(align, args.repeat)
    print(f"rows: {len(rows)} from {args.csv}")
    print(f"scorer     {ours:10.1f} sentences/s")
    print(f"rarest-k   {base:10.1f} sentences/s   (scorer / baseline = {ours / base:.3f})")
    print(f"align      {aligned:10.1f} rows/s (scoring included; annotated spans)")


if __name__ == "__main__":
    main()
