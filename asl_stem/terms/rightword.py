"""Whether the aligner named the right word: aligned spans judged against annotated ones.

A span is right when the term it was given overlaps an occurrence of its spelled text in the
sentence with character IoU >= 0.5, or, for a term from outside the sentence (an article name,
letters read), when it is the spelled text itself (case and apostrophes folded). Each
annotated span is judged by one aligned span: the one of its frames (the annotated spans given
to the aligner: an oracle detector, :func:`same_frames`), or the detected span overlapping it
most (:func:`overlapping`, where a span the detector missed counts as wrong). The stricter
*exact* count wants the very candidate that labels the occurrence (the one of best character
IoU, :func:`~asl_stem.terms.labels.candidate_labels`): "Maxwell" for a spelled "Maxwell's", or
"Brønsted–Lowry" for a spelled "Brønsted", is right but not exact.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from asl_stem.corpus import AnnotatedRecording
from asl_stem.corpus.records import FingerspellingSpan, frame_iou
from asl_stem.terms.candidates import Candidate, candidates
from asl_stem.terms.labels import (
    candidate_labels,
    char_iou,
    char_mask,
    normalise,
    occurrences,
    span_iou,
    spelled_texts,
)

# Each annotated span's spelled text with the aligned span that answers for it (None: missed).
Pairs = list[tuple[str, FingerspellingSpan | None]]
Pairing = Callable[[Sequence[FingerspellingSpan], Sequence[FingerspellingSpan]], Pairs]


def same_frames(
    truths: Sequence[FingerspellingSpan], aligned: Sequence[FingerspellingSpan]
) -> Pairs:
    """Aligned spans of an annotated span's frames (the oracle detector), with its text."""
    texts = {(s.start_frame, s.end_frame): s.text for s in truths}
    out: Pairs = []
    for span in aligned:
        text = texts.get((span.start_frame, span.end_frame))
        if text:
            out.append((text, span))
    return out


def overlapping(
    truths: Sequence[FingerspellingSpan], detected: Sequence[FingerspellingSpan]
) -> Pairs:
    """Each annotated span with a text and the detected span overlapping it most (frame IoU
    >= 0.5, each detected span paired once), or None where the detector missed it."""
    free = list(detected)
    out: Pairs = []
    for truth in sorted((s for s in truths if s.text), key=lambda s: s.start_frame):
        best = max(free, key=lambda s: frame_iou(truth.frames, s.frames), default=None)
        if best is None or frame_iou(truth.frames, best.frames) < 0.5:
            best = None
        else:
            free.remove(best)
        out.append((truth.text or "", best))
    return out


def right_word(sentence: str, text: str, span: FingerspellingSpan) -> bool:
    """Whether an aligned span names the spelled ``text`` (the rule of the module docstring)."""
    if span.char_start is None or span.char_end is None:
        return bool(span.text) and normalise(span.text) == normalise(text)
    assigned = (span.char_start, span.char_end)
    return any(span_iou(assigned, occ) >= 0.5 for occ in occurrences(sentence, text))


def exact_word(
    sentence: str, text: str, span: FingerspellingSpan, found: Sequence[Candidate]
) -> bool:
    """Whether an aligned span names the candidate that labels an occurrence of ``text``
    (``found``: the sentence's candidates); for a term from outside the sentence, as
    :func:`right_word`."""
    if span.char_start is None or span.char_end is None:
        return right_word(sentence, text, span)
    place = (span.char_start, span.char_end)
    marks = candidate_labels(sentence, found, [text])
    labelled = (c for c, mark in zip(found, marks, strict=True) if mark)
    return any((c.char_start, c.char_end) == place for c in labelled)


@dataclass(frozen=True)
class Judged:
    """One recording's aligned spans judged: annotated spans, how many got the right word (and
    the exact candidate), and the character IoU of the terms named against the spelled ones
    (None when both are empty)."""

    spans: int
    right: int
    exact: int
    char_iou: float | None


def judge(
    row: AnnotatedRecording, aligned: Sequence[FingerspellingSpan], pair: Pairing = same_frames
) -> Judged:
    """Judge one recording's aligned spans against its annotated ones."""
    pairs = pair(row.spans, aligned)
    found = candidates(row.sentence)
    right = sum(span is not None and right_word(row.sentence, text, span) for text, span in pairs)
    exact = sum(
        span is not None and exact_word(row.sentence, text, span, found) for text, span in pairs
    )
    label = char_mask(row.sentence, spelled_texts(row))
    iou = char_iou(label, char_mask(row.sentence, [s.text for s in aligned if s.text]))
    return Judged(len(pairs), right, exact, iou)


def alignment_accuracy(
    rows: Sequence[AnnotatedRecording],
    aligned: Mapping[str, Sequence[FingerspellingSpan]],
    pair: Pairing = same_frames,
) -> dict[str, float | int]:
    """Right word and char IoU of aligned spans (by recording id) against annotated rows,
    counted as ``terms evaluate`` counts the aligner (``pair``: :func:`overlapping` for a
    detector's spans); rows without a line are left out."""
    judged = [
        judge(r, aligned[r.recording_id], pair)
        for r in rows
        if r.spans and r.recording_id in aligned
    ]
    ious = [j.char_iou for j in judged if j.char_iou is not None]
    spans = sum(j.spans for j in judged)
    out: dict[str, float | int] = {}
    if ious:
        out |= {"rows": len(ious), "char_iou": sum(ious) / len(ious)}
    if spans:
        out |= {
            "span_accuracy": sum(j.right for j in judged) / spans,
            "span_accuracy_exact": sum(j.exact for j in judged) / spans,
            "spans": spans,
        }
    return out
