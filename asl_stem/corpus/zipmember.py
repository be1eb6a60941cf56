"""A zip member as a seekable stream whose seeks cost nothing, for video decoders.

``zipfile``'s member stream seeks backwards by rewinding to the member's start and reading
forward again. A decoder seeks often (to the container's index at the end, back to the start,
to the last frame), so probing a release member through it read the member about seven times
over (``benchmarks/bench_scale.py``: 564 KB read per 79 KB member). A stored member (the
release stores its mp4s) is a plain byte range of the zip: it is read here with positioned
reads (``os.pread``) inside that range, which never move the zip's shared file position.
Deflated members fall back to ``zipfile``'s stream.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
from typing import BinaryIO

_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_LOCAL_MAGIC = b"PK\x03\x04"


def data_offset(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Where a member's bytes start in the zip: after its local header (read, not assumed).

    Raises ``zipfile.BadZipFile`` when the local header is not where the directory says.
    """
    assert archive.fp is not None, "the zip is closed"
    header = os.pread(archive.fp.fileno(), _LOCAL_HEADER.size, info.header_offset)
    if len(header) < _LOCAL_HEADER.size:
        raise zipfile.BadZipFile(f"member {info.filename}: local header past the end of the zip")
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != _LOCAL_MAGIC:
        raise zipfile.BadZipFile(f"member {info.filename} has a bad local header")
    return info.header_offset + _LOCAL_HEADER.size + fields[9] + fields[10]


class MemberRange(io.BufferedIOBase):
    """Bytes ``start`` to ``start + size`` of an open file, each read one ``pread``.

    A ``BufferedIOBase`` (what OpenCV's stream reader takes) without a buffer of its own: the
    decoder reads in its own blocks, and a buffer here would be refilled after every seek.
    """

    def __init__(self, fileno: int, start: int, size: int) -> None:
        super().__init__()
        self._fileno, self._start, self._size, self._pos = fileno, start, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError(f"seek to {base + offset}, before the member's start")
        self._pos = base + offset
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        left = max(0, self._size - self._pos)
        want = left if size is None or size < 0 else min(size, left)
        data = os.pread(self._fileno, want, self._start + self._pos) if want else b""
        self._pos += len(data)
        return data

    def read1(self, size: int = -1) -> bytes:
        return self.read(size)

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> BinaryIO:
    """A seekable stream of the member; seeks are free when it is stored."""
    if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:  # deflated, encrypted
        return archive.open(info)
    assert archive.fp is not None, "the zip is closed"
    return MemberRange(archive.fp.fileno(), data_offset(archive, info), info.file_size)
