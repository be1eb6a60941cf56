"""Fit the term scorer shipped in the package (asl_stem/data/term_scorer.json).

Reads the shared annotation rows at ../shared/data/fs-annotations/train.csv (beside the repo)
unless a CSV is given: ``python scripts/fit_term_scorer.py [CSV ...]``.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from asl_stem.terms.jobs import fit_from

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CSV = REPO.parent / "shared" / "data" / "fs-annotations" / "train.csv"
OUT = REPO / "asl_stem" / "data" / "term_scorer.json"


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    csvs = [Path(a) for a in argv] or [DEFAULT_CSV]
    fit_from(csvs, OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
