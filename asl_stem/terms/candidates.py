"""Candidate terms of an English sentence: words, dashed compounds and their parts, word pairs.

Offsets always index the ORIGINAL sentence string (Python ``str`` indices, so code points), so
"Brønsted–Lowry" keeps its ``ø`` and en dash and a caller can slice ``sentence[start:end]``.
Interpreters spell whole words ("catalysis"), dashed compounds ("acid–base"), single parts of a
compound ("Lowry", "space" of "4-space") and short names ("Z value"), so all four are candidates.
They also spell a possessive's name without its "'s" ("Maxwell" of "Maxwell's") and an
initialism written with dots as one term ("U.S."), so those are candidates too.

Names of the article (:func:`article_names`: its title's words and the names of earlier
sentences) are candidates of another kind: a sentence may say "he" where the interpreter spells
the person named in the title. They have no offsets in the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

CandidateKind = Literal["word", "compound", "phrase", "initialism"]

# A word: letters and digits, with inner apostrophes ("Maxwell's", "Feynman’s").
_WORD = r"[^\W_]+(?:['’][^\W_]+)*"
# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, minus sign.
DASHES = "-‐‑‒–—−"
WORD_RE = re.compile(_WORD)
COMPOUND_RE = re.compile(rf"{_WORD}(?:[{DASHES}]{_WORD})+")
# "U.S.", "i.e.", "N.Y.": single letters each followed by a dot, at least two of them.
INITIALISM_RE = re.compile(r"(?<![^\W_])(?:[^\W\d_]\.){2,}")
POSSESSIVE_RE = re.compile(r"['’][sS]$")


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
    """Words, possessives' names, dashed compounds, dotted initialisms and adjacent word pairs,
    ordered by (start, end)."""
    word_list = words(sentence)
    start_index = {word.char_start: word.word_index for word in word_list}
    out = list(word_list)
    out += _without_possessive(word_list)
    for match in COMPOUND_RE.finditer(sentence):
        first = start_index[match.start()]
        n_parts = sum(1 for w in word_list if match.start() <= w.char_start < match.end())
        out.append(Candidate(match.group(), match.start(), match.end(), "compound", first, n_parts))
    out += _initialisms(sentence, start_index)
    for left, right in pairwise(word_list):
        if _is_pair(sentence, left, right):
            text = sentence[left.char_start : right.char_end]
            out.append(
                Candidate(text, left.char_start, right.char_end, "phrase", left.word_index, 2)
            )
    return sorted(out, key=lambda c: (c.char_start, c.char_end))


def _without_possessive(word_list: Iterable[Candidate]) -> list[Candidate]:
    """ "Maxwell" of "Maxwell's": the name an interpreter spells without the possessive."""
    out = []
    for word in word_list:
        if POSSESSIVE_RE.search(word.text) and len(word.text) > 2:
            name = word.text[:-2]
            out.append(Candidate(name, word.char_start, word.char_end - 2, "word", word.word_index))
    return out


def _initialisms(sentence: str, start_index: dict[int, int]) -> list[Candidate]:
    """Dotted initialisms as one candidate, final dot included ("U.S.")."""
    out = []
    for match in INITIALISM_RE.finditer(sentence):
        first = start_index.get(match.start())
        if first is not None:
            n_letters = match.group().count(".")
            out.append(
                Candidate(match.group(), match.start(), match.end(), "initialism", first, n_letters)
            )
    return out


def _is_pair(sentence: str, left: Candidate, right: Candidate) -> bool:
    """Two words separated by one space only, neither part of a compound (a possible name)."""
    gap = sentence[left.char_end : right.char_start]
    return gap == " " and not left.in_compound and not right.in_compound


def is_name(word: Candidate, sentence: str) -> bool:
    """A proper name or an acronym: capitalised and not the sentence's first word, or all caps."""
    letters = [c for c in word.text if c.isalpha()]
    if len(letters) < 2:
        return False
    if all(c.isupper() for c in letters):
        return True
    return word.text[0].isupper() and word.word_index > 0


def article_names(title: str | None, earlier: Iterable[str] = ()) -> list[str]:
    """Terms of the article that a later sentence may leave unsaid: every word of the title
    (and the title itself when it has several), then the names of the earlier sentences
    (most recent first), each once (case-insensitively), possessives without their "'s"."""
    found: list[str] = []
    if title:
        title_words = [w.text for w in words(title)]
        found += ([title] if len(title_words) > 1 else []) + title_words
    for sentence in reversed(list(earlier)):
        found += [w.text for w in words(sentence) if is_name(w, sentence)]
    out, seen = [], set()
    for text in found:
        plain = POSSESSIVE_RE.sub("", text)
        if plain.lower() not in seen:
            seen.add(plain.lower())
            out.append(plain)
    return out
