"""Typed records of the corpus: articles, sentences, recordings and fingerspelling spans.

One frozen dataclass per kind (:class:`Article`, :class:`Sentence`, :class:`Recording`,
:class:`FingerspellingSpan`). Each serialised record carries ``"type"`` and ``"schema"`` so a
reader never has to guess a record's kind from its keys; ``None`` fields are left out.
:class:`FingerspellingSpan` is the one span type of the whole toolkit, from the manifests
through detection, evaluation, the term aligner, the index and the app.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

SCHEMA_VERSION = 2

T = TypeVar("T", bound="_Record")
# Recording ids are video file names without the extension; shards and URLs need them free of
# dots, path separators, white space and control characters.
_BAD_ID_CHARACTER = re.compile(r"[.\\/\s\x00-\x1f\x7f]")
MAX_ID_LENGTH = 200


def id_problem(recording_id: str) -> str | None:
    """Why ``recording_id`` cannot be a recording id, or None when it can."""
    if not recording_id:
        return "the recording id (the file name without .mp4) is empty"
    if len(recording_id) > MAX_ID_LENGTH:
        return f"the recording id is {len(recording_id)} characters long (at most {MAX_ID_LENGTH})"
    bad = _BAD_ID_CHARACTER.search(recording_id)
    if bad:
        return (
            f"the recording id {recording_id!r} contains {bad.group()!r}: ids may not contain "
            "dots, slashes, white space or control characters (rename the video file)"
        )
    return None


class _Record:
    """Serialisation shared by the record classes (each is a frozen dataclass)."""

    TYPE: ClassVar[str]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``type``, ``schema``, then every field that is not None."""
        data: dict[str, Any] = {"type": self.TYPE, "schema": SCHEMA_VERSION}
        for name, value in vars(self).items():  # the dataclass fields, in declaration order
            if value is not None:
                data[name] = _thaw(value) if isinstance(value, tuple) else value
        return data

    @classmethod
    def from_dict(cls: type[T], data: dict[str, Any]) -> T:
        """Build a record from its JSON form; raise ``ValueError`` on a wrong type or schema."""
        fields = dict(data)
        kind = fields.pop("type", None)
        schema = fields.pop("schema", None)
        if kind != cls.TYPE:
            raise ValueError(f"expected a {cls.TYPE!r} record, got type {kind!r}")
        if schema != SCHEMA_VERSION:
            advice = (
                "re-run `asl-stem ingest` (or the command that wrote it) with this version"
                if isinstance(schema, int) and schema < SCHEMA_VERSION
                else "upgrade asl-stem"
            )
            raise ValueError(
                f"{cls.TYPE} record has schema {schema!r}; this asl-stem reads schema "
                f"{SCHEMA_VERSION}: {advice}"
            )
        known = {item.name for item in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(fields) - known)
        if unknown:
            raise ValueError(f"{cls.TYPE} record has unknown fields {unknown}")
        return cls(**{name: _freeze(value) for name, value in fields.items()})

    def replace(self: T, **changes: Any) -> T:
        """A copy with ``changes`` applied (records are immutable)."""
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]


@dataclass(frozen=True)
class Article(_Record):
    """A Wikipedia article: its sections in order, each a tuple of sentence ids.

    ``id`` is the Wikipedia page id taken from the video filenames, or a slug of the title when
    no filename carries one. ``text`` is the English text rebuilt from the sentences: sections
    separated by a blank line, a section's title (if any) on its own line.
    """

    TYPE: ClassVar[str] = "article"
    id: str
    title: str
    page_id: int | None = None
    sections: tuple[tuple[str, ...], ...] = ()
    text: str = ""


@dataclass(frozen=True)
class Sentence(_Record):
    """One English sentence (or section title) of an article and the recordings that sign it.

    ``id`` is ``<article id>_<section>_<sentence>``. In the release, sentence 0 of every section
    after the first is the section's title; section 0 has no title (its sentence 0 is the
    article's first sentence).
    """

    TYPE: ClassVar[str] = "sentence"
    id: str
    article: str
    article_id: str
    section_index: int
    sentence_index: int
    text: str
    page_id: int | None = None
    is_section_title: bool = False
    recording_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recording(_Record):
    """One video: one interpreter signing one sentence.

    ``status`` is ``ok`` (found and probed), ``unprobed`` (found, probing skipped),
    ``missing`` (named by the input but not in the release) or ``unreadable`` (found but the
    container or its last frame cannot be read). Only ``ok`` and ``unprobed`` recordings have a
    video to read: see :attr:`has_video`. ``path`` is set for folder releases, ``zip_path`` and
    ``zip_member`` for zip releases. ``listed_duration_s`` is the ``videoLength`` column as
    published; ``duration_s``, ``fps``, ``num_frames``, ``width`` and ``height`` come from the
    container.
    """

    TYPE: ClassVar[str] = "recording"
    id: str
    filename: str
    interpreter: str
    article: str
    article_id: str
    section_index: int
    sentence_index: int
    sentence_id: str
    status: str
    page_id: int | None = None
    path: str | None = None
    zip_path: str | None = None
    zip_member: str | None = None
    listed_duration_s: float | None = None
    duration_s: float | None = None
    fps: float | None = None
    num_frames: int | None = None
    width: int | None = None
    height: int | None = None
    num_bytes: int | None = None
    num_spans: int | None = None

    @property
    def has_video(self) -> bool:
        """Whether the release holds a readable (or not yet probed) video for this recording."""
        return self.status in ("ok", "unprobed")


SPAN_SOURCES = ("annotated", "detected", "pseudo")
TEXT_SOURCES = ("annotated", "aligned", "read")


def frame_iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Temporal IoU of two inclusive frame intervals (``FingerspellingSpan.frames``)."""
    inter = min(a[1], b[1]) - max(a[0], b[0]) + 1
    if inter <= 0:
        return 0.0
    union = (a[1] - a[0] + 1) + (b[1] - b[0] + 1) - inter
    return inter / union


@dataclass(frozen=True)
class FingerspellingSpan(_Record):
    """A fingerspelled span of a recording: the one span type of every stage.

    Frames are 0-based and inclusive at both ends, on the recording's own frame numbers
    (``fps`` says how to turn them into seconds when known). Two provenances are kept apart:

    - ``source``: where the frames come from: ``annotated`` (a person marked them),
      ``detected`` (a detector; ``score`` is its confidence, the mean frame probability inside
      the span) or ``pseudo`` (a confident detection used as a weak training label).
    - ``text_source``: where ``text`` comes from: ``annotated``, ``aligned`` (the aligner took
      it from the English sentence; ``char_start``/``char_end`` index that sentence and
      ``text_score`` is the aligner's confidence) or ``read`` (a recognizer read the letters;
      ``text_score`` is its confidence).

    ``id`` is ``<recording id>:<n>``, n counting the recording's spans of one set in frame
    order. ``origin`` says which file and line (annotations) or which checkpoint (detections)
    made it.
    """

    TYPE: ClassVar[str] = "span"
    id: str
    recording_id: str
    start_frame: int
    end_frame: int
    source: str = "annotated"
    text: str | None = None
    text_source: str | None = None
    score: float | None = None
    text_score: float | None = None
    char_start: int | None = None
    char_end: int | None = None
    fps: float | None = None
    sentence_id: str | None = None
    interpreter: str | None = None
    article: str | None = None
    origin: str | None = None

    def __post_init__(self) -> None:
        if self.start_frame < 0 or self.end_frame < self.start_frame:
            raise ValueError(
                f"span {self.id}: frames ({self.start_frame}, {self.end_frame}) are negative "
                "or end before they start"
            )
        if self.source not in SPAN_SOURCES:
            raise ValueError(f"span {self.id}: source {self.source!r} is not one of {SPAN_SOURCES}")
        if self.text_source is not None and self.text_source not in TEXT_SOURCES:
            raise ValueError(
                f"span {self.id}: text_source {self.text_source!r} is not one of {TEXT_SOURCES}"
            )

    @property
    def num_frames(self) -> int:
        """Length of the span in frames (both ends included)."""
        return self.end_frame - self.start_frame + 1

    @property
    def frames(self) -> tuple[int, int]:
        """``(start_frame, end_frame)``, inclusive."""
        return self.start_frame, self.end_frame

    @property
    def seconds(self) -> tuple[float, float] | None:
        """Start and end (exclusive) in seconds, when the frame rate is known."""
        if not self.fps:
            return None
        return self.start_frame / self.fps, (self.end_frame + 1) / self.fps


def number_spans(spans: Iterable[FingerspellingSpan]) -> list[FingerspellingSpan]:
    """Spans sorted in frame order per recording, with ids ``<recording id>:<n>`` renumbered."""
    ordered = sorted(spans, key=lambda s: (s.recording_id, s.start_frame, s.end_frame))
    out, counts = [], {}
    for span in ordered:
        number = counts.get(span.recording_id, 0)
        counts[span.recording_id] = number + 1
        out.append(span.replace(id=f"{span.recording_id}:{number}"))
    return out


KINDS: dict[str, type[_Record]] = {
    "articles": Article,
    "sentences": Sentence,
    "recordings": Recording,
    "spans": FingerspellingSpan,
}


def _freeze(value: Any) -> Any:
    """Lists from JSON become tuples, so records stay immutable and hashable."""
    if isinstance(value, list):
        return tuple(_freeze(item) for item in value)
    return value


def _thaw(value: Any) -> Any:
    """Tuples become lists for JSON."""
    if isinstance(value, tuple):
        return [_thaw(item) for item in value]
    return value
