"""Keeping the index whole: a content hash written at build time and checked when the app
starts, stale temporaries of killed builds removed, and disk errors said in one line.

The hash covers every row of every table but ``meta`` (where it is stored), in rowid order,
so flipped bytes inside a keypoint blob are caught as well as damage to SQLite's own
structure (``PRAGMA quick_check``).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

HASH_KEY = "content_sha256"
_DISK_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT}
_DISK_MESSAGES = ("disk is full", "readonly database", "disk i/o error", "unable to open")


class DamagedIndex(ValueError):
    """The index file fails its structural check or its recorded content hash."""


class OutputDiskError(OSError):
    """An output file could not be written (disk full, read-only, no permission)."""


def content_hash(connection: sqlite3.Connection) -> str:
    """sha256 over every table's rows except ``meta`` and FTS shadow tables, in a fixed order."""
    digest = hashlib.sha256()
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta' "
            "AND name NOT LIKE '%fts%' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    for table in tables:
        digest.update(table.encode())
        types = [row[2].upper() for row in connection.execute(f'PRAGMA table_info("{table}")')]
        rows = connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
        if "BLOB" not in types:
            for row in rows:  # one repr a row: twice as fast as one a value
                digest.update(repr(row).encode())
            continue
        for row in rows:
            for value in row:
                data = value if isinstance(value, bytes) else repr(value).encode()
                digest.update(len(data).to_bytes(8, "little"))
                digest.update(data)
    return digest.hexdigest()


def read_through(path: str | os.PathLike[str], chunk: int = 1 << 20) -> None:
    """Read the file once from front to back, so its pages are in the OS page cache.

    ``quick_check`` and the content hash read every page of the index, but in B-tree order,
    and a build leaves each table's pages spread over the file: from a cold page cache those
    are random reads, much slower than one sequential pass over the same bytes
    (``benchmarks/bench_index_check.py`` measures both). A file that cannot be opened is left
    to SQLite, whose error names the problem.
    """
    buffer = bytearray(chunk)
    try:
        with open(path, "rb", buffering=0) as handle:
            while handle.readinto(buffer):
                pass
    except OSError:
        return


def check_index(path: str | os.PathLike[str], *, warm: bool = True) -> None:
    """Raise :class:`DamagedIndex` (naming the file and the fix) when the index is damaged.

    ``warm`` reads the file sequentially first (:func:`read_through`); the check reads it all
    anyway, so this only changes the order of the reads.
    """
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    advice = "rebuild it with `asl-stem index build` (the notes file is kept apart and survives)"
    if warm:
        read_through(path)
    try:
        connection = sqlite3.connect(uri, uri=True)
        try:
            problems = [row[0] for row in connection.execute("PRAGMA quick_check(5)")]
            if problems != ["ok"]:
                raise DamagedIndex(
                    f"{path}: the index is damaged ({'; '.join(problems)}); {advice}"
                )
            stored = connection.execute(
                "SELECT value FROM meta WHERE key = ?", (HASH_KEY,)
            ).fetchone()
            if stored is None:
                raise DamagedIndex(f"{path}: the index has no content hash; {advice}")
            if json.dumps(content_hash(connection)) != stored[0]:
                raise DamagedIndex(
                    f"{path}: the index's content does not match the hash recorded when it was "
                    f"built (the file was changed or damaged); {advice}"
                )
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise DamagedIndex(f"{path}: the index cannot be read ({error}); {advice}") from error


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (a build's temporary) while the block runs."""
    with open(path, "rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield


def remove_stale_temporaries(out: Path) -> list[Path]:
    """Delete ``.<name>.*.tmp`` beside ``out`` left by killed builds (nobody holds their lock)."""
    removed = []
    for candidate in out.parent.glob(f".{out.name}.*.tmp"):
        try:
            with open(candidate, "rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                candidate.unlink()
                removed.append(candidate)
        except BlockingIOError:
            continue  # a build is writing it now
        except FileNotFoundError:
            continue
    for path in removed:
        log.info("removed %s, left by an interrupted build", path)
    return removed


def disk_error(error: BaseException, path: str | os.PathLike[str]) -> OutputDiskError | None:
    """A one-line :class:`OutputDiskError` when ``error`` is a full/read-only disk, else None."""
    if isinstance(error, OSError) and error.errno in _DISK_ERRNOS:
        reason = os.strerror(error.errno) if error.errno else str(error)
    elif isinstance(error, sqlite3.OperationalError) and any(
        text in str(error).lower() for text in _DISK_MESSAGES
    ):
        reason = str(error)
    else:
        return None
    return OutputDiskError(
        f"{path}: cannot write ({reason}); free space or choose a writable place "
        "(for example another --out or --notes path) and run again"
    )
