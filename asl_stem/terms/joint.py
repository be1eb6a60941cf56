"""Aligning the recordings of one article together: what the article's spans say about its terms.

Interpreters spell an article's topic terms again and again, across its sentences and in every
recording of a sentence, while the term scorer only knows what other articles spelled. So the
recordings of an article are aligned jointly by expectation-maximisation: align every recording
with the current term probabilities, count how likely each term (by its key, so "population"
in every sentence counts together) was spelled in each recording where it occurs, and blend
those counts into the next round's probabilities, for the article and for each interpreter
(and each interpreter's pace, how many frames a letter takes them, shifts the length model):

    p_article(term) = (strength * score + spelled_in_article) / (strength + recordings_with_it)
    p(term)         = (strength * p_article + spelled_by_interpreter) / (strength + theirs)

``score`` is the scorer's, which counts as ``strength`` recordings' worth of evidence (the same
smoothing weight as the scorer's own corpus rate). No labels are used: only the spans, their
lengths and pauses, and (when given) their letters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from asl_stem.corpus.readings import Reading
from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.corpus.sets import AnnotatedRecording
from asl_stem.terms.align import (
    AlignerParams,
    Lattice,
    build_lattice,
    length_inputs,
    sentence_order,
)
from asl_stem.terms.candidates import Candidate, article_names, words
from asl_stem.terms.evidence import STRENGTH, blend
from asl_stem.terms.features import ArticleContext, term_key
from asl_stem.terms.scorer import TermScorer

# Rounds of re-estimation; the counts settle within a few.
ROUNDS = 3


@dataclass(frozen=True)
class RecordingToAlign:
    """One recording's spans with its sentence's scored candidates (and the article's names)."""

    key: str
    spans: Sequence[FingerspellingSpan]
    found: Sequence[Candidate]
    scores: np.ndarray
    interpreter: str | None = None
    names: Sequence[tuple[str, float]] = ()
    keys: list[str] = field(init=False)

    def __post_init__(self) -> None:
        order = sentence_order(self.found)
        object.__setattr__(self, "found", [self.found[i] for i in order])
        object.__setattr__(self, "scores", np.asarray(self.scores, dtype=float)[order])
        object.__setattr__(self, "keys", [term_key(c.text) for c in self.found])


def align_article(
    items: Sequence[RecordingToAlign],
    params: AlignerParams,
    readings: dict[str, Reading] | None = None,
    *,
    rounds: int = ROUNDS,
    strength: float = STRENGTH,
) -> dict[str, list[FingerspellingSpan]]:
    """The aligned spans of every recording of one article, by recording key."""
    article: dict[str, tuple[float, float]] = {}
    personal: dict[tuple[str | None, str], tuple[float, float]] = {}
    pace: dict[str | None, float] = {}
    lattices: dict[str, Lattice | None] = {}
    for round_number in range(rounds + 1):
        for item in items:
            prior = _prior(item, article, personal, strength)
            length = replace(
                params.length, intercept=params.length.intercept + pace.get(item.interpreter, 0.0)
            )
            own = replace(params, length=length)
            lattices[item.key] = build_lattice(
                item.spans, item.found, prior, own, item.names, readings
            )
        if round_number < rounds:
            article, personal = _counts(items, lattices)
            pace = _paces(items, lattices, params, strength)
    out = {}
    for item in items:
        lattice = lattices[item.key]
        if lattice is None:
            ordered = sorted(item.spans, key=lambda s: (s.start_frame, s.end_frame))
            out[item.key] = [
                s.replace(text=None, text_source=None, char_start=None, char_end=None)
                for s in ordered
            ]
        else:
            out[item.key] = lattice.decode()
    return out


def _paces(
    items: Iterable[RecordingToAlign],
    lattices: dict[str, Lattice | None],
    params: AlignerParams,
    strength: float,
) -> dict[str | None, float]:
    """Each interpreter's log frames per letter above the fitted length model: the mean
    misfit of their spans, each in-sentence state weighted by its posterior, shrunk towards 0 as if
    ``strength`` spans fitted exactly."""
    sums: dict[str | None, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for item in items:
        lattice = lattices[item.key]
        if lattice is None:
            continue
        texts = [candidate.text for candidate in lattice.states.found]
        expected = params.length.mean(*length_inputs(texts, params.unknown_zipf))
        inside = lattice.posteriors()[:, : len(texts)]
        for span, weights in zip(lattice.ordered, inside, strict=True):
            misfit = np.log(span.num_frames) - expected
            sums[item.interpreter][0] += float(weights @ misfit)
            sums[item.interpreter][1] += float(weights.sum())
    return {who: total / (weight + strength) for who, (total, weight) in sums.items()}


def _prior(
    item: RecordingToAlign,
    article: dict[str, tuple[float, float]],
    personal: dict[tuple[str | None, str], tuple[float, float]],
    strength: float,
) -> np.ndarray:
    """Each candidate's probability of being spelled: score, then article, then interpreter."""
    out = []
    for score, key in zip(item.scores, item.keys, strict=True):
        in_article = blend(float(score), article.get(key, (0.0, 0.0)), strength)
        out.append(blend(in_article, personal.get((item.interpreter, key), (0.0, 0.0)), strength))
    return np.asarray(out)


def _counts(
    items: Iterable[RecordingToAlign], lattices: dict[str, Lattice | None]
) -> tuple[dict[str, tuple[float, float]], dict[tuple[str | None, str], tuple[float, float]]]:
    """(spelled, recordings) per term key, for the article and per interpreter."""
    article: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    personal: dict[tuple[str | None, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for item in items:
        lattice = lattices[item.key]
        usage = lattice.usage() if lattice is not None else np.zeros(len(item.keys))
        spelled: dict[str, float] = {}
        for key, used in zip(item.keys, usage, strict=True):
            spelled[key] = max(spelled.get(key, 0.0), float(used))
        for key, used in spelled.items():
            for table, name in ((article, key), (personal, (item.interpreter, key))):
                table[name][0] += used
                table[name][1] += 1
    return (
        {k: (v[0], v[1]) for k, v in article.items()},
        {k: (v[0], v[1]) for k, v in personal.items()},
    )


# Names of the article offered to a sentence that lacks them: the title's and the most recent.
MAX_NAMES = 24


@dataclass(frozen=True)
class ArticleText:
    """An article's title and its sentences in reading order, for the names a sentence lacks."""

    title: str | None
    sentences: Sequence[tuple[str, str]]  # (sentence id, text) in order

    def names_for(self, sentence_id: str, sentence: str) -> list[tuple[str, float]]:
        """Terms of the title and of earlier sentences that ``sentence`` does not contain, each
        with an equal share of the probability that the spelled term is one of them."""
        ids = [key for key, _ in self.sentences]
        before = ids.index(sentence_id) if sentence_id in ids else 0
        earlier = [text for _, text in self.sentences[:before]]
        present = {term_key(w.text) for w in words(sentence)}
        names = [n for n in article_names(self.title, earlier) if term_key(n) not in present]
        names = names[:MAX_NAMES]
        return [(name, 1.0 / len(names)) for name in names]


def align_rows(
    scorer: TermScorer,
    rows: Sequence[AnnotatedRecording],
    readings: dict[str, Reading] | None = None,
) -> dict[str, list]:
    """Align the annotated spans of rows (an oracle detector), each article's jointly, with
    the letters read from them when ``readings`` (by span id) are given; the article's text
    is what the rows show of it (their sentences in section order)."""
    out: dict[str, list[FingerspellingSpan]] = {}
    by_article: dict[str, list[AnnotatedRecording]] = defaultdict(list)
    for row in rows:
        by_article[row.article].append(row)
    for article, group in by_article.items():
        text = ArticleText(article, _sentences_in_order(group))
        context = ArticleContext.from_sentences(sentence for _, sentence in text.sentences)
        scored: dict[str, tuple[list[Candidate], np.ndarray]] = {}
        items = []
        for row in group:
            if row.sentence not in scored:
                scored[row.sentence] = scorer.score_candidates(
                    row.sentence, article=article, context=context
                )
            found, scores = scored[row.sentence]
            names = text.names_for(row.recording.sentence_id, row.sentence)
            items.append(
                RecordingToAlign(
                    row.recording_id, row.spans, found, scores, row.recording.interpreter, names
                )
            )
        out |= align_article(items, scorer.aligner, readings)
    return out


def aligned_copies(
    scorer: TermScorer, rows: Sequence[AnnotatedRecording]
) -> list[AnnotatedRecording]:
    """The rows with their spans' texts named by the aligner instead of their labels (each
    article's recordings jointly, as :func:`align_rows`): what unlabelled recordings give."""
    named = align_rows(scorer, [row for row in rows if row.spans])
    return [replace(row, spans=tuple(named.get(row.recording_id, ()))) for row in rows]


def _sentences_in_order(rows: Iterable[AnnotatedRecording]) -> list[tuple[str, str]]:
    seen = {
        (r.recording.section_index, r.recording.sentence_index): (
            r.recording.sentence_id,
            r.sentence,
        )
        for r in rows
    }
    return [seen[key] for key in sorted(seen)]
