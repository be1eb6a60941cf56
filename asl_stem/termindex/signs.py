"""Signs of a lexicon (ASL-LEX 2.0) joined to the index's terms: what a term page shows.

The lexicon is read by the project's one ASL-LEX reader (:mod:`asl_stem.terms.lexicon`), so the
index build and the app never parse the file themselves. For each term the matches are stored
with the sign's gloss, reference video, Signbank reference, and ASL-LEX's marks for a
fingerspelled loan sign and an initialized sign.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from asl_stem.terms.lexicon import Lexicon, Sign, SignMatch

SIGNBANK_SEARCH = "https://aslsignbank.haskins.yale.edu/signs/search/?keyword={q}"
MAX_SIGNS_PER_TERM = 5


def write_signs(connection: sqlite3.Connection, lexicon: Lexicon) -> tuple[int, int]:
    """Match every term to the lexicon; return (sign rows written, terms with a sign)."""
    source = Path(lexicon.source).name or "lexicon"
    rows: list[tuple[Any, ...]] = []
    terms = 0
    last = 0
    while True:
        page = connection.execute(
            "SELECT id, display, norm FROM terms WHERE id > ? ORDER BY id LIMIT 1000", (last,)
        ).fetchall()
        if not page:
            break
        for term_id, display, norm in page:
            matches = list(lexicon.lookup(display or norm))[:MAX_SIGNS_PER_TERM]
            terms += bool(matches)
            rows += [_row(term_id, source, match) for match in matches]
        connection.executemany("INSERT INTO lexicon VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        rows = []
        last = page[-1][0]
    connection.execute(
        "UPDATE terms SET n_signs = (SELECT COUNT(*) FROM lexicon l WHERE l.term_id = terms.id)"
    )
    total = connection.execute("SELECT COUNT(*) FROM lexicon").fetchone()[0]
    return total, terms


def _row(term_id: int, source: str, match: SignMatch) -> tuple[Any, ...]:
    sign = match.sign
    reference = sign.signbank_annotation_id or sign.signbank_reference_id
    signbank = SIGNBANK_SEARCH.format(q=quote_plus(reference)) if reference else None
    how = ("lemma of " if match.lemmatised else "") + (
        "the sign's name" if match.kind == "entry" else "a listed translation"
    )
    return (
        term_id, source, sign.entry_id, sign.lemma_id, _gloss(sign), how, sign.video_url,
        signbank, int(bool(sign.fingerspelled_loan)), int(bool(sign.initialized)),
    )  # fmt: skip


def _gloss(sign: Sign) -> str:
    """The sign's gloss as ASL-LEX and Signbank write it (upper case), for the page."""
    return (sign.signbank_annotation_id or sign.entry_id).upper()
