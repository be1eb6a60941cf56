"""Leave-one-article-out evaluation of the term scorer and the aligner, beside the baseline.

The baseline (the corpus paper's) takes the k rarest words of a sentence by wordfreq frequency,
k being the true number of spans. Both are scored on the same held-out rows with the same
character masks over the sentence (see :mod:`asl_stem.terms.labels`): mean character IoU over
the rows that have spans, word-level precision/recall/F1 and average precision. The aligner is
measured with the annotated spans as detections (an oracle detector). Calibration: every
held-out candidate's score against whether it was spelled, as a reliability table and the
expected calibration error (ECE).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from tqdm import tqdm
from wordfreq import word_frequency

from asl_stem.corpus import AnnotatedRecording
from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.terms.align import align_spans
from asl_stem.terms.candidates import Candidate, words
from asl_stem.terms.evidence import RecordingCounts
from asl_stem.terms.features import ArticleContext
from asl_stem.terms.fitting import fit_scorer
from asl_stem.terms.intervals import group_sums, ratio_interval
from asl_stem.terms.joint import align_rows, aligned_copies
from asl_stem.terms.labels import (
    candidate_labels,
    char_iou,
    char_mask,
    normalise,
    spelled_texts,
)
from asl_stem.terms.rightword import Judged, judge, overlapping
from asl_stem.terms.scorer import TermScorer

logger = logging.getLogger(__name__)


def rarest_k(sentence: str, k: int) -> list[Candidate]:
    """The baseline: the k distinct words of the sentence that wordfreq finds rarest."""
    distinct: dict[str, Candidate] = {}
    for word in words(sentence):
        distinct.setdefault(word.text.lower(), word)
    ranked = sorted(distinct.values(), key=lambda w: word_frequency(w.text, "en"))
    return ranked[:k]


def top_k(found: Sequence[Candidate], scores: np.ndarray, k: int) -> list[Candidate]:
    """The k highest-scoring distinct terms that do not overlap one another.

    A term already chosen is not chosen again at another place: the character mask marks every
    occurrence of a chosen text anyway (as the baseline's distinct rarest words do).
    """
    chosen: list[Candidate] = []
    texts: set[str] = set()
    for index in np.argsort(-np.asarray(scores), kind="stable"):
        candidate = found[int(index)]
        if len(chosen) == k:
            break
        apart = all(
            c.char_end <= candidate.char_start or candidate.char_end <= c.char_start for c in chosen
        )
        if apart and normalise(candidate.text) not in texts:
            chosen.append(candidate)
            texts.add(normalise(candidate.text))
    return chosen


@dataclass
class _Tally:
    """Running sums for one method: row IoUs, word labels and scores, span hits, each entry
    with its sentence (the unit the intervals resample, :mod:`asl_stem.terms.intervals`)."""

    ious: list[float] = field(default_factory=list)
    iou_groups: list[str] = field(default_factory=list)
    word_labels: list[bool] = field(default_factory=list)
    word_scores: list[float] = field(default_factory=list)
    word_chosen: list[bool] = field(default_factory=list)
    word_groups: list[str] = field(default_factory=list)
    span_groups: list[str] = field(default_factory=list)
    span_counts: list[tuple[int, int, int]] = field(default_factory=list)  # spans, right, exact
    candidate_scores: list[float] = field(default_factory=list)
    candidate_labels: list[bool] = field(default_factory=list)

    def add_iou(self, group: str, iou: float) -> None:
        self.ious.append(iou)
        self.iou_groups.append(group)

    def add_words(
        self, group: str, label: np.ndarray, scored: list[tuple[Candidate, float, bool]]
    ) -> None:
        for word, score, chosen in scored:
            covered = (
                label[word.char_start : word.char_end].mean()
                if word.char_end > word.char_start
                else 0
            )
            self.word_labels.append(bool(covered >= 0.5))
            self.word_scores.append(score)
            self.word_chosen.append(chosen)
            self.word_groups.append(group)

    def add_judged(self, group: str, judged: Judged) -> None:
        """Count one recording's aligned spans (:func:`~asl_stem.terms.rightword.judge`)."""
        self.span_groups.append(group)
        self.span_counts.append((judged.spans, judged.right, judged.exact))
        if judged.char_iou is not None:
            self.add_iou(group, judged.char_iou)

    def merge(self, other: _Tally) -> None:
        for name, values in vars(other).items():
            getattr(self, name).extend(values)

    def summary(self) -> dict[str, Any]:
        """The pooled figures, each main one with its 95% interval over sentences
        (``<figure>_interval``)."""
        from sklearn.metrics import average_precision_score

        out: dict[str, Any] = {}
        if self.ious:
            sums = group_sums(self.iou_groups, self.ious, [1.0] * len(self.ious))
            out |= {
                "rows": len(self.ious),
                "char_iou": float(np.mean(self.ious)),
                "char_iou_interval": ratio_interval(*sums),
            }
        if self.word_labels:
            labels = np.array(self.word_labels)
            chosen = np.array(self.word_chosen)
            tp = int(np.sum(labels & chosen))
            precision = tp / max(1, int(chosen.sum()))
            recall = tp / max(1, int(labels.sum()))
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            # F1 = 2 tp / (chosen + labelled), a ratio of sums
            twice_tp, both = group_sums(
                self.word_groups, 2.0 * (labels & chosen), chosen.astype(float) + labels
            )
            out |= {
                "word_precision": precision,
                "word_recall": recall,
                "word_f1": f1,
                "word_f1_interval": ratio_interval(twice_tp, both),
            }
            if labels.any():
                out["average_precision"] = float(average_precision_score(labels, self.word_scores))
        spans, right, exact = (np.array(self.span_counts).reshape(-1, 3).T).tolist()
        if sum(spans):
            out["span_accuracy"] = sum(right) / sum(spans)
            out["span_accuracy_exact"] = sum(exact) / sum(spans)
            out["spans"] = sum(spans)
            total, hits, exacts = group_sums(self.span_groups, spans, right, exact)
            out["span_accuracy_interval"] = ratio_interval(hits, total)
            out["span_accuracy_exact_interval"] = ratio_interval(exacts, total)
        if self.candidate_labels:
            table = reliability(np.array(self.candidate_scores), np.array(self.candidate_labels))
            out["ece"] = expected_calibration_error(table)
            out["reliability"] = table
        return out


def reliability(
    scores: np.ndarray, labels: np.ndarray, bins: int = 10
) -> list[dict[str, float | int]]:
    """Per score bin (equal width): how many scores, their mean, and how often they came true."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(scores, edges[1:-1]), 0, bins - 1)
    table = []
    for b in range(bins):
        inside = which == b
        if inside.any():
            table.append(
                {
                    "low": float(edges[b]),
                    "high": float(edges[b + 1]),
                    "n": int(inside.sum()),
                    "mean_score": float(scores[inside].mean()),
                    "spelled": float(labels[inside].mean()),
                }
            )
    return table


def expected_calibration_error(table: Sequence[dict[str, float | int]]) -> float:
    """ECE: the gap between mean score and how often it came true, weighted by bin size."""
    total = sum(int(row["n"]) for row in table)
    gaps = (int(row["n"]) * abs(row["mean_score"] - row["spelled"]) for row in table)
    return float(sum(gaps) / max(1, total))


def _word_scores(
    found: Sequence[Candidate], scores: np.ndarray, sentence: str
) -> list[tuple[Candidate, float]]:
    """Each word with the best score of any candidate that covers it (a pair covers its words)."""
    out = []
    for word in words(sentence):
        covering = [
            s
            for c, s in zip(found, scores, strict=True)
            if c.char_start <= word.char_start and word.char_end <= c.char_end
        ]
        out.append((word, float(max(covering, default=0.0))))
    return out


# What the other interpreters' spans are: a detector's, by recording id, or None for the
# annotated span positions (an oracle detector).
Detections = Mapping[str, Sequence[FingerspellingSpan]] | None


def _score_rows(
    scorer: TermScorer,
    rows: Sequence[AnnotatedRecording],
    tallies: dict[str, _Tally],
    detections: Detections = None,
) -> None:
    """Add one held-out article's rows to the scorer, baseline and aligner tallies (the
    article's sentences, unlabelled, are its context), and to the tallies of the scorer blended
    with what the article's other interpreters spelled (their spans aligned, no labels)."""
    context = ArticleContext.from_sentences(row.sentence for row in rows)
    others = _other_interpreters(scorer, rows, detections)
    for row in rows:
        texts = spelled_texts(row)
        sentence = row.recording.sentence_id
        label = char_mask(row.sentence, texts)
        found, scores = scorer.score_candidates(row.sentence, article=row.article, context=context)
        blended = others[row.recording.interpreter].blend(found, scores, scorer.evidence_strength)
        marks = candidate_labels(row.sentence, found, texts)
        k = len(row.spans)
        for name, values in (("scorer", scores), ("others", blended)):
            tally = tallies[name]
            tally.candidate_scores += values.tolist()
            tally.candidate_labels += marks
            _add_iou(tallies[f"{name}_top_k"], label, row, top_k(found, values, k))
            words_scored = _word_scores(found, values, row.sentence)
            tally.add_words(
                sentence, label, [(w, v, v >= scorer.threshold) for w, v in words_scored]
            )
        base = rarest_k(row.sentence, k)
        _add_iou(tallies["rarest_k"], label, row, base)
        base_set = {(c.char_start, c.char_end) for c in base}
        tallies["rarest_k"].add_words(
            sentence,
            label,
            [
                (w, -word_frequency(w.text, "en"), (w.char_start, w.char_end) in base_set)
                for w in words(row.sentence)
            ],
        )
    _align_rows(scorer, rows, tallies)
    if detections is not None:
        _align_detected(scorer, rows, detections, tallies["aligner_detected"])


def _add_iou(
    tally: _Tally, label: np.ndarray, row: AnnotatedRecording, chosen: Sequence[Candidate]
) -> None:
    """Count the character IoU of the terms chosen for a row that has spans."""
    iou = char_iou(label, char_mask(row.sentence, [c.text for c in chosen]))
    if row.spans and iou is not None:
        tally.add_iou(row.recording.sentence_id, iou)


def _other_interpreters(
    scorer: TermScorer, rows: Sequence[AnnotatedRecording], detections: Detections = None
) -> dict[str | None, RecordingCounts]:
    """For each interpreter of the rows, what the others' recordings spelled, their spans
    named by the aligner (labels unused); empty for an interpreter who has the article alone.
    With ``detections``, the others' spans are the detector's, and a recording it has no line
    for is left out (as one that was never processed)."""
    source = rows if detections is None else _detected_rows(rows, detections)
    out = {}
    for who in {row.recording.interpreter for row in rows}:
        others = [row for row in source if row.recording.interpreter != who]
        out[who] = RecordingCounts.from_rows(aligned_copies(scorer, others))
    return out


def rarest_in_order(sentence: str, spans: Sequence[FingerspellingSpan]) -> list[FingerspellingSpan]:
    """The aligner's baseline: the k rarest words (k = spans) in sentence order, one per span
    in time order (the last word takes any spans left over)."""
    ordered = sorted(spans, key=lambda s: (s.start_frame, s.end_frame))
    chosen = sorted(rarest_k(sentence, len(ordered)), key=lambda w: w.char_start)
    if not chosen:
        return align_spans(ordered, [], np.zeros(0))
    picks = [chosen[min(i, len(chosen) - 1)] for i in range(len(ordered))]
    return [
        span.replace(
            text=w.text, text_source="aligned", char_start=w.char_start, char_end=w.char_end
        )
        for span, w in zip(ordered, picks, strict=True)
    ]


def _detected_rows(
    rows: Sequence[AnnotatedRecording], detections: Mapping[str, Sequence[FingerspellingSpan]]
) -> list[AnnotatedRecording]:
    """The rows the detector has a line for, with its spans instead of the annotated ones."""
    return [
        replace(row, spans=tuple(detections[row.recording_id]))
        for row in rows
        if row.recording_id in detections
    ]


def _align_rows(
    scorer: TermScorer, rows: Sequence[AnnotatedRecording], tallies: dict[str, _Tally]
) -> None:
    """Align the annotated spans (an oracle detector): ours (each article's recordings
    jointly, see :mod:`asl_stem.terms.joint`) and the baseline's way."""
    ours = align_rows(scorer, [row for row in rows if row.spans])
    for row in rows:
        if row.spans:
            sentence = row.recording.sentence_id
            tallies["aligner"].add_judged(sentence, judge(row, ours[row.recording_id]))
            baseline = rarest_in_order(row.sentence, list(row.spans))
            tallies["aligner_baseline"].add_judged(sentence, judge(row, baseline))


def _align_detected(
    scorer: TermScorer,
    rows: Sequence[AnnotatedRecording],
    detections: Mapping[str, Sequence[FingerspellingSpan]],
    tally: _Tally,
) -> None:
    """Align a detector's spans (each article's recordings jointly) and count, for every
    annotated span, whether the detected span overlapping it names its word (a missed span
    counts as wrong); recordings the detector has no line for are left out."""
    named = align_rows(scorer, [row for row in _detected_rows(rows, detections) if row.spans])
    for row in rows:
        if row.spans and row.recording_id in detections:
            judged = judge(row, named.get(row.recording_id, []), overlapping)
            tally.add_judged(row.recording.sentence_id, judged)


TALLIES = (
    "scorer",
    "scorer_top_k",
    "others",
    "others_top_k",
    "rarest_k",
    "aligner",
    "aligner_baseline",
    "aligner_detected",
)


def score_held_out(
    scorer: TermScorer, rows: Sequence[AnnotatedRecording], detections: Detections = None
) -> dict[str, _Tally]:
    """Tallies of one held-out article's rows: scorer, baseline and aligner."""
    tallies = {name: _Tally() for name in TALLIES}
    _score_rows(scorer, rows, tallies, detections)
    return tallies


def cross_validate(
    rows: Sequence[AnnotatedRecording],
    *,
    fit: Callable[..., TermScorer] = fit_scorer,
    aligned: Sequence[AnnotatedRecording] = (),
    detections: Detections = None,
) -> dict[str, Any]:
    """Leave-one-article-out: fit on the other articles, score the held-out one; pooled figures.

    ``aligned`` recordings (spans named by the aligner) go to ``fit`` as ``aligned=``, those
    of the held-out article left out. ``detections`` (a detector's spans by recording id)
    stand in for the annotated span positions of the other interpreters' recordings in the
    blend (``scorer_others``). Needs rows of at least two articles.
    """
    articles = sorted({row.article for row in rows})
    if len(articles) < 2:
        raise ValueError(
            f"cross-validation needs rows of at least two articles, got {articles}; "
            "pass more annotation files"
        )
    tallies = {name: _Tally() for name in TALLIES}
    per_article = {}
    for article in tqdm(articles, desc="folds", unit="article"):
        held_out = [row for row in rows if row.article == article]
        training = [row for row in rows if row.article != article]
        others = [row for row in aligned if row.article != article]
        scorer = fit(training, aligned=others) if aligned else fit(training)
        fold = score_held_out(scorer, held_out, detections)
        per_article[article] = {
            "scorer_char_iou": fold["scorer_top_k"].summary().get("char_iou"),
            "rarest_k_char_iou": fold["rarest_k"].summary().get("char_iou"),
            "scorer_word_f1": fold["scorer"].summary().get("word_f1"),
            "fit": scorer.fit_info,
        }
        for name, tally in fold.items():
            tallies[name].merge(tally)
    return {
        "protocol": "leave-one-article-out",
        "rows": len(rows),
        "articles": len(articles),
        "aligned_recordings": len(aligned),
        "others_spans": "annotated" if detections is None else "detected",
        "scorer_top_k": tallies["scorer_top_k"].summary(),
        "scorer_threshold": tallies["scorer"].summary(),
        "scorer_others_top_k": tallies["others_top_k"].summary(),
        "scorer_others_threshold": tallies["others"].summary(),
        "rarest_k": tallies["rarest_k"].summary(),
        "aligner_oracle_spans": tallies["aligner"].summary(),
        "aligner_baseline_oracle_spans": tallies["aligner_baseline"].summary(),
        "per_article": per_article,
    } | (
        {}
        if detections is None
        else {"aligner_detected_spans": tallies["aligner_detected"].summary()}
    )


def format_report(report: dict[str, Any]) -> str:
    """A plain-text table of a :func:`cross_validate` report."""

    def fig(section: str, key: str) -> str:
        value = report[section].get(key)
        return "-" if value is None else f"{value:.3f}"

    def ci(section: str, key: str) -> str:
        """A figure with its interval over sentences, when it has one."""
        interval = report[section].get(f"{key}_interval")
        low_high = f" [{interval[0]:.3f}, {interval[1]:.3f}]" if interval else ""
        return fig(section, key) + low_high

    lines = [
        f"{report['protocol']}: {report['rows']} rows, {report['articles']} articles"
        + (f", {report['aligned_recordings']} aligned" if report.get("aligned_recordings") else ""),
        f"{'':28}{'scorer':>10}{'rarest-k':>10}",
        "(scorer words at its threshold; rarest-k is given k, the true number of spans)",
        f"{'mean char IoU (k given)':28}{fig('scorer_top_k', 'char_iou'):>10}"
        f"{fig('rarest_k', 'char_iou'):>10}",
    ]
    for key, name in (
        ("word_precision", "word precision"),
        ("word_recall", "word recall"),
        ("word_f1", "word F1"),
        ("average_precision", "average precision"),
    ):
        lines.append(f"{name:28}{fig('scorer_threshold', key):>10}{fig('rarest_k', key):>10}")
    lines.append(f"{'expected calibration error':28}{fig('scorer_threshold', 'ece'):>10}")
    lines.append(
        "95% intervals over sentences (resampled whole): scorer char IoU "
        f"{ci('scorer_top_k', 'char_iou')}, word F1 {ci('scorer_threshold', 'word_f1')}"
    )
    if "scorer_others_top_k" in report:
        spans = report.get("others_spans", "annotated")
        lines.append(
            f"scorer blended with the article's other interpreters (their {spans} spans "
            f"aligned, no labels): char IoU {ci('scorer_others_top_k', 'char_iou')}, "
            f"word F1 {ci('scorer_others_threshold', 'word_f1')}, "
            f"AP {fig('scorer_others_threshold', 'average_precision')}, "
            f"ECE {fig('scorer_others_threshold', 'ece')}"
        )
    for section, name in (
        ("aligner_oracle_spans", "aligner (oracle spans)"),
        ("aligner_baseline_oracle_spans", "rarest-k in sentence order (oracle spans)"),
        ("aligner_detected_spans", "aligner (detected spans; a missed span is wrong)"),
    ):
        if section in report:
            lines.append(
                f"{name}: char IoU {fig(section, 'char_iou')}, "
                f"right word {ci(section, 'span_accuracy')} "
                f"(exact candidate {ci(section, 'span_accuracy_exact')})"
            )
    for point in report.get("learning_curve", []):
        lines.append(
            f"trained on {point['train_articles']} article(s), {point['fits']} fits: "
            f"char IoU {point['char_iou']:.3f}, word F1 {point['word_f1']:.3f}, "
            f"ECE {point['ece']:.3f} (rarest-k {point['rarest_k_char_iou']:.3f})"
        )
    lines.append("reliability (held-out candidates): score bin, n, mean score, spelled")
    for row in report["scorer_threshold"].get("reliability", []):
        lines.append(
            f"  {row['low']:.1f}-{row['high']:.1f} {row['n']:>7} "
            f"{row['mean_score']:>8.3f} {row['spelled']:>8.3f}"
        )
    return "\n".join(lines)
