"""Reading the term index for the app: read-only, one connection per thread, plain dicts out.

Every method takes ids (never paths) and raises :class:`NotFound` for an unknown one, which
the app turns into a 404. Search input goes through :func:`fts_query`, so no user string is
ever parsed as FTS5 syntax. Interpreters come out with their readable label (``interpreter``)
beside the raw id (``interpreter_id``); every span and clip says where it came from.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from asl_stem.termindex.keypoints import Payload
from asl_stem.termindex.lexicon import lexicon_links
from asl_stem.termindex.schema import SCHEMA_VERSION
from asl_stem.termindex.videos import VideoLocation
from asl_stem.terms import Term

MAX_CLIPS = 12
MAX_OCCURRENCES = 30
CLIP_COLUMNS = (
    "c.recording_id, c.interpreter AS interpreter_id, i.label AS interpreter, c.start_frame, "
    "c.end_frame, c.estimated, c.basis, c.score, r.fps, "
    "k.recording_id IS NOT NULL AS has_keypoints, v.recording_id IS NOT NULL AS has_video"
)
CLIP_JOINS = (
    "JOIN recordings r ON r.id = c.recording_id "
    "LEFT JOIN interpreters i ON i.id = c.interpreter "
    "LEFT JOIN keypoints k ON k.recording_id = c.recording_id "
    "LEFT JOIN videos v ON v.recording_id = c.recording_id"
)
# A term's first occurrences by article and sentence, read in order from occurrences_term (a
# frequent term has thousands; sorting them all cost a term page ~40 ms on a corpus index).
OCCURRENCES = (
    "SELECT o.sentence_id, o.article_id, a.title AS article_title, o.char_start, o.char_end, "
    "s.text FROM occurrences o JOIN sentences s ON s.id = o.sentence_id "
    "LEFT JOIN articles a ON a.id = o.article_id WHERE o.term_id = ? "
    f"ORDER BY o.article_id, o.sentence_num LIMIT {MAX_OCCURRENCES}"
)
SPAN_COLUMNS = (
    "p.start_frame, p.end_frame, p.source, p.score, p.text, p.text_source, p.text_score, "
    "p.char_start, p.char_end, p.counted, p.term_id, p.origin"
)


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
        self.labels = {row["id"]: row["label"] for row in self._all("SELECT * FROM interpreters")}
        self.playable = bool(
            self._one(
                "SELECT EXISTS (SELECT 1 FROM keypoints) OR EXISTS (SELECT 1 FROM videos) AS p"
            )["p"]
        )  # nothing to play: the prepare view asks for no clips

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA query_only=1")
            connection.execute("PRAGMA cache_size=-16384")
            connection.execute("PRAGMA mmap_size=268435456")
            self._local.connection = connection
        return connection

    def _all(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        return [dict(row) for row in self._connection().execute(sql, tuple(params))]

    def _one(self, sql: str, params: Iterable[Any] = ()) -> dict[str, Any] | None:
        row = self._connection().execute(sql, tuple(params)).fetchone()
        return dict(row) if row is not None else None

    def label(self, interpreter_id: str) -> str:
        """The readable label of an interpreter id ("Interpreter 7")."""
        return self.labels.get(interpreter_id, "an interpreter")

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

    def article_candidates(self, article_id: str) -> dict[str, list[Term]]:
        """Every scored candidate of an article's sentences, by sentence id, best first."""
        out: dict[str, list[Term]] = {}
        for sentence_id, text, scored in self._connection().execute(
            "SELECT s.id, s.text, c.scored FROM sentences s JOIN candidates c "
            "ON c.sentence_num = s.num WHERE s.article_id = ? ORDER BY s.num",
            (article_id,),
        ):
            out[sentence_id] = [Term(text[a:b], a, b, score) for a, b, score in json.loads(scored)]
        return out

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
        """A term with its interpreters, clips, occurrences, dictionary links and signs."""
        term = self._one("SELECT * FROM terms WHERE id = ?", (term_id,))
        if term is None:
            raise NotFound(f"no term {term_id}")
        for how in ("spelled", "signed"):
            term[f"{how}_interpreters"] = self._interpreters(term_id, how)
            term[f"{how}_clips"] = self._all(
                f"SELECT {CLIP_COLUMNS} FROM clips c {CLIP_JOINS} "
                "WHERE c.term_id = ? AND c.how = ? ORDER BY c.basis, c.recording_id "
                f"LIMIT {MAX_CLIPS}",
                (term_id, how),
            )
        term["occurrences"] = self._all(OCCURRENCES, (term_id,))
        term["links"] = lexicon_links(term["display"])
        term["signs"] = self._all(
            "SELECT source, entry_id, lemma, gloss, match, video_url, signbank_url, "
            "fingerspelled_loan, initialized FROM lexicon WHERE term_id = ?",
            (term_id,),
        )
        return term

    def _interpreters(self, term_id: int, how: str) -> list[dict[str, Any]]:
        return [
            {"id": row["interpreter"], "label": self.label(row["interpreter"]),
             "basis": row["basis"]}
            for row in self._all(
                "SELECT interpreter, basis FROM term_interpreters WHERE term_id = ? AND how = ? "
                "ORDER BY interpreter",
                (term_id, how),
            )
        ]  # fmt: skip

    def handling(
        self, term_ids: Iterable[int], clips: int = 2, interpreters: int = 6
    ) -> dict[int, dict[str, Any]]:
        """Per term: the first ``interpreters`` who spelled it and who signed it (by id; the
        terms' counts say how many in all), up to ``clips`` playable signed clips, signs.

        Two queries for the terms, and one indexed query a term for its clips (prepare view).
        The cap keeps a prepare page's size from growing with the corpus's interpreters.
        """
        ids = sorted(set(term_ids))
        out: dict[int, dict[str, Any]] = {
            i: {"spelled_interpreters": [], "signed_interpreters": [], "signed_clips": [],
                "signs": []}
            for i in ids
        }  # fmt: skip
        if not ids:
            return out
        marks = ",".join("?" * len(ids))
        for term_id, how, interpreter, basis in self._connection().execute(
            "SELECT term_id, how, interpreter, basis FROM (SELECT term_id, how, interpreter, "
            "basis, ROW_NUMBER() OVER (PARTITION BY term_id, how ORDER BY interpreter) AS n "
            f"FROM term_interpreters WHERE term_id IN ({marks})) WHERE n <= ? "
            "ORDER BY term_id, how, interpreter",
            (*ids, interpreters),
        ):
            who = {"id": interpreter, "label": self.label(interpreter), "basis": basis}
            out[term_id][f"{how}_interpreters"].append(who)
        for term_id in ids if self.playable else ():
            out[term_id]["signed_clips"] = self._all(
                f"SELECT {CLIP_COLUMNS} FROM clips c {CLIP_JOINS} WHERE c.term_id = ? "
                "AND c.how = 'signed' AND (k.recording_id IS NOT NULL OR v.recording_id IS NOT "
                "NULL) ORDER BY c.basis, c.recording_id LIMIT ?",
                (term_id, clips),
            )
        for row in self._all(
            f"SELECT term_id, gloss, video_url FROM lexicon WHERE term_id IN ({marks})", ids
        ):
            out[row.pop("term_id")]["signs"].append(row)
        return out

    def search(self, text: str, limit: int = 20) -> dict[str, list[dict[str, Any]]]:
        """Terms and sentences matching every word of ``text`` (as prefixes)."""
        query = fts_query(text)
        if not query:
            return {"terms": [], "sentences": []}
        terms = self._all(
            "SELECT t.id, t.norm, t.display, t.score, t.n_spelled, t.n_signed, "
            "t.n_spelled_annotated, t.n_spelled_detected, t.n_signs FROM terms t "
            "WHERE t.id IN (SELECT rowid FROM terms_fts WHERE terms_fts MATCH ? "
            "ORDER BY rank LIMIT ?) ORDER BY t.n_spelled DESC, t.n_occurrences DESC",
            (query, limit),
        )
        sentences = self._all(
            "SELECT s.id, s.article_id, a.title AS article_title, s.text FROM "
            "(SELECT rowid FROM sentences_fts WHERE sentences_fts MATCH ? LIMIT ?) f "
            "JOIN sentences s ON s.num = f.rowid LEFT JOIN articles a ON a.id = s.article_id",
            (query, limit),
        )
        return {"terms": terms, "sentences": sentences}

    def recording(self, recording_id: str) -> dict[str, Any]:
        """A recording, its sentence, and every span (annotated and detected) with its source."""
        recording = self._one(
            "SELECT r.*, s.text AS sentence, a.title AS article_title, i.label, "
            "k.recording_id IS NOT NULL AS has_keypoints, v.recording_id IS NOT NULL AS has_video "
            "FROM recordings r JOIN sentences s ON s.id = r.sentence_id "
            "LEFT JOIN articles a ON a.id = r.article_id "
            "LEFT JOIN interpreters i ON i.id = r.interpreter "
            "LEFT JOIN keypoints k ON k.recording_id = r.id "
            "LEFT JOIN videos v ON v.recording_id = r.id WHERE r.id = ?",
            (recording_id,),
        )
        if recording is None:
            raise NotFound(f"no recording {recording_id!r}")
        recording["interpreter_id"] = recording.pop("interpreter")
        recording["interpreter"] = recording.pop("label") or "an interpreter"
        spans = self._all(
            f"SELECT {SPAN_COLUMNS} FROM spans p WHERE p.recording_id = ? "
            "ORDER BY p.source, p.start_frame",
            (recording_id,),
        )
        for span in spans:
            if span["char_start"] is None and span["term_id"] is not None:
                span.update(self._place(span["term_id"], recording["sentence_id"]))
        recording["spans"] = spans
        return recording

    def _place(self, term_id: int, sentence_id: str) -> dict[str, Any]:
        found = self._one(
            "SELECT char_start, char_end FROM occurrences WHERE term_id = ? AND sentence_id = ? "
            "ORDER BY char_start LIMIT 1",
            (term_id, sentence_id),
        )
        return found or {}

    def keypoint_blob(self, recording_id: str) -> tuple[str, bytes]:
        """The stored (gzip) payload of a recording and its ETag, for the player."""
        row = self._one("SELECT etag, blob FROM keypoints WHERE recording_id = ?", (recording_id,))
        if row is None:
            raise NotFound(f"no keypoints for recording {recording_id!r}")
        return row["etag"], row["blob"]

    def keypoints(self, recording_id: str) -> Payload:
        """The playback keypoints of a recording, decoded."""
        return Payload.from_blob(self.keypoint_blob(recording_id)[1])

    def video(self, recording_id: str) -> VideoLocation:
        """Where a recording's video is on this machine (never sent to a client)."""
        row = self._one("SELECT * FROM videos WHERE recording_id = ?", (recording_id,))
        if row is None:
            raise NotFound(f"no video for recording {recording_id!r}")
        row.pop("recording_id")
        row["compressed"] = bool(row["compressed"])
        return VideoLocation(**row)

    def sign_gap(self, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Terms by how often the corpus's interpreters fingerspell them, most first."""
        return self._all(
            "SELECT id, norm, display, score, n_spelled, n_signed, n_spelled_interpreters, "
            "n_signed_interpreters, n_spelled_annotated, n_spelled_detected, n_signed_annotated, "
            "n_signed_detected, n_signs FROM terms WHERE n_spelled > 0 "
            "ORDER BY n_spelled DESC, n_signed, norm LIMIT ? OFFSET ?",
            (limit, offset),
        )

    def meta(self) -> dict[str, Any]:
        """The build's metadata (counts, sources, thresholds, time), JSON values decoded."""
        out: dict[str, Any] = {}
        for row in self._all("SELECT * FROM meta"):
            try:
                out[row["key"]] = json.loads(row["value"])
            except ValueError:
                out[row["key"]] = row["value"]
        return out
