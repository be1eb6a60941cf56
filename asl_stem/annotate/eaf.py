"""The ELAN documents the annotation loop writes and reads: tiers, properties, one recording each.

A document (``<recording id>.eaf``) has these tiers:

- ``fingerspelling``: the tier annotators correct, and the only one read back. One annotation
  per span, its value the spelled text. Pre-filled with the annotated spans, or, for a recording
  nobody annotated, with the detector's spans and the words the aligner gave them. ELAN holds
  no overlapping annotations on one tier, but the release has overlapping spans (one span's
  last frame is often the next one's first): a span that overlaps an earlier one goes to a
  second tier ``fingerspelling-2`` (a third, ``fingerspelling-3``, when needed), read back too.
- ``detected``: the detector's spans, each valued with its score (the mean frame probability);
  its dependent tier ``detected-text`` holds the aligned word or the recognised letters.
- ``sentence``: the English sentence, over the whole recording.

The header carries the release row (``user``, ``articleName``, ``sectionIndex``,
``sentenceIndex``, ``filename``, ``sentence``), the frame rate and frame count as
``asl-stem:*`` properties, so import needs nothing but the file. Times are whole milliseconds
(:mod:`asl_stem.annotate.timing`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pympi.Elan import Eaf, to_string

from asl_stem.annotate.timing import frame_rate, frame_to_ms, span_to_ms
from asl_stem.corpus.records import FingerspellingSpan

FINGERSPELLING = "fingerspelling"
DETECTED = "detected"
DETECTED_TEXT = "detected-text"
SENTENCE = "sentence"
PREFIX = "asl-stem:"
SCHEMA = 1
ROW_FIELDS = ("user", "articleName", "sectionIndex", "sentenceIndex", "filename", "sentence")


@dataclass(frozen=True)
class Media:
    """The video an ELAN document links: absolute path, path relative to the document, how."""

    path: str
    relative: str
    how: str  # "linked" (in place) or "extracted" (a zip member copied next to the document)


@dataclass(frozen=True)
class RecordingDoc:
    """Everything one document holds about its recording."""

    recording_id: str
    row: dict[str, str]  # ROW_FIELDS -> value, as the release's annotation CSV has them
    fps: float
    fps_source: str  # "video" (the manifest's probe), "given" (--fps) or "spans" (span file)
    num_frames: int | None
    annotated: tuple[FingerspellingSpan, ...] | None  # None: nobody annotated the recording
    detected: tuple[FingerspellingSpan, ...] = ()
    media: Media | None = None

    @property
    def prefill(self) -> str:
        """What the fingerspelling tier starts with: annotated, detected or none."""
        if self.annotated is not None:
            return "annotated"
        return "detected" if self.detected else "none"


def build_document(doc: RecordingDoc, author: str = "asl-stem") -> Eaf:
    """The ELAN document of one recording (see the module docstring)."""
    eaf = Eaf(author=author)
    eaf.remove_tier("default")
    participant = doc.row.get("user") or None
    for name, constraint, alignable in (
        (FINGERSPELLING, None, True),
        (DETECTED, None, True),
        (DETECTED_TEXT, "Symbolic_Association", False),
        (SENTENCE, None, True),
    ):
        eaf.add_linguistic_type(name, constraints=constraint, timealignable=alignable)
    eaf.remove_linguistic_type("default-lt")
    prefill = doc.annotated if doc.annotated is not None else doc.detected
    for number, lane in enumerate(lanes(prefill) or [[]], start=1):
        name = lane_name(FINGERSPELLING, number)
        eaf.add_tier(name, ling=FINGERSPELLING, part=participant)
        _add_spans(eaf, name, lane, doc.fps, lambda span: span.text or "")
    eaf.add_tier(DETECTED, ling=DETECTED, part=participant)
    eaf.add_tier(DETECTED_TEXT, ling=DETECTED_TEXT, parent=DETECTED, part=participant)
    eaf.add_tier(SENTENCE, ling=SENTENCE, part=participant)
    _add_spans(eaf, DETECTED, doc.detected, doc.fps, _score_value)
    for span in doc.detected:
        if span.text:
            begin, end = span_to_ms(span.start_frame, span.end_frame, doc.fps)
            eaf.add_ref_annotation(DETECTED_TEXT, DETECTED, (begin + end) // 2, span.text)
    eaf.add_annotation(SENTENCE, 0, _length_ms(doc), doc.row.get("sentence", ""))
    if doc.media is not None:
        uri = Path(doc.media.path).resolve().as_uri()
        eaf.add_linked_file(uri, relpath=doc.media.relative, mimetype="video/mp4")
    _add_properties(eaf, doc)
    return eaf


def document_bytes(doc: RecordingDoc) -> bytes:
    """The document as UTF-8 XML with its declaration, ready to write."""
    text = to_string(build_document(doc))
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + text.encode("utf-8")


def lanes(spans: Sequence[FingerspellingSpan]) -> list[list[FingerspellingSpan]]:
    """Spans in time order, dealt to the first lane (tier) where they overlap nothing."""
    found: list[list[FingerspellingSpan]] = []
    for span in sorted(spans, key=lambda s: (s.start_frame, s.end_frame)):
        lane = next((lane for lane in found if lane[-1].end_frame < span.start_frame), None)
        if lane is None:
            found.append([span])
        else:
            lane.append(span)
    return found


def lane_name(base: str, number: int) -> str:
    """``fingerspelling`` for the first lane, ``fingerspelling-2`` and so on after it."""
    return base if number == 1 else f"{base}-{number}"


def lane_tiers(eaf: Eaf, base: str) -> list[str]:
    """The tiers of one kind in a document: ``base`` and its ``base-N`` lanes, in order."""
    numbered = []
    for name in eaf.tiers:
        head, _, number = name.rpartition("-")
        if head == base and number.isdigit() and int(number) >= 2:
            numbered.append((int(number), name))
    return ([base] if base in eaf.tiers else []) + [name for _, name in sorted(numbered)]


def _add_spans(
    eaf: Eaf,
    tier: str,
    spans: Sequence[FingerspellingSpan],
    fps: float,
    value: Callable[[FingerspellingSpan], str],
) -> None:
    for span in sorted(spans, key=lambda s: s.start_frame):
        begin, end = span_to_ms(span.start_frame, span.end_frame, fps)
        eaf.add_annotation(tier, begin, end, value(span))


def _score_value(span: FingerspellingSpan) -> str:
    return "" if span.score is None else f"{span.score:.3f}"


def _length_ms(doc: RecordingDoc) -> int:
    """The recording's length, or (frames unknown) the end of its last span, at least 1 s."""
    if doc.num_frames:
        return frame_to_ms(doc.num_frames, doc.fps)
    last = max((s.end_frame + 1 for s in (*(doc.annotated or ()), *doc.detected)), default=0)
    return max(frame_to_ms(last, doc.fps), 1000)


def _add_properties(eaf: Eaf, doc: RecordingDoc) -> None:
    """The release row and the timing facts, as ``asl-stem:*`` header properties."""
    properties = {
        "schema": str(SCHEMA),
        "recording_id": doc.recording_id,
        **{name: str(doc.row.get(name, "")) for name in ROW_FIELDS},
        "fps": _fps_text(doc.fps),
        "fps_source": doc.fps_source,
        "prefill": doc.prefill,
        "media": doc.media.how if doc.media is not None else "none",
    }
    if doc.num_frames is not None:
        properties["num_frames"] = str(doc.num_frames)
    eaf.properties = [(key, value) for key, value in eaf.properties if key != "lastUsedAnnotation"]
    eaf.properties.append(("lastUsedAnnotation", str(eaf.maxaid)))
    eaf.properties += [(PREFIX + key, value) for key, value in properties.items()]


def _fps_text(fps: float) -> str:
    """The exact rate as ``30`` or ``30000/1001``: reading it back gives the same fraction."""
    return str(frame_rate(fps))


def properties_of(eaf: Eaf) -> dict[str, str]:
    """The ``asl-stem:*`` properties of a document, without the prefix (empty values as '')."""
    return {
        key[len(PREFIX) :]: value or ""
        for key, value in eaf.properties
        if isinstance(key, str) and key.startswith(PREFIX)
    }
