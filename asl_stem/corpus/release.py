"""The published release: ``videos.csv`` and the videos, as a folder or as the zip itself.

The zip (about 187 GiB) is never unpacked and nothing of it is written: its directory is read
once, the CSV members are read into memory, and videos are read in place (``zipmember``).
Member names that could escape a folder (absolute, or with ``..``) are refused and reported.
Videos are found by file name under ``videos/`` (or anywhere in the zip).
"""

from __future__ import annotations

import math
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Self

from asl_stem.corpus.annotations import ALIASES as ANNOTATION_ALIASES
from asl_stem.corpus.annotations import MAX_SECONDS, parse_row_key
from asl_stem.corpus.csvtable import Table, parse_rows, read_table
from asl_stem.problems import Problem

VIDEO_COLUMNS = (
    "user",
    "articleName",
    "sectionIndex",
    "sentenceIndex",
    "filename",
    "videoLength",
    "sentence",
)
VIDEO_ALIASES = {
    **{name: names for name, names in ANNOTATION_ALIASES.items() if name in VIDEO_COLUMNS},
    "videoLength": ("video length", "length", "duration", "video_length", "seconds"),
}
# A CSV member larger than this is not one of the release's tables (videos.csv is ~15 MB).
MAX_CSV_BYTES = 256 * 1024 * 1024
_FILENAME = re.compile(r"^(?P<prefix>[^-]*)-(?P<page>[^_]*)_(?P<section>\d+)_(?P<sentence>\d+)$")


@dataclass(frozen=True)
class VideoRow:
    """One row of ``videos.csv``: a recording of one sentence by one interpreter."""

    file: str
    line: int
    user: str
    article: str
    section_index: int
    sentence_index: int
    filename: str
    listed_duration_s: float | None
    sentence: str


@dataclass(frozen=True)
class FilenameParts:
    """What a release filename says: ``<prefix>-<page id>_<section>_<sentence>.mp4``."""

    page_id: int | None
    page_text: str
    section_index: int
    sentence_index: int


@dataclass(frozen=True)
class CsvFile:
    """A CSV file of the release, read into memory: ``name`` is its path, or ``zip!member``."""

    name: str
    data: bytes


@dataclass(frozen=True)
class VideoLocation:
    """Where a video lies: a file path, or a member of the release zip."""

    filename: str
    num_bytes: int
    path: str | None = None
    zip_path: str | None = None
    zip_member: str | None = None
    stamp: str = ""

    @property
    def cache_key(self) -> str:
        """Identifies this exact file content cheaply (name, size, mtime or CRC)."""
        return f"{self.filename}|{self.num_bytes}|{self.stamp}"


def stem(filename: str) -> str:
    """The recording id of a video filename: its base name without the extension."""
    return os.path.splitext(os.path.basename(filename))[0]


def parse_filename(filename: str) -> FilenameParts | None:
    """Split a release filename into page id and indices; None when it does not fit."""
    match = _FILENAME.match(stem(filename))
    if match is None:
        return None
    page_text = match["page"]
    digits = re.match(r"\d+", page_text)
    return FilenameParts(
        page_id=int(digits.group()) if digits else None,
        page_text=page_text,
        section_index=int(match["section"]),
        sentence_index=int(match["sentence"]),
    )


class Release:
    """A release folder or zip. Use as a context manager (a zip keeps its file open)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).resolve()
        if not self.path.exists():
            raise FileNotFoundError(
                f"{self.path}: no such release; give the release folder or the release zip"
            )
        self.is_zip = self.path.is_file()
        self._zip: zipfile.ZipFile | None = None
        self._videos: dict[str, VideoLocation] | None = None
        self.problems: list[Problem] = []
        self._members: list[zipfile.ZipInfo] = []
        if self.is_zip:
            try:
                self._zip = zipfile.ZipFile(self.path)
            except zipfile.BadZipFile as error:
                raise ValueError(
                    f"{self.path}: not a folder and not a readable zip ({error}); "
                    "give the release folder or the complete release zip"
                ) from error
            self._members = self._safe_members()

    def __enter__(self) -> Self:
        return self

    def zips(self) -> dict[str, zipfile.ZipFile]:
        """The open zip handle by the path its videos name (empty for a folder release)."""
        return {str(self.path): self._zip} if self._zip is not None else {}

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the zip."""
        if self._zip is not None:
            self._zip.close()

    def _safe_members(self) -> list[zipfile.ZipInfo]:
        """The zip's members, without those whose names could escape a folder (reported)."""
        assert self._zip is not None
        kept = []
        for info in self._zip.infolist():
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts or re.match(r"^[A-Za-z]:", info.filename):
                reason = (
                    f"member {info.filename!r} has an absolute or '..' name that could write "
                    "outside a folder; it was ignored: repack the zip with relative names"
                )
                self.problems.append(Problem(str(self.path), None, reason, "unsafe_member"))
            elif not info.is_dir():
                kept.append(info)
        return kept

    def _read_member(self, info: zipfile.ZipInfo) -> CsvFile:
        """A CSV member's bytes, refused when its size is absurd for a table."""
        assert self._zip is not None
        name = f"{self.path}!{info.filename}"
        if info.file_size > MAX_CSV_BYTES:
            raise ValueError(
                f"{name} is {info.file_size} bytes, more than a release table can be "
                f"({MAX_CSV_BYTES} bytes); is this the release zip?"
            )
        with self._zip.open(info) as handle:
            return CsvFile(name, handle.read(MAX_CSV_BYTES + 1))

    def videos_csv(self) -> CsvFile | None:
        """``videos.csv`` (the shallowest one in a zip), or None when there is none."""
        if self._zip is None:
            path = self.path / "videos.csv"
            return CsvFile(str(path), path.read_bytes()) if path.is_file() else None
        members = [m for m in self._members if PurePosixPath(m.filename).name == "videos.csv"]
        if not members:
            return None
        return self._read_member(min(members, key=lambda m: (m.filename.count("/"), m.filename)))

    def annotation_files(self) -> list[CsvFile]:
        """``fs-annotations/*.csv`` of the release, without the ``-onespan`` duplicates."""
        if self._zip is None:
            folder = self.path / "fs-annotations"
            found = sorted(folder.glob("*.csv")) if folder.is_dir() else []
            return [
                CsvFile(str(path), path.read_bytes())
                for path in found
                if not path.stem.endswith("-onespan")
            ]
        members = sorted(
            (
                m
                for m in self._members
                if m.filename.endswith(".csv")
                and PurePosixPath(m.filename).parent.name == "fs-annotations"
                and not PurePosixPath(m.filename).stem.endswith("-onespan")
            ),
            key=lambda m: m.filename,
        )
        return [self._read_member(member) for member in members]

    def videos(self) -> dict[str, VideoLocation]:
        """Every ``.mp4`` of the release by file name (read once, then cached)."""
        if self._videos is None:
            self._videos = self._zip_videos() if self._zip is not None else self._folder_videos()
        return self._videos

    def _folder_videos(self) -> dict[str, VideoLocation]:
        """Scan ``videos/`` (and the top folder) of a release folder."""
        found: dict[str, VideoLocation] = {}
        for folder in (self.path / "videos", self.path):
            if not folder.is_dir():
                continue
            with os.scandir(folder) as entries:
                for entry in entries:
                    if not entry.name.endswith(".mp4") or entry.name in found:
                        continue
                    info = entry.stat()
                    if stat.S_ISREG(info.st_mode):
                        found[entry.name] = VideoLocation(
                            filename=entry.name,
                            num_bytes=info.st_size,
                            path=os.path.join(folder, entry.name),
                            stamp=str(info.st_mtime_ns),
                        )
        return found

    def _zip_videos(self) -> dict[str, VideoLocation]:
        """Index the zip's ``.mp4`` members by file name, from its central directory."""
        found: dict[str, VideoLocation] = {}
        for info in sorted(self._members, key=lambda i: (i.filename.count("/"), i.filename)):
            name = PurePosixPath(info.filename).name
            if info.filename.endswith(".mp4") and name not in found:
                found[name] = VideoLocation(
                    filename=name,
                    num_bytes=info.file_size,
                    zip_path=str(self.path),
                    zip_member=info.filename,
                    stamp=f"{info.CRC:08x}",
                )
        return found


def read_videos_csv(
    path: str | Path, data: bytes | None = None
) -> tuple[list[VideoRow], list[Problem], Table]:
    """Parse ``videos.csv`` (or its bytes ``data``): good rows, problems, column mapping."""
    table = read_table(path, VIDEO_COLUMNS, VIDEO_ALIASES, data)
    rows, problems = parse_rows(table, _parse_video_row)
    return rows, problems, table


def _parse_video_row(
    file: str, line: int, fields: dict[str, str], problems: list[Problem]
) -> VideoRow | None:
    """Turn one ``videos.csv`` row into a VideoRow, appending what was wrong to ``problems``."""
    key = parse_row_key(file, line, fields, problems)
    if key is None:
        return None
    section, sentence_index, filename = key
    return VideoRow(
        file=file,
        line=line,
        user=fields["user"].strip(),
        article=fields["articleName"].strip(),
        section_index=section,
        sentence_index=sentence_index,
        filename=filename,
        listed_duration_s=_listed_duration(file, line, fields["videoLength"], problems),
        sentence=fields["sentence"],
    )


def _listed_duration(file: str, line: int, value: str, problems: list[Problem]) -> float | None:
    """``videoLength`` in seconds; None (and a warning) when it is not a sentence's length."""
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 <= seconds <= MAX_SECONDS:  # also refuses NaN and infinities
        reason = (
            f"videoLength {text!r} is not a number of seconds from 0 to {MAX_SECONDS:.0f} "
            "(an hour); left unset"
        )
        problems.append(Problem(file, line, reason, "bad_video_length", "warning"))
        return None
    return seconds
