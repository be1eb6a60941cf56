"""Sets of manifest records, lazy or eager behind one interface, and the corpus they make.

A set is eager when built from records (indexed by id, in memory) and lazy when opened on a
file (each iteration reads the file again, one line at a time, so 64,000 recordings never need
to sit in memory). ``filter`` keeps a lazy set lazy. :class:`Corpus` bundles the four kinds of
an ingested folder, checks its commit marker, and answers the questions every later stage asks:
which recordings are annotated and with which spans (:meth:`Corpus.annotated_recordings`),
and which articles to hold out (:meth:`Corpus.split_by_article`).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Generic, Self, TypeVar

from asl_stem.corpus.manifests import (
    check_manifests,
    iter_records,
    manifest_path,
    write_manifests,
    write_records,
)
from asl_stem.corpus.records import Article, FingerspellingSpan, Recording, Sentence

R = TypeVar("R", Article, Sentence, Recording, FingerspellingSpan)


class RecordSet(Generic[R]):
    """Records of one kind: eager (a dict by id) or lazy (read from a file on each pass)."""

    kind: ClassVar[str]

    def __init__(
        self,
        records: dict[str, R] | None = None,
        *,
        reader: Callable[[], Iterator[R]] | None = None,
        where: str = "",
    ) -> None:
        if (records is None) == (reader is None):
            raise ValueError("a record set is built from records or from a reader, not both")
        self._records = records
        self._reader = reader
        self.where = where

    @classmethod
    def from_records(cls, records: Iterable[R]) -> Self:
        """An eager set; two records with one id are refused."""
        by_id: dict[str, R] = {}
        for record in records:
            if record.id in by_id:
                raise ValueError(f"two {cls.kind} records have the id {record.id!r}")
            by_id[record.id] = record
        return cls(by_id)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Self:
        """A lazy set over ``<kind>.jsonl.gz``; the file is read on each iteration."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found; run `asl-stem ingest` to write it")
        return cls(reader=lambda: iter_records(path, cls.kind), where=str(path))

    def to_file(self, path: str | os.PathLike[str]) -> int:
        """Write the records to ``path`` atomically (streaming a lazy set); return the count."""
        return write_records(path, self.kind, iter(self))

    @property
    def is_lazy(self) -> bool:
        return self._records is None

    def __iter__(self) -> Iterator[R]:
        if self._records is not None:
            return iter(self._records.values())
        assert self._reader is not None
        return self._reader()

    def __len__(self) -> int:
        if self._records is not None:
            return len(self._records)
        return sum(1 for _ in self)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._eager()

    def __getitem__(self, record_id: str) -> R:
        return self._eager()[record_id]

    def get(self, record_id: str, default: R | None = None) -> R | None:
        return self._eager().get(record_id, default)

    def ids(self) -> set[str]:
        return {record.id for record in self}

    def to_eager(self) -> Self:
        """The same records in memory (the set itself when already eager)."""
        return self if self._records is not None else type(self).from_records(self)

    def filter(self, keep: Callable[[R], bool]) -> Self:
        """The records for which ``keep`` is true; lazy stays lazy."""
        if self._records is not None:
            return type(self)({key: r for key, r in self._records.items() if keep(r)})
        source = self._reader
        assert source is not None
        return type(self)(reader=lambda: (r for r in source() if keep(r)), where=self.where)

    def _eager(self) -> dict[str, R]:
        if self._records is None:
            self._records = {record.id: record for record in self}
            self._reader = None
        return self._records


class ArticleSet(RecordSet[Article]):
    kind = "articles"


class SentenceSet(RecordSet[Sentence]):
    kind = "sentences"


class RecordingSet(RecordSet[Recording]):
    kind = "recordings"


class SpanSet(RecordSet[FingerspellingSpan]):
    kind = "spans"

    def by_recording(self) -> dict[str, list[FingerspellingSpan]]:
        """Spans grouped by recording id, each group in frame order."""
        grouped: dict[str, list[FingerspellingSpan]] = defaultdict(list)
        for span in self:
            grouped[span.recording_id].append(span)
        for spans in grouped.values():
            spans.sort(key=lambda s: (s.start_frame, s.end_frame))
        return dict(grouped)


@dataclass(frozen=True)
class AnnotatedRecording:
    """Ground truth of one annotated recording: its sentence, article and every span.

    The release can annotate one recording on several rows (continuation rows); ingest has
    already merged them (see :mod:`asl_stem.corpus.collate`), so here there is exactly one
    object per recording, with every span of all its rows in frame order.
    """

    recording: Recording
    sentence: str
    article: str
    spans: tuple[FingerspellingSpan, ...]

    @property
    def recording_id(self) -> str:
        return self.recording.id

    @property
    def filename(self) -> str:
        return self.recording.filename


@dataclass(frozen=True)
class Corpus:
    """The four manifest sets of one corpus."""

    articles: ArticleSet
    sentences: SentenceSet
    recordings: RecordingSet
    spans: SpanSet

    @classmethod
    def from_dir(cls, manifest_dir: str | os.PathLike[str]) -> Corpus:
        """Lazy sets over an ingested folder, after checking its ``manifest.json``."""
        check_manifests(manifest_dir)
        return cls(
            ArticleSet.from_file(manifest_path(manifest_dir, "articles")),
            SentenceSet.from_file(manifest_path(manifest_dir, "sentences")),
            RecordingSet.from_file(manifest_path(manifest_dir, "recordings")),
            SpanSet.from_file(manifest_path(manifest_dir, "spans")),
        )

    @classmethod
    def from_records(
        cls,
        articles: Iterable[Article] = (),
        sentences: Iterable[Sentence] = (),
        recordings: Iterable[Recording] = (),
        spans: Iterable[FingerspellingSpan] = (),
    ) -> Corpus:
        """An eager corpus from records."""
        return cls(
            ArticleSet.from_records(articles),
            SentenceSet.from_records(sentences),
            RecordingSet.from_records(recordings),
            SpanSet.from_records(spans),
        )

    def to_dir(self, manifest_dir: str | os.PathLike[str]) -> dict[str, Any]:
        """Write the four kinds and the commit marker; return the marker."""
        return write_manifests(
            manifest_dir,
            {
                "articles": self.articles,
                "sentences": self.sentences,
                "recordings": self.recordings,
                "spans": self.spans,
            },
        )

    def annotated(self) -> RecordingSet:
        """Recordings whose annotation is known (``num_spans`` set; 0 = nothing spelled)."""
        return self.recordings.filter(lambda r: r.num_spans is not None)

    def annotated_recordings(self) -> list[AnnotatedRecording]:
        """Every annotated recording with its sentence text, article title and spans."""
        spans = self.spans.by_recording()
        sentences = {s.id: s.text for s in self.sentences}
        return [
            AnnotatedRecording(
                recording,
                sentences.get(recording.sentence_id, ""),
                recording.article,
                tuple(spans.get(recording.id, ())),
            )
            for recording in self.annotated()
        ]

    def article_titles(self) -> list[str]:
        """Titles of the articles, sorted."""
        return sorted(article.title for article in self.articles)

    def filter_articles(
        self, include: Collection[str] | None = None, exclude: Collection[str] = ()
    ) -> Corpus:
        """The corpus restricted to some article titles (eager)."""

        def keeps(title: str) -> bool:
            return title not in exclude and (include is None or title in include)

        recordings = self.recordings.filter(lambda r: keeps(r.article)).to_eager()
        return Corpus(
            self.articles.filter(lambda a: keeps(a.title)).to_eager(),
            self.sentences.filter(lambda s: keeps(s.article)).to_eager(),
            recordings,
            self.spans.filter(lambda s: s.recording_id in recordings).to_eager(),
        )

    def split_by_article(self) -> dict[str, Corpus]:
        """One corpus per article title, for leave-one-article-out."""
        return {title: self.filter_articles(include={title}) for title in self.article_titles()}
