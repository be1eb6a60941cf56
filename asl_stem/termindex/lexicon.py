"""Where an interpreter looks a term up: deep links to sign dictionaries.

The links are each site's public search (or entry) URL with the term filled in; none is
fetched by the toolkit. They were written from the sites' public URL patterns and could not be
checked from these machines (no internet), so they live in one table, ``LINK_PATTERNS``, to be
corrected in one place if a site changes. docs/app.md lists them. A local ASL-LEX file is read
by :mod:`asl_stem.terms.lexicon`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote, quote_plus

from asl_stem.termindex.text import normalise_term

# One table of sign-dictionary links, each from the site's own URL scheme. {q}: the term
# URL-encoded; {slug}: lower case, words joined by hyphens; {word}: a single lower-case word
# (sites whose URLs name one word are left out for phrases); {letter}: its first letter.
# Handspeak searches with a POST form only, so its dictionary page is linked, not a query.
# DeafTEC's STEM dictionary has entry pages only for the terms it holds, which cannot be known
# here, so it is left out rather than linked to pages that may not exist.
LINK_PATTERNS: dict[str, str] = {
    "SignASL": "https://www.signasl.org/sign/{slug}",
    "ASLCore": "https://aslcore.org/search/?query={q}",
    "ASL Signbank": "https://aslsignbank.haskins.yale.edu/signs/search/?keyword={q}",
    "Lifeprint": "https://www.lifeprint.com/asl101/pages-signs/{letter}/{word}.htm",
    "Signing Savvy": "https://www.signingsavvy.com/search/{q_path}",
    "Spread the Sign": "https://www.spreadthesign.com/en.us/search/?q={q}",
    "Handspeak (dictionary)": "https://www.handspeak.com/word/",
}


def lexicon_links(term: str) -> list[dict[str, str]]:
    """The dictionary deep links for ``term``: ``[{"site", "url"}]`` in the table's order."""
    return list(_links(term))


@lru_cache(maxsize=16384)
def _links(term: str) -> tuple[dict[str, str], ...]:
    """The links, computed once a term (the dicts are shared: read them, never change them)."""
    norm = normalise_term(term)
    slug = quote(re.sub(r"[^0-9a-z]+", "-", norm).strip("-"))
    single = slug if norm and " " not in norm else ""
    values = {
        "q": quote_plus(term.strip()),
        "q_path": quote(term.strip(), safe=""),
        "slug": slug,
        "word": single,
        "letter": single[:1],
    }
    return tuple(
        {"site": site, "url": pattern.format(**values)}
        for site, pattern in LINK_PATTERNS.items()
        if slug and (single or "{word}" not in pattern)
    )
