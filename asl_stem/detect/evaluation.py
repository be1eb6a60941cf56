"""``evaluate``: detections against annotations, the model's row beside the heuristic's.

Only recordings that are both detected and annotated count; the others are counted and
reported, never silently dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from asl_stem.corpus import open_corpus
from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.corpus.spanfile import RecordingSpans, read_span_file
from asl_stem.detect.baseline import heuristic_spans
from asl_stem.detect.metrics import average_precision, frame_mask, frame_prf, mean_frame_iou
from asl_stem.layout import NUM_BODY_POINTS
from asl_stem.shards.reader import iter_samples
from asl_stem.shards.sample import sample_spans
from asl_stem.shards.sources import names_shards

log = logging.getLogger(__name__)

IOU_THRESHOLDS = (0.1, 0.3, 0.5)


@dataclass(frozen=True)
class Scores:
    """One row of the table."""

    name: str
    ap: dict[str, float]
    mean_iou: float
    precision: float
    recall: float
    f1: float
    recordings: int
    both_empty: int
    predicted_spans: int
    true_spans: int


@dataclass(frozen=True)
class Evaluation:
    """The rows and what was left out."""

    rows: list[Scores]
    not_annotated: list[str] = field(default_factory=list)
    not_detected: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": [asdict(row) for row in self.rows],
            "not_annotated": len(self.not_annotated),
            "not_detected": len(self.not_detected),
        }


Truths = dict[str, list[FingerspellingSpan]]


def load_truths(annotations: str | Path) -> Truths:
    """Annotated spans per annotated recording (an empty list: annotated, nothing spelled).

    ``annotations`` is a manifest folder of `asl-stem ingest`, an annotation CSV (ingested on
    the fly, so continuation rows are merged as ingest merges them), or shards (a folder, an
    index.json URL, a pattern: the spans their samples carry).
    """
    if names_shards(str(annotations)):
        return _shard_truths(str(annotations))
    corpus = open_corpus(Path(annotations))
    return {item.recording_id: list(item.spans) for item in corpus.annotated_recordings()}


def _shard_truths(shards: str) -> Truths:
    """The spans of every annotated sample of some shards."""
    truths = {}
    for sample in iter_samples(shards):
        spans = sample_spans(sample)
        if spans is not None:
            truths[sample["key"]] = spans
    return truths


def load_detections(path: str | Path) -> dict[str, RecordingSpans]:
    """The lines of a span file (``asl-stem detect`` output) keyed by recording id."""
    detections, problems = read_span_file(path)
    for problem in problems:
        log.warning("%s", problem)
    return detections


def score(name: str, detections: Mapping[str, RecordingSpans], truths: Truths) -> Scores:
    """All metrics of one system over the recordings of ``truths`` (all must be detected)."""
    predictions = [span for rec in truths for span in detections[rec].spans]
    pred_masks, true_masks = {}, {}
    for rec, spans in truths.items():
        length = detections[rec].num_frames
        pred_masks[rec] = frame_mask(detections[rec].spans, length)
        true_masks[rec] = frame_mask(spans, length)
    iou, empty = mean_frame_iou(pred_masks, true_masks)
    precision, recall, f1 = frame_prf(pred_masks, true_masks)
    return Scores(
        name=name,
        ap={f"{t:.1f}": average_precision(predictions, truths, t) for t in IOU_THRESHOLDS},
        mean_iou=iou,
        precision=precision,
        recall=recall,
        f1=f1,
        recordings=len(truths),
        both_empty=empty,
        predicted_spans=len(predictions),
        true_spans=sum(len(s) for s in truths.values()),
    )


def baseline_detections(shards: str, recordings: Iterable[str]) -> dict[str, RecordingSpans]:
    """The heuristic's spans for the given recordings of ``shards`` (no other is decoded)."""
    detections = {}
    for sample in iter_samples(shards, num_points=NUM_BODY_POINTS, keys=set(recordings)):
        key = sample["key"]
        spans = heuristic_spans(sample["keypoints"], sample["is_valid"], key)
        detections[key] = RecordingSpans(key, len(sample["keypoints"]), tuple(spans))
    return detections


def evaluate(
    spans_path: str | Path,
    annotations: str | Path,
    baseline_shards: str | None = None,
) -> Evaluation:
    """Score ``spans.jsonl`` against ``annotations``; with shards, add the heuristic's row."""
    detections = load_detections(spans_path)
    all_truths = load_truths(annotations)
    truths = {rec: spans for rec, spans in all_truths.items() if rec in detections}
    if not truths:
        raise ValueError(
            f"no recording of {spans_path} is annotated in {annotations}: "
            "check that both come from the same corpus"
        )
    rows = [score("model", detections, truths)]
    if baseline_shards is not None:
        heuristic = baseline_detections(baseline_shards, truths)
        missing = sorted(set(truths) - set(heuristic))
        if missing:
            raise ValueError(
                f"{len(missing)} evaluated recordings are not in {baseline_shards} "
                f"(first: {missing[0]}); pass the shards the detections were made from"
            )
        rows.append(score("heuristic", heuristic, truths))
    evaluation = Evaluation(
        rows=rows,
        not_annotated=sorted(set(detections) - set(all_truths)),
        not_detected=sorted(set(all_truths) - set(detections)),
    )
    for name, keys in (
        ("not annotated", evaluation.not_annotated),
        ("annotated but not detected", evaluation.not_detected),
    ):
        if keys:
            log.info("%d recordings %s, left out (first: %s)", len(keys), name, keys[0])
    return evaluation


def format_table(rows: list[Scores]) -> str:
    """A Markdown table: one row per system."""
    header = "| system | AP@0.1 | AP@0.3 | AP@0.5 | mean IoU | frame P | frame R | frame F1 |"
    lines = [header, "|" + "---|" * 8]
    for row in rows:
        values = [
            row.ap["0.1"],
            row.ap["0.3"],
            row.ap["0.5"],
            row.mean_iou,
            row.precision,
            row.recall,
            row.f1,
        ]
        lines.append(f"| {row.name} | " + " | ".join(f"{v:.3f}" for v in values) + " |")
    return "\n".join(lines)
