"""Serving bytes the browser plays: videos with HTTP range requests, keypoints with ETags.

A video is a byte range of a file (a folder release's mp4, or a stored member of the release
zip, sliced at its data offset); the browser asks for the parts it needs (``Range: bytes=a-b``)
and gets 206 with exactly those bytes. A deflated zip member is read through :mod:`zipfile`,
which seeks by decompressing. Keypoint payloads are stored gzip, so they go out as they are
with ``Content-Encoding: gzip`` (unpacked here only for the rare client that refuses gzip),
and an ``ETag``, so a second look costs a 304.
"""

from __future__ import annotations

import gzip
import re
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from asl_stem.termindex.videos import VideoLocation

CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeNotSatisfiable(ValueError):
    """A ``Range`` header that names no byte of the resource."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(first, last)`` inclusive for a single-range header, None for the whole resource."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return None  # several ranges or another unit: answer with the whole resource
    first, last = match.groups()
    if not first and not last:
        raise RangeNotSatisfiable(header)
    if not first:
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = int(first), min(size - 1, int(last)) if last else size - 1
    if start >= size or start > end:
        raise RangeNotSatisfiable(header)
    return start, end


def _open(location: VideoLocation) -> BinaryIO:
    if location.compressed:
        archive = zipfile.ZipFile(location.path)
        member = archive.open(location.member or "")
        member._archive = archive  # type: ignore[attr-defined]  # closed with the member
        return member  # type: ignore[return-value]
    return open(location.path, "rb")


def _stream(location: VideoLocation, start: int, end: int) -> Iterator[bytes]:
    """Bytes ``start..end`` (inclusive) of the video, in chunks, closing the file after."""
    handle = _open(location)
    try:
        handle.seek((0 if location.compressed else location.offset) + start)
        left = end - start + 1
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        handle.close()
        archive = getattr(handle, "_archive", None)
        if archive is not None:
            archive.close()


def video_response(request: Request, location: VideoLocation, etag: str) -> Response:
    """200 (whole), 206 (one range) or 416 for a recording's video."""
    size = location.size
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": f'"{etag}"',
        "Cache-Control": "private, max-age=3600",
    }
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    try:
        wanted = parse_range(request.headers.get("range"), size)
    except RangeNotSatisfiable:
        headers["Content-Range"] = f"bytes */{size}"
        return Response(status_code=416, headers=headers)
    start, end = wanted if wanted is not None else (0, size - 1)
    headers["Content-Length"] = str(max(0, end - start + 1))
    status = 200
    if wanted is not None:
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    body = _stream(location, start, end) if size else iter(())
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type="video/mp4")
    return StreamingResponse(body, status_code=status, headers=headers, media_type="video/mp4")


def gzip_blob_response(
    request: Request, blob: bytes, etag: str, media_type: str = "application/octet-stream"
) -> Response:
    """A stored gzip payload with its ETag: 304 when unchanged, gzip when accepted."""
    headers = {
        "ETag": f'"{etag}"',
        "Cache-Control": "public, max-age=86400",
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(blob, headers=headers, media_type=media_type)
    return Response(gzip.decompress(blob), headers=headers, media_type=media_type)
