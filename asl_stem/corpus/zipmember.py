"""Video decoders on zip members, reading the zip's bytes in place.

``zipfile``'s member stream seeks backwards by rewinding to the member's start and reading
forward again. A decoder seeks often (to the container's index at the end, back to the start,
to the last frame), so probing a release member through it read the member about seven times
over (``benchmarks/bench_scale.py``: 564 KB read per 79 KB member). A stored member (the
release stores its mp4s) is a plain byte range of the zip, so FFmpeg reads it straight from
the zip file through its ``subfile`` protocol: no Python stream in between (OpenCV's stream
reader kept about 1.1 KB of Python objects per capture, never freed: 70 MB over the corpus's
64,000 probes) and about a tenth less CPU a probe. Deflated or encrypted members fall back to
``zipfile``'s stream.
"""

from __future__ import annotations

import contextlib
import os
import struct
import zipfile
from typing import Any

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


def member_url(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    """An FFmpeg URL of a stored member's bytes inside the zip; None when it is compressed or
    encrypted (those must go through ``zipfile``)."""
    if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
        return None
    assert archive.filename is not None, "the zip was opened from a file object"
    start = data_offset(archive, info)
    path = os.path.abspath(archive.filename)
    return f"subfile,,start,{start},end,{start + info.file_size},,:file:{path}"


def member_capture(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, stack: contextlib.ExitStack
) -> Any:
    """A ``cv2.VideoCapture`` of the member (not checked for being opened); a fallback stream
    is closed with ``stack``."""
    import cv2  # here: reading manifests never needs OpenCV

    url = member_url(archive, info)
    if url is not None:
        return cv2.VideoCapture(url, cv2.CAP_FFMPEG)
    stream = stack.enter_context(archive.open(info))
    return cv2.VideoCapture(stream, cv2.CAP_FFMPEG, [])
