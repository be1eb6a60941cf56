"""Spans per recording (annotated or detected) and clip windows for signed terms.

A recording counts as *annotated* when its manifest gives ``num_spans`` (0 included: annotated,
nothing spelled) or when any span names it; only annotated recordings say whether a term was
spelled or signed. With a detector ``spans.jsonl`` every listed recording counts; detected
spans carry no text, so the term scorer's aligner (``asl_stem.terms.align``) assigns each span
the word it most likely spells.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asl_stem.atomic import read_jsonl
from asl_stem.manifests import iter_records

log = logging.getLogger(__name__)

SIGNED_WINDOW_S = 1.5


@dataclass
class SpanRow:
    """A fingerspelled span of a recording; ``norm`` is set once matched to a term."""

    start_frame: int
    end_frame: int
    text: str | None
    score: float | None = None
    norm: str | None = None


def load_spans(
    manifest_dir: str | Path, spans_path: str | Path | None, recordings: dict[str, Any]
) -> tuple[dict[str, list[SpanRow]], set[str]]:
    """Spans by recording id, and the ids of recordings whose spans are known."""
    by_recording: dict[str, list[SpanRow]] = defaultdict(list)
    if spans_path is None:
        for span in iter_records(manifest_dir, "spans"):
            by_recording[span.recording_id].append(
                SpanRow(span.start_frame, span.end_frame, span.text)
            )
        annotated = {rid for rid, r in recordings.items() if r.num_spans is not None}
        annotated |= {rid for rid in by_recording if rid in recordings}
    else:
        annotated = set()
        for number, line in enumerate(read_jsonl(spans_path), start=1):
            recording_id = line.get("recording_id")
            if recording_id not in recordings:
                log.warning(
                    "%s:%d: recording %r is not in the manifests; skipped",
                    spans_path,
                    number,
                    recording_id,
                )
                continue
            annotated.add(recording_id)
            for span in line.get("spans", []):
                by_recording[recording_id].append(
                    SpanRow(
                        int(span["start_frame"]),
                        int(span["end_frame"]),
                        span.get("text"),
                        span.get("score"),
                    )
                )
    for spans in by_recording.values():
        spans.sort(key=lambda s: (s.start_frame, s.end_frame))
    return dict(by_recording), annotated


def signed_window(
    recording: Any, sentence: str, char_start: int, char_end: int
) -> tuple[int | None, int | None]:
    """Frames where a signed term probably is: its place in the sentence mapped onto the video.

    Signing follows English order only loosely, so the window is wide (``SIGNED_WINDOW_S`` on
    each side); ``(None, None)`` (the whole recording) when the frame count is unknown.
    """
    if not recording.num_frames or not sentence:
        return None, None
    fps = recording.fps or 30.0
    centre = (char_start + char_end) / 2 / len(sentence) * recording.num_frames
    half = SIGNED_WINDOW_S * fps
    start = max(0, int(centre - half))
    end = min(recording.num_frames - 1, int(centre + half))
    return start, end


def assign_texts(
    spans_by_recording: dict[str, list[SpanRow]],
    recordings: dict[str, Any],
    sentences: dict[str, Any],
    titles: dict[str, str],
    scorer: Any,
) -> int:
    """Give detected spans (no text) the word the scorer's aligner says each spells.

    Returns how many spans got a text. A scorer without ``align`` leaves them without one
    (they still show on timelines, but count for no term).
    """
    if not hasattr(scorer, "align"):
        log.warning("the term scorer cannot align spans to words; detected spans stay unnamed")
        return 0
    named = 0
    for recording_id, spans in spans_by_recording.items():
        untexted = [span for span in spans if not span.text]
        sentence = sentences.get(recordings[recording_id].sentence_id)
        if not untexted or sentence is None:
            continue
        frames = [(span.start_frame, span.end_frame) for span in untexted]
        aligned = scorer.align(sentence.text, frames, article=titles.get(sentence.article_id))
        by_frames = {(a.start_frame, a.end_frame): a.text for a in aligned}
        for span in untexted:
            span.text = by_frames.get((span.start_frame, span.end_frame))
            named += span.text is not None
    return named
