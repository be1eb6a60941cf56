"""``report.json`` of an ingest: counts, alignment gaps and every problem with file and line."""

from __future__ import annotations

from typing import Any

from asl_stem.corpus.records import SCHEMA_VERSION, Recording
from asl_stem.corpus.sets import Corpus
from asl_stem.problems import Problem, count_by_kind


def hours_of(recordings: list[Recording]) -> tuple[float, str | None]:
    """Hours of video: container durations when probed, else ``videoLength`` as listed."""
    usable = [r for r in recordings if r.has_video]
    if usable and all(r.duration_s is not None for r in usable):
        return sum(r.duration_s or 0.0 for r in usable) / 3600, "container"
    listed = [r.listed_duration_s for r in usable if r.listed_duration_s is not None]
    if listed:
        return sum(listed) / 3600, "videos.csv"
    return 0.0, None


def build_report(
    *,
    release: str | None,
    annotation_files: list[str],
    columns: list[str],
    probed: bool,
    corpus: Corpus,
    unreferenced_videos: list[str],
    probe_errors: dict[str, str],
    problems: list[Problem],
) -> dict[str, Any]:
    """The report as a JSON-ready dict (see docs/ARCHITECTURE.md, Manifests)."""
    recordings, sentences = list(corpus.recordings), list(corpus.sentences)
    hours, hours_source = hours_of(recordings)
    with_video = {r.id for r in recordings if r.has_video}
    return {
        "schema": SCHEMA_VERSION,
        "release": release,
        "annotation_files": annotation_files,
        "columns": columns,
        "probed": probed,
        "articles": len(corpus.articles),
        "sentences": len(sentences),
        "section_titles": sum(s.is_section_title for s in sentences),
        "recordings": len(recordings),
        "recordings_with_video": len(with_video),
        "hours": round(hours, 6),
        "hours_source": hours_source,
        "interpreters": len({r.interpreter for r in recordings}),
        "spans": len(corpus.spans),
        "missing_videos": [r.filename for r in recordings if r.status == "missing"],
        "unreadable_videos": [
            {"filename": r.filename, "reason": probe_errors.get(r.filename, "not readable")}
            for r in recordings
            if r.status == "unreadable"
        ],
        "sentences_without_video": [
            s.id for s in sentences if not any(r in with_video for r in s.recording_ids)
        ],
        "videos_without_sentence": unreferenced_videos,
        "problems": count_by_kind(problems),
        "problem_count": len(problems),
        "bad_rows": [p.to_dict() for p in problems if p.severity == "error"],
        "warnings": [p.to_dict() for p in problems if p.severity == "warning"],
    }
