"""Typed manifest records of the corpus and their JSON Lines files.

One frozen dataclass per kind (:class:`Article`, :class:`Sentence`, :class:`Recording`,
:class:`FingerspellingSpan`). Each serialised line carries ``"type"`` and ``"schema"`` so a
reader never has to guess a record's kind from its keys; ``None`` fields are left out. Files are
``DIR/<kind>.jsonl.gz`` and are read lazily, so 64,000 recordings never sit in memory at once.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from asl_stem.atomic import read_jsonl, write_jsonl

SCHEMA_VERSION = 1

T = TypeVar("T", bound="_Record")


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
        if not isinstance(schema, int) or schema > SCHEMA_VERSION:
            raise ValueError(
                f"{cls.TYPE} record has schema {schema!r}; this asl-stem reads schema "
                f"<= {SCHEMA_VERSION}: upgrade asl-stem or re-run `asl-stem ingest`"
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


@dataclass(frozen=True)
class FingerspellingSpan(_Record):
    """A fingerspelled span of a recording: inclusive 0-based frames and the spelled text.

    ``id`` is ``<recording id>:<n>``, n counting the recording's spans in frame order. ``text``
    is None when the annotation gave no string for it. ``source`` is ``file:line`` of the
    annotation row.
    """

    TYPE: ClassVar[str] = "span"
    id: str
    recording_id: str
    start_frame: int
    end_frame: int
    text: str | None = None
    sentence_id: str | None = None
    interpreter: str | None = None
    article: str | None = None
    source: str | None = None

    @property
    def num_frames(self) -> int:
        """Length of the span in frames (both ends included)."""
        return self.end_frame - self.start_frame + 1


KINDS: dict[str, type[_Record]] = {
    "articles": Article,
    "sentences": Sentence,
    "recordings": Recording,
    "spans": FingerspellingSpan,
}


def manifest_path(manifest_dir: str | os.PathLike[str], kind: str) -> Path:
    """``DIR/<kind>.jsonl.gz`` for a kind in :data:`KINDS`."""
    if kind not in KINDS:
        raise ValueError(f"unknown manifest kind {kind!r}; expected one of {', '.join(KINDS)}")
    return Path(manifest_dir) / f"{kind}.jsonl.gz"


def iter_records(manifest_dir: str | os.PathLike[str], kind: str) -> Iterator[Any]:
    """Yield the records of one kind lazily, one line at a time."""
    path = manifest_path(manifest_dir, kind)
    if not path.exists():
        raise FileNotFoundError(f"{path} not found; run `asl-stem ingest` to write the manifests")
    record_class = KINDS[kind]
    for number, data in enumerate(read_jsonl(path), start=1):
        try:
            yield record_class.from_dict(data)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{path}: record {number}: {error}") from error


def load_records(manifest_dir: str | os.PathLike[str], kind: str) -> dict[str, Any]:
    """All records of one kind keyed by id (for small corpora and lookups)."""
    return {record.id: record for record in iter_records(manifest_dir, kind)}


def write_records(
    manifest_dir: str | os.PathLike[str], kind: str, records: Iterable[_Record]
) -> int:
    """Stream records to ``DIR/<kind>.jsonl.gz`` atomically; return how many were written."""
    path = manifest_path(manifest_dir, kind)
    record_class = KINDS[kind]

    def rows() -> Iterator[dict[str, Any]]:
        for record in records:
            if not isinstance(record, record_class):
                raise TypeError(
                    f"the {kind} manifest takes {record_class.__name__} records, "
                    f"got {type(record).__name__}"
                )
            yield record.to_dict()

    return write_jsonl(path, rows())


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
