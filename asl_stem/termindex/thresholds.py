"""Choose which detected spans count in term statistics, on articles that have annotations.

A detected span enters the statistics as "fingerspelled" only when its detector score and its
length reach :class:`~asl_stem.termindex.spanrows.DetectionThresholds`. ``asl-stem index tune``
picks the pair that makes counted detections agree best with the annotations (F1 of
detections matched one-to-one to annotated spans at IoU >= 0.5) on the articles named, which
must be a validation split of training articles, never the articles results are reported on.
Ties go to the stricter pair: a missed span costs a clip, a false one invents a term.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from asl_stem.corpus import Corpus
from asl_stem.corpus.records import frame_iou
from asl_stem.corpus.spanfile import read_span_file
from asl_stem.detect.data import split_validation
from asl_stem.termindex.spanrows import DetectionThresholds

SCORES = tuple(round(0.05 * n, 2) for n in range(20))
MIN_FRAMES = tuple(range(1, 25))
MATCH_IOU = 0.5


@dataclass(frozen=True)
class ThresholdChoice:
    """The chosen thresholds and how they did, beside counting every detection."""

    thresholds: DetectionThresholds
    f1: float
    precision: float
    recall: float
    f1_all: float
    recordings: int
    annotated_spans: int
    detected_spans: int

    def summary(self) -> str:
        t = self.thresholds
        return (
            f"min score {t.min_score:.2f}, min frames {t.min_frames}: F1 {self.f1:.3f} "
            f"(precision {self.precision:.3f}, recall {self.recall:.3f}) vs {self.f1_all:.3f} "
            f"counting every detection; {self.recordings} annotated recordings, "
            f"{self.annotated_spans} annotated spans, {self.detected_spans} detected spans"
        )


def _f1(
    pairs: list[tuple[list[tuple[int, int, float]], list[tuple[int, int]]]],
    thresholds: DetectionThresholds,
) -> tuple[float, float, float]:
    hits = kept = truths = 0
    for detected, annotated in pairs:
        chosen = [
            (s, e) for s, e, score in detected
            if score >= thresholds.min_score and e - s + 1 >= thresholds.min_frames
        ]  # fmt: skip
        kept += len(chosen)
        truths += len(annotated)
        free = list(annotated)
        for span in sorted(chosen):
            best = max(free, key=lambda t: frame_iou(span, t), default=None)
            if best is not None and frame_iou(span, best) >= MATCH_IOU:
                hits += 1
                free.remove(best)
    precision = hits / kept if kept else 0.0
    recall = hits / truths if truths else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def choose_thresholds(
    manifest_dir: str | Path,
    spans_file: str | Path,
    articles: list[str],
    validation_fraction: float | None = None,
    seed: int = 0,
) -> ThresholdChoice:
    """The thresholds that best match detections to annotations on ``articles`` (titles).

    With ``validation_fraction``, only the recordings the detector's training held out for
    validation (``asl_stem.detect.data.split_validation`` with that fraction and seed) are
    used, so the detector never trained on what the thresholds are chosen on.
    """
    corpus = Corpus.from_dir(manifest_dir)
    wanted = set(articles)
    rows = [r for r in corpus.annotated_recordings() if r.article in wanted]
    if validation_fraction is not None:
        _, held = split_validation([r.recording_id for r in rows], validation_fraction, seed)
        kept = set(held)
        rows = [r for r in rows if r.recording_id in kept]
    if not rows:
        raise ValueError(
            f"{manifest_dir}: no annotated recording in the articles {sorted(wanted)}; name "
            "articles that have annotations (asl-stem stats lists them)"
        )
    detections, _ = read_span_file(spans_file)
    pairs = []
    for row in rows:
        item = detections.get(row.recording_id)
        if item is None:
            continue
        detected = [(s.start_frame, s.end_frame, s.score or 0.0) for s in item.spans]
        pairs.append((detected, [s.frames for s in row.spans]))
    if not pairs:
        raise ValueError(f"{spans_file}: no detections for the annotated recordings chosen")
    grid = [DetectionThresholds(score, frames) for score in SCORES for frames in MIN_FRAMES]
    scored = [(_f1(pairs, t), t) for t in grid]
    (f1, precision, recall), best = max(
        scored, key=lambda item: (round(item[0][0], 6), item[1].min_score, item[1].min_frames)
    )
    return ThresholdChoice(
        best, f1, precision, recall, _f1(pairs, DetectionThresholds(0.0, 1))[0], len(pairs),
        sum(len(a) for _, a in pairs), sum(len(d) for d, _ in pairs),
    )  # fmt: skip
