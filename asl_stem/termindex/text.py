"""Term text: one normal form for matching spelled strings, candidates and searches.

Interpreters' spelled strings ("NACL", "Bronsted") and the sentence's words ("NaCl",
"Brønsted") differ in case, accents and punctuation; the normal form drops all three so a
spelled string finds the word it spells.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65536)
def normalise_term(text: str) -> str:
    """ASCII lower-case letters and digits, single-spaced: 'Brønsted–Lowry' -> 'bronsted lowry'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("ø", "o").replace("Ø", "O").replace("ß", "ss").replace("æ", "ae")
    return _NOT_ALNUM.sub(" ", stripped.casefold()).strip()


def find_term(sentence: str, term: str) -> tuple[int, int] | None:
    """Char offsets of the first place in ``sentence`` whose normal form is ``term``'s, or None.

    Words are matched whole: 'ion' is not found inside 'ionic'.
    """
    target = normalise_term(term)
    if not target:
        return None
    words = [(m.start(), m.end()) for m in re.finditer(r"[^\W_]+", sentence)]
    n_target = len(target.split())
    for first in range(len(words)):
        for last in range(first, min(first + n_target + 2, len(words))):
            start, end = words[first][0], words[last][1]
            if normalise_term(sentence[start:end]) == target:
                return start, end
    return None
