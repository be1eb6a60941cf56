"""Which words a synthetic interpreter fingerspells: a documented rule (``docs/synthetic.md``).

Candidates are the sentence's words that are rare (wordfreq Zipf frequency below
``CANDIDATE_ZIPF``), acronyms, capitalised names inside the sentence, or words of the article's
title (real interpreters spell the topic's term again and again); numbers are signed. Each
candidate is spelled with probability ``sigmoid(logit)``::

    logit = RARITY * (PIVOT_ZIPF - zipf) + LENGTH * (letters - 7) + ACRONYM * is_acronym
            + NAME * is_name + TOPIC * in_title - REPEAT * seen_before
            + interpreter_bias - KNOWS_SIGN * knows

where ``interpreter_bias`` is the interpreter's overall tendency to spell, and ``knows`` is a
fixed draw per (interpreter, word) standing for whether that interpreter happens to know a sign
for it. Rarer and longer terms are spelled more often; two interpreters disagree on the same
term; one term is spelled in one recording and signed in another.
"""

from __future__ import annotations

import math
import re
import zlib
from functools import lru_cache

import numpy as np

CANDIDATE_ZIPF = 4.3
PIVOT_ZIPF = 2.9
RARITY = 1.2
LENGTH = 0.25
ACRONYM = 1.5
NAME = 0.8
TOPIC = 2.0
REPEAT = 0.7
KNOWS_SIGN = 0.9
TOKEN = re.compile(r"[^\W_]+(?:[-–'’+][^\W_]+)*\+?")


@lru_cache(maxsize=4096)
def zipf(word: str) -> float:
    """English Zipf frequency of a word (0 for unknown words)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


def is_acronym(token: str) -> bool:
    """Two or more capitals, maybe with digits or a plus (PCR, NADPH, mtDNA, NADP+)."""
    return sum(char.isupper() for char in token) >= 2 and not token.isdigit()


def in_title(word: str, title: str) -> bool:
    """Whether ``word`` shares its first five letters with a word of the article's title."""
    stem = word.lower()[:5]
    return len(stem) >= 4 and any(t.lower()[:5] == stem for t in TOKEN.findall(title))


def candidates(sentence: str, title: str = "") -> list[tuple[str, bool]]:
    """(word, is_name) for each word that might be spelled, in sentence order."""
    found = []
    for index, match in enumerate(TOKEN.finditer(sentence)):
        token = match.group()
        if len(token) < 2 or not any(char.isalpha() for char in token):
            continue
        name = index > 0 and token[0].isupper() and not is_acronym(token)
        if zipf(token) < CANDIDATE_ZIPF or is_acronym(token) or name or in_title(token, title):
            found.append((token, name))
    return found


def knows_sign(interpreter: str, word: str) -> float:
    """A fixed standard-normal draw per (interpreter, word): > 0 means 'has a sign for it'."""
    key = zlib.crc32(f"{interpreter}|{word.lower()}".encode())
    return float(np.random.default_rng(key).normal())


def spell_probability(
    word: str, *, is_name: bool, repeat: bool, interpreter: str, bias: float, title: str = ""
) -> float:
    """Probability that ``interpreter`` spells ``word`` (the rule in the module docstring)."""
    letters = sum(char.isalnum() for char in word)
    logit = (
        RARITY * (PIVOT_ZIPF - zipf(word))
        + LENGTH * (min(letters, 14) - 7)
        + ACRONYM * is_acronym(word)
        + NAME * is_name
        + TOPIC * in_title(word, title)
        - REPEAT * repeat
        + bias
        - KNOWS_SIGN * knows_sign(interpreter, word)
    )
    return 1.0 / (1.0 + math.exp(-logit))


def choose_fingerspelled(
    sentence: str, interpreter: str, bias: float, rng: np.random.Generator, title: str = ""
) -> list[str]:
    """The words of ``sentence`` (from the article ``title``) this interpreter spells, in order."""
    chosen, seen = [], set()
    for word, name in candidates(sentence, title):
        repeat = word.lower() in seen
        seen.add(word.lower())
        chance = spell_probability(
            word, is_name=name, repeat=repeat, interpreter=interpreter, bias=bias, title=title
        )
        if rng.random() < chance:
            chosen.append(word)
    return chosen
