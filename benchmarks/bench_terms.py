"""Term scoring and alignment speed, beside the rarest-k baseline on the same rows.

Prints sentences scored per second (wall and CPU time) for the packaged scorer without and with
ASL-LEX features and for the rarest-k baseline (the ratios say what the features and the model
cost), and rows aligned per second with the annotated spans, and with the same spans marked as
a detector's (which may run two words together: pairs of words become states, and a span named
by one is split; the ratio says what that costs). Reads the shared rows and ASL-LEX
file (``$ASL_STEM_SHARED_DATA``, else ``shared/data`` beside the repository or above it) unless
given:

    python benchmarks/bench_terms.py [CSV] [--lexicon signdata.csv] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

from asl_stem.corpus import open_corpus
from asl_stem.terms import ArticleContext, load_default_scorer, read_lexicon
from asl_stem.terms.evaluate import rarest_k
from asl_stem.terms.scorer import TermScorer

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(
    os.environ.get("ASL_STEM_SHARED_DATA")
    or next((p / "shared/data" for p in REPO.parents if (p / "shared/data").is_dir()), "")
)


def rate(work: Callable[[], int], repeat: int) -> tuple[float, float]:
    """(items per wall second, items per CPU second) of ``work``, best of ``repeat``."""
    best_wall = best_cpu = 0.0
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        done = work()
        best_wall = max(best_wall, done / (time.perf_counter() - wall))
        best_cpu = max(best_cpu, done / max(1e-9, time.process_time() - cpu))
    return best_wall, best_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", default=str(SHARED / "fs-annotations/train.csv"))
    parser.add_argument("--lexicon", default=str(SHARED / "asl-lex/signdata.csv"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = open_corpus(args.csv).annotated_recordings()
    contexts = {
        a: ArticleContext.from_sentences(r.sentence for r in rows if r.article == a)
        for a in {r.article for r in rows}
    }
    start = time.perf_counter()
    lexicon = read_lexicon(args.lexicon)
    print(f"ASL-LEX read: {len(lexicon)} signs in {time.perf_counter() - start:.2f} s")
    scorers = {"scorer": load_default_scorer(), "scorer+lex": load_default_scorer(lexicon)}

    def score(scorer: TermScorer) -> Callable[[], int]:
        def work() -> int:
            for row in rows:
                context = contexts[row.article]
                scorer.score_sentence(row.sentence, article=row.article, context=context)
            return len(rows)

        return work

    def baseline() -> int:
        for row in rows:
            rarest_k(row.sentence, len(row.spans))
        return len(rows)

    def align(detected: bool) -> Callable[[], int]:
        spans = {
            row.recording_id: [s.replace(source="detected") for s in row.spans]
            if detected
            else row.spans
            for row in rows
        }

        def work() -> int:
            for row in rows:
                context = contexts[row.article]
                scorers["scorer"].align(row.sentence, spans[row.recording_id], context=context)
            return len(rows)

        return work

    base_wall, base_cpu = rate(baseline, args.repeat)
    print(f"rows: {len(rows)} from {args.csv}")
    print(f"{'rarest-k':12}{base_wall:10.1f} sentences/s wall {base_cpu:10.1f} /s CPU")
    for name, scorer in scorers.items():
        wall, cpu = rate(score(scorer), args.repeat)
        print(
            f"{name:12}{wall:10.1f} sentences/s wall {cpu:10.1f} /s CPU   "
            f"(/ baseline: wall {wall / base_wall:.3f}, CPU {cpu / base_cpu:.3f})"
        )
    wall, cpu = rate(align(detected=False), args.repeat)
    print(f"{'align':12}{wall:10.1f} rows/s wall {cpu:10.1f} /s CPU (scoring included)")
    merged_wall, merged_cpu = rate(align(detected=True), args.repeat)
    print(
        f"{'align, det.':12}{merged_wall:10.1f} rows/s wall {merged_cpu:10.1f} /s CPU   "
        f"(/ annotated: wall {merged_wall / wall:.3f}, CPU {merged_cpu / cpu:.3f})"
    )


if __name__ == "__main__":
    main()
