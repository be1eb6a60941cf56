"""``ingest()``: turn the release (and annotation files) into manifests and a report.

RELEASE is the release folder or zip; it may be omitted when only annotation files are given
(as with ``shared/data/fs-annotations/train.csv``, whose videos are not here): every span is
still kept, the articles and sentences come from the annotation rows, and the videos are
reported missing. A release without ``videos.csv`` is read the same way. When no annotation
file is given, the release's own ``fs-annotations/*.csv`` are used (not the ``-onespan``
copies, which repeat the same spans).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asl_stem.alignment import Alignment, SentenceDraft, SourcedSpan
from asl_stem.annotations import read_annotations
from asl_stem.atomic import write_json
from asl_stem.manifests import (
    Article,
    FingerspellingSpan,
    Recording,
    Sentence,
    write_records,
)
from asl_stem.probe import ProbeCache, ProbeResult, probe_all
from asl_stem.problems import Problem
from asl_stem.release import Release, VideoLocation, read_videos_csv, relabel
from asl_stem.report import build_report

log = logging.getLogger(__name__)

PROBE_CACHE_NAME = ".probe-cache.jsonl"


@dataclass
class IngestResult:
    """What ``ingest`` wrote: the report (as in ``report.json``) and every problem found."""

    out_dir: Path
    report: dict[str, Any]
    problems: list[Problem]


def ingest(
    release: str | os.PathLike[str] | None,
    out_dir: str | os.PathLike[str],
    annotations: Sequence[str | os.PathLike[str]] = (),
    probe: bool = True,
    workers: int | None = None,
    progress: bool = True,
) -> IngestResult:
    """Read the release and annotations, write ``DIR/<kind>.jsonl.gz`` and ``DIR/report.json``.

    :param release: release folder or zip, or None for annotations only.
    :param annotations: annotation CSVs; when empty, the release's ``fs-annotations``.
    :param probe: read fps, frames and size from each video (in parallel) and verify it.
    :param workers: probing threads (default: twice the cores, at most 8).
    """
    out = Path(out_dir)
    if release is None and not annotations:
        raise ValueError("nothing to ingest: give a release folder/zip or --annotations files")
    with Release(release) if release is not None else contextlib.nullcontext() as opened:
        gathered = _gather(opened, [Path(a) for a in annotations])
        wanted = [gathered.videos[name] for name in gathered.referenced if name in gathered.videos]
        probes: dict[str, ProbeResult] = {}
        if probe and wanted:
            cache = ProbeCache(out / PROBE_CACHE_NAME)
            probes = probe_all(wanted, workers=workers, cache=cache, progress=progress)
    problems = gathered.problems
    recordings = _recordings(gathered.alignment, gathered.videos, probes, probe, problems)
    spans = list(_spans(gathered.alignment, recordings, problems))
    _count_spans(recordings, spans)
    sentences, articles = _sentences_and_articles(gathered.alignment)
    write_records(out, "articles", articles)
    write_records(out, "sentences", sentences)
    write_records(out, "recordings", recordings.values())
    write_records(out, "spans", spans)
    report = build_report(
        release=str(Path(release).resolve()) if release is not None else None,
        annotation_files=gathered.annotation_files,
        columns=gathered.columns,
        probed=probe,
        articles=articles,
        sentences=sentences,
        recordings=list(recordings.values()),
        spans=spans,
        unreferenced_videos=sorted(set(gathered.videos) - gathered.referenced),
        probe_errors={name: r.error for name, r in probes.items() if r.error is not None},
        problems=problems,
    )
    write_json(out / "report.json", report)
    log.info(
        "ingest: %d articles, %d sentences, %d recordings, %d spans, %d problems -> %s",
        *(len(items) for items in (articles, sentences, recordings, spans, problems)),
        out,
    )
    return IngestResult(out, report, problems)


@dataclass
class _Gathered:
    """Everything read from the input, before probing."""

    alignment: Alignment
    problems: list[Problem]
    columns: list[str]
    annotation_files: list[str]
    videos: dict[str, VideoLocation]
    referenced: set[str]


def _gather(release: Release | None, annotations: list[Path]) -> _Gathered:
    """Read ``videos.csv`` and the annotation files into an alignment; index the videos."""
    alignment = Alignment()
    problems: list[Problem] = []
    columns: list[str] = []
    if release is not None:
        _read_videos(release, alignment, problems, columns)
        annotations = annotations or release.annotation_files()
    for path in annotations:
        rows, found = read_annotations(path)
        problems.extend(relabel(found, release))
        for row in rows:
            if release is not None and release.display(row.file) != row.file:
                row = dataclasses.replace(row, file=release.display(row.file))
            alignment.add_annotation_row(row)
    problems.extend(alignment.problems)
    return _Gathered(
        alignment=alignment,
        problems=problems,
        columns=columns,
        annotation_files=[release.display(str(p)) if release else str(p) for p in annotations],
        videos=release.videos() if release is not None else {},
        referenced={d.filename for d in alignment.recordings.values()},
    )


def _read_videos(
    release: Release, alignment: Alignment, problems: list[Problem], columns: list[str]
) -> None:
    """Add the rows of the release's ``videos.csv`` (if it has one) to the alignment."""
    csv_path = release.videos_csv()
    if csv_path is None:
        log.warning("%s has no videos.csv; reading annotation files only", release.path)
        return
    rows, found, table = read_videos_csv(csv_path)
    shown = release.display(str(csv_path))
    columns.append(dataclasses.replace(table, path=shown).describe_mapping())
    log.info("%s", columns[-1])
    problems.extend(relabel(found, release))
    for row in rows:
        alignment.add_video_row(row if shown == row.file else dataclasses.replace(row, file=shown))


def _count_spans(recordings: dict[str, Recording], spans: list[FingerspellingSpan]) -> None:
    """Set ``num_spans`` of annotated recordings to the spans actually kept."""
    counts = Counter(span.recording_id for span in spans)
    for key, recording in recordings.items():
        if recording.num_spans is not None:
            recordings[key] = recording.replace(num_spans=counts[key])


def _recordings(
    alignment: Alignment,
    videos: dict[str, VideoLocation],
    probes: dict[str, ProbeResult],
    probed: bool,
    problems: list[Problem],
) -> dict[str, Recording]:
    """One Recording per draft, with its video's place, size, metadata and status."""
    ids = alignment.article_ids()
    recordings: dict[str, Recording] = {}
    for draft in alignment.recordings.values():
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


def _spans(
    alignment: Alignment, recordings: dict[str, Recording], problems: list[Problem]
) -> Iterator[FingerspellingSpan]:
    """Spans in frame order per recording; ends past the last frame are clipped or dropped."""
    for draft in alignment.recordings.values():
        recording = recordings[draft.id]
        ordered = sorted(draft.spans, key=lambda s: (s.span.start_frame, s.span.end_frame))
        number = 0
        for sourced in ordered:
            span = _check_end(sourced, recording, problems)
            if span is None:
                continue
            start, end = span
            yield FingerspellingSpan(
                id=f"{draft.id}:{number}",
                recording_id=draft.id,
                start_frame=start,
                end_frame=end,
                text=sourced.span.text,
                sentence_id=recording.sentence_id,
                interpreter=recording.interpreter,
                article=recording.article,
                source=f"{sourced.file}:{sourced.line}",
            )
            number += 1


def _check_end(
    sourced: SourcedSpan, recording: Recording, problems: list[Problem]
) -> tuple[int, int] | None:
    """The span's frames, checked against the video's length when it is known."""
    start, end = sourced.span.start_frame, sourced.span.end_frame
    if recording.num_frames is None or end < recording.num_frames:
        return start, end
    last = recording.num_frames - 1
    where = f"span ({start}, {end}) of {recording.filename} ({recording.num_frames} frames)"
    if start > last:
        reason = f"{where} starts past the last frame {last}; left out: check the annotation"
        problems.append(Problem(sourced.file, sourced.line, reason, "span_past_end"))
        return None
    reason = f"{where} ends past the last frame {last}; clipped to {last}"
    problems.append(Problem(sourced.file, sourced.line, reason, "span_past_end", "warning"))
    return start, last


def _sentence_id(article_id: str, key: tuple[str, int, int]) -> str:
    """``<article id>_<section>_<sentence>``."""
    return f"{article_id}_{key[1]}_{key[2]}"


def _sentences_and_articles(alignment: Alignment) -> tuple[list[Sentence], list[Article]]:
    """Sentences in reading order and the articles they make up."""
    ids = alignment.article_ids()
    by_article: dict[str, list[SentenceDraft]] = {}
    for draft in alignment.sentences.values():
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
