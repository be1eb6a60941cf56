"""The corpus's own tables in the index: articles, sentences, recordings, interpreters, videos.

Each manifest is streamed into SQLite in batches. Interpreters get readable labels
("Interpreter 7") numbered in the order of their ids, so a label stays the same for a corpus
however often the index is rebuilt; the raw id stays in the API.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from asl_stem.corpus import Corpus
from asl_stem.termindex.store_keypoints import frame_count
from asl_stem.termindex.videos import ReleaseVideos

BATCH = 1000


def _batches(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        yield batch


def write_articles_and_sentences(connection: sqlite3.Connection, corpus: Corpus) -> None:
    """Articles (with their sentence counts) and sentences, streamed."""
    for batch in _batches(
        (a.id, a.title, a.page_id, sum(len(section) for section in a.sections))
        for a in corpus.articles
    ):
        connection.executemany("INSERT INTO articles VALUES (?, ?, ?, ?)", batch)
    for batch in _batches(
        (s.id, s.article_id, s.section_index, s.sentence_index, s.text, int(s.is_section_title))
        for s in corpus.sentences
    ):
        connection.executemany(
            "INSERT OR IGNORE INTO sentences (id, article_id, section_index, sentence_index, "
            "text, is_section_title) VALUES (?, ?, ?, ?, ?, ?)",
            batch,
        )
    connection.execute(
        "UPDATE articles SET num_sentences = (SELECT COUNT(*) FROM sentences s "
        "WHERE s.article_id = articles.id)"
    )


def write_recordings(
    connection: sqlite3.Connection,
    corpus: Corpus,
    keypoints_dir: str | Path | None,
    release: str | Path | None,
) -> int:
    """Recordings (frame counts filled from keypoint files), their videos, interpreters.

    Returns how many videos were found in ``release``.
    """
    connection.execute("CREATE TEMP TABLE video_paths (id TEXT PRIMARY KEY, fps REAL, path TEXT)")
    videos = ReleaseVideos(release) if release is not None else None
    found = 0
    try:
        for batch in _batches(_recording_rows(corpus, keypoints_dir, videos)):
            connection.executemany(
                "INSERT OR IGNORE INTO recordings VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
                [row[:7] for row in batch],
            )
            connection.executemany(
                "INSERT OR IGNORE INTO temp.video_paths VALUES (?, ?, ?)",
                [(row[0], row[4], row[7]) for row in batch],
            )
            located = [row[8] for row in batch if row[8] is not None]
            connection.executemany(
                "INSERT OR IGNORE INTO videos VALUES (?, ?, ?, ?, ?, ?, ?)", located
            )
            found += len(located)
    finally:
        if videos is not None:
            videos.close()
    connection.execute(
        "INSERT INTO interpreters SELECT interpreter, 'Interpreter ' || "
        "ROW_NUMBER() OVER (ORDER BY interpreter), COUNT(*) FROM recordings GROUP BY interpreter"
    )
    return found


def _recording_rows(
    corpus: Corpus, keypoints_dir: str | Path | None, videos: ReleaseVideos | None
) -> Iterator[tuple[Any, ...]]:
    for r in corpus.recordings:
        location = videos.locate(r) if videos is not None else None
        yield (
            r.id, r.sentence_id, r.article_id, r.interpreter, r.fps,
            frame_count(r, keypoints_dir), int(r.num_spans is not None), r.path,
            location.row(r.id) if location is not None else None,
        )  # fmt: skip
