"""``prepare_asl_stem``: the release and its annotation files in, manifests out.

The recipe contract of the speech field's corpus toolkits, as four separate steps: read the
release into draft records (:func:`~asl_stem.corpus.read.read_release`), fix what can be fixed
(:func:`~asl_stem.corpus.fix.fix_manifests`), validate that the records agree
(:func:`~asl_stem.corpus.fix.validate_manifests`), then write the manifests with their commit
marker and ``report.json``. It is the only reader of the release's CSV files: every later stage
reads the manifests, or calls this with ``out=None`` to ingest an annotation CSV on the fly.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asl_stem.atomic import write_json
from asl_stem.corpus.fix import fix_manifests, validate_manifests
from asl_stem.corpus.read import read_release
from asl_stem.corpus.report import build_report
from asl_stem.corpus.sets import Corpus
from asl_stem.problems import Problem

log = logging.getLogger(__name__)

PROBE_CACHE_NAME = ".probe-cache.jsonl"
REPORT_NAME = "report.json"


@dataclass
class Prepared:
    """The corpus, its report (as in ``report.json``) and every problem found."""

    corpus: Corpus
    report: dict[str, Any]
    problems: list[Problem]
    out_dir: Path | None


def prepare_asl_stem(
    release: str | os.PathLike[str] | None,
    annotations: Sequence[str | os.PathLike[str]] = (),
    out: str | os.PathLike[str] | None = None,
    *,
    probe: bool = True,
    workers: int | None = None,
    progress: bool = True,
) -> Prepared:
    """Read, fix, validate and (when ``out`` is given) write the manifests of a release.

    :param release: release folder or zip, or None for annotations only.
    :param annotations: annotation CSVs; when empty, the release's ``fs-annotations``.
    :param out: manifest folder to write; None keeps the corpus in memory only.
    :param probe: read fps, frames and size from each video (in parallel) and verify it.
    :param workers: probing threads (default: twice the cores, at most 8).
    """
    cache = Path(out) / PROBE_CACHE_NAME if out is not None else None
    read = read_release(
        release, annotations, probe=probe, workers=workers, probe_cache=cache, progress=progress
    )
    corpus, fixed = fix_manifests(read.corpus)
    validate_manifests(corpus)
    problems = read.problems + fixed
    report = build_report(
        release=str(Path(release).resolve()) if release is not None else None,
        annotation_files=read.annotation_files,
        columns=read.columns,
        probed=probe,
        corpus=corpus,
        unreferenced_videos=read.unreferenced_videos,
        probe_errors=read.probe_errors,
        problems=problems,
    )
    if out is not None:
        corpus.to_dir(out)
        write_json(Path(out) / REPORT_NAME, report)
    log.info(
        "ingest: %d articles, %d sentences, %d recordings, %d spans, %d problems%s",
        report["articles"],
        report["sentences"],
        report["recordings"],
        report["spans"],
        len(problems),
        f" -> {out}" if out is not None else "",
    )
    return Prepared(corpus, report, problems, Path(out) if out is not None else None)
