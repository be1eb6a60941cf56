"""Interpreters' notes on terms, in their own SQLite file (the index stays read-only).

Notes are keyed by the term's normal form, not its id, so they survive an index rebuild. The
file runs in WAL mode with ``synchronous=FULL`` and every write is one transaction, so a note
that was acknowledged survives a crash, and readers never block the writer.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DDL = """
CREATE TABLE IF NOT EXISTS notes (
  id INTEGER PRIMARY KEY, term_norm TEXT NOT NULL, sign TEXT NOT NULL, link TEXT,
  author TEXT, created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_term ON notes(term_norm);
"""


class NotesStore:
    """Read and append notes; one connection per thread, writes serialised by SQLite."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        connection = self._connection()
        connection.execute("PRAGMA journal_mode=WAL")
        with connection:
            connection.executescript(DDL)

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.path, timeout=10.0, isolation_level=None, check_same_thread=False
            )
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("PRAGMA busy_timeout=10000")
            self._local.connection = connection
        return connection

    def add(
        self, term_norm: str, sign: str, link: str | None, author: str | None
    ) -> dict[str, Any]:
        """Append a note in one transaction and return it with its id."""
        created = datetime.now(UTC).isoformat(timespec="seconds")
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            cursor = connection.execute(
                "INSERT INTO notes (term_norm, sign, link, author, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (term_norm, sign, link, author, created),
            )
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:  # a full disk has SQLite roll back by itself
                connection.execute("ROLLBACK")
            raise
        return {
            "id": cursor.lastrowid,
            "term_norm": term_norm,
            "sign": sign,
            "link": link,
            "author": author,
            "created_at": created,
        }

    def version(self) -> int:
        """The newest note's id (0 when there is none): notes are only ever appended, so any
        new note, from this process or another, changes it."""
        return self._connection().execute("SELECT coalesce(max(id), 0) FROM notes").fetchone()[0]

    def for_terms(self, term_norms: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """Notes of several terms at once, keyed by normal form, newest first."""
        wanted = sorted(set(term_norms))
        out: dict[str, list[dict[str, Any]]] = {}
        for first in range(0, len(wanted), 500):
            chunk = wanted[first : first + 500]
            rows = self._connection().execute(
                f"SELECT * FROM notes WHERE term_norm IN ({','.join('?' * len(chunk))}) "
                "ORDER BY id DESC",
                chunk,
            )
            for row in rows:
                out.setdefault(row["term_norm"], []).append(dict(row))
        return out

    def for_term(self, term_norm: str) -> list[dict[str, Any]]:
        """A term's notes, newest first."""
        rows = self._connection().execute(
            "SELECT * FROM notes WHERE term_norm = ? ORDER BY id DESC", (term_norm,)
        )
        return [dict(row) for row in rows]
