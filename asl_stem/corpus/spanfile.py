"""Span files: the spans one source found, one JSON line per recording it processed.

``asl-stem detect`` writes one (detected spans with scores), ``asl-stem terms align`` another
(the same spans with the words they spell), ``asl-stem pseudo-label`` a third. A line is

    {"type": "recording_spans", "schema": 2, "recording_id": ..., "num_frames": ...,
     "fps": ..., "spans": [<span record>, ...]}

where each span is a :class:`~asl_stem.corpus.records.FingerspellingSpan` record, in frame
order. A recording with an empty list was processed and nothing was found; a recording with no
line was not processed. Keeping the two apart is why spans travel grouped by recording.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from asl_stem.atomic import read_jsonl, write_jsonl
from asl_stem.corpus.records import SCHEMA_VERSION, FingerspellingSpan
from asl_stem.problems import Problem

TYPE = "recording_spans"


@dataclass(frozen=True)
class RecordingSpans:
    """The spans found in one recording, and how many frames the recording has."""

    recording_id: str
    num_frames: int
    spans: tuple[FingerspellingSpan, ...] = ()
    fps: float | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": TYPE,
            "schema": SCHEMA_VERSION,
            "recording_id": self.recording_id,
            "num_frames": self.num_frames,
        }
        if self.fps is not None:
            data["fps"] = self.fps
        data["spans"] = [span.to_dict() for span in self.spans]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RecordingSpans:
        """Parse one line; ``ValueError`` (or ``KeyError``/``TypeError``) when it is not one."""
        if data.get("type") != TYPE or data.get("schema") != SCHEMA_VERSION:
            raise ValueError(
                f"not a {TYPE!r} line of schema {SCHEMA_VERSION} (type {data.get('type')!r}, "
                f"schema {data.get('schema')!r}); rewrite the file with this asl-stem"
            )
        recording_id = str(data["recording_id"])
        spans = tuple(FingerspellingSpan.from_dict(span) for span in data["spans"])
        strays = [span.id for span in spans if span.recording_id != recording_id]
        if strays:
            raise ValueError(f"spans {strays[:3]} belong to another recording than {recording_id}")
        num_frames = int(data["num_frames"])
        if any(span.end_frame >= num_frames for span in spans):
            raise ValueError(f"a span of {recording_id} ends past its {num_frames} frames")
        fps = data.get("fps")
        return cls(recording_id, num_frames, spans, float(fps) if fps is not None else None)


def write_span_file(path: str | os.PathLike[str], items: Iterable[RecordingSpans]) -> int:
    """Write one line per recording, atomically; return how many lines."""
    return write_jsonl(path, (item.to_dict() for item in items))


def iter_span_file(
    path: str | os.PathLike[str], problems: list[Problem]
) -> Iterator[RecordingSpans]:
    """The lines of a span file, lazily; a bad line is appended to ``problems`` and skipped."""
    for number, data in enumerate(read_jsonl(path), start=1):
        try:
            yield RecordingSpans.from_dict(data)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            reason = f"not a span line ({error}); it was left out"
            problems.append(Problem(str(path), number, reason, "bad_span_line"))


def read_span_file(
    path: str | os.PathLike[str],
) -> tuple[dict[str, RecordingSpans], list[Problem]]:
    """Every line of a span file by recording id, and the lines that were left out."""
    problems: list[Problem] = []
    found: dict[str, RecordingSpans] = {}
    for item in iter_span_file(path, problems):
        if item.recording_id in found:
            reason = f"recording {item.recording_id} has a second line; the first was kept"
            problems.append(Problem(str(path), None, reason, "duplicate_recording", "warning"))
            continue
        found[item.recording_id] = item
    return found, problems
