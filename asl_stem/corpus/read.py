"""Reading the release into draft records: rows collated, videos found and probed.

The first step of :func:`asl_stem.corpus.recipe.prepare_asl_stem`. RELEASE is the release
folder or zip; it may be omitted when only annotation files are given (as with
``shared/data/fs-annotations/train.csv``, whose videos are not here): every span is still
kept, the articles and sentences come from the annotation rows, and the videos are reported
missing. A release without ``videos.csv`` is read the same way. When no annotation file is
given, the release's own ``fs-annotations/*.csv`` are used (not the ``-onespan`` copies, which
repeat the same spans). Spans are taken as annotated; fitting them to the videos is the next
step's work (:mod:`asl_stem.corpus.fix`).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from asl_stem.corpus.annotations import read_annotations
from asl_stem.corpus.collate import Collation, SentenceDraft
from asl_stem.corpus.probe import ProbeCache, ProbeResult, probe_all
from asl_stem.corpus.records import (
    Article,
    FingerspellingSpan,
    Recording,
    Sentence,
    number_spans,
)
from asl_stem.corpus.release import CsvFile, Release, VideoLocation, read_videos_csv
from asl_stem.corpus.sets import Corpus
from asl_stem.problems import Problem

log = logging.getLogger(__name__)


@dataclass
class ReadRelease:
    """What the input says, as draft records, and everything learnt while reading it."""

    corpus: Corpus
    problems: list[Problem]
    columns: list[str]
    annotation_files: list[str]
    unreferenced_videos: list[str]
    probe_errors: dict[str, str]


def read_release(
    release: str | os.PathLike[str] | None,
    annotations: Sequence[str | os.PathLike[str]] = (),
    *,
    probe: bool = True,
    workers: int | None = None,
    probe_cache: str | os.PathLike[str] | None = None,
    progress: bool = True,
) -> ReadRelease:
    """Read ``videos.csv`` and the annotation files, find (and probe) the videos."""
    if release is None and not annotations:
        raise ValueError("nothing to ingest: give a release folder/zip or --annotations files")
    given = [CsvFile(str(path), Path(path).read_bytes()) for path in annotations]
    with Release(release) if release is not None else contextlib.nullcontext() as opened:
        files = given or (opened.annotation_files() if opened is not None else [])
        collation, problems, columns = _collate(opened, files)
        videos = opened.videos() if opened is not None else {}
        referenced = {draft.filename for draft in collation.recordings.values()}
        wanted = [videos[name] for name in referenced if name in videos]
        probes: dict[str, ProbeResult] = {}
        if probe and wanted:
            cache = ProbeCache(probe_cache) if probe_cache is not None else None
            probes = probe_all(
                wanted, workers=workers, cache=cache, progress=progress, opened=opened.zips()
            )
    recordings = _recordings(collation, videos, probes, probe, problems)
    sentences, articles = _sentences_and_articles(collation)
    spans = [span for draft in collation.recordings.values() for span in draft.spans]
    return ReadRelease(
        corpus=Corpus.from_records(
            articles, sentences, recordings.values(), _with_context(spans, recordings)
        ),
        problems=problems,
        columns=columns,
        annotation_files=[f.name for f in files],
        unreferenced_videos=sorted(set(videos) - referenced),
        probe_errors={name: r.error for name, r in probes.items() if r.error is not None},
    )


def _collate(
    release: Release | None, files: list[CsvFile]
) -> tuple[Collation, list[Problem], list[str]]:
    """Rows of ``videos.csv`` then of the annotation files, collated; problems; column maps."""
    collation = Collation()
    problems: list[Problem] = list(release.problems) if release is not None else []
    columns: list[str] = []
    table = release.videos_csv() if release is not None else None
    if release is not None and table is None:
        if not files:
            raise ValueError(
                f"{release.path} has no videos.csv and no fs-annotations/*.csv: give the release "
                "folder (or its zip), or annotation files with --annotations"
            )
        log.warning("%s has no videos.csv; reading annotation files only", release.path)
    if table is not None:
        rows, found, mapping = read_videos_csv(table.name, table.data)
        columns.append(mapping.describe_mapping())
        log.info("%s", columns[-1])
        problems.extend(found)
        for row in rows:
            collation.add_video_row(row)
    for file in files:
        annotation_rows, found = read_annotations(file.name, file.data)
        problems.extend(found)
        for row in annotation_rows:
            collation.add_annotation_row(row)
    problems.extend(collation.problems)
    return collation, problems, columns


def _with_context(
    spans: list[FingerspellingSpan], recordings: dict[str, Recording]
) -> list[FingerspellingSpan]:
    """Spans numbered in frame order, with their recording's sentence, interpreter and article."""
    out = []
    for span in number_spans(spans):
        recording = recordings[span.recording_id]
        out.append(
            span.replace(
                sentence_id=recording.sentence_id,
                interpreter=recording.interpreter,
                article=recording.article,
                fps=recording.fps,
            )
        )
    return out


def _recordings(
    collation: Collation,
    videos: dict[str, VideoLocation],
    probes: dict[str, ProbeResult],
    probed: bool,
    problems: list[Problem],
) -> dict[str, Recording]:
    """One Recording per draft, with its video's place, size, metadata and status."""
    ids = collation.article_ids()
    recordings: dict[str, Recording] = {}
    for draft in collation.recordings.values():
        location = videos.get(draft.filename)
        result = probes.get(draft.filename)
        status, reason = _status(draft.filename, location, result, probed)
        if reason:
            problems.append(Problem(draft.file, draft.line, reason, f"{status}_video"))
        article_id, _ = ids[draft.key[0]]
        usable = result is not None and result.error is None
        recordings[draft.id] = Recording(
            id=draft.id,
            filename=draft.filename,
            interpreter=draft.interpreter,
            article=draft.key[0],
            article_id=article_id,
            section_index=draft.key[1],
            sentence_index=draft.key[2],
            sentence_id=_sentence_id(article_id, draft.key),
            status=status,
            page_id=draft.page_id,
            path=location.path if location else None,
            zip_path=location.zip_path if location else None,
            zip_member=location.zip_member if location else None,
            listed_duration_s=draft.listed_duration_s,
            duration_s=round(result.duration_s, 4) if usable and result.duration_s else None,
            fps=result.fps if usable else None,
            num_frames=result.num_frames if usable else None,
            width=result.width if usable else None,
            height=result.height if usable else None,
            num_bytes=location.num_bytes if location else None,
            num_spans=len(draft.spans) if draft.annotated else None,
        )
    return recordings


def _status(
    filename: str, location: VideoLocation | None, result: ProbeResult | None, probed: bool
) -> tuple[str, str]:
    """A recording's status and, for a problem, the reason to report."""
    if location is None:
        return "missing", f"video {filename} is not in the release; fetch it or drop the row"
    if not probed:
        return "unprobed", ""
    if result is None or result.error is not None:
        why = result.error if result is not None else "not probed"
        return "unreadable", f"video {filename}: {why}"
    return "ok", ""


def _sentence_id(article_id: str, key: tuple[str, int, int]) -> str:
    """``<article id>_<section>_<sentence>``."""
    return f"{article_id}_{key[1]}_{key[2]}"


def _sentences_and_articles(collation: Collation) -> tuple[list[Sentence], list[Article]]:
    """Sentences in reading order and the articles they make up."""
    ids = collation.article_ids()
    by_article: dict[str, list[SentenceDraft]] = {}
    for draft in collation.sentences.values():
        by_article.setdefault(draft.key[0], []).append(draft)
    sentences: list[Sentence] = []
    articles: list[Article] = []
    for title, drafts in by_article.items():
        article_id, page_id = ids[title]
        drafts.sort(key=lambda d: d.key[1:])
        sections: dict[int, list[Sentence]] = {}
        for draft in drafts:
            sentence = Sentence(
                id=_sentence_id(article_id, draft.key),
                article=title,
                article_id=article_id,
                section_index=draft.key[1],
                sentence_index=draft.key[2],
                text=draft.text,
                page_id=page_id,
                is_section_title=draft.key[1] > 0 and draft.key[2] == 0,
                recording_ids=tuple(draft.recording_ids),
            )
            sentences.append(sentence)
            sections.setdefault(draft.key[1], []).append(sentence)
        articles.append(_article(article_id, title, page_id, list(sections.values())))
    return sentences, articles


def _article(
    article_id: str, title: str, page_id: int | None, sections: list[list[Sentence]]
) -> Article:
    """An article record, its English text rebuilt section by section."""
    blocks = []
    for section in sections:
        heading = [s.text for s in section if s.is_section_title]
        body = " ".join(s.text for s in section if not s.is_section_title)
        blocks.append("\n".join([*heading, body] if body else heading))
    return Article(
        id=article_id,
        title=title,
        page_id=page_id,
        sections=tuple(tuple(s.id for s in section) for section in sections),
        text="\n\n".join(blocks),
    )
