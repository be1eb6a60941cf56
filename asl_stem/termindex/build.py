"""Build the term index: every term of the corpus, how interpreters handled it, and clips.

The build streams: manifests, span files and keypoints go into the SQLite file a batch at a
time, each sentence is scored and indexed on its own, and per-term counts are summed in SQL at
the end, so memory does not grow with the corpus (benchmarks/bench_index.py measures it). The
file appears under its final name only when complete, with a content hash the app checks when
it starts; temporaries left by killed builds are removed by the next one.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm

from asl_stem.atomic import atomic_path
from asl_stem.corpus import Corpus
from asl_stem.problems import Problem
from asl_stem.termindex import schema
from asl_stem.termindex.corpustables import write_articles_and_sentences, write_recordings
from asl_stem.termindex.integrity import (
    HASH_KEY,
    content_hash,
    disk_error,
    locked,
    remove_stale_temporaries,
)
from asl_stem.termindex.keypoints import DEFAULT_MAX_FPS
from asl_stem.termindex.signs import write_signs
from asl_stem.termindex.spanrows import DetectionThresholds, insert_spans
from asl_stem.termindex.store_keypoints import store_keypoints
from asl_stem.termindex.termrows import SentenceIndexer, TermIds, write_totals
from asl_stem.terms import TermScorer, load_default_scorer
from asl_stem.terms.lexicon import Lexicon, read_lexicon

log = logging.getLogger(__name__)

DEFAULT_MIN_SCORE = 0.3
MAX_PROBLEMS_KEPT = 1000


@dataclass
class BuildReport:
    """Counts of a build, written to the index's ``meta`` table and logged."""

    articles: int = 0
    sentences: int = 0
    recordings: int = 0
    annotated_recordings: int = 0
    detected_recordings: int = 0
    spans: dict[str, int] = field(default_factory=dict)
    spans_counted: dict[str, int] = field(default_factory=dict)
    spans_aligned: int = 0
    spans_unmatched: int = 0
    terms: int = 0
    terms_with_signs: int = 0
    lexicon_signs: int = 0
    recordings_with_keypoints: int = 0
    keypoint_bytes: int = 0
    keypoint_source_frames: int = 0
    recordings_with_video: int = 0
    problems: dict[str, int] = field(default_factory=dict)


def build_index(
    manifest_dir: str | Path,
    *,
    out: str | Path,
    spans: str | Path | Sequence[str | Path] | None = None,
    shards_dir: str | Path | None = None,
    keypoints_dir: str | Path | None = None,
    release: str | Path | None = None,
    scorer: TermScorer | None = None,
    lexicon_csv: str | Path | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
    thresholds: DetectionThresholds | None = None,
    max_fps: float = DEFAULT_MAX_FPS,
) -> Path:
    """Write the SQLite term index of a corpus to ``out`` atomically and return its path.

    Annotated spans come from the manifests; ``spans`` names span files (detector output,
    aligned spans) whose spans are kept beside them. Clip keypoints come from ``shards_dir``
    (``asl-stem extract`` output), else reference-format ``keypoints_dir/<recording id>.npy``
    files, else a ``keypoints/`` folder beside the release's ``videos/``. ``release`` (folder
    or zip) records where each recording's video is, for the app to play.
    """
    out = Path(out)
    lexicon = read_lexicon(lexicon_csv) if lexicon_csv is not None else None
    scorer = scorer if scorer is not None else load_default_scorer(lexicon)
    thresholds = thresholds or DetectionThresholds()
    corpus = Corpus.from_dir(manifest_dir)
    span_files = [] if spans is None else [spans] if isinstance(spans, str | Path) else list(spans)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(out)
        with atomic_path(out) as tmp, locked(tmp):
            connection = sqlite3.connect(tmp)
            try:
                report = _fill(connection, corpus, span_files, shards_dir, keypoints_dir, release,
                               scorer, lexicon, min_score, thresholds, max_fps)  # fmt: skip
                _write_meta(
                    connection,
                    manifest_dir,
                    span_files,
                    lexicon,
                    scorer,
                    thresholds,
                    min_score,
                    report,
                )
                connection.commit()
            finally:
                connection.close()
    except (OSError, sqlite3.OperationalError) as error:
        translated = disk_error(error, out)
        if translated is not None:
            raise translated from None
        raise
    _log_summary(out, report)
    return out


def _fill(
    connection: sqlite3.Connection,
    corpus: Corpus,
    span_files: list[str | Path],
    shards_dir: str | Path | None,
    keypoints_dir: str | Path | None,
    release: str | Path | None,
    scorer: TermScorer,
    lexicon: Lexicon | None,
    min_score: float,
    thresholds: DetectionThresholds,
    max_fps: float,
) -> BuildReport:
    """Every table, in dependency order; returns the counts."""
    connection.execute("PRAGMA journal_mode=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA cache_size=-65536")  # 64 MiB of page cache, whatever the corpus
    connection.execute("PRAGMA temp_store=FILE")
    schema.create(connection)
    report, problems = BuildReport(), _Problems()
    write_articles_and_sentences(connection, corpus)
    report.recordings_with_video = write_recordings(connection, corpus, keypoints_dir, release)
    report.spans = insert_spans(connection, corpus, span_files, problems)
    indexer = SentenceIndexer(connection, scorer, min_score, thresholds, TermIds(connection))
    _index_sentences(connection, indexer)
    report.spans_aligned, report.spans_unmatched = indexer.aligned, indexer.unmatched
    report.terms = write_totals(connection)
    if lexicon is not None:
        report.lexicon_signs, report.terms_with_signs = write_signs(connection, lexicon)
        problems.extend(lexicon.problems)
    report.keypoint_bytes, report.keypoint_source_frames = store_keypoints(
        connection, shards_dir, keypoints_dir, max_fps, problems
    )
    connection.executescript(schema.FINISH)
    _count(connection, report)
    report.problems = problems.by_kind
    connection.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("problems", json.dumps([str(p) for p in problems.kept]))],
    )
    return report


class _Problems(list):
    """Problems of a build: every one counted by kind, the first ``MAX_PROBLEMS_KEPT`` kept."""

    def __init__(self) -> None:
        super().__init__()
        self.by_kind: dict[str, int] = {}

    def append(self, problem: Problem) -> None:  # type: ignore[override]
        self.by_kind[problem.kind] = self.by_kind.get(problem.kind, 0) + 1
        if len(self) < MAX_PROBLEMS_KEPT:
            super().append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:  # type: ignore[override]
        for problem in problems:
            self.append(problem)

    @property
    def kept(self) -> list[Problem]:
        return list(self)


def _index_sentences(connection: sqlite3.Connection, indexer: SentenceIndexer) -> None:
    """Every sentence, a page of rows at a time, in article order."""
    titles = dict(connection.execute("SELECT id, title FROM articles"))
    total = connection.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]
    names = ("num", "id", "article_id", "text")
    last = 0
    with tqdm(total=total, desc="index: sentences", unit="sentence") as progress:
        while True:
            page = connection.execute(
                "SELECT num, id, article_id, text FROM sentences WHERE num > ? ORDER BY num "
                "LIMIT 500",
                (last,),
            ).fetchall()
            if not page:
                return
            for row in page:
                sentence = dict(zip(names, row, strict=True))
                indexer.index(sentence, titles.get(sentence["article_id"]))
            last = page[-1][0]
            progress.update(len(page))


def _count(connection: sqlite3.Connection, report: BuildReport) -> None:
    def one(sql: str) -> int:
        return connection.execute(sql).fetchone()[0]

    report.articles = one("SELECT COUNT(*) FROM articles")
    report.sentences = one("SELECT COUNT(*) FROM sentences")
    report.recordings = one("SELECT COUNT(*) FROM recordings")
    report.annotated_recordings = one("SELECT COUNT(*) FROM recordings WHERE annotated = 1")
    report.detected_recordings = one("SELECT COUNT(*) FROM recordings WHERE detected = 1")
    report.recordings_with_keypoints = one("SELECT COUNT(*) FROM keypoints")
    report.spans_counted = dict(
        connection.execute("SELECT source, COUNT(*) FROM spans WHERE counted = 1 GROUP BY source")
    )


def _write_meta(
    connection: sqlite3.Connection,
    manifest_dir: str | Path,
    span_files: list[str | Path],
    lexicon: Lexicon | None,
    scorer: TermScorer,
    thresholds: DetectionThresholds,
    min_score: float,
    report: BuildReport,
) -> None:
    """Every value JSON-encoded; the content hash last, over everything else. The term scorer
    goes in whole (weights and statistics, never lexicon data), so that the app scores pasted
    text as the index's sentences were."""
    meta = {
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "manifest_dir": str(manifest_dir),
        "span_files": [str(path) for path in span_files],
        "lexicon": str(Path(lexicon.source).resolve()) if lexicon is not None else None,
        "scorer": scorer.to_dict(),
        "detection_thresholds": asdict(thresholds),
        "min_term_score": min_score,
        "counts": asdict(report),
    }
    connection.executemany(
        "INSERT INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in meta.items()]
    )
    connection.commit()
    digest = json.dumps(content_hash(connection))
    connection.execute("INSERT INTO meta VALUES (?, ?)", (HASH_KEY, digest))


def _log_summary(out: Path, report: BuildReport) -> None:
    log.info(
        "index %s: %d terms, %d sentences, %d recordings (%d annotated, %d detected), "
        "%d with keypoints, %d with video; spans %s, counted %s",
        out, report.terms, report.sentences, report.recordings, report.annotated_recordings,
        report.detected_recordings, report.recordings_with_keypoints,
        report.recordings_with_video, report.spans, report.spans_counted,
    )  # fmt: skip
    if report.problems:
        log.warning("problems by kind: %s (the first %d are in the index's meta table)",
                    report.problems, MAX_PROBLEMS_KEPT)  # fmt: skip


__all__ = ["BuildReport", "DetectionThresholds", "build_index"]
