"""Features of a candidate term: what a linguist looks at to guess it will be fingerspelled.

Rare words (wordfreq's Zipf scale), long words, names and acronyms, digits, dashed compounds,
words of the article title, and what the corpus says: how often other interpreters spelled the
same term in the fitting data. That last feature exists only for terms seen when fitting, so
it comes with a "seen" flag and a smoothed rate that falls back to the corpus-wide prior.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from wordfreq import zipf_frequency

from asl_stem.terms.candidates import Candidate, words

FEATURE_NAMES = (
    "zipf",
    "zipf_unknown",
    "zipf_below_2",
    "zipf_2_to_3",
    "zipf_3_to_4",
    "zipf_4_to_5",
    "zipf_above_6",
    "zipf_min_part",
    "zipf_x_multiword",
    "zipf_rank",
    "rarer_than_sentence",
    "log_letters",
    "letters_le_2",
    "capitalised",
    "sentence_initial",
    "acronym",
    "has_digit",
    "compound",
    "compound_part",
    "phrase",
    "position",
    "in_title",
    "proper_name",
    "corpus_seen",
    "corpus_rate",
    "corpus_log_count",
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})
_LETTER = re.compile(r"[^\W_]")
# Strength of the prior when smoothing a term's corpus rate (pseudo-observations).
PRIOR_WEIGHT = 2.0


def term_key(text: str) -> str:
    """Normalised key for counting a term across rows: lowercase, plain apostrophes, no plural."""
    key = text.strip().lower().translate(_APOSTROPHES)
    if key.endswith("'s"):
        key = key[:-2]
    if len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
        key = key[:-1]
    return key


@dataclass(frozen=True)
class CorpusStats:
    """How often each term was fingerspelled in the fitting rows: ``{key: (spelled, seen)}``."""

    counts: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    prior: float = 0.0

    def rate(self, key: str) -> tuple[bool, float, float]:
        """(seen, smoothed spelled rate, log of times seen) for one term key."""
        spelled, seen = self.counts.get(key, (0, 0))
        smoothed = (spelled + PRIOR_WEIGHT * self.prior) / (seen + PRIOR_WEIGHT)
        return seen > 0, smoothed, math.log1p(seen)


def zipf(text: str) -> float:
    """Zipf frequency of a word or phrase in English (0 when wordfreq has never seen it)."""
    return zipf_frequency(text.translate(_APOSTROPHES), "en")


def title_keys(article: str | None) -> set[str]:
    """Term keys of the article title's words (empty when the article is unknown)."""
    if not article:
        return set()
    return {term_key(word.text) for word in words(article)}


def sentence_features(
    sentence: str,
    candidates: Sequence[Candidate],
    *,
    article: str | None = None,
    corpus: CorpusStats | None = None,
) -> list[list[float]]:
    """One feature vector (in ``FEATURE_NAMES`` order) per candidate of one sentence."""
    corpus = corpus or CorpusStats()
    word_list = words(sentence)
    word_zipfs_by_index = [zipf(word.text) for word in word_list]
    word_zipfs = sorted(word_zipfs_by_index)
    titles = title_keys(article)
    n_words = max(1, len(word_list))
    rows = []
    for candidate in candidates:
        value = zipf(candidate.text)
        rank = bisect_left(word_zipfs, value) / n_words
        median = word_zipfs[len(word_zipfs) // 2] if word_zipfs else 0.0
        letters = len(_LETTER.findall(candidate.text))
        letter_chars = [c for c in candidate.text if c.isalpha()]
        capitalised = candidate.text[:1].isupper()
        initial = candidate.word_index == 0
        acronym = len(letter_chars) >= 2 and all(c.isupper() for c in letter_chars)
        key = term_key(candidate.text)
        seen, rate, log_count = corpus.rate(key)
        covered = word_list[candidate.word_index :][: candidate.n_words]
        parts = [term_key(w.text) for w in covered]
        min_part = min((word_zipfs_by_index[w.word_index] for w in covered), default=value)
        rows.append(
            [
                value,
                float(value == 0.0),
                float(value < 2),
                float(2 <= value < 3),
                float(3 <= value < 4),
                float(4 <= value < 5),
                float(value >= 6),
                min_part,
                value * float(candidate.n_words > 1),
                rank,
                float(value < median),
                math.log(max(1, letters)),
                float(letters <= 2),
                float(capitalised),
                float(initial),
                float(acronym),
                float(any(c.isdigit() for c in candidate.text)),
                float(candidate.kind == "compound"),
                float(candidate.in_compound),
                float(candidate.kind == "phrase"),
                candidate.word_index / n_words,
                float(any(part in titles for part in parts)),
                float(capitalised and not initial and not acronym),
                float(seen),
                rate,
                log_count,
            ]
        )
    return rows
