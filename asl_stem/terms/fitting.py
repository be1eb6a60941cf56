"""Fitting the term scorer: everything chosen inside the fitting rows, by article.

- Corpus columns are leave-article-out: a row sees how often its terms were spelled in the
  *other* fitting articles only, the way an unseen article will.
- Hyperparameters (the model's regularisation or tree sizes) are chosen by leave-one-article-out
  cross-validation inside the fitting rows, on log loss; the calibration (Platt or isotonic)
  and the decision threshold (best F1) are fitted on those same out-of-fold predictions, so no
  score the scorer reports was tuned on the rows it is scored on.
- The weight of the scorer's probability against what an article's other recordings spelled
  (the evidence blend, :mod:`asl_stem.terms.evidence`) is chosen on the same out-of-fold
  probabilities, each row blended with the labels of its article's *other* interpreters.
- Whether the aligner offers pairs of words as states of their own is chosen by aligning the
  fitting rows with and without them (:func:`choose_phrase_states`).
- With a single article there is nothing to hold out: default hyperparameters, no calibration,
  the default threshold and blend strength.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from asl_stem.corpus import AnnotatedRecording
from asl_stem.terms.align import AlignerParams, fit_aligner_params
from asl_stem.terms.evidence import STRENGTH, STRENGTHS, RecordingCounts, choose_strength
from asl_stem.terms.features import ArticleContext, CorpusStats, corpus_columns, sentence_features
from asl_stem.terms.features import term_key as key_of
from asl_stem.terms.joint import align_rows
from asl_stem.terms.labels import labelled_candidates
from asl_stem.terms.lexicon import Lexicon
from asl_stem.terms.models import Calibrator, LinearModel, Model, TreeModel, sigmoid
from asl_stem.terms.rightword import alignment_accuracy
from asl_stem.terms.scorer import DEFAULT_THRESHOLD, TermScorer

logger = logging.getLogger(__name__)
ModelKind = Literal["logistic", "boosting"]
CalibrationKind = Literal["platt", "isotonic", "none"]
GRIDS: dict[str, list[dict[str, Any]]] = {
    "logistic": [{"C": c} for c in (0.01, 0.03, 0.1, 0.3, 1.0)],
    "boosting": [
        {"n_estimators": n, "max_depth": depth, "learning_rate": 0.05}
        for n in (100, 200, 300)
        for depth in (2, 3)
    ],
}
DEFAULTS: dict[str, dict[str, Any]] = {
    "logistic": {"C": 0.1},
    "boosting": {"n_estimators": 100, "max_depth": 2, "learning_rate": 0.05},
}


@dataclass
class Examples:
    """Every candidate of the fitting rows: text (and lexicon) columns, keys, labels, article."""

    text: np.ndarray
    keys: list[str]
    labels: np.ndarray
    articles: np.ndarray
    interpreters: np.ndarray
    spelled: dict[str, Counter[str]]
    seen: dict[str, Counter[str]]
    article_words: dict[str, int]

    def design(self, fitting: Iterable[str]) -> np.ndarray:
        """Feature matrix whose corpus columns count the ``fitting`` articles only, each
        candidate's own article left out."""
        fitting = set(fitting) | self.unlabelled
        spelled = sum((self.spelled[a] for a in fitting), Counter())
        seen = sum((self.seen[a] for a in fitting), Counter())
        corpus = np.zeros((len(self.keys), 4))
        for article in np.unique(self.articles):
            inside = article in fitting
            own_spelled = self.spelled[article] if inside else Counter()
            own_seen = self.seen[article] if inside else Counter()
            total = sum(seen.values()) - sum(own_seen.values())
            prior = (sum(spelled.values()) - sum(own_spelled.values())) / max(1, total)
            for i in np.flatnonzero(self.articles == article):
                key = self.keys[i]
                counts = (spelled[key] - own_spelled[key], seen[key] - own_seen[key])
                corpus[i] = corpus_columns(*counts, prior)
        return np.hstack([self.text, corpus])

    @property
    def unlabelled(self) -> set[str]:
        """Articles that only aligned rows count in: never held out, always counted."""
        return set(self.seen) - set(self.articles.tolist())

    def stats(self) -> CorpusStats:
        """Counts of every fitting article, for scoring new text."""
        spelled = sum(self.spelled.values(), Counter())
        seen = sum(self.seen.values(), Counter())
        counts = {key: (spelled[key], n) for key, n in seen.items()}
        return CorpusStats(counts, sum(spelled.values()) / max(1, sum(seen.values())))


def examples(
    rows: Sequence[AnnotatedRecording],
    lexicon: Lexicon | None = None,
    article_titles: bool = True,
    aligned: Sequence[AnnotatedRecording] = (),
) -> Examples:
    """Candidates, features and labels of labelled rows, each article its own context; the
    ``aligned`` rows (spans named by the aligner, no labels) add to the corpus counts only."""
    by_article: dict[str, list[AnnotatedRecording]] = defaultdict(list)
    for row in rows:
        by_article[row.article].append(row)
    contexts = {
        a: ArticleContext.from_sentences(r.sentence for r in group)
        for a, group in by_article.items()
    }
    text, keys, labels, articles, interpreters = [], [], [], [], []
    for row in rows:
        found, marks = labelled_candidates(row)
        title = row.article if article_titles else None
        text += sentence_features(
            row.sentence, found, article=title, context=contexts[row.article], lexicon=lexicon
        )
        keys += [key_of(candidate.text) for candidate in found]
        labels += marks
        articles += [row.article] * len(found)
        interpreters += [row.recording.interpreter] * len(found)
    for row in aligned:
        by_article[row.article].append(row)
    evidence = {a: RecordingCounts.from_rows(group) for a, group in by_article.items()}
    width = len(text[0]) if text else 0
    return Examples(
        np.asarray(text, dtype=float).reshape(len(keys), width),
        keys,
        np.asarray(labels, dtype=int),
        np.asarray(articles, dtype=object),
        np.asarray(interpreters, dtype=object),
        {a: e.spelled for a, e in evidence.items()},
        {a: e.seen for a, e in evidence.items()},
        {article: context.n_words for article, context in contexts.items()},
    )


def train_model(kind: str, params: dict[str, Any], x: np.ndarray, y: np.ndarray) -> Model:
    """Fit one model with scikit-learn and turn it into plain data."""
    if kind == "logistic":
        from sklearn.linear_model import LogisticRegression

        mean, scale = x.mean(axis=0), x.std(axis=0)
        scale[scale == 0] = 1.0
        fitted = LogisticRegression(C=params["C"], max_iter=5000).fit((x - mean) / scale, y)
        return LinearModel(mean, scale, fitted.coef_[0].copy(), float(fitted.intercept_[0]))
    if kind == "boosting":
        return _boost(params, x, y)
    raise ValueError(f"unknown model {kind!r}; expected one of {', '.join(GRIDS)}")


def _boost(params: dict[str, Any], x: np.ndarray, y: np.ndarray) -> TreeModel:
    from sklearn.ensemble import GradientBoostingClassifier

    boosted = GradientBoostingClassifier(random_state=0, subsample=0.8, **params).fit(x, y)
    return _trees(boosted, float(np.clip(y.mean(), 1e-6, 1 - 1e-6)))


def _trees(boosted: Any, prior: float) -> TreeModel:
    """A fitted GradientBoostingClassifier (binary, prior init) as arrays."""
    trees = []
    for estimator in boosted.estimators_[:, 0]:
        tree = estimator.tree_
        leaf = tree.children_left < 0
        trees.append(
            {
                "feature": np.where(leaf, -1, tree.feature).astype(int),
                "threshold": tree.threshold.astype(float),
                "left": np.where(leaf, 0, tree.children_left).astype(int),
                "right": np.where(leaf, 0, tree.children_right).astype(int),
                "value": tree.value[:, 0, 0].astype(float),
            }
        )
    init = float(np.log(prior / (1 - prior)))
    return TreeModel(init, float(boosted.learning_rate), tuple(trees))


def fit_calibrator(kind: str, logits: np.ndarray, y: np.ndarray) -> Calibrator:
    """Platt scaling (a logistic regression on the logit) or isotonic regression."""
    if kind == "platt":
        from sklearn.linear_model import LogisticRegression

        fitted = LogisticRegression(C=1e6, max_iter=1000).fit(logits[:, None], y)
        return Calibrator("platt", float(fitted.coef_[0, 0]), float(fitted.intercept_[0]))
    if kind == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        iso.fit(sigmoid(logits), y)
        return Calibrator("isotonic", x=tuple(iso.X_thresholds_), y=tuple(iso.y_thresholds_))
    if kind == "none":
        return Calibrator()
    raise ValueError(f"unknown calibration {kind!r}; expected platt, isotonic or none")


def best_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    """The score threshold with the best F1 on these (held-out) predictions."""
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(y, scores)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    return float(thresholds[int(np.argmax(f1[:-1]))])


def grid_logits(
    kind: str, grid: Sequence[dict[str, Any]], x: np.ndarray, y: np.ndarray, test: np.ndarray
) -> list[np.ndarray]:
    """Logits of ``test`` for every grid point. Boosting fits each tree shape once, at its
    largest number of trees, and reads the smaller sizes off its first trees."""
    if kind != "boosting":
        return [train_model(kind, params, x, y).logits(test) for params in grid]
    out: list[np.ndarray] = [np.zeros(0)] * len(grid)
    shapes: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for index, params in enumerate(grid):
        shapes[tuple(sorted((k, v) for k, v in params.items() if k != "n_estimators"))].append(
            index
        )
    for shape, indices in shapes.items():
        largest = max(grid[i]["n_estimators"] for i in indices)
        model = _boost({**dict(shape), "n_estimators": largest}, x, y)
        for i in indices:
            out[i] = model.first(grid[i]["n_estimators"]).logits(test)
    return out


def _log_loss(y: np.ndarray, logits: np.ndarray) -> float:
    p = np.clip(sigmoid(logits), 1e-9, 1 - 1e-9)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def inner_predictions(
    ex: Examples, kind: str, grid: Sequence[dict[str, Any]]
) -> list[np.ndarray] | None:
    """Out-of-fold logits of every candidate, one array per grid point (leave one fitting
    article out); None when some fold cannot be fitted (one article, or one class)."""
    articles = sorted(set(ex.articles.tolist()))
    if len(articles) < 2:
        return None
    out = [np.zeros(len(ex.labels)) for _ in grid]
    for held in articles:
        test = ex.articles == held
        if len(set(ex.labels[~test].tolist())) < 2:
            return None
        x = ex.design(a for a in articles if a != held)
        for logits, held_logits in zip(
            out, grid_logits(kind, grid, x[~test], ex.labels[~test], x[test]), strict=True
        ):
            logits[test] = held_logits
    return out


def fit_scorer(
    rows: Sequence[AnnotatedRecording],
    *,
    lexicon: Lexicon | None = None,
    model: ModelKind = "boosting",
    calibration: CalibrationKind = "platt",
    article_titles: bool = True,
    aligned: Sequence[AnnotatedRecording] = (),
) -> TermScorer:
    """Fit a scorer on labelled rows (rows without spans are negatives for every term).

    :param lexicon: ASL-LEX signs; when given, the scorer uses (and later needs) the lexicon
        features. :param model: ``logistic`` or ``boosting``. :param article_titles: use the
        rows' article names as titles (the "in title" feature). :param aligned: recordings
        whose spans the aligner named (``terms align`` on detections): they add to how often
        each term was spelled and signed (the corpus features), not to the labels; one that
        is also a labelled row is left out (its labels win).
    """
    if not rows:
        raise ValueError("no annotation rows to fit on; pass a CSV with at least one row")
    if model not in GRIDS:
        raise ValueError(f"unknown model {model!r}; expected one of {', '.join(GRIDS)}")
    labelled = {row.recording_id for row in rows}
    extra = [row for row in aligned if row.recording_id not in labelled]
    if len(extra) < len(aligned):
        logger.info(
            "%d aligned recordings are labelled rows too; their labels are used",
            len(aligned) - len(extra),
        )
    ex = examples(rows, lexicon, article_titles, extra)
    if len(set(ex.labels.tolist())) < 2:
        raise ValueError(
            "the rows have no spelled term that matches their sentence (or only such terms); "
            "a scorer needs both kinds of example"
        )
    grid = GRIDS[model]
    held_out = inner_predictions(ex, model, grid)
    params, calibrator, threshold = DEFAULTS[model], Calibrator(), DEFAULT_THRESHOLD
    strength = STRENGTH
    info: dict[str, Any] = {"model": model, "rows": len(rows), "candidates": len(ex.labels)}
    info["aligned_recordings"] = len(extra)
    if held_out is not None:
        losses = [_log_loss(ex.labels, logits) for logits in held_out]
        best = int(np.argmin(losses))
        params = grid[best]
        calibrator = fit_calibrator(calibration, held_out[best], ex.labels)
        threshold = best_threshold(calibrator(held_out[best]), ex.labels)
        strength, info["evidence_log_loss"] = evidence_strength(
            [*rows, *extra], ex, calibrator(held_out[best])
        )
        scored = zip(grid, losses, strict=True)
        info["inner_log_loss"] = [{"params": p, "log_loss": v} for p, v in scored]
    fitted = train_model(model, params, ex.design(set(ex.articles.tolist())), ex.labels)
    info |= {"params": params, "calibration": calibrator.kind, "evidence_strength": strength}
    info["articles"] = sorted(set(ex.articles.tolist()))
    logger.info(
        "fitted %s %s on %d candidates of %d rows (%d spelled); threshold %.2f",
        model,
        params,
        len(ex.labels),
        len(rows),
        int(ex.labels.sum()),
        threshold,
    )
    scorer = TermScorer(
        fitted,
        ex.stats(),
        lexicon is not None,
        calibrator,
        threshold,
        _fit_aligner(rows),
        lexicon,
        info,
        int(np.median(list(ex.article_words.values()))),
        strength,
    )
    return choose_phrase_states(scorer, rows)


def choose_phrase_states(scorer: TermScorer, rows: Sequence[AnnotatedRecording]) -> TermScorer:
    """The scorer with its aligner offering pairs of words as states or not, whichever names
    more of the fitting rows' spans right (each article's recordings aligned jointly, by this
    scorer; a tie keeps them). Annotators mark each spelled word as a span of its own, so a
    pair spelled as one span is rare, and as a state it mostly takes a span of one of its
    words; a corpus that does spell pairs keeps them."""
    labelled = [row for row in rows if row.spans]
    accuracy = {}
    for phrases in (True, False):
        trial = replace(scorer, aligner=replace(scorer.aligner, phrases=phrases))
        judged = alignment_accuracy(labelled, align_rows(trial, labelled))
        accuracy[phrases] = float(judged.get("span_accuracy", 0.0))
    info = {
        **(scorer.fit_info or {}),
        "aligner_right_word": {"with_pairs": accuracy[True], "without": accuracy[False]},
    }
    aligner = replace(scorer.aligner, phrases=accuracy[True] >= accuracy[False])
    return replace(scorer, aligner=aligner, fit_info=info)


def evidence_strength(
    rows: Sequence[AnnotatedRecording], ex: Examples, probabilities: np.ndarray
) -> tuple[float, list[dict[str, float]]]:
    """The blend strength that best turns each candidate's out-of-fold probability, blended
    with what the other interpreters of its article spelled (their labels, or the aligned
    ``rows``' spans), into its label; the default when no article has two interpreters."""
    by_article: dict[str, list[AnnotatedRecording]] = defaultdict(list)
    for row in rows:
        by_article[row.article].append(row)
    spelled, seen = np.zeros(len(ex.keys)), np.zeros(len(ex.keys))
    for article, who in set(zip(ex.articles.tolist(), ex.interpreters.tolist(), strict=True)):
        others = RecordingCounts.from_rows(
            row for row in by_article[article] if row.recording.interpreter != who
        )
        for i in np.flatnonzero((ex.articles == article) & (ex.interpreters == who)):
            spelled[i], seen[i] = others.spelled[ex.keys[i]], others.seen[ex.keys[i]]
    evidence = seen > 0
    if not evidence.any():
        return STRENGTH, []
    strength, losses = choose_strength(
        probabilities[evidence], ex.labels[evidence], spelled[evidence], seen[evidence]
    )
    return strength, [
        {"strength": s, "log_loss": v} for s, v in zip(STRENGTHS, losses, strict=True)
    ]


def _fit_aligner(rows: Sequence[AnnotatedRecording]) -> AlignerParams:
    """Aligner parameters fitted on the rows' spelled spans; the defaults when too few."""
    try:
        return fit_aligner_params(rows)
    except ValueError as error:
        logger.warning("aligner cost models not refitted (%s); using the defaults", error)
        return AlignerParams()
