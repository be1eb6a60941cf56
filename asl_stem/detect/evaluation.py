"""``evaluate``: detections against annotations, the model's row beside the heuristic's.

Only recordings that are both detected and annotated count; the others are counted and
reported, never silently dropped.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from asl_stem.annotations import read_annotations
from asl_stem.atomic import read_jsonl
from asl_stem.detect.baseline import heuristic_spans
from asl_stem.detect.metrics import (
    Interval,
    ScoredInterval,
    average_precision,
    frame_mask,
    frame_prf,
    mean_frame_iou,
)
from asl_stem.layout import NUM_BODY_POINTS
from asl_stem.shards.reader import iter_samples

log = logging.getLogger(__name__)

IOU_THRESHOLDS = (0.1, 0.3, 0.5)


@dataclass(frozen=True)
class RecordingSpans:
    """Predicted spans of one recording and its length in frames."""

    num_frames: int
    spans: list[ScoredInterval]


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


def load_truths(annotations: str | Path) -> dict[str, list[Interval]]:
    """True spans per recording: from an annotation CSV, a manifest folder of `asl-stem ingest`
    (recordings whose ``num_spans`` is set count as annotated) or a shards folder (samples whose
    record has a ``spans`` key).
    """
    path = Path(annotations)
    truths: dict[str, list[Interval]] = defaultdict(list)
    if (path / "index.json").is_file():
        return _shard_truths(path)
    if path.is_dir():
        from asl_stem.manifests import iter_records

        for recording in iter_records(path, "recordings"):
            if recording.num_spans is not None:
                truths.setdefault(recording.id, [])  # annotated, possibly with no span
        for span in iter_records(path, "spans"):
            truths[span.recording_id].append((span.start_frame, span.end_frame))
        return dict(truths)
    rows, problems = read_annotations(path)
    for problem in problems:
        log.warning("%s", problem)
    for row in rows:
        truths[row.recording_id].extend((s.start_frame, s.end_frame) for s in row.spans)
    return dict(truths)


def _shard_truths(shards: Path) -> dict[str, list[Interval]]:
    """The ``spans`` of every annotated sample of a shards folder."""
    truths = {}
    for sample in iter_samples(shards):
        spans = sample["meta"].get("spans")
        if spans is not None:
            truths[sample["key"]] = [(int(s["start_frame"]), int(s["end_frame"])) for s in spans]
    return truths


def load_detections(path: str | Path) -> dict[str, RecordingSpans]:
    """The lines of ``spans.jsonl`` keyed by recording id."""
    detections = {}
    for row in read_jsonl(path):
        rec = row["recording_id"]
        spans = [
            ScoredInterval(rec, int(s["start_frame"]), int(s["end_frame"]), float(s["score"]))
            for s in row["spans"]
        ]
        detections[rec] = RecordingSpans(int(row["num_frames"]), spans)
    return detections


def score(
    name: str, detections: Mapping[str, RecordingSpans], truths: Mapping[str, list[Interval]]
) -> Scores:
    """All metrics of one system over the recordings of ``truths`` (all must be detected)."""
    predictions = [span for rec in truths for span in detections[rec].spans]
    pred_masks, true_masks = {}, {}
    for rec, spans in truths.items():
        length = detections[rec].num_frames
        intervals = [(p.start_frame, p.end_frame) for p in detections[rec].spans]
        pred_masks[rec] = frame_mask(intervals, length)
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
    """The heuristic's spans for the given recordings of ``shards``."""
    wanted = set(recordings)
    detections = {}
    for sample in iter_samples(shards, num_points=NUM_BODY_POINTS):
        if sample["key"] not in wanted:
            continue
        spans = heuristic_spans(sample["keypoints"], sample["is_valid"])
        detections[sample["key"]] = RecordingSpans(
            len(sample["keypoints"]),
            [ScoredInterval(sample["key"], s.start_frame, s.end_frame, s.score) for s in spans],
        )
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
