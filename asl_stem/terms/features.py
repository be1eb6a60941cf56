"""Features of a candidate term: what a linguist looks at to guess it will be fingerspelled.

Three groups, each a block of columns in a fixed order:
- **text** (always): rare words (wordfreq's Zipf scale), long words, names and acronyms,
  digits, dashed compounds, words of the article title, and the term's weight in its article
  (how often it recurs there compared with English at large: repeated key terms get spelled);
- **lexicon** (only when an ASL-LEX file is given): whether ASL-LEX has a sign for the term or
  its lemma, that sign's frequency and iconicity ratings, and whether it is a fingerspelled
  loan sign or initialized;
- **corpus**: how often other interpreters spelled the term, and how often they signed it, in
  the fitting rows. It exists only for terms seen when fitting, so it comes with a "seen" flag
  and a smoothed rate that falls back to the corpus-wide prior.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from wordfreq import zipf_frequency

from asl_stem.terms.candidates import Candidate, candidates, words
from asl_stem.terms.lexicon import Lexicon

TEXT_FEATURES = (
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
    "article_log_count",
    "article_keyness",
    "article_repeated_common",
)
LEXICON_FEATURES = (
    "lex_own_name",
    "lex_translation",
    "lex_lemmatised",
    "lex_parts_signed",
    "lex_sign_frequency",
    "lex_iconicity",
    "lex_loan_sign",
    "lex_initialized",
)
CORPUS_FEATURES = ("corpus_seen", "corpus_rate", "corpus_log_count", "corpus_log_signed")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})
_LETTER = re.compile(r"[^\W_]")
# Strength of the prior when smoothing a term's corpus rate (pseudo-observations).
PRIOR_WEIGHT = 2.0
# Zipf from which a word counts as common (the band where repetition matters most).
COMMON_ZIPF = 4.5


def feature_names(lexicon: bool) -> tuple[str, ...]:
    """Column names in order, for a scorer with or without lexicon features."""
    return TEXT_FEATURES + (LEXICON_FEATURES if lexicon else ()) + CORPUS_FEATURES


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
        seen, rate, log_count, _ = corpus_columns(*self.counts.get(key, (0, 0)), self.prior)
        return bool(seen), rate, log_count

    def features(self, key: str) -> list[float]:
        """The corpus columns (``CORPUS_FEATURES``) of one term key."""
        return corpus_columns(*self.counts.get(key, (0, 0)), self.prior)


def corpus_columns(spelled: int, seen: int, prior: float) -> list[float]:
    """(seen at all, smoothed spelled rate, log times seen, log times signed) of one term."""
    rate = (spelled + PRIOR_WEIGHT * prior) / (seen + PRIOR_WEIGHT)
    return [float(seen > 0), rate, math.log1p(seen), math.log1p(seen - spelled)]


@dataclass(frozen=True)
class ArticleContext:
    """The article's text as counts: in how many of its sentences each term key occurs.

    Built from the article's distinct sentences (all of them, unlabelled: an interpreter has
    the article before the lecture). Without one, see :meth:`alone`.
    """

    counts: Mapping[str, int]
    n_words: int

    @classmethod
    def from_sentences(cls, sentences: Iterable[str]) -> ArticleContext:
        counts: Counter[str] = Counter()
        n_words = 0
        for sentence in dict.fromkeys(sentences):
            found = candidates(sentence)
            counts.update({term_key(c.text) for c in found})
            n_words += sum(1 for c in found if c.kind == "word")
        return cls(counts, n_words)

    @classmethod
    def alone(cls, sentence: str, n_words: int) -> ArticleContext:
        """A sentence whose article is unknown, taken as one sentence of an article of
        ``n_words`` words (a typical one), so its terms are not mistaken for key terms."""
        return cls(cls.from_sentences([sentence]).counts, n_words)

    def features(self, key: str, value: float) -> list[float]:
        """(log count, keyness, common word repeated) for a key of Zipf frequency ``value``.

        Keyness compares the term's rate in the article with its rate in English (Zipf is
        log10 of occurrences per billion words): high for terms the article keeps using.
        """
        count = max(1, self.counts.get(key, 0))
        keyness = math.log10(count / max(1, self.n_words)) + 9.0 - max(value, 1.0)
        return [math.log1p(count), keyness, float(value >= COMMON_ZIPF and count >= 4)]


def zipf(text: str) -> float:
    """Zipf frequency of a word or phrase in English (0 when wordfreq has never seen it)."""
    return zipf_frequency(text.translate(_APOSTROPHES), "en")


def title_keys(article: str | None) -> set[str]:
    """Term keys of the article title's words (empty when the article is unknown)."""
    if not article:
        return set()
    return {term_key(word.text) for word in words(article)}


def lexicon_features(lexicon: Lexicon, candidate: Candidate, parts: Sequence[str]) -> list[float]:
    """The lexicon columns (``LEXICON_FEATURES``) of one candidate; ``parts`` its words."""
    matches = lexicon.lookup(candidate.text)
    signed_parts = sum(1 for part in parts if lexicon.lookup(part)) / max(1, len(parts))
    if not matches:
        return [0.0, 0.0, 0.0, signed_parts, 0.0, 0.0, 0.0, 0.0]
    best = matches[0]
    same = [m.sign for m in matches if (m.kind, m.lemmatised) == (best.kind, best.lemmatised)]
    return [
        float(best.kind == "entry"),
        float(best.kind == "translation"),
        float(best.lemmatised),
        signed_parts,
        best.sign.sign_frequency or 0.0,
        best.sign.iconicity or 0.0,
        float(any(sign.fingerspelled_loan for sign in same)),
        float(any(sign.initialized for sign in same)),
    ]


def sentence_features(
    sentence: str,
    found: Sequence[Candidate],
    *,
    article: str | None = None,
    context: ArticleContext | None = None,
    lexicon: Lexicon | None = None,
) -> list[list[float]]:
    """Text (and lexicon) columns per candidate of one sentence; corpus columns come apart,
    from :meth:`CorpusStats.features`, because fitting recomputes them per fold."""
    context = context or ArticleContext.from_sentences([sentence])
    word_list = words(sentence)
    word_zipfs_by_index = [zipf(word.text) for word in word_list]
    word_zipfs = sorted(word_zipfs_by_index)
    median = word_zipfs[len(word_zipfs) // 2] if word_zipfs else 0.0
    titles = title_keys(article)
    n_words = max(1, len(word_list))
    rows = []
    for candidate in found:
        value = zipf(candidate.text)
        letter_chars = [c for c in candidate.text if c.isalpha()]
        capitalised = candidate.text[:1].isupper()
        initial = candidate.word_index == 0
        acronym = len(letter_chars) >= 2 and all(c.isupper() for c in letter_chars)
        covered = word_list[candidate.word_index :][: candidate.n_words]
        parts = [w.text for w in covered]
        min_part = min((word_zipfs_by_index[w.word_index] for w in covered), default=value)
        row = [
            value,
            float(value == 0.0),
            float(value < 2),
            float(2 <= value < 3),
            float(3 <= value < 4),
            float(4 <= value < 5),
            float(value >= 6),
            min_part,
            value * float(candidate.n_words > 1),
            bisect_left(word_zipfs, value) / n_words,
            float(value < median),
            math.log(max(1, len(_LETTER.findall(candidate.text)))),
            float(len(_LETTER.findall(candidate.text)) <= 2),
            float(capitalised),
            float(initial),
            float(acronym),
            float(any(c.isdigit() for c in candidate.text)),
            float(candidate.kind == "compound"),
            float(candidate.in_compound),
            float(candidate.kind == "phrase"),
            candidate.word_index / n_words,
            float(any(term_key(part) in titles for part in parts)),
            float(capitalised and not initial and not acronym),
            *context.features(term_key(candidate.text), value),
        ]
        if lexicon is not None:
            row += lexicon_features(lexicon, candidate, parts)
        rows.append(row)
    return rows
