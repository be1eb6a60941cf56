"""The corpus: reading the release into manifests, and the typed sets every later stage reads.

- :func:`prepare_asl_stem` (``asl-stem ingest``): release + annotation CSVs -> manifests.
- :class:`Corpus` and its sets (:class:`ArticleSet`, :class:`SentenceSet`,
  :class:`RecordingSet`, :class:`SpanSet`): the manifests, lazy or eager.
- :class:`FingerspellingSpan`: the one span type of the toolkit.
- :func:`open_corpus`: a manifest folder, or annotation CSVs ingested on the fly.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

from asl_stem.corpus.recipe import Prepared, prepare_asl_stem
from asl_stem.corpus.records import Article, FingerspellingSpan, Recording, Sentence
from asl_stem.corpus.sets import (
    AnnotatedRecording,
    ArticleSet,
    Corpus,
    RecordingSet,
    SentenceSet,
    SpanSet,
)
from asl_stem.problems import count_by_kind

log = logging.getLogger(__name__)


def open_corpus(source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> Corpus:
    """A manifest folder (``asl-stem ingest`` output), or annotation CSVs ingested in memory.

    Commands that accept an annotation CSV call this, so the release's rows are always read by
    the one reader, with one rule for continuation rows.
    """
    paths = [Path(source)] if isinstance(source, str | os.PathLike) else [Path(p) for p in source]
    if len(paths) == 1 and paths[0].is_dir():
        return Corpus.from_dir(paths[0])
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(
                f"{path}: neither a manifest folder nor an annotation CSV; pass the output of "
                "`asl-stem ingest` or the release's fs-annotations/*.csv"
            )
    prepared = prepare_asl_stem(None, paths, probe=False, progress=False)
    # Without a release every video is missing; that is expected here, not worth a line each.
    problems = [p for p in prepared.problems if p.kind != "missing_video"]
    for problem in problems:
        (log.warning if problem.severity == "error" else log.info)("%s", problem)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        log.warning("%d annotation rows left out: %s", len(errors), count_by_kind(errors))
    return prepared.corpus


__all__ = [
    "AnnotatedRecording",
    "Article",
    "ArticleSet",
    "Corpus",
    "FingerspellingSpan",
    "Prepared",
    "Recording",
    "RecordingSet",
    "Sentence",
    "SentenceSet",
    "SpanSet",
    "open_corpus",
    "prepare_asl_stem",
]
