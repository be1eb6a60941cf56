"""Fit the two term scorers shipped in the package, without and with the ASL-LEX features.

``asl_stem/data/term_scorer.json`` (no lexicon) and ``asl_stem/data/term_scorer_lexicon.json``
(ASL-LEX features; the file holds weights and statistics only, never ASL-LEX data). Reads the
shared annotation rows and ASL-LEX file (``$ASL_STEM_SHARED_DATA``, else the first ``shared/data``
beside the repository or above it) unless given:

    python scripts/fit_term_scorer.py [--lexicon signdata.csv] [CSV ...]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from asl_stem.terms.jobs import fit_from, load_lexicon

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(
    os.environ.get("ASL_STEM_SHARED_DATA")
    or next((p / "shared/data" for p in REPO.parents if (p / "shared/data").is_dir()), "")
)
DATA = REPO / "asl_stem" / "data"


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="*", default=[SHARED / "fs-annotations" / "train.csv"])
    parser.add_argument("--lexicon", default=SHARED / "asl-lex" / "signdata.csv")
    args = parser.parse_args(argv)
    fit_from(args.csv, DATA / "term_scorer.json")
    fit_from(args.csv, DATA / "term_scorer_lexicon.json", load_lexicon(args.lexicon))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
