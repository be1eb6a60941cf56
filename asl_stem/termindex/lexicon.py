"""Where an interpreter looks a term up: deep links to sign dictionaries and a local ASL-LEX file.

The links are each site's public search (or entry) URL with the term filled in; none is
fetched by the toolkit. They were written from the sites' public URL patterns and could not be
checked from these machines (no internet), so they live in one table, ``LINK_PATTERNS``, to be
corrected in one place if a site changes. docs/app.md lists them.

ASL-LEX 2.0 (https://asl-lex.org) publishes its sign data as a CSV. Column names differ between
its releases, so the reader looks for a gloss column by several names (``EntryID``,
``LemmaID``, ``SignBankEnglishTranslations``, ``EnglishWF(lemma)``, ``Gloss``, ...), an id
column (``Code``, ``EntryID``) and a video link column (any header with "video"), and matches an
entry to a term when any of its glosses has the term's normal form (``apple_2`` counts as
``apple``; translations split at commas, semicolons and slashes).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

from asl_stem.corpus.csvtable import decode_text, normalise_header
from asl_stem.problems import Problem
from asl_stem.termindex.text import normalise_term

# site name -> URL pattern; {q} is the URL-encoded term, {slug} a lower-case hyphenated form.
LINK_PATTERNS: dict[str, str] = {
    "ASLCore": "https://aslcore.org/search/?query={q}",
    "ASL Signbank": "https://aslsignbank.haskins.yale.edu/signs/search/?keyword={q}",
    "SignASL": "https://www.signasl.org/sign/{slug}",
    "Handspeak": "https://www.handspeak.com/word/search/?q={q}",
    "DeafTEC STEM dictionary": "https://deaftec.org/stem-dictionary/?s={q}",
}

GLOSS_COLUMNS = (
    "entryid",
    "lemmaid",
    "signbankenglishtranslations",
    "englishtranslations",
    "englishtranslation",
    "englishwflemma",
    "gloss",
    "glosses",
    "word",
    "english",
)
ID_COLUMNS = ("code", "entryid", "lemmaid", "id")
MAX_LEXICON_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class LexiconEntry:
    """One sign of a local lexicon file, with the glosses it answers to."""

    entry_id: str
    glosses: tuple[str, ...]
    video_url: str | None
    line: int


def lexicon_links(term: str) -> list[dict[str, str]]:
    """The dictionary deep links for ``term``: ``[{"site", "url"}]`` in a fixed order."""
    slug = quote(re.sub(r"[^0-9a-z]+", "-", normalise_term(term)).strip("-"))
    q = quote_plus(term.strip())
    return [
        {"site": site, "url": pattern.format(q=q, slug=slug)}
        for site, pattern in LINK_PATTERNS.items()
    ]


def split_glosses(cell: str) -> list[str]:
    """Glosses in one cell: 'apple_2' -> ['apple']; 'big, large; huge' -> three glosses."""
    out = []
    for part in re.split(r"[,;/|]", cell):
        gloss = normalise_term(re.sub(r"_\d+$", "", part.strip()).replace("_", " "))
        if gloss:
            out.append(gloss)
    return out


def read_asl_lex(path: str | Path) -> tuple[list[LexiconEntry], list[Problem]]:
    """Entries of an ASL-LEX style CSV; rows with no gloss are reported, not fatal."""
    path = Path(path)
    if path.stat().st_size > MAX_LEXICON_BYTES:
        raise ValueError(f"{path}: larger than {MAX_LEXICON_BYTES} bytes; is it a lexicon CSV?")
    problems: list[Problem] = []
    rows = list(csv.reader(io.StringIO(decode_text(path, problems), newline="")))
    if not rows:
        raise ValueError(f"{path}: the file is empty; expected an ASL-LEX CSV with a header")
    header = [normalise_header(cell) for cell in rows[0]]
    gloss_cols = [header.index(name) for name in GLOSS_COLUMNS if name in header]
    if not gloss_cols:
        raise ValueError(
            f"{path}: no gloss column found (looked for EntryID, LemmaID, "
            f"SignBankEnglishTranslations, Gloss, ...; found {', '.join(rows[0])}); "
            "rename the English gloss column to 'Gloss'"
        )
    id_col = next((header.index(name) for name in ID_COLUMNS if name in header), gloss_cols[0])
    video_col = next((i for i, name in enumerate(header) if "video" in name), None)
    entries = []
    for line, cells in enumerate(rows[1:], start=2):
        glosses = [g for col in gloss_cols if col < len(cells) for g in split_glosses(cells[col])]
        if not glosses:
            if any(cell.strip() for cell in cells):
                problems.append(Problem(str(path), line, "row has no gloss; skipped", "no_gloss"))
            continue
        video = cells[video_col].strip() if video_col is not None and video_col < len(cells) else ""
        entry_id = cells[id_col].strip() if id_col < len(cells) else ""
        entries.append(
            LexiconEntry(
                entry_id or glosses[0],
                tuple(dict.fromkeys(glosses)),
                video if video.startswith(("http://", "https://")) else None,
                line,
            )
        )
    return entries, problems
