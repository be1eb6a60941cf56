"""Zip members decoded in place: the same frames as the file, no re-reads, nothing kept."""

from __future__ import annotations

import gc
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from ingest_fixtures import write_mp4

from asl_stem.corpus.probe import _ZipReader, probe_file
from asl_stem.corpus.zipmember import data_offset, member_url
from asl_stem.extract.frames import VideoSource, iter_frames

MEMBER = "release/videos/clip.mp4"


def _zip(
    folder: Path, compression: int = zipfile.ZIP_STORED, frames: int = 60
) -> tuple[Path, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    video = write_mp4(folder / "clip.mp4", frames=frames)
    target = folder / "release.zip"
    with zipfile.ZipFile(target, "w", compression) as archive:
        archive.writestr("release/videos.csv", "user\n")
        archive.write(video, MEMBER)
    return target, video.read_bytes()


def _rchar() -> int:
    line = next(x for x in Path("/proc/self/io").read_text().splitlines() if x.startswith("rchar"))
    return int(line.split(":")[1])


def test_a_stored_member_decodes_in_place_like_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "odd, name: here"  # FFmpeg's URL must take any path
    target, data = _zip(folder)
    with zipfile.ZipFile(target) as archive:
        info = archive.getinfo(MEMBER)
        assert member_url(archive, info) is not None
        assert target.read_bytes()[data_offset(archive, info) :][: len(data)] == data
    in_zip = list(iter_frames(VideoSource(zip_path=str(target), zip_member=MEMBER)))
    in_file = list(iter_frames(VideoSource(path=str(folder / "clip.mp4"))))
    assert len(in_zip) == 60
    np.testing.assert_array_equal(np.stack(in_zip), np.stack(in_file))


def test_probing_a_member_reads_less_than_the_member(tmp_path: Path) -> None:
    """zipfile's own stream rewinds on each backward seek: the probe read this member ~7 times
    (866 KB for 125 KB); in place it reads the container's index and the last frames."""
    target, data = _zip(tmp_path, frames=3000)
    reader = _ZipReader()
    try:
        reader.probe_member(str(target), MEMBER)  # opens the zip, loads cv2
        before = _rchar()
        result = reader.probe_member(str(target), MEMBER)
        read = _rchar() - before
    finally:
        reader.close()
    assert result == probe_file(tmp_path / "clip.mp4")
    assert result.num_frames == 3000
    assert read < len(data)


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_probing_keeps_no_python_objects_per_member(tmp_path: Path, compression: int) -> None:
    """OpenCV's reader of Python streams kept ~1.2 KB per capture that was never freed."""
    target, _ = _zip(tmp_path, compression)
    reader = _ZipReader()
    try:
        reader.probe_member(str(target), MEMBER)
        gc.collect()
        tracemalloc.start()
        results = [reader.probe_member(str(target), MEMBER) for _ in range(40)]
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
    finally:
        reader.close()
    assert all(result.num_frames == 60 for result in results)
    if compression == zipfile.ZIP_STORED:
        assert kept / len(results) < 300  # the result objects themselves
    else:
        assert kept / len(results) > 600  # the leak is still there on the fallback


def test_deflated_member_falls_back_to_zipfile(tmp_path: Path) -> None:
    target, _ = _zip(tmp_path, zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(target) as archive:
        assert member_url(archive, archive.getinfo(MEMBER)) is None
    frames = list(iter_frames(VideoSource(zip_path=str(target), zip_member=MEMBER)))
    assert len(frames) == 60


def test_bad_local_header_is_named(tmp_path: Path) -> None:
    target, _ = _zip(tmp_path)
    with zipfile.ZipFile(target) as archive:
        info = archive.getinfo(MEMBER)
        raw = bytearray(target.read_bytes())
        raw[info.header_offset : info.header_offset + 4] = b"XXXX"  # not the PK\3\4 signature
        target.write_bytes(raw)
        with pytest.raises(zipfile.BadZipFile, match=r"clip\.mp4 has a bad local header"):
            data_offset(archive, info)
