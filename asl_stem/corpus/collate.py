"""Collating the release's rows: which sentence each recording signs, which spans it holds.

Rows of ``videos.csv`` and of the annotation files are gathered into drafts keyed by
recording id and by sentence (article, section, sentence index). Every disagreement between
rows is reported as a :class:`~asl_stem.problems.Problem` naming the file and line.

**Continuation rows** (the one rule, used by every stage through the manifests): all
annotation rows that name one recording (by file name), in any file, are one annotation of
it. Its spans are the union of every row's spans, in frame order; a span repeated with the
same frames and text is kept once (a ``duplicate_span`` warning); spans of different rows that
overlap are both kept (the real ``train.csv`` has such rows: "Maxwell" spelled twice, annotated
in two passes). A row with an empty ``fs_span`` adds no span but still marks the recording as
annotated. The first row's interpreter and sentence stand; a disagreeing later row keeps its
spans and is reported (``annotation_mismatch``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from asl_stem.corpus.annotations import MAX_PAGE_ID, AnnotationRow
from asl_stem.corpus.records import FingerspellingSpan
from asl_stem.corpus.release import VideoRow, parse_filename, stem
from asl_stem.problems import Problem

SentenceKey = tuple[str, int, int]


@dataclass
class RecordingDraft:
    """What the input rows say about one recording (mutable while rows are gathered)."""

    id: str
    filename: str
    interpreter: str
    key: SentenceKey
    file: str
    line: int
    page_id: int | None
    listed_duration_s: float | None = None
    annotated: bool = False
    spans: list[FingerspellingSpan] = field(default_factory=list)


@dataclass
class SentenceDraft:
    """One sentence: the text as first seen and the recordings that sign it."""

    key: SentenceKey
    text: str
    file: str
    line: int
    recording_ids: list[str] = field(default_factory=list)


class Collation:
    """Gathers rows into recordings and sentences, reporting disagreements."""

    def __init__(self) -> None:
        self.recordings: dict[str, RecordingDraft] = {}
        self.sentences: dict[SentenceKey, SentenceDraft] = {}
        self.problems: list[Problem] = []

    def add_video_row(self, row: VideoRow) -> None:
        """Add a ``videos.csv`` row; a second row for the same file is left out."""
        recording_id = stem(row.filename)
        first = self.recordings.get(recording_id)
        if first is not None:
            reason = (
                f"duplicated filename {row.filename!r} (first at {first.file}:{first.line}); "
                "this row was left out: remove the duplicate"
            )
            self.problems.append(Problem(row.file, row.line, reason, "duplicate_filename"))
            return
        key = (row.article, row.section_index, row.sentence_index)
        draft = self._new_recording(row.filename, row.user, key, row.file, row.line)
        draft.listed_duration_s = row.listed_duration_s
        self._add_sentence(key, row.sentence, recording_id, row.file, row.line)

    def add_annotation_row(self, row: AnnotationRow) -> None:
        """Add an annotation row: its spans join the recording (created if not yet known)."""
        key = (row.article, row.section_index, row.sentence_index)
        draft = self.recordings.get(row.recording_id)
        if draft is None:
            draft = self._new_recording(row.filename, row.user, key, row.file, row.line)
        elif (draft.interpreter, draft.key) != (row.user, key):
            reason = (
                f"{row.filename} is listed at {draft.file}:{draft.line} as "
                f"{draft.interpreter!r} {draft.key}, here as {row.user!r} {key}; "
                "kept the first listing and these spans"
            )
            self.problems.append(
                Problem(row.file, row.line, reason, "annotation_mismatch", "warning")
            )
            key = draft.key
        self._add_sentence(key, row.sentence, draft.id, row.file, row.line)
        draft.annotated = True
        known = {(s.start_frame, s.end_frame, s.text): s for s in draft.spans}
        for span in row.spans:
            twin = known.get((span.start_frame, span.end_frame, span.text))
            if twin is not None:
                reason = (
                    f"span ({span.start_frame}, {span.end_frame}) {span.text!r} repeats "
                    f"{twin.origin}; kept once"
                )
                self.problems.append(
                    Problem(row.file, row.line, reason, "duplicate_span", "warning")
                )
                continue
            draft.spans.append(span)
            known[(span.start_frame, span.end_frame, span.text)] = span

    def article_ids(self) -> dict[str, tuple[str, int | None]]:
        """Each article title's id and page id: the commonest page id of its filenames."""
        pages: dict[str, Counter[int]] = defaultdict(Counter)
        titles: list[str] = []
        for sentence_key in self.sentences:
            if sentence_key[0] not in pages:
                titles.append(sentence_key[0])
                pages[sentence_key[0]] = Counter()
        for draft in self.recordings.values():
            if draft.page_id is not None:
                pages[draft.key[0]][draft.page_id] += 1
        ids: dict[str, tuple[str, int | None]] = {}
        taken: set[str] = set()
        for title in titles:
            page_id = pages[title].most_common(1)[0][0] if pages[title] else None
            article_id = str(page_id) if page_id is not None else _slug(title)
            if article_id in taken:
                article_id = f"{article_id}-{_slug(title)}"
            taken.add(article_id)
            ids[title] = (article_id, page_id)
        return ids

    def _new_recording(
        self, filename: str, user: str, key: SentenceKey, file: str, line: int
    ) -> RecordingDraft:
        """Create a recording draft, checking its filename against the row's indices."""
        parts = parse_filename(filename)
        page_id = parts.page_id if parts else None
        if parts is None:
            reason = (
                f"filename {filename!r} is not <prefix>-<page id>_<section>_<sentence>.mp4; "
                "its page id is unknown"
            )
            self.problems.append(Problem(file, line, reason, "odd_filename", "warning"))
        elif not parts.page_text.isdigit():
            reason = (
                f"filename {filename!r} has page id {parts.page_text!r}; read as {parts.page_id}"
            )
            self.problems.append(Problem(file, line, reason, "odd_filename", "warning"))
        elif page_id is not None and page_id > MAX_PAGE_ID:
            reason = (
                f"filename {filename!r} has page id {page_id}, past any Wikipedia page id "
                f"({MAX_PAGE_ID}); left unset, so the article is known by its title"
            )
            self.problems.append(Problem(file, line, reason, "page_id_out_of_range", "warning"))
            page_id = None
        elif (parts.section_index, parts.sentence_index) != key[1:]:
            reason = (
                f"filename {filename!r} says section {parts.section_index} sentence "
                f"{parts.sentence_index}, the row says {key[1]} {key[2]}; kept the row's"
            )
            self.problems.append(Problem(file, line, reason, "filename_mismatch", "warning"))
        draft = RecordingDraft(
            id=stem(filename),
            filename=filename,
            interpreter=user,
            key=key,
            file=file,
            line=line,
            page_id=page_id,
        )
        self.recordings[draft.id] = draft
        return draft

    def _add_sentence(
        self, key: SentenceKey, text: str, recording_id: str, file: str, line: int
    ) -> None:
        """Link a recording to its sentence; report a text that differs from the first seen."""
        sentence = self.sentences.get(key)
        if sentence is None:
            sentence = self.sentences[key] = SentenceDraft(key, text, file, line)
        elif text != sentence.text:
            reason = (
                f"{key[0]!r} section {key[1]} sentence {key[2]} reads {text!r} here but "
                f"{sentence.text!r} at {sentence.file}:{sentence.line}; kept the first text"
            )
            self.problems.append(Problem(file, line, reason, "conflicting_text", "warning"))
        if recording_id not in sentence.recording_ids:
            sentence.recording_ids.append(recording_id)


def _slug(title: str) -> str:
    """An id from a title: lower case, words joined by '-', no dots."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "untitled"
