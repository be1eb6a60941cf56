"""The term scorer: a logistic regression over candidate features, saved as plain JSON.

Fitting uses leave-article-out corpus statistics: a training row sees how often its terms were
spelled in the *other* articles only, the way an unseen article will. The saved model holds the
statistics of all fitting rows, the feature scaling and the weights; scoring needs only numpy.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from asl_stem.atomic import write_json
from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.corpus.sets import AnnotatedRecording
from asl_stem.terms.align import AlignerParams, align_spans, fit_aligner_params
from asl_stem.terms.candidates import Candidate, candidates
from asl_stem.terms.features import FEATURE_NAMES, CorpusStats, sentence_features, term_key
from asl_stem.terms.labels import candidate_labels

logger = logging.getLogger(__name__)
FORMAT = "asl-stem-term-scorer"
SCHEMA = 1
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class Term:
    """A scored candidate: ``sentence[char_start:char_end] == text``; score in [0, 1]."""

    text: str
    char_start: int
    char_end: int
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "char_start": self.char_start,
            "char_end": self.char_end,
            "score": round(self.score, 6),
        }


class TermScorer:
    """Scores every candidate word or phrase of a sentence for how likely it is fingerspelled."""

    def __init__(
        self,
        mean: np.ndarray,
        scale: np.ndarray,
        weights: np.ndarray,
        bias: float,
        corpus: CorpusStats,
        threshold: float = DEFAULT_THRESHOLD,
        aligner: AlignerParams | None = None,
    ) -> None:
        self.mean = np.asarray(mean, dtype=float)
        self.scale = np.asarray(scale, dtype=float)
        self.weights = np.asarray(weights, dtype=float)
        self.bias = float(bias)
        self.corpus = corpus
        self.threshold = threshold
        self.aligner = aligner or AlignerParams()

    def score_candidates(
        self, sentence: str, *, article: str | None = None
    ) -> tuple[list[Candidate], np.ndarray]:
        """The sentence's candidates in sentence order and their scores."""
        found = candidates(sentence)
        if not found:
            return found, np.zeros(0)
        features = np.asarray(
            sentence_features(sentence, found, article=article, corpus=self.corpus)
        )
        return found, self._probability(features)

    def score_sentence(self, sentence: str, *, article: str | None = None) -> list[Term]:
        """Every candidate as a Term, highest score first (ties in sentence order)."""
        found, scores = self.score_candidates(sentence, article=article)
        terms = [
            Term(c.text, c.char_start, c.char_end, float(s))
            for c, s in zip(found, scores, strict=True)
        ]
        return sorted(terms, key=lambda t: (-t.score, t.char_start, t.char_end))

    def align(
        self,
        sentence: str,
        spans: Sequence[FingerspellingSpan],
        *,
        article: str | None = None,
    ) -> list[FingerspellingSpan]:
        """Name the term each span of a recording of ``sentence`` spells (in time order)."""
        found, scores = self.score_candidates(sentence, article=article)
        return align_spans(spans, found, scores, self.aligner)

    def _probability(self, features: np.ndarray) -> np.ndarray:
        logits = ((features - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-logits))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "schema": SCHEMA,
            "features": list(FEATURE_NAMES),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "weights": self.weights.tolist(),
            "bias": self.bias,
            "threshold": self.threshold,
            "corpus_prior": self.corpus.prior,
            "aligner": self.aligner.to_dict(),
            "corpus": {key: list(value) for key, value in sorted(self.corpus.counts.items())},
        }

    def save(self, path: str | Path) -> None:
        """Write the scorer as JSON, atomically."""
        write_json(path, self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "<dict>") -> TermScorer:
        if data.get("format") != FORMAT or data.get("schema") != SCHEMA:
            raise ValueError(
                f"{source}: not a term scorer of schema {SCHEMA} (format={data.get('format')!r}, "
                f"schema={data.get('schema')!r}); refit it with `asl-stem terms fit`"
            )
        if list(data["features"]) != list(FEATURE_NAMES):
            raise ValueError(
                f"{source}: fitted on features {data['features']} but this version computes "
                f"{list(FEATURE_NAMES)}; refit it with `asl-stem terms fit`"
            )
        corpus = CorpusStats(
            {key: (int(v[0]), int(v[1])) for key, v in data["corpus"].items()},
            float(data["corpus_prior"]),
        )
        return cls(
            np.array(data["mean"]),
            np.array(data["scale"]),
            np.array(data["weights"]),
            data["bias"],
            corpus,
            float(data["threshold"]),
            AlignerParams.from_dict(data["aligner"]),
        )

    @classmethod
    def load(cls, path: str | Path) -> TermScorer:
        """Read a scorer written by :meth:`save`."""
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
        return cls.from_dict(data, str(path))


def load_default_scorer() -> TermScorer:
    """The scorer shipped with the package (fitted on the shared annotation rows)."""
    text = resources.files("asl_stem").joinpath("data", "term_scorer.json").read_text("utf-8")
    return TermScorer.from_dict(json.loads(text), "asl_stem/data/term_scorer.json")


def _row_labels(row: AnnotatedRecording) -> tuple[list[Candidate], list[bool]]:
    found = candidates(row.sentence)
    spelled = [span.text for span in row.spans if span.text]
    return found, candidate_labels(row.sentence, found, spelled)


def _counts(
    rows: Sequence[AnnotatedRecording], labelled: Sequence[tuple[list[Candidate], list[bool]]]
) -> dict[str, Counter[str]]:
    """Per article: how often each term key was spelled and seen, as two Counters."""
    per_article: dict[str, Counter[str]] = defaultdict(Counter)
    for row, (found, labels) in zip(rows, labelled, strict=True):
        for candidate, label in zip(found, labels, strict=True):
            key = term_key(candidate.text)
            per_article[row.article][f"seen\t{key}"] += 1
            per_article[row.article][f"spelled\t{key}"] += int(label)
    return per_article


def _stats(total: Counter[str]) -> CorpusStats:
    counts = {}
    for name, seen in total.items():
        kind, key = name.split("\t", 1)
        if kind == "seen":
            counts[key] = (total[f"spelled\t{key}"], seen)
    spelled = sum(s for s, _ in counts.values())
    seen = sum(n for _, n in counts.values())
    return CorpusStats(counts, spelled / seen if seen else 0.0)


def fit_scorer(
    rows: Sequence[AnnotatedRecording], *, regularisation: float = 1.0, article_titles: bool = True
) -> TermScorer:
    """Fit a scorer on annotation rows (rows without spans are negatives for every term).

    :param regularisation: inverse L2 strength (scikit-learn's ``C``).
    :param article_titles: use the rows' article names as titles (the "in title" feature).
    """
    from sklearn.linear_model import LogisticRegression

    if not rows:
        raise ValueError("no annotation rows to fit on; pass a CSV with at least one row")
    labelled = [_row_labels(row) for row in rows]
    per_article = _counts(rows, labelled)
    total: Counter[str] = Counter()
    for counter in per_article.values():
        total.update(counter)
    features, targets, groups = [], [], []
    for row, (found, labels) in zip(rows, labelled, strict=True):
        others = total.copy()
        others.subtract(per_article[row.article])
        corpus = _stats(+others)
        title = row.article if article_titles else None
        features += sentence_features(row.sentence, found, article=title, corpus=corpus)
        targets += labels
        groups += [row.article] * len(labels)
    x, y = np.asarray(features), np.asarray(targets, dtype=int)
    if len(set(y.tolist())) < 2:
        raise ValueError(
            "the rows have no spelled term that matches their sentence (or only such terms); "
            "a scorer needs both kinds of example"
        )
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    scaled = (x - mean) / scale
    model = LogisticRegression(C=regularisation, max_iter=2000).fit(scaled, y)
    threshold = _best_threshold(scaled, y, np.asarray(groups), regularisation)
    logger.info(
        "fitted on %d candidates of %d rows (%d spelled); threshold %.2f",
        len(y),
        len(rows),
        y.sum(),
        threshold,
    )
    return TermScorer(
        mean,
        scale,
        model.coef_[0],
        float(model.intercept_[0]),
        _stats(total),
        threshold=threshold,
        aligner=_fit_aligner(rows),
    )


def _best_threshold(x: np.ndarray, y: np.ndarray, groups: np.ndarray, c: float) -> float:
    """The score threshold with the best F1 on leave-one-article-out predictions.

    With a single article there is nothing to hold out, so the default is kept.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import precision_recall_curve

    articles = np.unique(groups)
    if len(articles) < 2:
        return DEFAULT_THRESHOLD
    held_out = np.zeros(len(y))
    for article in articles:
        test = groups == article
        if len(set(y[~test].tolist())) < 2:
            return DEFAULT_THRESHOLD
        fold = LogisticRegression(C=c, max_iter=2000).fit(x[~test], y[~test])
        held_out[test] = fold.predict_proba(x[test])[:, 1]
    precision, recall, thresholds = precision_recall_curve(y, held_out)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    return float(thresholds[int(np.argmax(f1[:-1]))])


def _fit_aligner(rows: Sequence[AnnotatedRecording]) -> AlignerParams:
    """Aligner parameters fitted on the rows' spelled spans; the defaults when too few."""
    try:
        return fit_aligner_params(rows)
    except ValueError as error:
        logger.warning("aligner cost models not refitted (%s); using the defaults", error)
        return AlignerParams()
