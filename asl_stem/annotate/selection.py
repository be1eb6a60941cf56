"""``asl-stem annotate select``: which unannotated recordings a label would teach the most.

Three signals per unannotated recording of the shards, each turned into its percentile among
them (so none dominates by its scale) and averaged into a priority:

- uncertainty: the mean binary entropy of the detector's frame probabilities (bits);
- disagreement: how far the number of spans the detector decodes is from the number of terms
  the text-side term scorer expects the sentence to have spelled (the sum of the scores of its
  best non-overlapping candidates);
- novelty: how many terms the scorer thinks likely spelled that no annotated recording of the
  shards has spelled yet.

Picks are made greedily, and each one beyond an article's or an interpreter's share of the
pool halves a recording's priority, as does each earlier pick of the same sentence, so the
worklist spreads over articles, interpreters and sentences. Every pick says why it was made.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import rankdata
from tqdm import tqdm

from asl_stem.annotate.worklist import write_worklist
from asl_stem.detect.inference import iter_detections, load_detector
from asl_stem.detect.module import FingerspellingDetector
from asl_stem.layout import NUM_BODY_POINTS
from asl_stem.shards.reader import iter_samples, sample_rows
from asl_stem.terms.features import term_key
from asl_stem.terms.jobs import load_lexicon, load_scorer
from asl_stem.terms.scorer import TermScorer

log = logging.getLogger(__name__)
SIGNALS = ("uncertainty", "disagreement", "novelty")
SPREAD = ("article", "interpreter", "sentence")
TOP = 2 / 3  # a signal at or above this percentile is named in a pick's reason


@dataclass(frozen=True)
class RecordingSignals:
    """What the detector and the term scorer say about one unannotated recording."""

    recording_id: str
    filename: str
    article: str
    interpreter: str
    sentence: str
    uncertainty: float
    detected_spans: int
    expected_terms: float
    likely_terms: tuple[str, ...]
    unseen_terms: tuple[str, ...] = ()

    @property
    def disagreement(self) -> float:
        return abs(self.detected_spans - self.expected_terms)

    @property
    def novelty(self) -> int:
        return len(self.unseen_terms)


@dataclass(frozen=True)
class Pick:
    """One recording of the worklist: rank, priority (mean signal percentile), signals, reason."""

    rank: int
    priority: float
    signals: RecordingSignals
    reason: str

    def row(self) -> dict[str, Any]:
        """The worklist CSV row."""
        s = self.signals
        return {
            "rank": self.rank,
            "recording_id": s.recording_id,
            "filename": s.filename,
            "article": s.article,
            "interpreter": s.interpreter,
            "sentence": s.sentence,
            "priority": f"{self.priority:.4f}",
            "uncertainty": f"{s.uncertainty:.4f}",
            "detected_spans": s.detected_spans,
            "expected_terms": f"{s.expected_terms:.2f}",
            "unseen_terms": "; ".join(s.unseen_terms),
            "reason": self.reason,
        }


def mean_entropy(probabilities: np.ndarray) -> float:
    """Mean binary entropy of frame probabilities, in bits (0 = certain, 1 = coin toss)."""
    if len(probabilities) == 0:
        return 0.0
    p = np.clip(np.asarray(probabilities, dtype=np.float64), 1e-7, 1 - 1e-7)
    return float(np.mean(-(p * np.log2(p) + (1 - p) * np.log2(1 - p))))


def expected_terms(scorer: TermScorer, sentence: str, article: str | None) -> tuple[float, list]:
    """Soft count of spelled terms and the likely ones (score >= the scorer's threshold).

    Candidates overlap (a compound and its parts), so the count sums the scores of the best
    non-overlapping candidates, taken greedily by score.
    """
    found, scores = scorer.score_candidates(sentence, article=article)
    chosen: list[tuple[int, int]] = []
    total, likely = 0.0, []
    for index in np.argsort(-scores, kind="stable"):
        candidate = found[int(index)]
        if any(candidate.char_start < end and start < candidate.char_end for start, end in chosen):
            continue
        chosen.append((candidate.char_start, candidate.char_end))
        total += float(scores[index])
        if scores[index] >= scorer.threshold:
            likely.append(candidate.text)
    return total, likely


def pool_signals(
    model: FingerspellingDetector, shards: str, scorer: TermScorer
) -> list[RecordingSignals]:
    """Signals of every unannotated recording of ``shards``, novelty against the annotated.

    The sample table says which samples are which, so the detector runs on the unannotated ones
    only and the annotated ones are read for their span texts alone.
    """
    rows, _ = sample_rows(shards)
    unannotated = [row.id for row in rows if not row.annotated]
    if not unannotated:
        raise ValueError(f"every recording of {shards} is annotated: there is nothing to select")
    spelled = spelled_terms(shards, [row.id for row in rows if row.annotated])
    pool: list[RecordingSignals] = []
    sentences: dict[tuple[str, str | None], tuple[float, list]] = {}
    detections = iter_detections(model, shards, keys=unannotated)
    for detection in tqdm(detections, desc="select", unit="rec", total=len(unannotated)):
        meta = detection.meta
        sentence, article = meta.get("sentence") or "", meta.get("article")
        if (sentence, article) not in sentences:
            sentences[sentence, article] = expected_terms(scorer, sentence, article)
        count, likely = sentences[sentence, article]
        pool.append(
            RecordingSignals(
                recording_id=detection.recording_id,
                filename=meta.get("filename") or f"{detection.recording_id}.mp4",
                article=article or "",
                interpreter=meta.get("interpreter") or "",
                sentence=sentence,
                uncertainty=mean_entropy(detection.probabilities),
                detected_spans=len(detection.spans),
                expected_terms=count,
                likely_terms=tuple(likely),
            )
        )
    log.info("%d unannotated recordings to rank; %d terms spelled so far", len(pool), len(spelled))
    return [_with_unseen(item, spelled) for item in pool]


def spelled_terms(shards: str, keys: Sequence[str]) -> set[str]:
    """The term keys of every span text of the annotated samples ``keys``."""
    if not keys:
        return set()
    spelled: set[str] = set()
    for sample in iter_samples(shards, num_points=NUM_BODY_POINTS, keys=keys):
        spans = sample["meta"].get("spans") or ()
        spelled.update(term_key(span["text"]) for span in spans if span.get("text"))
    return spelled


def _with_unseen(item: RecordingSignals, spelled: set[str]) -> RecordingSignals:
    unseen = tuple(dict.fromkeys(t for t in item.likely_terms if term_key(t) not in spelled))
    return replace(item, unseen_terms=unseen)


def percentiles(values: Sequence[float]) -> np.ndarray:
    """Each value's percentile among ``values`` in (0, 1]; ties share their mean rank."""
    if not values:
        return np.zeros(0)
    return rankdata(np.asarray(values, dtype=np.float64), method="average") / len(values)


def rank_pool(pool: Sequence[RecordingSignals], budget: int) -> list[Pick]:
    """The ``budget`` picks, greedily by priority with the spreading penalty (module doc)."""
    if budget < 1:
        raise ValueError(f"budget {budget}: ask for at least one recording")
    if not pool:
        return []
    ranks = {name: percentiles([getattr(item, name) for item in pool]) for name in SIGNALS}
    priority = np.mean([ranks[name] for name in SIGNALS], axis=0)
    groups = {kind: _codes([getattr(item, kind) for item in pool]) for kind in SPREAD}
    picked = {kind: np.zeros(len(shares)) for kind, (_, shares) in groups.items()}
    available = np.ones(len(pool), dtype=bool)
    picks: list[Pick] = []
    while available.any() and len(picks) < budget:
        halvings = np.zeros(len(pool))
        for kind, (codes, shares) in groups.items():
            count = picked[kind][codes]
            if kind == "sentence":  # any earlier pick of the sentence counts in full
                halvings += count
            else:  # picks beyond the group's share of the pool so far
                halvings += np.maximum(0.0, count + 1 - (len(picks) + 1) * shares[codes])
        effective = np.where(available, priority * np.power(0.5, halvings), -1.0)
        best = int(np.argmax(effective))
        item = pool[best]
        reason = _reason(item, {name: float(ranks[name][best]) for name in SIGNALS})
        picks.append(Pick(len(picks) + 1, float(priority[best]), item, reason))
        for kind, (codes, _) in groups.items():
            picked[kind][codes[best]] += 1
        available[best] = False
    if len(picks) < budget:
        log.warning("only %d unannotated recordings to pick from (budget %d)", len(picks), budget)
    return picks


def _codes(values: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each value's group number, and each group's share of the values."""
    numbers: dict[str, int] = {}
    codes = np.array([numbers.setdefault(value, len(numbers)) for value in values], dtype=int)
    return codes, np.bincount(codes) / len(values)


def _reason(item: RecordingSignals, ranks: dict[str, float]) -> str:
    """The signals that put the recording high, in words."""
    parts = []
    if ranks["uncertainty"] >= TOP:
        parts.append(
            f"uncertain detector: mean frame entropy {item.uncertainty:.2f} bits "
            f"(top {100 * (1 - ranks['uncertainty']) + 1:.0f}%)"
        )
    if ranks["disagreement"] >= TOP:
        parts.append(
            f"detector finds {item.detected_spans} spans, term scorer expects "
            f"{item.expected_terms:.1f}"
        )
    if ranks["novelty"] >= TOP and item.unseen_terms:
        parts.append("terms not yet seen spelled: " + ", ".join(item.unseen_terms))
    if not parts:
        best = max(SIGNALS, key=lambda name: ranks[name])
        parts.append(f"best remaining on balance (strongest signal: {best})")
    return "; ".join(parts)


def select_recordings(
    checkpoint: str | os.PathLike[str],
    shards: str,
    budget: int,
    out: str | os.PathLike[str],
    scorer: str | os.PathLike[str] | None = None,
    lexicon: str | os.PathLike[str] | None = None,
) -> list[Pick]:
    """Rank the unannotated recordings of ``shards``; write the top ``budget`` as a worklist.

    :param scorer: term scorer JSON (the packaged one when None).
    :param lexicon: ASL-LEX 2.0 ``signdata.csv`` for a scorer fitted with lexicon features.
    """
    model = load_detector(checkpoint)
    pool = pool_signals(model, shards, load_scorer(scorer, load_lexicon(lexicon)))
    picks = rank_pool(pool, budget)
    write_worklist(out, (pick.row() for pick in picks))
    articles = len({pick.signals.article for pick in picks})
    interpreters = len({pick.signals.interpreter for pick in picks})
    log.info(
        "wrote %d picks of %d unannotated recordings to %s (%d articles, %d interpreters)",
        len(picks),
        len(pool),
        Path(out),
        articles,
        interpreters,
    )
    return picks
