"""Spans into the index, each saying where it came from, and which of them count.

Annotated spans come from the manifests; detected (or pseudo-labelled) spans, with or without
the words an aligner gave them, come from span files (``--spans``). Both are kept, so a page
shows a recording's annotations beside its detections. Only some enter the term statistics
(``counted``): every annotated span; a detected one only on a recording nobody annotated, and
only when its detector score and its length reach the build's :class:`DetectionThresholds`
(short, weak detections are mostly false alarms that the aligner then names "by" or "of").
Frames and counts are checked against bounds first: a span file may hold anything.
"""

from __future__ import annotations

import logging
import math
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asl_stem.corpus import Corpus, FingerspellingSpan
from asl_stem.corpus.spanfile import iter_span_file
from asl_stem.problems import Problem

log = logging.getLogger(__name__)

MAX_FRAME = 2**31 - 1
SPAN_COLUMNS = (
    "recording_id, start_frame, end_frame, source, score, text, text_source, text_score, "
    "char_start, char_end, origin"
)


@dataclass(frozen=True)
class DetectionThresholds:
    """The least detector score and length (frames) a detected span needs to be counted.

    Defaults chosen by ``asl-stem index tune --validation-fraction 0.15`` on the recordings the
    demo's detector held out for validation in its training articles (synthetic video; see
    docs/app.md, "Which detections count"); the build records the values used.
    """

    min_score: float = 0.75
    min_frames: int = 24

    def counts(self, span: FingerspellingSpan | dict[str, Any], annotated: bool) -> bool:
        source = _get(span, "source")
        if source == "annotated":
            return True
        if annotated:
            return False  # a person annotated this recording: detections are shown, not counted
        score = _get(span, "score")
        length = _get(span, "end_frame") - _get(span, "start_frame") + 1
        return score is not None and score >= self.min_score and length >= self.min_frames


def _get(span: FingerspellingSpan | dict[str, Any], name: str) -> Any:
    return span[name] if isinstance(span, dict) else getattr(span, name)


def span_row(span: FingerspellingSpan, num_frames: int | None) -> tuple[Any, ...] | None:
    """The row of a span, or None when its frames are outside the recording or any bound."""
    if span.end_frame > MAX_FRAME or (num_frames is not None and span.end_frame >= num_frames):
        return None
    score = _finite(span.score)
    text_score = _finite(span.text_score)
    text_source = span.text_source
    if text_source is None and span.text and span.source == "annotated":
        text_source = "annotated"  # the manifests' annotated texts carry no text_source
    char_start, char_end = span.char_start, span.char_end
    if char_start is None or char_end is None or not 0 <= char_start <= char_end <= MAX_FRAME:
        char_start = char_end = None
    return (
        span.recording_id, span.start_frame, span.end_frame, span.source, score, span.text,
        text_source, text_score, char_start, char_end, span.origin,
    )  # fmt: skip


def _finite(value: float | None) -> float | None:
    if value is None or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return min(1.0, max(0.0, float(value)))


def insert_spans(
    connection: sqlite3.Connection,
    corpus: Corpus,
    span_files: Iterable[str | Path],
    problems: list[Problem],
) -> dict[str, int]:
    """Annotated spans of the manifests, then every span file's spans; counts by source."""
    lookup = _Recordings(connection)
    counts: dict[str, int] = {}
    batch: list[tuple[Any, ...]] = []
    for span in corpus.spans:
        found = lookup(span.recording_id)
        if found is None:
            continue  # a span of a recording the manifests lack: ingest reported it
        _add(batch, span.replace(source="annotated"), found[0], "manifests", problems, counts)
        _flush(connection, batch)
    _flush(connection, batch, force=True)
    connection.execute(
        "UPDATE recordings SET annotated = 1 WHERE id IN "
        "(SELECT recording_id FROM spans WHERE source = 'annotated')"
    )
    for path in span_files:
        _insert_span_file(connection, Path(path), lookup, batch, problems, counts)
    _flush(connection, batch, force=True)
    return counts


class _Recordings:
    """``(num_frames, annotated)`` of a recording id, or None; one SQL lookup per new id."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.last: tuple[str, tuple[int | None, bool] | None] = ("", None)

    def __call__(self, recording_id: str) -> tuple[int | None, bool] | None:
        if self.last[0] != recording_id:
            row = self.connection.execute(
                "SELECT num_frames, annotated FROM recordings WHERE id = ?", (recording_id,)
            ).fetchone()
            self.last = (recording_id, (row[0], bool(row[1])) if row else None)
        return self.last[1]


def _insert_span_file(
    connection: sqlite3.Connection,
    path: Path,
    lookup: _Recordings,
    batch: list[tuple[Any, ...]],
    problems: list[Problem],
    counts: dict[str, int],
) -> None:
    """One span file, streamed: lines for recordings outside the manifests are reported."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no span file here (pass the output of asl-stem detect)")
    processed = []
    for number, item in enumerate(iter_span_file(path, problems), start=1):
        where = f"{path}:{number}"
        found = lookup(item.recording_id)
        if found is None:
            reason = f"recording {item.recording_id!r} is not in the manifests; line skipped"
            problems.append(Problem(str(path), number, reason, "unknown_recording", "warning"))
            continue
        if item.num_frames > MAX_FRAME:
            reason = f"num_frames {item.num_frames} is past any video's length; line skipped"
            problems.append(Problem(str(path), number, reason, "bad_frames"))
            continue
        known = found[0] or item.num_frames
        processed.append(item.recording_id)
        for span in item.spans:
            if span.source == "annotated" and found[1]:
                continue  # the manifests already hold this recording's annotations
            _add(batch, span, known, where, problems, counts)
        _flush(connection, batch)
        if len(processed) >= 500:
            _mark_detected(connection, processed)
    _mark_detected(connection, processed)


def _add(
    batch: list[tuple[Any, ...]],
    span: FingerspellingSpan,
    num_frames: int | None,
    where: str,
    problems: list[Problem],
    counts: dict[str, int],
) -> None:
    row = span_row(span, num_frames)
    if row is None:
        reason = (
            f"span {span.id} ({span.start_frame}-{span.end_frame}) ends past the recording's "
            f"{num_frames} frames; left out"
        )
        problems.append(Problem(where, None, reason, "span_out_of_range"))
        return
    batch.append(row)
    counts[span.source] = counts.get(span.source, 0) + 1


def _flush(
    connection: sqlite3.Connection, batch: list[tuple[Any, ...]], force: bool = False
) -> None:
    if batch and (force or len(batch) >= 1000):
        marks = ", ".join("?" * len(batch[0]))
        connection.executemany(f"INSERT INTO spans ({SPAN_COLUMNS}) VALUES ({marks})", batch)
        batch.clear()


def _mark_detected(connection: sqlite3.Connection, recording_ids: list[str]) -> None:
    connection.executemany(
        "UPDATE recordings SET detected = 1 WHERE id = ?", [(rid,) for rid in recording_ids]
    )
    recording_ids.clear()
