"""Tiny releases for the ingest tests: real mp4 files written with OpenCV, as folder or zip."""

from __future__ import annotations

import csv
import shutil
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from asl_stem.corpus.annotations import COLUMNS as ANNOTATION_COLUMNS
from asl_stem.corpus.release import VIDEO_COLUMNS

HEADER = list(VIDEO_COLUMNS)
ANNOTATION_HEADER = list(ANNOTATION_COLUMNS)
ARTICLE = "Acid catalysis"
PAGE = 2053312
SENTENCES = {
    (0, 0): "In acid catalysis, a reaction is catalyzed by an acid.",
    (0, 1): "By Brønsted–Lowry acid–base theory, the acid is the proton donor.",
    (1, 0): "Brønsted acids",
    (1, 1): "Solid acid catalysts are used in industry.",
}
INTERPRETERS = ("interp-a", "interp-b")
FPS = 25.0
FRAMES = 20
WIDTH, HEIGHT = 64, 48


def write_mp4(path: Path, frames: int = FRAMES, fps: float = FPS) -> Path:
    """A real mp4 (mp4v) of ``frames`` frames: a moving grey bar on black."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (WIDTH, HEIGHT))
    for index in range(frames):
        image = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
        image[:, (index * 3) % WIDTH : (index * 3) % WIDTH + 8] = 200
        writer.write(image)
    writer.release()
    return path


def filename(interpreter: str, section: int, sentence: int) -> str:
    """A release-style filename: ``<prefix>-<page id>_<section>_<sentence>.mp4``."""
    prefix = f"{INTERPRETERS.index(interpreter) + 1:02d}5511942682994"
    return f"{prefix}-{PAGE}_{section}_{sentence}.mp4"


def video_rows() -> list[list[str]]:
    """videos.csv rows: every interpreter signs every sentence."""
    return [
        [who, ARTICLE, str(s), str(i), filename(who, s, i), f"{FRAMES / FPS}", text]
        for who in INTERPRETERS
        for (s, i), text in SENTENCES.items()
    ]


def annotation_rows() -> list[list[str]]:
    """Annotation rows for interpreter a: spans in frame units, texts aligned."""
    who = INTERPRETERS[0]
    spans = {
        (0, 0): ("[(2, 6), (10, 14)]", "['acid', 'catalysis']"),
        (0, 1): ("[(3, 9)]", "['Brønsted–Lowry']"),
        (1, 0): ("[]", "[]"),
        (1, 1): ("[(15, 19)]", "['catalysts']"),
    }
    return [
        [who, ARTICLE, str(s), str(i), filename(who, s, i), SENTENCES[(s, i)], *spans[(s, i)]]
        for (s, i) in SENTENCES
    ]


def write_csv(path: Path, rows: list[list[str]], header: list[str] | None) -> Path:
    """Write rows (with an optional header) as UTF-8 CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if header is not None:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def build_release(
    root: Path,
    template: Path,
    rows: list[list[str]] | None = None,
    header: list[str] | None = HEADER,
    annotations: list[list[str]] | None = None,
) -> Path:
    """A release folder: videos.csv, videos/*.mp4 (copies of ``template``), fs-annotations/."""
    rows = video_rows() if rows is None else rows
    write_csv(root / "videos.csv", rows, header)
    for row in rows:
        name = row[4] if len(row) > 4 else ""
        if name.endswith(".mp4") and not (root / "videos" / name).exists():
            (root / "videos").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(template, root / "videos" / name)
    write_csv(
        root / "fs-annotations" / "train.csv",
        annotation_rows() if annotations is None else annotations,
        ANNOTATION_HEADER,
    )
    return root


def zip_release(folder: Path, target: Path, top: str = "ASL_STEM_Wiki") -> Path:
    """Zip a release folder under one top-level folder, as the published zip is."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{top}/{path.relative_to(folder).as_posix()}")
    return target


def _atoms(data: bytes | bytearray, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, offset, size) of the mp4 boxes between ``start`` and ``end``."""
    offset = start
    while offset < end:
        (size,) = struct.unpack(">I", data[offset : offset + 4])
        yield bytes(data[offset + 4 : offset + 8]), offset, size
        offset += size


def _shift_chunk_offsets(data: bytearray, start: int, end: int, shift: int) -> None:
    """Add ``shift`` to every ``stco`` chunk offset inside a moov box."""
    for kind, offset, size in _atoms(data, start, end):
        if kind in (b"trak", b"mdia", b"minf", b"stbl"):
            _shift_chunk_offsets(data, offset + 8, offset + size, shift)
        elif kind == b"stco":
            (count,) = struct.unpack(">I", data[offset + 12 : offset + 16])
            for index in range(count):
                at = offset + 16 + 4 * index
                (value,) = struct.unpack(">I", data[at : at + 4])
                data[at : at + 4] = struct.pack(">I", value + shift)


def truncated_faststart(source: Path, target: Path, cut: int = 60) -> Path:
    """A copy with the index (moov) first and the last ``cut`` bytes of frame data gone.

    Its container opens and lists every frame, but the last frames are not there: only a
    decode of the last frame finds out (a plain truncation loses the moov and fails to open).
    """
    data = source.read_bytes()
    boxes = {kind: (offset, size) for kind, offset, size in _atoms(data, 0, len(data))}
    moov_at, moov_size = boxes[b"moov"]
    mdat_at = boxes[b"mdat"][0]
    assert moov_at > mdat_at, "expected OpenCV's layout: frame data, then the index"
    moov = bytearray(data[moov_at : moov_at + moov_size])
    _shift_chunk_offsets(moov, 8, len(moov), moov_size)
    moved = data[:mdat_at] + bytes(moov) + data[mdat_at:moov_at]
    target.write_bytes(moved[:-cut])
    return target
