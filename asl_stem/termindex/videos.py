"""Where each recording's video is, so the app can serve clips by recording id.

``index build --release RELEASE`` (a folder or the release zip) records for each recording with
a video: the file, and for a zip its member's data offset and size. A member stored without
compression (as mp4s in the release are) is a plain byte range of the zip, so the app serves
HTTP range requests from it directly; a deflated member is marked ``compressed`` and the app
reads it through :mod:`zipfile`. The manifests' ``path`` / ``zip_member`` are tried first; a
recording whose file moved is found by its file name under RELEASE. Paths never come from a
client: the app looks a recording id up in this table.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from asl_stem.corpus.zipmember import data_offset


@dataclass(frozen=True)
class VideoLocation:
    """A recording's video bytes: ``size`` bytes of ``path`` from ``offset`` (zip: a member)."""

    path: str
    member: str | None
    offset: int
    size: int
    compressed: bool
    mtime: float

    def row(self, recording_id: str) -> tuple[Any, ...]:
        return (
            recording_id, self.path, self.member, self.offset, self.size,
            int(self.compressed), self.mtime,
        )  # fmt: skip


class ReleaseVideos:
    """Finds recordings' videos in one release folder or zip (opened once, read lazily)."""

    def __init__(self, release: str | os.PathLike[str]) -> None:
        self.release = Path(release).resolve()
        if not self.release.exists():
            raise FileNotFoundError(f"{self.release}: no release folder or zip here")
        self._zip: zipfile.ZipFile | None = None
        self._by_name: dict[str, str] | None = None
        if self.release.is_file():
            try:
                self._zip = zipfile.ZipFile(self.release)
            except zipfile.BadZipFile as error:
                raise ValueError(f"{self.release}: not a zip file ({error})") from error
            self._mtime = self.release.stat().st_mtime

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def locate(self, recording: Any) -> VideoLocation | None:
        """The video of a recording (manifest record), or None when the release lacks it."""
        if not recording.has_video:
            return None
        if self._zip is not None:
            return self._in_zip(recording)
        return self._in_folder(recording)

    def _in_folder(self, recording: Any) -> VideoLocation | None:
        candidates = [Path(recording.path)] if recording.path else []
        candidates.append(self.release / "videos" / recording.filename)
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            named = self._names().get(recording.filename)
            found = Path(named) if named else None
        if found is None:
            return None
        stat = found.stat()
        return VideoLocation(str(found.resolve()), None, 0, stat.st_size, False, stat.st_mtime)

    def _in_zip(self, recording: Any) -> VideoLocation | None:
        assert self._zip is not None
        member = recording.zip_member
        if member is None or member not in self._zip.NameToInfo:
            member = self._names().get(recording.filename)
        if member is None:
            return None
        info = self._zip.getinfo(member)
        compressed = info.compress_type != zipfile.ZIP_STORED
        offset = 0 if compressed else self._data_offset(info)
        size = info.file_size
        return VideoLocation(str(self.release), member, offset, size, compressed, self._mtime)

    def _data_offset(self, info: zipfile.ZipInfo) -> int:
        """Where a stored member's bytes start (its local header is read, not assumed)."""
        assert self._zip is not None
        try:
            return data_offset(self._zip, info)
        except zipfile.BadZipFile as error:
            raise ValueError(f"{self.release}: {error}") from error

    def _names(self) -> dict[str, str]:
        """File name -> member (zip) or path (folder), built once when first needed."""
        if self._by_name is None:
            self._by_name = dict(self._iter_names())
        return self._by_name

    def _iter_names(self) -> Iterator[tuple[str, str]]:
        if self._zip is not None:
            for name in self._zip.namelist():
                if name.lower().endswith(".mp4"):
                    yield PurePosixPath(name).name, name
            return
        for path in self.release.rglob("*.mp4"):
            yield path.name, str(path)
