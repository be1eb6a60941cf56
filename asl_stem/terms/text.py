"""Term text: one normal form for matching spelled strings, candidates, glosses and searches.

Interpreters' spelled strings ("NACL", "Bronsted"), the sentence's words ("NaCl", "Brønsted")
and ASL-LEX glosses differ in case, accents and punctuation; the normal form drops all three
so a spelled string finds the word it spells and a word finds its sign. The term index
(``asl_stem.termindex``) keys its terms by the same form.
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
