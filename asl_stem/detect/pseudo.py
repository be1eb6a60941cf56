"""Pseudo-labels: a trained detector's confident spans on recordings nobody annotated.

``asl-stem pseudo-label CKPT SHARDS --out pseudo.jsonl`` runs the detector over the
unannotated recordings only (an annotated one is never pseudo-labelled) and keeps the spans
scoring at least ``min_score`` as ``source="pseudo"`` spans with their score. Training reads
every frame of a written recording outside its spans as "not fingerspelling", so a recording
is written only when the detector is sure of all of it: no decoded span under ``min_score``,
and no frame farther than ``MARGIN`` frames from a kept span with a probability above
``1 - min_score`` (a span the decoder missed). Others are left out and counted, unless
``keep_uncertain``. The file trains with ``asl-stem train ... --data.extra_spans
pseudo.jsonl``; a round of self-training is pseudo-label, then train, from the new checkpoint.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.corpus.spanfile import RecordingSpans, write_span_file
from asl_stem.detect.detection import Detection
from asl_stem.detect.inference import iter_detections, load_detector
from asl_stem.shards.reader import sample_rows

log = logging.getLogger(__name__)

MARGIN = 8  # frames beside a kept span where the probability may still be ramping down


@dataclass
class PseudoReport:
    """What a pseudo-labelling run did; ``to_dict`` for ``--json``."""

    out: str
    origin: str
    min_score: float
    recordings: int = 0
    written: int = 0
    spans: int = 0
    below_min_score: int = 0
    uncertain_recordings: int = 0
    annotated_left_out: int = 0
    articles_left_out: int = 0

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def unannotated_keys(
    shards: str,
    articles: Collection[str] | None = None,
    exclude_articles: Collection[str] = (),
    report: PseudoReport | None = None,
) -> list[str]:
    """Ids of the unannotated samples of ``shards`` in the chosen articles (sample table)."""
    rows, _ = sample_rows(shards)
    keys = []
    for row in rows:
        if row.annotated:
            if report is not None:
                report.annotated_left_out += 1
        elif row.article in exclude_articles or (articles and row.article not in articles):
            if report is not None:
                report.articles_left_out += 1
        else:
            keys.append(row.id)
    return keys


def confident_spans(
    detection: Detection, min_score: float, keep_uncertain: bool, report: PseudoReport
) -> RecordingSpans | None:
    """The line for one recording, or None when the detector is unsure of part of it."""
    kept = [span for span in detection.spans if (span.score or 0.0) >= min_score]
    below = len(detection.spans) - len(kept)
    report.below_min_score += below
    if (below or missed_span(detection, kept, 1.0 - min_score)) and not keep_uncertain:
        report.uncertain_recordings += 1
        return None
    spans = tuple(
        FingerspellingSpan(
            id=f"{detection.recording_id}:{number}",
            recording_id=detection.recording_id,
            start_frame=span.start_frame,
            end_frame=span.end_frame,
            source="pseudo",
            score=span.score,
            fps=span.fps,
            origin=span.origin,
        )
        for number, span in enumerate(kept)
    )
    report.spans += len(spans)
    frames = len(detection.probabilities)
    return RecordingSpans(detection.recording_id, frames, spans, detection.fps)


def missed_span(detection: Detection, kept: Sequence[FingerspellingSpan], ceiling: float) -> bool:
    """Whether a frame away from the kept spans is more likely than ``ceiling`` to be spelled."""
    outside = np.ones(len(detection.probabilities), dtype=bool)
    for span in kept:
        outside[max(0, span.start_frame - MARGIN) : span.end_frame + MARGIN + 1] = False
    return bool((detection.probabilities[outside] > ceiling).any())


def pseudo_label(
    checkpoint: str | Path,
    shards: str,
    out: str | Path,
    *,
    min_score: float = 0.8,
    keep_uncertain: bool = False,
    articles: Sequence[str] | None = None,
    exclude_articles: Sequence[str] = (),
    keys: Collection[str] | None = None,
) -> PseudoReport:
    """Write the pseudo-label span file ``out`` (atomically); return what was done.

    ``keys`` limits the run to those recordings (of the unannotated ones in the articles).
    """
    if not 0.0 <= min_score <= 1.0:
        raise ValueError(f"--min-score must be in [0, 1], got {min_score}")
    model = load_detector(checkpoint)
    report = PseudoReport(str(out), model.origin, min_score)
    chosen = unannotated_keys(shards, articles, exclude_articles, report)
    if keys is not None:
        wanted = set(keys)
        chosen = [key for key in chosen if key in wanted]
    if not chosen:
        raise ValueError(
            f"{shards} has no unannotated recording in the chosen articles "
            f"({report.annotated_left_out} annotated, {report.articles_left_out} filtered out)"
        )

    def lines() -> Iterator[RecordingSpans]:
        detections = iter_detections(model, shards, keys=chosen)
        progress = tqdm(detections, total=len(chosen), desc="pseudo-label", unit="rec")
        for detection in progress:
            report.recordings += 1
            line = confident_spans(detection, min_score, keep_uncertain, report)
            if line is not None:
                yield line

    report.written = write_span_file(out, lines())
    log.info(
        "%d of %d unannotated recordings written with %d spans >= %.2f (%d spans under it, "
        "%d recordings left out as uncertain) -> %s",
        report.written, report.recordings, report.spans, min_score, report.below_min_score,
        report.uncertain_recordings, out,
    )  # fmt: skip
    return report
