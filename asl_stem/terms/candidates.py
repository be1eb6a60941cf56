"""Candidate terms of an English sentence: words, dashed compounds and their parts, word pairs.

Offsets always index the ORIGINAL sentence string (Python ``str`` indices, so code points), so
"Brønsted–Lowry" keeps its ``ø`` and en dash and a caller can slice ``sentence[start:end]``.
Interpreters spell whole words ("catalysis"), dashed compounds ("acid–base"), single parts of a
compound ("Lowry", "space" of "4-space") and short names ("Z value"), so all four are candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

CandidateKind = Literal["word", "compound", "phrase"]

# A word: letters and digits, with inner apostrophes ("Maxwell's", "Feynman’s").
_WORD = r"[^\W_]+(?:['’][^\W_]+)*"
# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, minus sign.
DASHES = "-‐‑‒–—−"
WORD_RE = re.compile(_WORD)
COMPOUND_RE = re.compile(rf"{_WORD}(?:[{DASHES}]{_WORD})+")


@dataclass(frozen=True)
class Candidate:
    """A span of the sentence that an interpreter might fingerspell.

    ``word_index`` is the index of its first word among the sentence's words; ``n_words`` how
    many words it covers; ``in_compound`` marks a word that is one part of a dashed compound.
    """

    text: str
    char_start: int
    char_end: int
    kind: CandidateKind
    word_index: int
    n_words: int = 1
    in_compound: bool = False


def words(sentence: str) -> list[Candidate]:
    """Every word of the sentence in order, with offsets into the original string."""
    compounds = [(m.start(), m.end()) for m in COMPOUND_RE.finditer(sentence)]
    out = []
    for index, match in enumerate(WORD_RE.finditer(sentence)):
        inside = any(start <= match.start() and match.end() <= end for start, end in compounds)
        out.append(
            Candidate(match.group(), match.start(), match.end(), "word", index, in_compound=inside)
        )
    return out


def candidates(sentence: str) -> list[Candidate]:
    """Words, dashed compounds and adjacent word pairs, ordered by (start, end)."""
    word_list = words(sentence)
    start_index = {word.char_start: word.word_index for word in word_list}
    out = list(word_list)
    for match in COMPOUND_RE.finditer(sentence):
        first = start_index[match.start()]
        n_parts = sum(1 for w in word_list if match.start() <= w.char_start < match.end())
        out.append(Candidate(match.group(), match.start(), match.end(), "compound", first, n_parts))
    for left, right in pairwise(word_list):
        if _is_pair(sentence, left, right):
            text = sentence[left.char_start : right.char_end]
            out.append(
                Candidate(text, left.char_start, right.char_end, "phrase", left.word_index, 2)
            )
    return sorted(out, key=lambda c: (c.char_start, c.char_end))


def _is_pair(sentence: str, left: Candidate, right: Candidate) -> bool:
    """Two words separated by one space only, neither part of a compound (a possible name)."""
    gap = sentence[left.char_end : right.char_start]
    return gap == " " and not left.in_compound and not right.in_compound
