"""Measure fingerspelling timing statistics from real annotation rows for the synthetic signer.

Reads an ``fs-annotations`` CSV of the ASL STEM Wiki release (e.g.
``../shared/data/fs-annotations/train.csv``) and writes the figures the signer draws from to
``asl_stem/data/fs_stats.json``: span lengths, frames per letter (overall and per interpreter),
gaps between spans, the first span's start, and the signing rate (frames per English word before
a spelled term). Only numbers are written; the CSV itself is never shipped.

Usage: python scripts/measure_fs_stats.py CSV [--out asl_stem/data/fs_stats.json]
"""

from __future__ import annotations

import argparse
import itertools
import re
import statistics
from pathlib import Path

import numpy as np

from asl_stem.atomic import write_json
from asl_stem.corpus.annotations import AnnotationRow, read_annotations

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def letters_of(text: str) -> int:
    """Number of letters and digits a spelled string has (what the hand forms)."""
    return sum(1 for char in text if char.isalnum())


def quantiles(values: list[float]) -> dict[str, float]:
    """The 5/25/50/75/95 percentiles, rounded, keyed like ``"q50"``."""
    array = np.asarray(values, dtype=float)
    return {f"q{int(q * 100):02d}": round(float(np.quantile(array, q)), 2) for q in QUANTILES}


def words_before(sentence: str, text: str) -> int | None:
    """How many English words precede the first occurrence of ``text`` in ``sentence``."""
    position = sentence.lower().find(text.lower())
    if position < 0:
        return None
    return len(re.findall(r"\w+", sentence[:position]))


def measure(rows: list[AnnotationRow]) -> dict[str, object]:
    """Every statistic the signer uses, from annotated rows."""
    lengths, per_letter, gaps, firsts, word_rates = [], [], [], [], []
    per_user: dict[str, list[float]] = {}
    spans_per_row = []
    for row in rows:
        spans = sorted(row.spans, key=lambda span: span.start_frame)
        spans_per_row.append(len(spans))
        if spans:
            firsts.append(spans[0].start_frame)
        for previous, span in itertools.pairwise(spans):
            if span.start_frame > previous.end_frame:
                gaps.append(span.start_frame - previous.end_frame - 1)
        for span in spans:
            length = span.end_frame - span.start_frame + 1
            lengths.append(length)
            letters = letters_of(span.text or "")
            if letters >= 2:
                per_letter.append(length / letters)
                per_user.setdefault(row.user or "?", []).append(length / letters)
            before = words_before(row.sentence, span.text or "")
            if before:
                word_rates.append(span.start_frame / before)
    user_medians = [statistics.median(values) for values in per_user.values() if len(values) >= 5]
    return {
        "source": "measured by scripts/measure_fs_stats.py from the real ASL STEM Wiki "
        "fs-annotations (train.csv, 4 articles, 12 interpreters)",
        "rows": len(rows),
        "spans": len(lengths),
        "span_frames": quantiles(lengths),
        "frames_per_letter": quantiles(per_letter),
        "interpreter_frames_per_letter": quantiles(user_medians),
        "gap_frames": quantiles(gaps),
        "first_start_frame": quantiles(firsts),
        "frames_per_word": quantiles(word_rates),
        "spans_per_row": quantiles(spans_per_row),
    }


def main() -> None:
    """Parse options, measure, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    default_out = Path(__file__).resolve().parents[1] / "asl_stem" / "data" / "fs_stats.json"
    parser.add_argument("--out", type=Path, default=default_out)
    args = parser.parse_args()
    rows, _problems = read_annotations(args.csv)
    write_json(args.out, measure(rows))


if __name__ == "__main__":
    main()
