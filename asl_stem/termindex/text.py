"""Term text: finding a term in a sentence by its normal form.

The normal form itself (``normalise_term``) lives in :mod:`asl_stem.terms.text`, a lower layer,
so the term scorer's ASL-LEX lookup keys glosses the same way the index keys terms.
"""

from __future__ import annotations

import re

from asl_stem.terms.text import normalise_term

__all__ = ["find_term", "normalise_term"]


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
