"""Atomic writes: a file appears under its final name only when complete."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` when the block succeeds.

    ``suffix`` ends the temporary name, for writers that pick a format from the extension
    (e.g. OpenCV's ``VideoWriter`` needs ``.mp4``).
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=suffix, dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
    try:
        yield tmp_path
        with open(tmp_path, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp_path, final)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary file for writing that replaces ``path`` only if the block succeeds."""
    if "encoding" not in kwargs and "b" not in mode:
        kwargs["encoding"] = "utf-8"
    with atomic_path(path) as tmp, open(tmp, mode, **kwargs) as handle:
        yield handle


def write_json(path: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` as indented JSON, atomically."""
    with atomic_open(path) as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False)
        handle.write("\n")


def read_json(path: str | os.PathLike[str]) -> Any:
    """The JSON value of a file; ``ValueError`` naming the file when it is not JSON."""
    with open(path, encoding="utf-8") as handle:
        try:
            return json.load(handle)
        except json.JSONDecodeError as error:
            raise ValueError(
                f"{path}: not valid JSON ({error.msg}, line {error.lineno}); the file may be "
                "truncated or not the one meant"
            ) from error


def write_jsonl(path: str | os.PathLike[str], rows: Iterable[dict[str, Any]]) -> int:
    """Write one JSON object per line (gzip for .gz names), atomically; return the count."""
    count = 0
    mode = "wt" if str(path).endswith(".gz") else "w"
    with atomic_path(path) as tmp, _open_text(tmp, mode, str(path).endswith(".gz")) as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def read_jsonl(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Yield the JSON objects of a JSON Lines file, one per non-empty line."""
    with _open_text(path, "rt", str(path).endswith(".gz")) as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(
                    f"{path}:{line_number}: not valid JSON ({error.msg}); "
                    "the file may be truncated: regenerate it"
                ) from error


def _open_text(path: str | os.PathLike[str], mode: str, compressed: bool) -> IO[str]:
    """Open a text file, gzip-compressed when ``compressed`` (mtime 0 keeps bytes reproducible)."""
    if compressed:
        raw = open(path, mode.replace("t", "b"))  # noqa: SIM115 - owned by the GzipFile
        gz = gzip.GzipFile(filename="", fileobj=raw, mode=mode.replace("t", "b"), mtime=0)
        gz.myfileobj = raw  # closed with the GzipFile
        return io.TextIOWrapper(gz, encoding="utf-8")
    return open(path, mode, encoding="utf-8")


def _umask() -> int:
    """The process umask (read by setting it, then restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_marked_block(path: str | Path, name: str, body: str) -> None:
    """Put ``body`` between ``<!-- name:start -->`` and ``<!-- name:end -->`` in ``path``.

    The block is appended when the markers are absent (the file is created if need be); text
    outside them is kept, so generated figures can live inside hand-written docs.
    """
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.strip()}\n{end}\n"
    target = Path(path)
    text = target.read_text(encoding="utf-8") if target.exists() else ""
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1].lstrip("\n")
    else:
        text = text + ("\n" if text else "") + block
    with atomic_open(target) as handle:
        handle.write(text)
