"""Reading the term index for the app: read-only, one connection per thread, plain dicts out.

Every method takes ids (never paths) and raises :class:`NotFound` for an unknown one, which
the app turns into a 404. Search input goes through :func:`fts_query`, so no user string is
ever parsed as FTS5 syntax.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from asl_stem.termindex.keypoints import Payload
from asl_stem.termindex.schema import SCHEMA_VERSION

MAX_CLIPS = 12
MAX_OCCURRENCES = 30


class NotFound(LookupError):
    """An id that the index does not hold."""


def fts_query(text: str, max_tokens: int = 8) -> str:
    """An FTS5 expression matching every word of ``text`` as a prefix; '' when it has none."""
    tokens = re.findall(r"[^\W_]+", text)[:max_tokens]
    return " ".join(f'"{token}"*' for token in tokens)


class IndexReader:
    """Queries over an index file opened read-only (``mode=ro``); safe to share across threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(
                f"{self.path}: no index file; build one with `asl-stem index build MANIFEST_DIR "
                f"--out {self.path}`"
            )
        self._local = threading.local()
        try:
            version = self._one("SELECT value FROM meta WHERE key = 'schema_version'")
        except sqlite3.DatabaseError as error:
            raise ValueError(
                f"{self.path}: not a term index ({error}); build one with `asl-stem index build`"
            ) from error
        if version is None or int(version["value"]) != SCHEMA_VERSION:
            raise ValueError(
                f"{self.path}: index schema {version and version['value']}, this app reads "
                f"{SCHEMA_VERSION}; rebuild it with `asl-stem index build`"
            )

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
            connection.row_factory = sqlite3.Row
            self._local.connection = connection
        return connection

    def _all(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        return [dict(row) for row in self._connection().execute(sql, tuple(params))]

    def _one(self, sql: str, params: Iterable[Any] = ()) -> dict[str, Any] | None:
        row = self._connection().execute(sql, tuple(params)).fetchone()
        return dict(row) if row is not None else None

    def articles(self) -> list[dict[str, Any]]:
        """Every article, by title."""
        return self._all("SELECT * FROM articles ORDER BY title")

    def article(self, article_id: str) -> dict[str, Any]:
        """An article with its sentences in order."""
        article = self._one("SELECT * FROM articles WHERE id = ?", (article_id,))
        if article is None:
            raise NotFound(f"no article {article_id!r}")
        article["sentences"] = self._all(
            "SELECT id, section_index, sentence_index, text, is_section_title FROM sentences "
            "WHERE article_id = ? ORDER BY section_index, sentence_index",
            (article_id,),
        )
        return article

    def terms_by_norm(self, norms: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Term rows keyed by normal form, for those of ``norms`` that the index holds."""
        wanted = sorted(set(norms))
        out: dict[str, dict[str, Any]] = {}
        for first in range(0, len(wanted), 500):
            chunk = wanted[first : first + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._all(f"SELECT * FROM terms WHERE norm IN ({marks})", chunk):
                out[row["norm"]] = row
        return out

    def term(self, term_id: int) -> dict[str, Any]:
        """A term with its interpreters, clips, occurrences, dictionary links and lexicon."""
        term = self._one("SELECT * FROM terms WHERE id = ?", (term_id,))
        if term is None:
            raise NotFound(f"no term {term_id}")
        for how in ("spelled", "signed"):
            term[f"{how}_interpreters"] = [
                row["interpreter"]
                for row in self._all(
                    "SELECT DISTINCT interpreter FROM clips WHERE term_id = ? AND how = ? "
                    "ORDER BY interpreter",
                    (term_id, how),
                )
            ]
            term[f"{how}_clips"] = self._all(
                "SELECT c.recording_id, c.interpreter, c.start_frame, c.end_frame, c.estimated, "
                "k.recording_id IS NOT NULL AS has_keypoints FROM clips c "
                "LEFT JOIN keypoints k ON k.recording_id = c.recording_id "
                "WHERE c.term_id = ? AND c.how = ? ORDER BY has_keypoints DESC, c.recording_id "
                f"LIMIT {MAX_CLIPS}",
                (term_id, how),
            )
        term["occurrences"] = self._all(
            "SELECT o.sentence_id, o.article_id, a.title AS article_title, o.char_start, "
            "o.char_end, s.text FROM occurrences o JOIN sentences s ON s.id = o.sentence_id "
            "LEFT JOIN articles a ON a.id = o.article_id WHERE o.term_id = ? "
            f"ORDER BY o.article_id, s.num LIMIT {MAX_OCCURRENCES}",
            (term_id,),
        )
        term["links"] = self._all("SELECT site, url FROM links WHERE term_id = ?", (term_id,))
        term["lexicon"] = self._all(
            "SELECT source, entry_id, gloss, video_url FROM lexicon WHERE term_id = ?", (term_id,)
        )
        return term

    def handling(self, term_ids: Iterable[int], clips: int = 2) -> dict[int, dict[str, Any]]:
        """Per term: who spelled it, who signed it, and up to ``clips`` playable signed clips.

        Two queries for any number of terms, for the prepare view's term list.
        """
        ids = sorted(set(term_ids))
        out: dict[int, dict[str, Any]] = {
            i: {"spelled_interpreters": [], "signed_interpreters": [], "signed_clips": []}
            for i in ids
        }
        if not ids:
            return out
        marks = ",".join("?" * len(ids))
        for row in self._all(
            f"SELECT DISTINCT term_id, how, interpreter FROM clips WHERE term_id IN ({marks}) "
            "ORDER BY term_id, how, interpreter",
            ids,
        ):
            out[row["term_id"]][f"{row['how']}_interpreters"].append(row["interpreter"])
        for row in self._all(
            "SELECT * FROM (SELECT c.term_id, c.recording_id, c.interpreter, c.start_frame, "
            "c.end_frame, c.estimated, 1 AS has_keypoints, ROW_NUMBER() OVER "
            "(PARTITION BY c.term_id ORDER BY c.recording_id) AS n FROM clips c "
            "JOIN keypoints k ON k.recording_id = c.recording_id "
            f"WHERE c.how = 'signed' AND c.term_id IN ({marks})) WHERE n <= ?",
            [*ids, clips],
        ):
            term_id = row.pop("term_id")
            row.pop("n")
            out[term_id]["signed_clips"].append(row)
        return out

    def search(self, text: str, limit: int = 20) -> dict[str, list[dict[str, Any]]]:
        """Terms and sentences matching every word of ``text`` (as prefixes)."""
        query = fts_query(text)
        if not query:
            return {"terms": [], "sentences": []}
        terms = self._all(
            "SELECT t.* FROM terms_fts f JOIN terms t ON t.id = f.rowid WHERE terms_fts MATCH ? "
            "ORDER BY f.rank LIMIT ?",
            (query, limit),
        )
        sentences = self._all(
            "SELECT s.id, s.article_id, a.title AS article_title, s.text FROM sentences_fts f "
            "JOIN sentences s ON s.num = f.rowid LEFT JOIN articles a ON a.id = s.article_id "
            "WHERE sentences_fts MATCH ? ORDER BY f.rank LIMIT ?",
            (query, limit),
        )
        return {"terms": terms, "sentences": sentences}

    def recording(self, recording_id: str) -> dict[str, Any]:
        """A recording, its sentence, and its spans with the words they spell (char offsets)."""
        recording = self._one(
            "SELECT r.*, s.text AS sentence, a.title AS article_title, "
            "k.recording_id IS NOT NULL AS has_keypoints FROM recordings r "
            "JOIN sentences s ON s.id = r.sentence_id LEFT JOIN articles a ON a.id = r.article_id "
            "LEFT JOIN keypoints k ON k.recording_id = r.id WHERE r.id = ?",
            (recording_id,),
        )
        if recording is None:
            raise NotFound(f"no recording {recording_id!r}")
        recording["spans"] = self._all(
            "SELECT p.start_frame, p.end_frame, p.text, p.score, p.term_id, "
            "(SELECT char_start FROM occurrences o WHERE o.term_id = p.term_id "
            " AND o.sentence_id = ? ORDER BY char_start LIMIT 1) AS char_start, "
            "(SELECT char_end FROM occurrences o WHERE o.term_id = p.term_id "
            " AND o.sentence_id = ? ORDER BY char_start LIMIT 1) AS char_end "
            "FROM spans p WHERE p.recording_id = ? ORDER BY p.start_frame",
            (recording["sentence_id"], recording["sentence_id"], recording_id),
        )
        return recording

    def keypoints(self, recording_id: str) -> Payload:
        """The playback keypoints of a recording."""
        row = self._one("SELECT * FROM keypoints WHERE recording_id = ?", (recording_id,))
        if row is None:
            raise NotFound(f"no keypoints for recording {recording_id!r}")
        return Payload.from_blob(row["blob"], row["fps"], row["stride"], row["num_frames"])

    def meta(self) -> dict[str, str]:
        """The build's metadata (counts, sources, time)."""
        return {row["key"]: row["value"] for row in self._all("SELECT * FROM meta")}
