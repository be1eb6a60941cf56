"""Spans per recording (annotated or detected) and clip windows for signed terms.

A recording counts as *annotated* when its manifest gives ``num_spans`` (0 included: annotated,
nothing spelled) or when any span names it; only annotated recordings say whether a term was
spelled or signed. With a detector ``spans.jsonl`` every listed recording counts; detected
spans carry no text, so the term scorer's aligner (``asl_stem.terms.align``) assigns each span
the word it most likely spells.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from asl_stem.corpus import Corpus, FingerspellingSpan
from asl_stem.corpus.spanfile import read_span_file

log = logging.getLogger(__name__)

SIGNED_WINDOW_S = 1.5
Spans = dict[str, list[FingerspellingSpan]]


def load_spans(
    corpus: Corpus, spans_path: str | Path | None, recordings: dict[str, Any]
) -> tuple[Spans, set[str]]:
    """Spans by recording id (frame order), and the ids of recordings whose spans are known."""
    if spans_path is None:
        by_recording = corpus.spans.by_recording()
        annotated = {rid for rid, r in recordings.items() if r.num_spans is not None}
        annotated |= {rid for rid in by_recording if rid in recordings}
        return by_recording, annotated
    found, problems = read_span_file(spans_path)
    for problem in problems:
        log.warning("%s", problem)
    by_recording = {}
    for recording_id, item in found.items():
        if recording_id not in recordings:
            log.warning(
                "%s: recording %r is not in the manifests; skipped", spans_path, recording_id
            )
            continue
        by_recording[recording_id] = sorted(item.spans, key=lambda s: s.frames)
    return by_recording, set(by_recording)


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
    spans_by_recording: Spans,
    recordings: dict[str, Any],
    sentences: dict[str, Any],
    titles: dict[str, str],
    scorer: Any,
) -> int:
    """Give detected spans without a text the word the scorer's aligner says each spells.

    Replaces the lists in ``spans_by_recording``; returns how many spans got a text.
    """
    named = 0
    for recording_id, spans in spans_by_recording.items():
        sentence = sentences.get(recordings[recording_id].sentence_id)
        if sentence is None or all(span.text for span in spans):
            continue
        untexted = [span for span in spans if not span.text]
        aligned = scorer.align(sentence.text, untexted, article=titles.get(sentence.article_id))
        named += sum(span.text is not None for span in aligned)
        kept = [span for span in spans if span.text]
        spans_by_recording[recording_id] = sorted(kept + aligned, key=lambda s: s.frames)
    return named
