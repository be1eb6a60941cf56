"""Summaries of an ingested corpus: per article, per interpreter, hours and problems.

Counts are gathered by streaming the manifests, so a full corpus never sits in memory.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from asl_stem.atomic import read_json
from asl_stem.corpus.sets import Corpus


def summarise(manifest_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """Totals, per-article and per-interpreter counts, and problems by kind."""
    folder = Path(manifest_dir)
    report_path = folder / "report.json"
    if not report_path.exists():
        raise FileNotFoundError(f"{report_path} not found; run `asl-stem ingest --out {folder}`")
    report = read_json(report_path)
    corpus = Corpus.from_dir(folder)
    articles: dict[str, dict[str, Any]] = defaultdict(_empty_group)
    interpreters: dict[str, dict[str, Any]] = defaultdict(lambda: _empty_group(sentences=False))
    for sentence in corpus.sentences:
        articles[sentence.article]["sentences"] += 1
    for recording in corpus.recordings:
        seconds = recording.duration_s or recording.listed_duration_s or 0.0
        for group in (articles[recording.article], interpreters[recording.interpreter or "?"]):
            group["recordings"] += 1
            group["with_video"] += int(recording.has_video)
            group["hours"] += seconds / 3600 if recording.has_video else 0.0
    span_counts: Counter[tuple[str, str]] = Counter()
    for span in corpus.spans:
        span_counts[(span.article or "?", span.interpreter or "?")] += 1
    for (article, interpreter), count in span_counts.items():
        articles[article]["spans"] += count
        interpreters[interpreter]["spans"] += count
    totals = {
        key: report[key]
        for key in ("articles", "sentences", "recordings", "recordings_with_video", "hours")
    }
    totals.update(
        interpreters=report["interpreters"],
        spans=report["spans"],
        missing_videos=len(report["missing_videos"]),
        unreadable_videos=len(report["unreadable_videos"]),
        sentences_without_video=len(report["sentences_without_video"]),
        videos_without_sentence=len(report["videos_without_sentence"]),
    )
    return {
        "totals": totals,
        "hours_source": report["hours_source"],
        "articles": _rounded(articles),
        "interpreters": _rounded(interpreters),
        "problems": report["problems"],
    }


def format_summary(summary: dict[str, Any]) -> str:
    """The summary as aligned plain-text tables."""
    totals = summary["totals"]
    lines = [
        "Totals",
        *(f"  {key.replace('_', ' '):<24} {value}" for key, value in totals.items()),
        f"  (hours from {summary['hours_source'] or 'no video'})",
        "",
        _table("Article", summary["articles"]),
        "",
        _table("Interpreter", summary["interpreters"]),
    ]
    if summary["problems"]:
        lines += ["", "Problems by kind (details in report.json)"]
        lines += [f"  {kind:<24} {count}" for kind, count in summary["problems"].items()]
    return "\n".join(lines)


def _table(title: str, groups: dict[str, dict[str, Any]]) -> str:
    """One row per group: sentences (articles only), recordings, with video, hours, spans."""
    columns = [
        c
        for c in ("sentences", "recordings", "with_video", "hours", "spans")
        if any(c in g for g in groups.values())
    ]
    width = max([len(title), *(len(name) for name in groups)])
    header = f"{title:<{width}} " + " ".join(f"{c:>11}" for c in columns)
    rows = [
        f"{name:<{width}} " + " ".join(_cell(group.get(c, 0)) for c in columns)
        for name, group in groups.items()
    ]
    return "\n".join([header, *rows])


def _cell(value: float) -> str:
    """A right-aligned table cell; hours with three decimals."""
    return f"{value:>11.3f}" if isinstance(value, float) else f"{value:>11}"


def _empty_group(sentences: bool = True) -> dict[str, Any]:
    """Zero counts for one article (or, without sentences, one interpreter)."""
    group: dict[str, Any] = {"sentences": 0} if sentences else {}
    return {**group, "recordings": 0, "with_video": 0, "hours": 0.0, "spans": 0}


def _rounded(groups: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Groups sorted by name, hours rounded to 6 places."""
    return {
        name: {**group, "hours": round(group["hours"], 6)} for name, group in sorted(groups.items())
    }
