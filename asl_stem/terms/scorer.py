"""The term scorer: a fitted model over candidate features, saved as plain JSON.

A scorer is fitted with or without the lexicon features (:mod:`asl_stem.terms.fitting`); one
fitted with them needs an ASL-LEX file at scoring time (``lexicon=``), which is never stored
in the JSON: the file holds feature names, the model, the calibration, the threshold, the
corpus counts and the aligner's parameters. Scoring needs only numpy.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from asl_stem.atomic import write_json
from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.terms.align import AlignerParams, align_spans
from asl_stem.terms.candidates import Candidate, candidates
from asl_stem.terms.evidence import STRENGTH, RecordingCounts
from asl_stem.terms.features import (
    ArticleContext,
    CorpusStats,
    feature_names,
    sentence_features,
    term_key,
)
from asl_stem.terms.lexicon import Lexicon
from asl_stem.terms.models import Calibrator, Model, model_from_dict

FORMAT = "asl-stem-term-scorer"
SCHEMA = 2
DEFAULT_THRESHOLD = 0.5
# Words of an article assumed when a sentence comes without its article (fitting stores the
# median of the fitting articles instead).
DEFAULT_ARTICLE_WORDS = 500
PACKAGED = {False: "term_scorer.json", True: "term_scorer_lexicon.json"}


class LexiconRequired(ValueError):
    """A scorer fitted with lexicon features was asked to score without a lexicon."""


@dataclass(frozen=True)
class Term:
    """A scored candidate: ``sentence[char_start:char_end] == text``; score in [0, 1].

    ``article_counts``, when the article's other recordings were given: how many of them
    spelled the term, of how many whose sentence has it (the score is then blended with them).
    """

    text: str
    char_start: int
    char_end: int
    score: float
    article_counts: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "text": self.text,
            "char_start": self.char_start,
            "char_end": self.char_end,
            "score": round(self.score, 6),
        }
        if self.article_counts is not None:
            out["article_spelled"], out["article_seen"] = self.article_counts
        return out


@dataclass(frozen=True)
class TermScorer:
    """Scores every candidate word or phrase of a sentence for how likely it is fingerspelled.

    Scores are calibrated probabilities (``calibrator``, fitted on held-out articles inside the
    fitting rows). ``lexicon`` is the ASL-LEX data a lexicon scorer reads at scoring time.
    ``evidence_strength``: how many recordings' worth the score counts for when blended with
    what an article's other recordings spelled (fitted with the scorer).
    """

    model: Model
    corpus: CorpusStats
    uses_lexicon: bool = False
    calibrator: Calibrator = field(default_factory=Calibrator)
    threshold: float = DEFAULT_THRESHOLD
    aligner: AlignerParams = field(default_factory=AlignerParams)
    lexicon: Lexicon | None = None
    fit_info: dict[str, Any] | None = None
    article_words: int = DEFAULT_ARTICLE_WORDS
    evidence_strength: float = STRENGTH

    @property
    def features(self) -> tuple[str, ...]:
        return feature_names(self.uses_lexicon)

    def with_lexicon(self, lexicon: Lexicon | None) -> TermScorer:
        """This scorer reading ``lexicon`` (ignored by a scorer fitted without one)."""
        return replace(self, lexicon=lexicon if self.uses_lexicon else None)

    def features_of(
        self,
        sentence: str,
        found: Sequence[Candidate],
        *,
        article: str | None = None,
        context: ArticleContext | None = None,
    ) -> np.ndarray:
        """The feature matrix of a sentence's candidates (text, lexicon, corpus columns)."""
        if self.uses_lexicon and self.lexicon is None:
            raise LexiconRequired(
                "this scorer was fitted with ASL-LEX features: pass lexicon= (or --lexicon "
                "signdata.csv), or use a scorer fitted without a lexicon"
            )
        lexicon = self.lexicon if self.uses_lexicon else None
        context = context or ArticleContext.alone(sentence, self.article_words)
        text = sentence_features(sentence, found, article=article, context=context, lexicon=lexicon)
        corpus = [self.corpus.features(term_key(c.text)) for c in found]
        return np.hstack([np.asarray(text, dtype=float), np.asarray(corpus, dtype=float)])

    def score_candidates(
        self,
        sentence: str,
        *,
        article: str | None = None,
        context: ArticleContext | None = None,
    ) -> tuple[list[Candidate], np.ndarray]:
        """The sentence's candidates in sentence order and their scores.

        :param article: the article title; :param context: the whole article's text
            (:meth:`ArticleContext.from_sentences`); without it the sentence is taken as one
            sentence of an article of typical length (``article_words``).
        """
        found = candidates(sentence)
        if not found:
            return found, np.zeros(0)
        x = self.features_of(sentence, found, article=article, context=context)
        return found, self.calibrator(self.model.logits(x))

    def score_sentence(
        self,
        sentence: str,
        *,
        article: str | None = None,
        context: ArticleContext | None = None,
        evidence: RecordingCounts | None = None,
    ) -> list[Term]:
        """Every candidate as a Term, highest score first (ties in sentence order); with
        ``evidence`` (what the article's other recordings spelled) the scores are blended
        with it (:mod:`asl_stem.terms.evidence`)."""
        found, scores = self.score_candidates(sentence, article=article, context=context)
        if evidence is not None:
            scores = evidence.blend(found, scores, self.evidence_strength)
        return ranked_terms(found, scores, evidence)

    def score_article(
        self, sentences: Sequence[str], *, article: str | None = None
    ) -> list[list[Term]]:
        """Each sentence of one article scored with the whole article as context."""
        context = ArticleContext.from_sentences(sentences)
        return [self.score_sentence(s, article=article, context=context) for s in sentences]

    def align(
        self,
        sentence: str,
        spans: Sequence[FingerspellingSpan],
        *,
        article: str | None = None,
        context: ArticleContext | None = None,
    ) -> list[FingerspellingSpan]:
        """Name the term each span of a recording of ``sentence`` spells (in time order)."""
        found, scores = self.score_candidates(sentence, article=article, context=context)
        return align_spans(spans, found, scores, self.aligner)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "schema": SCHEMA,
            "features": list(self.features),
            "lexicon_features": self.uses_lexicon,
            "model": self.model.to_dict(),
            "calibration": self.calibrator.to_dict(),
            "threshold": self.threshold,
            "fit": self.fit_info or {},
            "article_words": self.article_words,
            "evidence_strength": self.evidence_strength,
            "corpus_prior": self.corpus.prior,
            "aligner": self.aligner.to_dict(),
            "corpus": {key: list(value) for key, value in sorted(self.corpus.counts.items())},
        }

    def save(self, path: str | Path) -> None:
        """Write the scorer as JSON, atomically (never the lexicon itself)."""
        write_json(path, self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "<dict>") -> TermScorer:
        if data.get("format") != FORMAT or data.get("schema") != SCHEMA:
            raise ValueError(
                f"{source}: not a term scorer of schema {SCHEMA} (format={data.get('format')!r}, "
                f"schema={data.get('schema')!r}); refit it with `asl-stem terms fit`"
            )
        uses_lexicon = bool(data.get("lexicon_features"))
        if list(data["features"]) != list(feature_names(uses_lexicon)):
            raise ValueError(
                f"{source}: fitted on features {data['features']} but this version computes "
                f"{list(feature_names(uses_lexicon))}; refit it with `asl-stem terms fit`"
            )
        corpus = CorpusStats(
            {key: (int(v[0]), int(v[1])) for key, v in data["corpus"].items()},
            float(data["corpus_prior"]),
        )
        return cls(
            model_from_dict(data["model"]),
            corpus,
            uses_lexicon,
            Calibrator.from_dict(data["calibration"]),
            float(data["threshold"]),
            _aligner(data["aligner"], source),
            fit_info=data.get("fit") or None,
            article_words=int(data.get("article_words", DEFAULT_ARTICLE_WORDS)),
            evidence_strength=_strength(data.get("evidence_strength", STRENGTH), source),
        )

    @classmethod
    def load(cls, path: str | Path, lexicon: Lexicon | None = None) -> TermScorer:
        """Read a scorer written by :meth:`save`; ``lexicon`` for one fitted with it."""
        with open(path, encoding="utf-8") as handle:
            try:
                data = json.load(handle)
            except json.JSONDecodeError as error:
                raise ValueError(
                    f"{path}: not JSON ({error.msg}, line {error.lineno}); "
                    "pass a scorer written by `asl-stem terms fit`"
                ) from error
        if not isinstance(data, dict):
            raise ValueError(f"{path}: not a term scorer; refit it with `asl-stem terms fit`")
        return cls.from_dict(data, str(path)).with_lexicon(lexicon)


def _aligner(data: dict[str, Any], source: str) -> AlignerParams:
    """A stored aligner's parameters, a bad value named with the scorer's file."""
    try:
        return AlignerParams.from_dict(data)
    except ValueError as error:
        raise ValueError(f"{source}: {error}") from error


def _strength(value: Any, source: str) -> float:
    """A stored blend strength: a positive number (a zero would divide by zero)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise ValueError(
            f"{source}: evidence_strength is {value!r}, not a positive number; "
            "refit it with `asl-stem terms fit`"
        )
    return float(value)


def load_default_scorer(lexicon: Lexicon | None = None) -> TermScorer:
    """The packaged scorer: the one fitted with ASL-LEX features when a lexicon is given,
    else the one fitted without (both fitted on the shared annotation rows)."""
    name = PACKAGED[lexicon is not None]
    text = resources.files("asl_stem").joinpath("data", name).read_text("utf-8")
    return TermScorer.from_dict(json.loads(text), f"asl_stem/data/{name}").with_lexicon(lexicon)


def ranked_terms(
    found: Sequence[Candidate], scores: Iterable[float], evidence: RecordingCounts | None = None
) -> list[Term]:
    """Scored candidates as Terms, highest score first (ties in sentence order); with
    ``evidence``, each carries its counts there."""
    terms = (
        Term(c.text, c.char_start, c.char_end, float(s), _counts(evidence, c))
        for c, s in zip(found, scores, strict=True)
    )
    return sorted(terms, key=lambda t: (-t.score, t.char_start, t.char_end))


def _counts(evidence: RecordingCounts | None, candidate: Candidate) -> tuple[int, int] | None:
    return None if evidence is None else evidence.counts(candidate.text)
