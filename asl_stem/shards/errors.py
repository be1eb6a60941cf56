"""The shard store's errors: each says which file or URL and what to do, on one line.

They are ``ValueError`` subclasses, so every command that reports bad input reports them. An
error raised in a DataLoader worker reaches the trainer re-made by torch from the worker's
whole traceback text; :class:`ShardError` then still prints only its own line.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


class ShardError(ValueError):
    """Base of the shard store's errors."""

    def __str__(self) -> str:
        text = super().__str__()
        marker = f"{type(self).__name__}: "
        if "Original Traceback" in text and marker in text:  # re-raised from a loader worker
            return text.rsplit(marker, 1)[1].strip()
        return text


class ShardCatalogError(ShardError):
    """index.json is missing, unreadable, or was made with other settings."""


class SampleError(ShardError):
    """A sample that does not fit the shard format (name, members, shape, values)."""


class ShardReadError(ShardError):
    """A shard that cannot be opened or read, or whose bytes differ from its catalog entry."""


class ShardWriteError(ShardError):
    """The output folder refused a write: read-only, full, or not ours to write."""


class ShardsBusyError(ShardError):
    """Another run (or its worker processes) is writing the same shards folder."""


@contextlib.contextmanager
def write_errors(path: str | os.PathLike[str]) -> Iterator[None]:
    """Report an ``OSError`` while writing ``path`` (read-only or full disk, no permission)
    as a :class:`ShardWriteError` naming the file and what to do."""
    try:
        yield
    except OSError as error:
        raise ShardWriteError(
            f"{path} cannot be written ({error.strerror or error}): make room on that disk or "
            "make it writable (or choose another --out folder), then rerun the same command; "
            "it resumes"
        ) from error
